/**
 * SSH hosts through the user's own OpenSSH: their `ssh`, ~/.ssh/config, keys, agent, ProxyJump.
 * One ControlMaster connection per host (a started session or a check pays no new handshake);
 * every other ssh call multiplexes over its socket. No polling while idle: OpenSSH's
 * ServerAliveInterval keep-alives notice a dead link, the master then exits and we reconnect with
 * backoff. Options forced on every call, and why:
 * - BatchMode=yes: a password / 2FA / passphrase prompt fails at once instead of hanging;
 * - StrictHostKeyChecking=yes: an unknown host key is refused; the user accepts it in the UI
 *   (`probeHostKey` + `acceptHostKey`), stored in Shepherd's known_hosts, which is added as a
 *   GlobalKnownHostsFile so the user's own UserKnownHostsFile keeps working;
 * - ConnectTimeout: an unreachable host fails in seconds, and the message says how many;
 * - RemoteCommand=none, RequestTTY=no (-T): a user config that sets them must not break stdio.
 */
import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { classifySshFailure, RemoteError, type RemoteFailure } from './errors'
import { hostKey, type RemoteLocation } from './location'
import { shJoin } from './quote'
import { watchGroup } from '../providers/watchdog'

export type HostState = 'connecting' | 'connected' | 'reconnecting' | 'failed'

export interface HostStatus {
  host: string
  state: HostState
  /** Why it failed / why it reconnects (the typed reason and a sentence). */
  reason: RemoteFailure | null
  message: string | null
  updatedAt: number
}

export interface SshHostsOptions {
  dataDir: string
  /** `ssh -F file` instead of ~/.ssh/config (tests; users leave it unset). */
  configFile?: string | null
  /** `ssh` to run (default: `ssh` on PATH). */
  sshBinary?: string
  /** ConnectTimeout in seconds (default 10). */
  connectTimeoutS?: number
  /** The local environment ssh runs with (PATH, HOME, SSH_AUTH_SOCK…). */
  env?: Record<string, string | undefined>
}

export interface ExecResult {
  code: number | null
  stdout: string
  stderr: string
}

/** Variables ssh itself needs from the local environment (its agent socket above all). */
const SSH_ENV = ['PATH', 'HOME', 'USER', 'LOGNAME', 'SSH_AUTH_SOCK', 'LANG', 'LC_ALL', 'LC_CTYPE', 'DISPLAY', 'XAUTHORITY', 'TMPDIR']
/** Hard failures: reconnecting cannot fix them; the user must act. */
const FATAL: readonly RemoteFailure[] = ['unknown_host', 'auth_failed', 'host_key_unknown', 'host_key_changed', 'ssh_missing']
const MAX_RECONNECTS = 10
const BACKOFF_MS = [1_000, 2_000, 4_000, 8_000, 15_000, 30_000]

interface Master {
  key: string
  loc: Pick<RemoteLocation, 'host' | 'port'>
  proc: ReturnType<typeof spawn> | null
  ready: Promise<void> | null
  status: HostStatus
  attempt: number
  retry: NodeJS.Timeout | null
  wanted: boolean
  everConnected: boolean
}

export class SshHosts {
  readonly knownHostsFile: string
  readonly controlDir: string
  private readonly masters = new Map<string, Master>()
  private readonly listeners = new Set<(s: HostStatus) => void>()
  private readonly timeoutS: number
  private disposed = false

  constructor(private readonly o: SshHostsOptions) {
    this.timeoutS = o.connectTimeoutS ?? 10
    const sshDir = join(o.dataDir, 'ssh')
    mkdirSync(sshDir, { recursive: true, mode: 0o700 })
    this.knownHostsFile = join(sshDir, 'known_hosts')
    // A unix socket path is limited to ~104 bytes and ssh splits option values on spaces:
    // the data dir's ssh/ when it fits, else a private folder in the temp dir.
    const fits = sshDir.length + 45 < 100 && !/\s/.test(sshDir)
    this.controlDir = fits
      ? sshDir
      : join(tmpdir(), `shepherd-ssh-${process.getuid?.() ?? 0}-${createHash('sha1').update(o.dataDir).digest('hex').slice(0, 8)}`)
    mkdirSync(this.controlDir, { recursive: true, mode: 0o700 })
  }

  /** The `ssh -F` file in use, or null for ~/.ssh/config. */
  get configFile(): string | null {
    return this.o.configFile ?? null
  }

  get connectTimeoutS(): number {
    return this.timeoutS
  }

  onStatus(listener: (s: HostStatus) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  statuses(): HostStatus[] {
    return [...this.masters.values()].map((m) => m.status)
  }

  /** Options every ssh call gets (before the destination). */
  baseArgs(loc: Pick<RemoteLocation, 'host' | 'port'>): string[] {
    const a: string[] = []
    if (this.o.configFile) a.push('-F', this.o.configFile)
    a.push(
      '-T',
      '-o', 'BatchMode=yes',
      '-o', 'StrictHostKeyChecking=yes',
      '-o', `GlobalKnownHostsFile=/etc/ssh/ssh_known_hosts /etc/ssh/ssh_known_hosts2 "${this.knownHostsFile}"`,
      '-o', `ConnectTimeout=${this.timeoutS}`,
      '-o', 'ServerAliveInterval=5',
      '-o', 'ServerAliveCountMax=3',
      '-o', 'RemoteCommand=none',
      '-o', 'RequestTTY=no',
      '-o', 'LogLevel=ERROR',
      '-o', `ControlPath=${join(this.controlDir, '%C')}`
    ) // prettier-ignore
    if (loc.port) a.push('-p', String(loc.port))
    return a
  }

  /** argv for `ssh … host -- sh -c <script> shepherd <args…>` over the host's master. */
  commandArgs(loc: Pick<RemoteLocation, 'host' | 'port'>, script: string, args: readonly string[] = []): string[] {
    // The remote login shell parses one string: every word quoted (quote.ts), never a raw path.
    return [...this.baseArgs(loc), '-o', 'ControlMaster=no', loc.host, shJoin(['sh', '-c', script, 'shepherd', ...args])]
  }

  /** The environment for local ssh processes. */
  sshEnv(): Record<string, string> {
    const src = this.o.env ?? process.env
    const env: Record<string, string> = {}
    for (const k of SSH_ENV) if (typeof src[k] === 'string') env[k] = src[k] as string
    return env
  }

  get sshBinary(): string {
    return this.o.sshBinary ?? 'ssh'
  }

  /** The host's master connection, started if needed; throws RemoteError with the reason. */
  async connect(loc: Pick<RemoteLocation, 'host' | 'port'>): Promise<void> {
    if (this.disposed) throw new RemoteError('ssh_failed', 'Shepherd is shutting down')
    const key = hostKey(loc)
    let m = this.masters.get(key)
    if (!m) {
      m = {
        key,
        loc: { host: loc.host, port: loc.port },
        proc: null,
        ready: null,
        status: this.#status(key, 'connecting'),
        attempt: 0,
        retry: null,
        wanted: true,
        everConnected: false
      }
      this.masters.set(key, m)
    }
    m.wanted = true
    if (m.proc && m.ready) return m.ready
    if (m.retry) {
      clearTimeout(m.retry)
      m.retry = null
    }
    m.ready = this.#startMaster(m)
    return m.ready
  }

  #status(host: string, state: HostState, err?: RemoteError): HostStatus {
    return { host, state, reason: err?.reason ?? null, message: err?.message ?? null, updatedAt: Date.now() }
  }

  #setStatus(m: Master, state: HostState, err?: RemoteError): void {
    m.status = this.#status(m.key, state, err)
    for (const l of this.listeners) l(m.status)
  }

  #startMaster(m: Master): Promise<void> {
    if (m.status.state !== 'reconnecting') this.#setStatus(m, 'connecting')
    const args = [...this.baseArgs(m.loc), '-o', 'ControlMaster=yes', '-o', 'ControlPersist=no', '-N', m.loc.host]
    // Own process group + the agents' watchdog (providers/watchdog.ts): if the app is killed, the master goes too.
    const proc = spawn(this.sshBinary, args, { env: this.sshEnv(), stdio: ['ignore', 'ignore', 'pipe'], detached: process.platform !== 'win32' })
    const watchdog = proc.pid && process.platform !== 'win32' ? watchGroup(proc.pid) : null
    proc.once('exit', () => watchdog?.release())
    m.proc = proc
    let stderr = ''
    proc.stderr?.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-8192)))
    let settled = false
    return new Promise<void>((resolve, reject) => {
      const fail = (err: RemoteError) => {
        if (settled) return
        settled = true
        reject(err)
      }
      proc.once('error', (e) => {
        m.proc = null
        m.ready = null
        const err =
          (e as NodeJS.ErrnoException).code === 'ENOENT'
            ? new RemoteError(
                'ssh_missing',
                `The ssh client was not found (${this.sshBinary}). Install OpenSSH (Debian/Ubuntu: apt-get install openssh-client).`
              )
            : new RemoteError('ssh_failed', `Cannot run ssh: ${e.message}`)
        this.#setStatus(m, 'failed', err)
        fail(err)
      })
      proc.once('exit', (code) => {
        m.proc = null
        m.ready = null
        if (this.disposed || !m.wanted) return
        const err = settled
          ? new RemoteError('connection_lost', `The connection to ${m.key} was lost${stderr.trim() ? `: ${stderr.trim().split('\n').pop()}` : ''}`)
          : classifySshFailure(m.key, stderr || `exit ${code}`, this.timeoutS)
        // Never connected (a first check that failed), or a failure reconnecting cannot fix: failed, no retries.
        if (!settled && (FATAL.includes(err.reason) || !m.everConnected)) {
          this.#setStatus(m, 'failed', err)
          return fail(err)
        }
        // Lost (or a transient failure): reconnect with backoff; waiters see the first failure.
        this.#setStatus(m, 'reconnecting', err)
        this.#scheduleReconnect(m)
        fail(err)
      })
      // Ready when the control socket answers (`ssh -O check`); bounded by ConnectTimeout.
      const deadline = Date.now() + (this.timeoutS + 5) * 1000
      const check = () => {
        if (settled || !m.proc) return
        const c = spawn(this.sshBinary, [...this.baseArgs(m.loc), '-O', 'check', m.loc.host], { env: this.sshEnv(), stdio: 'ignore' })
        c.once('error', () => {})
        c.once('exit', (code) => {
          if (settled) return
          if (code === 0) {
            settled = true
            m.attempt = 0
            m.everConnected = true
            this.#setStatus(m, 'connected')
            return resolve()
          }
          if (Date.now() > deadline) {
            proc.kill('SIGTERM')
            return fail(new RemoteError('timeout', `${m.key} did not answer within ${this.timeoutS} s (ConnectTimeout).`))
          }
          setTimeout(check, 100)
        })
      }
      setTimeout(check, 50)
    })
  }

  #scheduleReconnect(m: Master): void {
    if (this.disposed || m.retry) return
    // A host that stays down is not retried forever (no traffic while idle): failed, until the next use.
    if (m.attempt >= MAX_RECONNECTS)
      return this.#setStatus(m, 'failed', new RemoteError(m.status.reason ?? 'unreachable', m.status.message ?? `${m.key} is unreachable`))
    const delay = BACKOFF_MS[Math.min(m.attempt, BACKOFF_MS.length - 1)] as number
    m.attempt++
    m.retry = setTimeout(() => {
      m.retry = null
      if (this.disposed || !m.wanted) return
      m.ready = this.#startMaster(m)
      m.ready.catch(() => {})
    }, delay)
    m.retry.unref()
  }

  /** Run `sh -c script` on the host (over the master); resolves with its output, never rejects for a non-zero exit. */
  async exec(
    loc: Pick<RemoteLocation, 'host' | 'port'>,
    script: string,
    args: readonly string[] = [],
    o: { timeoutMs?: number; input?: string } = {}
  ): Promise<ExecResult> {
    await this.connect(loc)
    return this.#run(this.commandArgs(loc, script, args), o)
  }

  #run(args: string[], o: { timeoutMs?: number; input?: string } = {}): Promise<ExecResult> {
    return new Promise((resolve, reject) => {
      const c = spawn(this.sshBinary, args, { env: this.sshEnv(), stdio: ['pipe', 'pipe', 'pipe'] })
      // Decoded once at the end: a multi-byte character split across chunks (git's file names, diffs) stays whole.
      const out: Buffer[] = []
      const err: Buffer[] = []
      c.stdout.on('data', (d: Buffer) => out.push(d))
      c.stderr.on('data', (d: Buffer) => err.push(d))
      c.stdin.on('error', () => {})
      c.stdin.end(o.input ?? '')
      const timer = setTimeout(() => c.kill('SIGKILL'), o.timeoutMs ?? (this.timeoutS + 20) * 1000)
      c.once('error', (e) => {
        clearTimeout(timer)
        reject((e as NodeJS.ErrnoException).code === 'ENOENT' ? new RemoteError('ssh_missing', `The ssh client was not found (${this.sshBinary}).`) : e)
      })
      c.once('close', (code) => {
        clearTimeout(timer)
        resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') })
      })
    })
  }

  /**
   * The host key `loc` presents, without trusting it: one connection with a throw-away known_hosts
   * (accept-new writes the key there). The exact lines are what `acceptHostKey` stores, so what the
   * user saw is what gets trusted.
   */
  async probeHostKey(loc: Pick<RemoteLocation, 'host' | 'port'>): Promise<{ fingerprint: string; lines: string }> {
    const dir = mkdtempSync(join(tmpdir(), 'shepherd-hostkey-'))
    try {
      const file = join(dir, 'known_hosts')
      const args: string[] = []
      if (this.o.configFile) args.push('-F', this.o.configFile)
      args.push(
        '-T',
        '-o',
        'BatchMode=yes',
        '-o',
        'StrictHostKeyChecking=accept-new',
        '-o',
        `UserKnownHostsFile=${file}`,
        '-o',
        'GlobalKnownHostsFile=/dev/null'
      )
      args.push(
        '-o',
        `ConnectTimeout=${this.timeoutS}`,
        '-o',
        'ControlMaster=no',
        '-o',
        'ControlPath=none',
        '-o',
        'RemoteCommand=none',
        '-o',
        'HashKnownHosts=no'
      )
      if (loc.port) args.push('-p', String(loc.port))
      args.push(loc.host, 'true')
      const r = await this.#run(args)
      let lines = ''
      try {
        lines = readFileSync(file, 'utf8')
      } catch {
        throw classifySshFailure(hostKey(loc), r.stderr, this.timeoutS)
      }
      const fp = await new Promise<string>((resolve) => {
        const c = spawn('ssh-keygen', ['-l', '-f', file], { stdio: ['ignore', 'pipe', 'ignore'] })
        let out = ''
        c.stdout.on('data', (d: Buffer) => (out += d.toString()))
        c.once('error', () => resolve(''))
        c.once('close', () => resolve(out.trim()))
      })
      return { fingerprint: fp || lines.trim().split(/\s+/).slice(1, 2).join(' '), lines }
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }

  /** Trust these known_hosts lines (from `probeHostKey`, shown to and accepted by the user). */
  acceptHostKey(lines: string): void {
    const clean = lines
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'))
    if (!clean.length) throw new RemoteError('ssh_failed', 'No host key to accept')
    appendFileSync(this.knownHostsFile, clean.join('\n') + '\n', { mode: 0o600 })
  }

  /** Close every master (app quit). */
  async dispose(): Promise<void> {
    this.disposed = true
    const waits: Promise<void>[] = []
    for (const m of this.masters.values()) {
      if (m.retry) clearTimeout(m.retry)
      const p = m.proc
      if (p && p.exitCode === null) {
        waits.push(new Promise((r) => p.once('exit', () => r())))
        p.kill('SIGTERM')
      }
    }
    await Promise.all(waits)
  }

  /** Drop one host's master (tests: "the connection is killed"). */
  killMaster(loc: Pick<RemoteLocation, 'host' | 'port'>, signal: NodeJS.Signals = 'SIGKILL'): boolean {
    const p = this.masters.get(hostKey(loc))?.proc
    if (!p || p.exitCode !== null) return false
    p.kill(signal)
    return true
  }
}
