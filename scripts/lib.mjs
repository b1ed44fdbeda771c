// Small helpers shared by the project's scripts (plain Node, no dependencies).
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'

export const root = join(dirname(fileURLToPath(import.meta.url)), '..')

/** Newest mtime under the given folders (files only). */
export function newestMtime(paths) {
  let newest = 0
  const walk = (p) => {
    if (!existsSync(p)) return
    const st = statSync(p)
    if (st.isDirectory()) { for (const e of readdirSync(p)) if (e !== 'node_modules') walk(join(p, e)) }
    else newest = Math.max(newest, st.mtimeMs)
  }
  for (const p of paths) walk(join(root, p))
  return newest
}

/** Build main, preload and renderer unless the outputs are newer than every source. */
export function buildIfNeeded({ quiet = false } = {}) {
  const outputs = ['out/main/index.js', 'out/main/host.js', 'out/preload/index.js', 'out/renderer/index.html'].map((p) => join(root, p))
  const sources = newestMtime(['src-main', 'src-preload', 'src-renderer', 'electron.vite.config.ts', 'package.json'])
  const built = outputs.every(existsSync) ? Math.min(...outputs.map((p) => statSync(p).mtimeMs)) : 0
  if (built > sources) return true
  if (!quiet) console.log('Building Shepherd…')
  const r = spawnSync(process.execPath, [join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'], { cwd: root, stdio: quiet ? 'pipe' : 'inherit' })
  if (r.status !== 0) {
    if (quiet) {
      process.stderr.write(r.stdout?.toString() ?? '', 'utf8')
      process.stderr.write(r.stderr?.toString() ?? '', 'utf8')
    }
    return false
  }
  return true
}
