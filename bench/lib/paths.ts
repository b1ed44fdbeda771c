/** Repository paths, valid both from source (vitest) and from the bundled harness in .tmp/bench. */
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

function findRoot(start: string): string {
  let dir = start
  for (;;) {
    const pkg = join(dir, 'package.json')
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'shepherd') return dir
    const up = dirname(dir)
    if (up === dir) throw new Error(`cannot find the shepherd repository above ${start}`)
    dir = up
  }
}

export const ROOT = findRoot(dirname(fileURLToPath(import.meta.url)))
/** The synthetic `claude` (realistic stream-json at a controlled rate). */
export const SYNTHETIC_AGENT = join(ROOT, 'test/support/synthetic-agent.mjs')
/** The built web host (`npx electron-vite build`). */
export const HOST_JS = join(ROOT, 'out/main/host.js')
/** Scratch space for seeded databases and profiles (gitignored). */
export const SCRATCH = join(ROOT, '.tmp/bench')

export function chromiumPath(): string | null {
  if (process.env.CHROMIUM_PATH && existsSync(process.env.CHROMIUM_PATH)) return process.env.CHROMIUM_PATH
  for (const p of ['/usr/bin/chromium', '/usr/bin/chromium-browser']) if (existsSync(p)) return p
  return null
}
