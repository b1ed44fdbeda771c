/**
 * ACP client terminals (`terminal/create|output|wait_for_exit|kill|release`): commands the agent
 * asks Shepherd to run. Each runs without a shell on our side (`spawn(command, args)`), in the
 * project folder or a folder inside it, in its own process group (so kill reaches its children),
 * with its output kept up to a byte limit (oldest bytes dropped first). Released or left-over
 * terminals are killed.
 *
 * An agent that passes a whole command line as `command` with no `args` (some do) gets it run by
 * `/bin/sh -c` (Windows: `cmd.exe /d /s /c`): it asked for a shell command, and it could run the
 * same through its own tools anyway.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { groupAlive, killGroup } from '../process'
import { watchGroup } from '../watchdog'
import { stripForbiddenEnv } from '../child-env'
import { resolveInsideProject } from './paths'
import { JsonRpcError, RPC_INVALID_PARAMS } from './jsonrpc'
import { isObj } from '../scaffold/values'

const IS_WINDOWS = process.platform === 'win32'
/** Output kept when the agent sets no `outputByteLimit`. */
export const DEFAULT_OUTPUT_LIMIT = 1024 * 1024
/** Upper bound on any `outputByteLimit`. */
export const MAX_OUTPUT_LIMIT = 16 * 1024 * 1024
/** Terminals alive at once per session. */
export const MAX_TERMINALS = 32
/** Grace between SIGTERM and SIGKILL on kill/release. */
const KILL_GRACE_MS = 2000

const ENV_KEY_RE = /^[A-Za-z_][A-Za-z0-9_]*$/

export interface ExitStatus {
  exitCode: number | null
  signal: string | null
}

/** Keeps the newest `limit` bytes, cut at a UTF-8 character boundary. */
export class OutputBuffer {
  private chunks: Buffer[] = []
  private size = 0
  truncated = false
  constructor(readonly limit: number) {}

  push(chunk: Buffer): void {
    this.chunks.push(chunk)
    this.size += chunk.length
    if (this.size <= this.limit) return
    this.truncated = true
    let buf = Buffer.concat(this.chunks, this.size)
    buf = buf.subarray(buf.length - this.limit)
    // Drop continuation bytes of a character whose start was cut off.
    let i = 0
    while (i < buf.length && ((buf[i] as number) & 0xc0) === 0x80) i++
    buf = Buffer.from(buf.subarray(i))
    this.chunks = [buf]
    this.size = buf.length
  }

  text(): string {
    return Buffer.concat(this.chunks, this.size).toString('utf8')
  }
}

interface Terminal {
  id: string
  child: ChildProcess
  output: OutputBuffer
  exit: ExitStatus | null
  exited: Promise<ExitStatus>
  killTimer: NodeJS.Timeout | null
}

export interface TerminalManagerOptions {
  /** The project folder: commands run in it or below it. */
  projectDir: string
  /** Base environment (the agent's own child env); the request's `env` is added to it. */
  env: Record<string, string>
}

export class TerminalManager {
  private readonly terminals = new Map<string, Terminal>()
  private nextId = 1
  private closed = false

  constructor(private readonly opts: TerminalManagerOptions) {}

  /** Current output of a terminal (for tool results that embed it). */
  outputOf(id: string): string | null {
    return this.terminals.get(id)?.output.text() ?? null
  }

  async create(params: unknown): Promise<{ terminalId: string }> {
    if (this.closed) throw new JsonRpcError(RPC_INVALID_PARAMS, 'the session is closing')
    if (!isObj(params) || typeof params.command !== 'string' || params.command.length === 0) {
      throw new JsonRpcError(RPC_INVALID_PARAMS, 'terminal/create needs a command')
    }
    if (this.terminals.size >= MAX_TERMINALS) throw new JsonRpcError(RPC_INVALID_PARAMS, `too many terminals (at most ${MAX_TERMINALS}); release some first`)
    const command = params.command
    const args = Array.isArray(params.args) ? params.args : []
    if (!args.every((a): a is string => typeof a === 'string') || [command, ...args].some((a) => a.includes('\0'))) {
      throw new JsonRpcError(RPC_INVALID_PARAMS, 'terminal/create: args must be strings without NUL characters')
    }
    let cwd: string
    try {
      cwd = resolveInsideProject(this.opts.projectDir, typeof params.cwd === 'string' ? params.cwd : this.opts.projectDir, { mustExist: true, allowRoot: true })
    } catch (err) {
      throw new JsonRpcError(RPC_INVALID_PARAMS, `terminal/create: cwd ${(err as Error).message}`)
    }
    const env: Record<string, string> = { ...this.opts.env }
    if (Array.isArray(params.env)) {
      for (const v of params.env) {
        if (!isObj(v) || typeof v.name !== 'string' || typeof v.value !== 'string' || !ENV_KEY_RE.test(v.name) || v.value.includes('\0')) {
          throw new JsonRpcError(RPC_INVALID_PARAMS, 'terminal/create: env entries must be {name, value} strings')
        }
        env[v.name] = v.value
      }
    }
    const limitRaw = typeof params.outputByteLimit === 'number' && Number.isFinite(params.outputByteLimit) ? params.outputByteLimit : DEFAULT_OUTPUT_LIMIT
    const limit = Math.max(0, Math.min(Math.floor(limitRaw), MAX_OUTPUT_LIMIT))
    const [file, argv] =
      args.length === 0 && /[\s|&;<>()$`*?]/.test(command)
        ? IS_WINDOWS
          ? ['cmd.exe', ['/d', '/s', '/c', command]]
          : ['/bin/sh', ['-c', command]]
        : [command, args]

    const child = spawn(file, argv, {
      cwd,
      env: stripForbiddenEnv(env),
      shell: false,
      detached: !IS_WINDOWS,
      windowsHide: true,
      stdio: ['ignore', 'pipe', 'pipe']
    })
    const output = new OutputBuffer(limit)
    child.stdout?.on('data', (c: Buffer) => output.push(c))
    child.stderr?.on('data', (c: Buffer) => output.push(c))
    child.stdout?.on('error', () => {})
    child.stderr?.on('error', () => {})
    const id = `term_${this.nextId++}`
    let resolveExit!: (e: ExitStatus) => void
    const term: Terminal = { id, child, output, exit: null, exited: new Promise((r) => (resolveExit = r)), killTimer: null }
    const finish = (e: ExitStatus) => {
      if (term.exit) return
      term.exit = e
      if (term.killTimer) clearTimeout(term.killTimer)
      resolveExit(e)
    }
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve)
      child.once('error', (err: NodeJS.ErrnoException) => {
        finish({ exitCode: null, signal: null })
        reject(new JsonRpcError(RPC_INVALID_PARAMS, `cannot run ${command}: ${err.code === 'ENOENT' ? 'not found' : err.message}`))
      })
    })
    child.on('error', () => {})
    // A command the agent asked for dies with Shepherd too, not only with the agent (watchdog.ts).
    const watchdog = child.pid ? watchGroup(child.pid) : null
    child.once('close', (code, signal) => {
      finish({ exitCode: code, signal })
      if (watchdog && !groupAlive(child.pid as number)) watchdog.release()
    })
    this.terminals.set(id, term)
    return { terminalId: id }
  }

  output(params: unknown): { output: string; truncated: boolean; exitStatus: ExitStatus | null } {
    const t = this.get(params)
    return { output: t.output.text(), truncated: t.output.truncated, exitStatus: t.exit }
  }

  async waitForExit(params: unknown): Promise<ExitStatus> {
    return this.get(params).exited
  }

  /** Kill the command; the terminal (and its output) stays until released. */
  kill(params: unknown): Record<string, never> {
    this.killTerminal(this.get(params))
    return {}
  }

  release(params: unknown): Record<string, never> {
    const t = this.get(params)
    this.killTerminal(t)
    this.terminals.delete(t.id)
    return {}
  }

  /** The session ends: kill everything at once. */
  closeAll(): void {
    this.closed = true
    for (const t of this.terminals.values()) {
      if (!t.exit && t.child.pid) killGroupOrChild(t, 'SIGKILL')
    }
    this.terminals.clear()
  }

  private get(params: unknown): Terminal {
    const id = isObj(params) && typeof params.terminalId === 'string' ? params.terminalId : null
    const t = id ? this.terminals.get(id) : undefined
    if (!t) throw new JsonRpcError(RPC_INVALID_PARAMS, `no terminal ${id ?? '(missing terminalId)'}`)
    return t
  }

  private killTerminal(t: Terminal): void {
    if (t.exit || !t.child.pid || t.killTimer) return
    killGroupOrChild(t, 'SIGTERM')
    t.killTimer = setTimeout(() => {
      if (!t.exit) killGroupOrChild(t, 'SIGKILL')
    }, KILL_GRACE_MS)
    t.killTimer.unref()
  }
}

function killGroupOrChild(t: Terminal, signal: NodeJS.Signals): void {
  try {
    if (!killGroup(t.child.pid as number, signal)) t.child.kill(signal)
  } catch {
    try {
      t.child.kill(signal)
    } catch {
      /* already gone */
    }
  }
}
