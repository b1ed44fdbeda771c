// A throw-away OpenSSH server on 127.0.0.1 for the SSH-host tests (issue 17). The machine side
// (openssh-server, the account `shepherd-remote` that plays the remote, the agent CLIs on its PATH)
// is scripts/setup-test-sshd.mjs; here: a generated host key, a generated client key, an sshd
// config that listens on 127.0.0.1 only, a free port, and an ssh client config (`ssh -F`) with the
// alias `shepherd-test` — never the user's ~/.ssh. `sshdSkipReason()` says why tests cannot run.
import { execFileSync, spawn, spawnSync } from 'node:child_process'
import { chmodSync, chownSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { connect, createServer } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'

export const REMOTE_USER = 'shepherd-remote'
export const SSH_ALIAS = 'shepherd-test'
const SSHD = '/usr/sbin/sshd'

function account(): { uid: number; gid: number; home: string } | null {
  const r = spawnSync('getent', ['passwd', REMOTE_USER], { encoding: 'utf8' })
  if (r.status !== 0) return null
  const f = r.stdout.trim().split(':')
  return { uid: Number(f[2]), gid: Number(f[3]), home: f[5] as string }
}

/** Null when a throw-away sshd can run here, else why the SSH tests skip. */
export function sshdSkipReason(): string | null {
  if (process.platform !== 'linux') return 'needs Linux'
  if (process.getuid?.() !== 0) return 'needs root (runs sshd and uses the local account shepherd-remote); run `npm test` as root'
  if (!existsSync(SSHD)) return 'openssh-server is not installed (npm test installs it via apt as root: scripts/setup-test-sshd.mjs)'
  const acct = account()
  if (!acct) return 'the account shepherd-remote is missing (run `node scripts/setup-test-sshd.mjs` as root)'
  // The pinned CLIs are symlinked into its ~/.local/bin; a private parent folder of the clone (e.g. /root) hides them.
  const r = spawnSync('runuser', ['-u', REMOTE_USER, '--', 'sh', '-c', 'PATH="$HOME/.local/bin:$PATH"; claude --version >/dev/null 2>&1'], { timeout: 30_000 })
  if (r.status !== 0)
    return `the account shepherd-remote cannot run the test CLIs in ${acct.home}/.local/bin (not set up, or a parent folder of this clone is private)`
  return null
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port
      s.close(() => resolve(port))
    })
  })
}

export interface TestSshd {
  port: number
  /** `ssh -F` file: Host shepherd-test → 127.0.0.1:port as shepherd-remote with the client key. */
  configFile: string
  /** The host key line for a known_hosts file (tests accept it through Shepherd's flow). */
  hostKeyLine: string
  /** The remote account's HOME, and a fresh folder in it owned by that account (the project). */
  remoteHome: string
  /** A folder on "the remote", owned by its account (the name may be given, spaces and all). */
  remoteDir(name: string): string
  /** Copy a local file into the remote account's home (owned by it, readable); returns its path there. */
  remoteFile(src: string, name: string): string
  /** `ps` of everything the remote account runs, minus sshd (what Shepherd left on the host). */
  remoteProcesses(): string[]
  /** Kill sshd's own per-connection processes for the account: the connection dies mid-stream. */
  dropConnections(): void
  stop(): Promise<void>
}

/** `maxSessions`: sshd's channels per connection (OpenSSH's default is 10; the tests' sshd allows 64). */
export async function startSshd(opts: { maxSessions?: number } = {}): Promise<TestSshd> {
  const acct = account()
  if (!acct) throw new Error('no remote account')
  const dir = mkdtempSync(path.join(tmpdir(), 'shepherd-sshd-'))
  chmodSync(dir, 0o755)
  const hostKey = path.join(dir, 'host_ed25519')
  const clientKey = path.join(dir, 'client_ed25519')
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'shepherd-test-host', '-f', hostKey])
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'shepherd-test-client', '-f', clientKey])
  const authorized = path.join(dir, 'authorized_keys')
  writeFileSync(authorized, readFileSync(clientKey + '.pub'))
  chmodSync(authorized, 0o644)
  const port = await freePort()
  const sshdConfig = path.join(dir, 'sshd_config')
  writeFileSync(
    sshdConfig,
    [
      `ListenAddress 127.0.0.1:${port}`,
      `HostKey ${hostKey}`,
      `PidFile ${path.join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${authorized}`,
      'AllowUsers ' + REMOTE_USER,
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PubkeyAuthentication yes',
      'UsePAM no',
      'StrictModes no',
      'PermitRootLogin no',
      'AllowTcpForwarding yes',
      'X11Forwarding no',
      'PrintMotd no',
      `MaxSessions ${opts.maxSessions ?? 64}`,
      'MaxStartups 64',
      'LogLevel ERROR',
      ''
    ].join('\n')
  )
  const sshd = spawn(SSHD, ['-D', '-e', '-f', sshdConfig], { stdio: ['ignore', 'ignore', 'pipe'] })
  let sshdErr = ''
  sshd.stderr?.on('data', (d: Buffer) => (sshdErr += d.toString()))
  // Ready when the port accepts connections.
  const deadline = Date.now() + 10_000
  for (;;) {
    if (sshd.exitCode !== null) throw new Error(`sshd exited: ${sshdErr}`)
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1')
      s.once('connect', () => (s.destroy(), resolve(true)))
      s.once('error', () => resolve(false))
    })
    if (ok) break
    if (Date.now() > deadline) throw new Error(`sshd did not listen: ${sshdErr}`)
    await new Promise((r) => setTimeout(r, 50))
  }
  const configFile = path.join(dir, 'ssh_config')
  writeFileSync(
    configFile,
    [
      `Host ${SSH_ALIAS}`,
      '  HostName 127.0.0.1',
      `  Port ${port}`,
      `  User ${REMOTE_USER}`,
      `  IdentityFile ${clientKey}`,
      '  IdentitiesOnly yes',
      `  UserKnownHostsFile ${path.join(dir, 'user_known_hosts')}`,
      // What a user's config may carry; Shepherd must override both for its stdio protocols.
      '  RequestTTY yes',
      '  RemoteCommand echo this-must-not-run',
      'Host *',
      '  IdentitiesOnly yes',
      `  IdentityFile ${clientKey}`,
      `  UserKnownHostsFile ${path.join(dir, 'user_known_hosts')}`,
      ''
    ].join('\n')
  )
  const hostKeyLine = `[127.0.0.1]:${port} ${readFileSync(hostKey + '.pub', 'utf8')
    .trim()
    .split(' ')
    .slice(0, 2)
    .join(' ')}`
  const made: string[] = []
  return {
    port,
    configFile,
    hostKeyLine,
    remoteHome: acct.home,
    remoteDir(name: string) {
      const base = path.join(acct.home, 'projects')
      mkdirSync(base, { recursive: true })
      chownSync(base, acct.uid, acct.gid)
      const d = path.join(base, name)
      mkdirSync(d, { recursive: true })
      chownSync(d, acct.uid, acct.gid)
      made.push(d)
      return d
    },
    remoteFile(src: string, name: string) {
      const d = path.join(acct.home, name)
      copyFileSync(src, d)
      chownSync(d, acct.uid, acct.gid)
      chmodSync(d, 0o755)
      made.push(d)
      return d
    },
    remoteProcesses() {
      const r = spawnSync('ps', ['-u', REMOTE_USER, '-o', 'pid=,pgid=,args='], { encoding: 'utf8' })
      return r.stdout
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l && !/\bsshd\b/.test(l))
    },
    dropConnections() {
      // This sshd's per-connection processes (each connection's monitor and its unprivileged child,
      // both named sshd): SIGKILL them all and the TCP connections die — the network "drops".
      const sshds: number[] = []
      let level = [sshd.pid as number]
      while (level.length) {
        const next: number[] = []
        for (const parent of level) {
          const r = spawnSync('ps', ['--ppid', String(parent), '-o', 'pid=,comm='], { encoding: 'utf8' })
          for (const line of r.stdout.split('\n')) {
            const [pid, comm] = line.trim().split(/\s+/)
            if (pid && comm?.startsWith('sshd')) next.push(Number(pid))
          }
        }
        sshds.push(...next)
        level = next
      }
      for (const pid of sshds) {
        try {
          process.kill(pid, 'SIGKILL')
        } catch {
          /* gone */
        }
      }
    },
    async stop() {
      await new Promise<void>((resolve) => {
        if (sshd.exitCode !== null) return resolve()
        sshd.once('exit', () => resolve())
        sshd.kill('SIGTERM')
      })
      for (const d of made) rmSync(d, { recursive: true, force: true })
      rmSync(dir, { recursive: true, force: true })
    }
  }
}
