/**
 * The kill -9 soak needs the built web host. It builds it (electron-vite) when it is missing or older
 * than the main-process sources, and fails with the build's output when that does not work: a
 * durability test must never pass by not running (issue 10, bug 3).
 */
import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { HOST_JS, ROOT } from '../../bench/lib/paths'

function newestMtime(dir: string): number {
  let newest = 0
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name)
    if (e.isDirectory()) newest = Math.max(newest, newestMtime(p))
    else if (/\.(ts|mts|js|mjs)$/.test(e.name) && !e.name.includes('.test.')) newest = Math.max(newest, statSync(p).mtimeMs)
  }
  return newest
}

/** Why the host must be (re)built, or null when out/main/host.js is current. */
export function hostBuildNeeded(): string | null {
  if (!existsSync(HOST_JS)) return `${HOST_JS} is missing`
  return statSync(HOST_JS).mtimeMs < newestMtime(join(ROOT, 'src-main')) ? `${HOST_JS} is older than src-main/` : null
}

/** Builds the host when needed; throws (with the build output) when it cannot. */
export function ensureBuiltHost(): void {
  const why = hostBuildNeeded()
  if (!why) return
  try {
    execFileSync(process.execPath, [join(ROOT, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'], { cwd: ROOT, stdio: 'pipe', timeout: 600_000 })
  } catch (err) {
    const e = err as { stdout?: Buffer; stderr?: Buffer; message: string }
    throw new Error(
      `the soak test needs the built host (${why}) and building it failed: ${e.message}\n${e.stdout?.toString() ?? ''}${e.stderr?.toString() ?? ''}`,
      { cause: err }
    )
  }
  if (!existsSync(HOST_JS)) throw new Error(`electron-vite build finished but ${HOST_JS} is still missing`)
}
