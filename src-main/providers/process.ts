/**
 * Spawning and stopping agent processes (docs/fault-catalogue.md CP-1..CP-5; docs/design-decisions.md "Process groups, no shell").
 * One process group per agent (POSIX `detached`), so stop and cleanup reach grandchildren too.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { readFileSync, readdirSync, statSync } from 'node:fs'
import { stripForbiddenEnv } from './child-env'
import { watchGroup, type Watchdog } from './watchdog'
import { ShepherdError } from '../shared/errors'

const IS_WINDOWS = process.platform === 'win32'
/** stderr tail kept for error reasons (CP-6); the rest is drained and dropped (FR-8). */
export const STDERR_TAIL_BYTES = 64 * 1024
/** After SIGKILL a process normally dies at once; this bounds a wait on one stuck in the kernel. */
const KILL_WAIT_MS = 2_000
/** Leftover group members after the leader exited get this long after SIGTERM before SIGKILL. */
const LEFTOVER_GRACE_MS = 1_000
/** A process that escaped the group (setsid) can hold our pipes open forever: stop waiting then. */
const PIPE_CLOSE_WAIT_MS = 2_000
/** During stop, how long pipes may stay open after the group is gone. */
const STOP_PIPE_WAIT_MS = 500
/** Poll interval while verifying that a process group is gone. */
const POLL_MS = 25

export interface ProcessExit {
  code: number | null
  signal: string | null
  stderrTail: string
  /** An agent on an SSH host whose connection was lost (src-main/remote/spawn.ts), not an agent exit. */
  disconnected?: boolean
}

export interface SpawnManagedOptions {
  cwd: string
  env: Record<string, string>
  /** Every stdout chunk, in order; wired before the process starts so nothing is missed. */
  onStdout: (chunk: Buffer) => void
  /** stderr as it comes (the tail is kept for exit reasons either way). */
  onStderr?: (chunk: Buffer) => void
  /** For errors: "Claude Code". */
  displayName: string
  /** For AGENT_NOT_FOUND: e.g. `npm install -g @anthropic-ai/claude-code`. */
  installHint: string
}

/** Send `signal` to the whole group led by `pid` (Windows: the tree). False if nothing was there. */
export function killGroup(pid: number, signal: NodeJS.Signals): boolean {
  if (IS_WINDOWS) {
    // No process groups: taskkill walks the tree (/T); it has no graceful mode for console apps.
    spawn('taskkill', ['/pid', String(pid), '/T', '/F'], { stdio: 'ignore', windowsHide: true }).on('error', () => {})
    return true
  }
  try {
    process.kill(-pid, signal)
    return true
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false
    throw err
  }
}

/**
 * Whether any live process is left in group `pgid`. Zombies do not count: they are dead, and an
 * init that does not reap orphans (some containers/VMs) would otherwise keep them "alive" forever.
 */
export function groupAlive(pgid: number): boolean {
  if (IS_WINDOWS) return false
  try {
    process.kill(-pgid, 0)
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ESRCH'
  }
  if (process.platform !== 'linux') return true
  for (const name of safeReaddir('/proc')) {
    if (!/^\d+$/.test(name)) continue
    const stat = readProcStat(Number(name))
    if (stat && stat.pgrp === pgid && stat.state !== 'Z' && stat.state !== 'X') return true
  }
  return false
}

/** Linux: process start time in clock ticks since boot (`/proc/<pid>/stat` field 22); else null. */
export function readProcessStartTime(pid: number): number | null {
  return readProcStat(pid)?.startTime ?? null
}

function readProcStat(pid: number): { state: string; pgrp: number; startTime: number } | null {
  if (process.platform !== 'linux') return null
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // Field 2 (comm) may contain spaces and parentheses: parse after the last ')'.
    const rest = text.slice(text.lastIndexOf(')') + 2).split(' ')
    return { state: rest[0] ?? '', pgrp: Number(rest[2]), startTime: Number(rest[19]) }
  } catch {
    return null
  }
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir)
  } catch {
    return []
  }
}
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

/** `promise`, or null after `ms` (the timer is cleared either way). */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<null>((r) => (timer = setTimeout(() => r(null), ms)))
  try {
    return await Promise.race([promise, timeout])
  } finally {
    clearTimeout(timer)
  }
}

/** Keeps the last `cap` bytes of a stream without growing. */
class TailRing {
  private parts: Buffer[] = []
  private size = 0
  constructor(private readonly cap: number) {}
  push(chunk: Buffer): void {
    this.parts.push(chunk.length > this.cap ? chunk.subarray(chunk.length - this.cap) : chunk)
    this.size += Math.min(chunk.length, this.cap)
    while (this.parts.length > 1 && this.size - (this.parts[0] as Buffer).length >= this.cap) {
      this.size -= (this.parts.shift() as Buffer).length
    }
  }
  text(): string {
    let buf = Buffer.concat(this.parts, this.size)
    if (buf.length > this.cap) buf = buf.subarray(buf.length - this.cap)
    // The cut may land inside a UTF-8 sequence: skip continuation bytes instead of showing U+FFFD.
    let i = 0
    while (i < buf.length && i < 4 && ((buf[i] as number) & 0xc0) === 0x80) i++
    return buf.subarray(i).toString('utf8')
  }
}

export class ManagedProcess {
  readonly pid: number
  /** See `readProcessStartTime`; recorded with the pid to recognise pid reuse in the orphan sweep. */
  readonly startTime: number | null
  /** Resolves once the leader exited and stdout/stderr were fully read (or abandoned, see above). */
  readonly exited: Promise<ProcessExit>
  private resolveExited: (exit: ProcessExit) => void = () => {}
  private exitInfo: ProcessExit | null = null
  /** The leader's own exit (pipes may still be open). */
  private readonly leaderExited: Promise<{ code: number | null; signal: string | null }>
  private leader: { code: number | null; signal: string | null } | null = null
  private stopping: Promise<ProcessExit> | null = null
  private readonly stderr = new TailRing(STDERR_TAIL_BYTES)
  private writeChain: Promise<void> = Promise.resolve()
  /** Ends the group if the host dies without stopping it (see watchdog.ts). */
  readonly watchdog: Watchdog
  /** Runs first on stop, bounded (a remote agent: stop its group on the host, src-main/remote/spawn.ts). */
  beforeStop: ((graceMs: number) => Promise<void>) | null = null

  constructor(private readonly child: ChildProcessWithoutNullStreams) {
    this.pid = child.pid as number
    this.startTime = readProcessStartTime(this.pid)
    this.watchdog = watchGroup(this.pid)
    child.stderr.on('data', (c: Buffer) => this.stderr.push(c))
    // EPIPE after the child died surfaces on the write promise; never as an uncaught error.
    child.stdin.on('error', () => {})
    child.stdout.on('error', () => {})
    child.stderr.on('error', () => {})
    this.exited = new Promise((resolve) => (this.resolveExited = resolve))
    this.leaderExited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        this.leader = { code, signal }
        resolve(this.leader)
        this.cleanLeftovers()
        setTimeout(() => this.abandonPipes(), LEFTOVER_GRACE_MS + PIPE_CLOSE_WAIT_MS).unref()
      })
    )
    child.once('close', (code, signal) => {
      this.leader ??= { code, signal }
      this.finish()
    })
  }

  private finish(): void {
    if (this.exitInfo) return
    const leader = this.leader ?? { code: null, signal: null }
    this.exitInfo = { code: leader.code, signal: leader.signal, stderrTail: this.stderr.text() }
    this.resolveExited(this.exitInfo)
  }

  /** Stop waiting for pipes held open by a process outside the group. */
  private abandonPipes(): void {
    if (this.exitInfo) return
    // Don't drop data the consumer merely paused; try again once it reads on.
    if (this.child.stdout.isPaused()) return void setTimeout(() => this.abandonPipes(), PIPE_CLOSE_WAIT_MS).unref()
    this.child.stdout.destroy()
    this.child.stderr.destroy()
    this.finish()
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null
  }

  /** Write one message as one line, honouring `write()`'s return value and `'drain'`. */
  writeLine(text: string): Promise<void> {
    if (text.includes('\n')) return Promise.reject(new Error('writeLine: a message must not contain a newline'))
    const run = () =>
      new Promise<void>((resolve, reject) => {
        const stdin = this.child.stdin
        if (!stdin.writable) return reject(new Error('The agent process no longer accepts input'))
        let written = false
        let drained = true
        const onError = (err: Error) => done(err)
        const onClose = () => done(new Error('The agent process closed its input'))
        const onDrain = () => {
          drained = true
          if (written) done()
        }
        const done = (err?: Error) => {
          stdin.off('error', onError).off('close', onClose).off('drain', onDrain)
          if (err) reject(err)
          else resolve()
        }
        stdin.on('error', onError).on('close', onClose)
        // Resolve once the line is handed to the OS and, if write() asked us to, after 'drain'.
        drained = stdin.write(text + '\n', (err) => {
          if (err) return done(err)
          written = true
          if (drained) done()
        })
        if (!drained) stdin.on('drain', onDrain)
      })
    // Serialised: a big message is fully handed to the pipe before the next one starts.
    const next = this.writeChain.then(run, run)
    this.writeChain = next.catch(() => {})
    return next
  }

  /** Backpressure: stop reading stdout (the OS pipe then blocks the child) / read on. */
  pauseStdout(): void {
    this.child.stdout.pause()
  }
  resumeStdout(): void {
    this.child.stdout.resume()
  }

  /**
   * Close stdin, SIGTERM the group, SIGKILL it after `graceMs`, then wait for the exit and until
   * nothing of the group is left. Idempotent; also fine after a natural exit.
   */
  stop(graceMs: number): Promise<ProcessExit> {
    this.stopping ??= this.doStop(graceMs)
    return this.stopping
  }

  private async doStop(graceMs: number): Promise<ProcessExit> {
    if (this.beforeStop)
      await within(
        this.beforeStop(graceMs).catch(() => {}),
        graceMs + KILL_WAIT_MS * 3
      )
    this.child.stdin.end()
    const deadline = Date.now() + graceMs
    if (this.alive || groupAlive(this.pid)) killGroup(this.pid, 'SIGTERM')
    let leader = await within(this.leaderExited, graceMs)
    // Grandchildren got the same SIGTERM and share the grace period.
    while (leader && Date.now() < deadline && groupAlive(this.pid)) await sleep(POLL_MS)
    if (!leader || groupAlive(this.pid)) killGroup(this.pid, 'SIGKILL')
    leader ??= await within(this.leaderExited, KILL_WAIT_MS)
    await this.waitGroupGone(KILL_WAIT_MS)
    // Pipes normally close at once; a holder outside the group (setsid) would keep them open.
    const exit = await within(this.exited, STOP_PIPE_WAIT_MS)
    if (!exit) this.abandonPipes()
    this.watchdog.release()
    return this.exitInfo ?? { code: leader?.code ?? null, signal: leader?.signal ?? 'SIGKILL', stderrTail: this.stderr.text() }
  }

  /** SIGKILL whatever is left of the group until it is gone (bounded). */
  private async waitGroupGone(timeoutMs: number): Promise<boolean> {
    if (IS_WINDOWS) return true
    const deadline = Date.now() + timeoutMs
    while (groupAlive(this.pid)) {
      if (Date.now() > deadline) return false
      killGroup(this.pid, 'SIGKILL')
      await sleep(POLL_MS)
    }
    return true
  }

  /** CP-4: the leader exited; background processes it left in the group get TERM, then KILL. */
  private cleanLeftovers(): void {
    if (IS_WINDOWS || !groupAlive(this.pid)) return this.watchdog.release()
    killGroup(this.pid, 'SIGTERM')
    setTimeout(() => void this.waitGroupGone(KILL_WAIT_MS).then((gone) => gone && this.watchdog.release()), LEFTOVER_GRACE_MS).unref()
  }
}

/** Spawn `absPath argv…` in its own process group. Throws AGENT_NOT_FOUND / SPAWN_FAILED. */
export async function spawnManaged(absPath: string, argv: string[], opts: SpawnManagedOptions): Promise<ManagedProcess> {
  try {
    if (!statSync(opts.cwd).isDirectory()) throw new Error('not a directory')
  } catch {
    throw new ShepherdError('SPAWN_FAILED', `Cannot start ${opts.displayName}: working directory ${opts.cwd} does not exist`)
  }
  let child: ChildProcessWithoutNullStreams
  try {
    child = spawn(absPath, argv, {
      cwd: opts.cwd,
      env: stripForbiddenEnv(opts.env),
      shell: false,
      detached: !IS_WINDOWS, // POSIX: own process group (pgid = pid) so stop reaches grandchildren
      windowsHide: true,
      stdio: ['pipe', 'pipe', 'pipe']
    })
  } catch (err) {
    throw spawnError(err, absPath, opts)
  }
  child.stdout.on('data', opts.onStdout)
  if (opts.onStderr) child.stderr.on('data', opts.onStderr)
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve)
    child.once('error', (err) => reject(spawnError(err, absPath, opts)))
  })
  // Later 'error's (a failed kill) must not crash main; exits are observed through 'exit'/'close'.
  child.on('error', () => {})
  return new ManagedProcess(child)
}

function spawnError(err: unknown, absPath: string, opts: SpawnManagedOptions): ShepherdError {
  const code = (err as NodeJS.ErrnoException).code
  const name = opts.displayName
  if (code === 'ENOENT') {
    return new ShepherdError('AGENT_NOT_FOUND', `${name} was not found at ${absPath}. Install it with \`${opts.installHint}\` or set its path in Settings.`)
  }
  if (code === 'EACCES') {
    return new ShepherdError(
      'SPAWN_FAILED',
      `${name} at ${absPath} is not executable (EACCES). Reinstall it with \`${opts.installHint}\` or fix its permissions.`
    )
  }
  const detail = err instanceof Error ? err.message : String(err)
  return new ShepherdError('SPAWN_FAILED', `Cannot start ${name} (${absPath}): ${detail}`)
}
