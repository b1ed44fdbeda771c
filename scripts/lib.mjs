// Small helpers shared by the project's scripts (plain Node, no dependencies).
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'

/** Debian's Chromium (or CHROMIUM_PATH); never a Playwright download. */
export function findChromium() {
  if (process.env.CHROMIUM_PATH && existsSync(process.env.CHROMIUM_PATH)) return process.env.CHROMIUM_PATH
  for (const p of ['/usr/bin/chromium', '/usr/bin/chromium-browser']) if (existsSync(p)) return p
  return null
}

/** Chromium for the e2e tests and the bench: found, or installed with apt when we are root. Returns its path or null. */
export function ensureChromium() {
  const path = findChromium()
  if (path) return path
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0
  if (!isRoot) {
    console.error('Chromium is missing. Install it (Debian/Ubuntu: sudo apt-get install -y chromium) or set CHROMIUM_PATH.')
    return null
  }
  console.error('Installing Chromium from Debian packages (one time)…')
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
  const apt = (args) => spawnSync('apt-get', args, { stdio: ['ignore', 'inherit', 'inherit'], env })
  apt(['update'])
  apt(['install', '-y', '--no-install-recommends', 'chromium'])
  return findChromium()
}

export const root = join(dirname(fileURLToPath(import.meta.url)), '..')

/** Newest mtime under the given folders (files only). */
export function newestMtime(paths) {
  let newest = 0
  const walk = (p) => {
    if (!existsSync(p)) return
    const st = statSync(p)
    if (st.isDirectory()) {
      for (const e of readdirSync(p)) if (e !== 'node_modules') walk(join(p, e))
    } else newest = Math.max(newest, st.mtimeMs)
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
  const r = spawnSync(process.execPath, [join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'], {
    cwd: root,
    stdio: quiet ? 'pipe' : 'inherit'
  })
  if (r.status !== 0) {
    if (quiet) {
      process.stderr.write(r.stdout?.toString() ?? '', 'utf8')
      process.stderr.write(r.stderr?.toString() ?? '', 'utf8')
    }
    return false
  }
  return true
}
