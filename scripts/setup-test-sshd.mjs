// The machine side of the SSH-host tests (issue 17), run by `npm test` before Vitest:
// - Debian's `openssh-server` via apt when /usr/sbin/sshd is missing (root only; its service is
//   never started: the tests run their own throw-away sshd on 127.0.0.1, test/support/sshd.ts);
// - a separate local account `shepherd-remote` that plays "the remote" (its own HOME and processes,
//   so `ps -u shepherd-remote` shows exactly what Shepherd left on "the host");
// - the pinned agent CLIs (test/agents) reachable there: symlinks in its ~/.local/bin.
// Prints why and exits 0 when it cannot (not root, no apt): those tests then skip with that reason.
// `node scripts/setup-test-sshd.mjs --check` only reports.
import { spawnSync } from 'node:child_process'
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync, chownSync } from 'node:fs'
import { join } from 'node:path'
import { root } from './lib.mjs'

export const REMOTE_USER = 'shepherd-remote'
export const SSHD = '/usr/sbin/sshd'
const AGENTS = ['claude', 'codex', 'opencode']

function isRoot() {
  return typeof process.getuid === 'function' && process.getuid() === 0
}

/** The remote account's passwd entry, or null. */
export function remoteAccount() {
  const r = spawnSync('getent', ['passwd', REMOTE_USER], { encoding: 'utf8' })
  if (r.status !== 0) return null
  const f = r.stdout.trim().split(':')
  return { uid: Number(f[2]), gid: Number(f[3]), home: f[5] }
}

/** Null when ready, else the reason the SSH tests skip. */
export function setupTestSshd({ check = false } = {}) {
  if (process.platform !== 'linux') return 'SSH host tests need Linux (a local account plays the remote host)'
  if (!isRoot()) return 'SSH host tests need root (they add the local account shepherd-remote and run sshd)'
  if (!existsSync(SSHD)) {
    if (check) return `${SSHD} is missing (openssh-server not installed)`
    console.log('Installing openssh-server from Debian packages (one time; its service is not started)…')
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
    const apt = (args) => spawnSync('apt-get', args, { stdio: ['ignore', 'inherit', 'inherit'], env })
    if (apt(['install', '-y', '--no-install-recommends', 'openssh-server']).status !== 0) {
      apt(['update'])
      apt(['install', '-y', '--no-install-recommends', 'openssh-server'])
    }
    if (!existsSync(SSHD)) return 'openssh-server could not be installed (apt-get failed)'
  }
  // sshd's privilege separation directory.
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 })
  let acct = remoteAccount()
  if (!acct) {
    if (check) return `the local account ${REMOTE_USER} is missing`
    const r = spawnSync('useradd', ['--create-home', '--shell', '/bin/bash', '--comment', 'Shepherd test remote host', REMOTE_USER], { stdio: 'inherit' })
    acct = remoteAccount()
    if (r.status !== 0 || !acct) return `could not add the local account ${REMOTE_USER}`
  }
  // sshd refuses a locked account ("!" in shadow) even for keys: set a random, never-used password hash.
  spawnSync('usermod', ['-p', '*', '-s', '/bin/bash', REMOTE_USER])
  // The pinned CLIs on the account's PATH (the wrapper adds ~/.local/bin; so do most installers).
  const bin = join(acct.home, '.local', 'bin')
  mkdirSync(bin, { recursive: true })
  for (const name of AGENTS) {
    const target = join(root, 'test', 'agents', 'node_modules', '.bin', name)
    const link = join(bin, name)
    rmSync(link, { force: true })
    if (existsSync(target)) symlinkSync(target, link)
  }
  for (const d of [join(acct.home, '.local'), bin]) chownSync(d, acct.uid, acct.gid)
  // Nothing from the account's rc files on stdout is trusted, but prove it: a banner at the top of
  // ~/.bashrc (bash run by sshd reads it even for `ssh host cmd`) and ~/.profile.
  for (const f of ['.profile', '.bashrc']) {
    const p = join(acct.home, f)
    const text = existsSync(p) ? readFileSync(p, 'utf8') : ''
    if (!text.includes('SHEPHERD-TEST-BANNER')) writeFileSync(p, 'echo "SHEPHERD-TEST-BANNER: welcome to the remote"\n' + text)
    chownSync(p, acct.uid, acct.gid)
    chmodSync(p, 0o644)
  }
  return null
}

if (process.argv[1] && process.argv[1].endsWith('setup-test-sshd.mjs')) {
  const reason = setupTestSshd({ check: process.argv.includes('--check') })
  console.log(reason ? `SSH host tests will skip: ${reason}` : `SSH host tests ready (sshd ${SSHD}, account ${REMOTE_USER})`)
}
