// `npm start`: build if needed, launch Electron; when Electron cannot start here, say why in one
// line and serve the same app to the browser instead (web host on 127.0.0.1, URL printed).
// `npm run serve` (--web) goes straight to the web host.
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { constants as osConstants } from 'node:os'
import { join } from 'node:path'
import { buildIfNeeded, root } from './lib.mjs'
import { ensureElectronNative } from './native-abi.mjs'

/** Electron that dies this soon after launch did not start (missing libraries, no display…). */
const EARLY_EXIT_MS = 4000

function electronBinary() {
  const pkg = join(root, 'node_modules', 'electron')
  const pathFile = join(pkg, 'path.txt')
  const find = () => (existsSync(pathFile) ? join(pkg, 'dist', readFileSync(pathFile, 'utf8').trim()) : null)
  let bin = find()
  if (bin && existsSync(bin)) return bin
  // Electron ≥ 42 downloads its binary lazily; try once, quietly (fails fast without internet).
  const r = spawnSync(process.execPath, [join(pkg, 'install.js')], { cwd: pkg, stdio: 'pipe', timeout: 300_000 })
  bin = find()
  if (r.status === 0 && bin && existsSync(bin)) return bin
  throw new Error('the Electron binary is not installed and could not be downloaded (no internet access to GitHub)')
}

function serveWeb(reason) {
  if (reason) console.log(`Electron cannot start here (${reason}); starting Shepherd in your browser instead.`)
  // `npm run serve -- --rotate-token` passes the flag on (a new web access token).
  const flags = process.argv.filter((a) => a === '--rotate-token')
  const child = spawn(process.execPath, [join(root, 'out', 'main', 'host.js'), ...flags], { cwd: root, stdio: 'inherit', env: process.env })
  let forwarded = null
  const forward = (sig) => () => {
    forwarded = sig
    child.kill(sig)
  }
  process.on('SIGINT', forward('SIGINT'))
  process.on('SIGTERM', forward('SIGTERM'))
  child.on('exit', (code, signal) => process.exit(exitStatus('The Shepherd host', code, signal, forwarded)))
}

/**
 * The exit status of `npm start` after the app's process ended: its own code, or — when something
 * else killed it (the OOM killer, a kill -9) — a word about it and 128 + the signal number, as a
 * shell reports it. A stop the user asked for (Ctrl+C, SIGTERM to us) stays quiet.
 */
function exitStatus(what, code, signal, forwarded) {
  if (code !== null) {
    if (code !== 0) console.error(`${what} exited with status ${code}.`)
    return code
  }
  if (signal && signal === forwarded) return 0
  console.error(
    `${what} was killed by ${signal}${signal === 'SIGKILL' ? ' (e.g. out of memory or kill -9)' : ''}; your agents were stopped with it and nothing stored is lost. Run \`npm start\` again to continue.`
  )
  return 128 + (osConstants.signals[signal] ?? 0)
}

function main() {
  if (!buildIfNeeded()) {
    console.error('The build failed; see the errors above.')
    process.exit(1)
  }
  if (process.argv.includes('--web') || process.env.SHEPHERD_WEB === '1') return serveWeb(null)
  let bin, binding
  try {
    bin = electronBinary()
    binding = ensureElectronNative({ log: console.log })
  } catch (err) {
    return serveWeb(err.message)
  }
  const started = Date.now()
  let stderrTail = ''
  const child = spawn(bin, ['.'], { cwd: root, stdio: ['ignore', 'inherit', 'pipe'], env: { ...process.env, SHEPHERD_SQLITE_BINDING: binding } })
  child.stderr.on('data', (d) => {
    process.stderr.write(d)
    stderrTail = (stderrTail + d.toString()).slice(-400)
  })
  child.on('error', (err) => serveWeb(`could not run ${bin}: ${err.message}`))
  let forwarded = null
  for (const sig of ['SIGINT', 'SIGTERM'])
    process.on(sig, () => {
      forwarded = sig
      child.kill(sig)
    })
  child.on('exit', (code, signal) => {
    if (Date.now() - started < EARLY_EXIT_MS && code !== 0) {
      const last = stderrTail.trim().split('\n').pop() || `exit code ${code ?? signal}`
      return serveWeb(`Electron exited at once: ${last.slice(0, 160)}`)
    }
    process.exit(exitStatus('Shepherd', code, signal, forwarded))
  })
}

main()
