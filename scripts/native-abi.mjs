// better-sqlite3 is a native module: Node (npm test, web host) and Electron need different ABIs.
// We never rebuild node_modules in place. Instead a second copy of better-sqlite3, built for
// Electron's ABI, lives in .cache/electron-native/; the Electron host loads it through
// better-sqlite3's `nativeBinding` option (env SHEPHERD_SQLITE_BINDING). Tests keep the Node build.
// Packaged apps get an Electron build from electron-builder (npmRebuild) and need none of this.
import { spawnSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { root } from './lib.mjs'

export function electronVersion() {
  return JSON.parse(readFileSync(join(root, 'node_modules/electron/package.json'), 'utf8')).version
}

/** Path of an Electron-ABI better_sqlite3.node, building/downloading it when missing. Throws with a one-line reason. */
export function ensureElectronNative({ log = () => {} } = {}) {
  const version = electronVersion()
  const dir = join(root, '.cache', 'electron-native', `electron-${version}`, 'better-sqlite3')
  const binding = join(dir, 'build', 'Release', 'better_sqlite3.node')
  if (existsSync(binding)) return binding
  log(`Preparing better-sqlite3 for Electron ${version} (one time)…`)
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  cpSync(join(root, 'node_modules', 'better-sqlite3'), dir, { recursive: true, filter: (src) => !src.includes(`${join('better-sqlite3', 'build')}`) })
  const env = { ...process.env, npm_config_runtime: 'electron', npm_config_target: version, npm_config_disturl: 'https://electronjs.org/headers' }
  // A user/CI npmrc may point node-gyp at the local Node headers (nodedir): that would build the wrong ABI.
  for (const k of Object.keys(env)) if (k.toLowerCase() === 'npm_config_nodedir') delete env[k]
  // 1) the prebuilt binary for this Electron ABI (needs internet), 2) a compile against Electron's headers.
  const prebuild = join(root, 'node_modules', 'prebuild-install', 'bin.js')
  let r = spawnSync(process.execPath, [prebuild, '--runtime', 'electron', '--target', version], { cwd: dir, env, stdio: 'pipe', timeout: 120_000 })
  if (r.status !== 0 || !existsSync(binding)) {
    const gyp = join(root, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js')
    const gypPath = existsSync(gyp) ? gyp : null
    if (gypPath) {
      spawnSync(process.execPath, [gypPath, 'rebuild', '--release', `--target=${version}`, '--runtime=electron', '--dist-url=https://electronjs.org/headers'], {
        cwd: dir,
        env,
        stdio: 'pipe',
        timeout: 600_000
      })
    }
  }
  if (!existsSync(binding)) {
    rmSync(dir, { recursive: true, force: true })
    throw new Error('could not get better-sqlite3 for Electron (downloading it needs internet access)')
  }
  return binding
}

if (process.argv[2] === 'electron') {
  try {
    console.log(ensureElectronNative({ log: console.log }))
  } catch (err) {
    console.error(err.message)
    process.exit(1)
  }
}
