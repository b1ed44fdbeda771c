// Helpers for tests that run real agent CLIs (installed by scripts/install-test-agents.mjs into
// test/agents/node_modules) or the fake agent (test/support/fake-agent.mjs) as child processes.

import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, statSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const here = path.dirname(fileURLToPath(import.meta.url))

/** Repository root. */
export const REPO_ROOT = path.resolve(here, '..', '..')
/** Where the pinned test CLIs are installed. */
export const TEST_AGENTS_DIR = path.join(REPO_ROOT, 'test', 'agents')
/** The misbehaving stand-in for `claude` (executable, `#!/usr/bin/env node`). */
export const FAKE_AGENT_PATH = path.join(here, 'fake-agent.mjs')
/** The fake model server script (`node FAKE_MODEL_SERVER_PATH [port]` prints `LISTENING <port>`). */
export const FAKE_MODEL_SERVER_PATH = path.join(here, 'fake-model-server.mjs')

/** The exact Claude Code version pinned in test/agents/package.json. */
export function pinnedClaudeVersion(): string {
  const pkg = JSON.parse(readFileSync(path.join(TEST_AGENTS_DIR, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> }
  const v = pkg.dependencies?.['@anthropic-ai/claude-code']
  if (!v) throw new Error('test/agents/package.json does not pin @anthropic-ai/claude-code')
  return v
}

let platformSuffix: string | undefined
function platformPackageSuffix(): string {
  if (platformSuffix) return platformSuffix
  const arch = process.arch
  if (process.platform === 'linux') {
    // the report has no glibc version on musl (Alpine)
    const header = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header
    platformSuffix = `linux-${arch}${header?.glibcVersionRuntime ? '' : '-musl'}`
  } else {
    platformSuffix = `${process.platform}-${arch}`
  }
  return platformSuffix
}

const NATIVE_MIN_BYTES = 1024 * 1024 // the placeholder bin stub is tiny; the native binary is ~380 MB

function isNativeExecutable(file: string): boolean {
  try {
    const st = statSync(file)
    return st.isFile() && st.size > NATIVE_MIN_BYTES && (process.platform === 'win32' || (st.mode & 0o111) !== 0)
  } catch {
    return false
  }
}

/** Candidate locations of the native `claude` binary, most direct first. */
export function claudeBinaryCandidates(): string[] {
  const nm = path.join(TEST_AGENTS_DIR, 'node_modules', '@anthropic-ai')
  const exe = process.platform === 'win32' ? 'claude.exe' : 'claude'
  return [
    // The platform package ships the Bun-compiled binary itself.
    path.join(nm, `claude-code-${platformPackageSuffix()}`, exe),
    // The postinstall hard-links that binary over the wrapper's `bin` entry (bin/claude.exe).
    path.join(nm, 'claude-code', 'bin', 'claude.exe')
  ]
}

/** True when the pinned Claude Code CLI is installed and its native binary is present. */
export function hasClaudeBinary(): boolean {
  try {
    claudeBinaryPath()
    return true
  } catch {
    return false
  }
}

/**
 * Absolute path of the installed native Claude Code binary (test/agents). Throws with a hint
 * when it is missing or not the pinned version.
 */
export function claudeBinaryPath(): string {
  const pkgFile = path.join(TEST_AGENTS_DIR, 'node_modules', '@anthropic-ai', 'claude-code', 'package.json')
  if (!existsSync(pkgFile)) throw new Error(`Claude Code is not installed for tests (${pkgFile} missing): run node scripts/install-test-agents.mjs`)
  const installed = (JSON.parse(readFileSync(pkgFile, 'utf8')) as { version?: string }).version
  const pinned = pinnedClaudeVersion()
  if (installed !== pinned) throw new Error(`test Claude Code is ${installed}, pinned ${pinned}: run node scripts/install-test-agents.mjs`)
  for (const candidate of claudeBinaryCandidates()) if (isNativeExecutable(candidate)) return candidate
  throw new Error(`no native claude binary found (looked at ${claudeBinaryCandidates().join(', ')})`)
}

export interface AgentSandbox {
  /** Temp root holding everything below; removed by cleanup(). */
  root: string
  /** Fresh HOME. */
  home: string
  /** CLAUDE_CONFIG_DIR (= HOME/.claude); sessions land in configDir/projects/<cwd-slug>/<id>.jsonl. */
  configDir: string
  /** Empty project directory to use as the agent's cwd. */
  projectDir: string
  /** TMPDIR for the child (Claude Code puts claude-<uid>/ task dirs and cc-socks/ there). */
  tmpDir: string
  /** Complete environment for the child (not merged with process.env). */
  env: Record<string, string>
  cleanup(): void
}

export interface AgentSandboxOptions {
  /**
   * CLAUDE_CODE_MAX_RETRIES. Default 0: an injected HTTP error fails the turn at once (the CLI's
   * own default is 10 retries with exponential back-off, i.e. ~3 minutes for a persistent 5xx).
   * null leaves it unset.
   */
  maxRetries?: number | null
  /** Extra variables merged last. */
  env?: Record<string, string>
}

/**
 * A throw-away HOME / CLAUDE_CONFIG_DIR / project dir and a minimal offline environment pointing
 * the CLI at `serverUrl` (the fake model server's base URL, without /v1).
 */
export function makeAgentSandbox(serverUrl: string, options: AgentSandboxOptions = {}): AgentSandbox {
  const root = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'shepherd-agent-')))
  const home = path.join(root, 'home')
  const configDir = path.join(home, '.claude')
  const projectDir = path.join(root, 'project')
  const tmpDir = path.join(root, 'tmp')
  const xdg = {
    XDG_CONFIG_HOME: path.join(home, '.config'),
    XDG_DATA_HOME: path.join(home, '.local', 'share'),
    XDG_CACHE_HOME: path.join(home, '.cache'),
    XDG_STATE_HOME: path.join(home, '.local', 'state')
  }
  for (const dir of [configDir, projectDir, tmpDir, ...Object.values(xdg)]) mkdirSync(dir, { recursive: true })

  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    HOME: home,
    USER: os.userInfo().username,
    SHELL: existsSync('/bin/bash') ? '/bin/bash' : '/bin/sh',
    LANG: 'C.UTF-8',
    TMPDIR: tmpDir,
    CLAUDE_CONFIG_DIR: configDir,
    ...xdg,
    ANTHROPIC_BASE_URL: serverUrl.replace(/\/+$/, ''),
    ANTHROPIC_API_KEY: 'fake-key',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    DISABLE_TELEMETRY: '1',
    DISABLE_AUTOUPDATER: '1',
    DISABLE_ERROR_REPORTING: '1'
  }
  const maxRetries = options.maxRetries === undefined ? 0 : options.maxRetries
  if (maxRetries !== null) env.CLAUDE_CODE_MAX_RETRIES = String(maxRetries)
  Object.assign(env, options.env ?? {})

  return {
    root,
    home,
    configDir,
    projectDir,
    tmpDir,
    env,
    cleanup() {
      rmSync(root, { recursive: true, force: true, maxRetries: 3, retryDelay: 100 })
    }
  }
}

// ---------------------------------------------------------------------------------------------
// A small JSONL child-process driver for tests

export interface JsonlProcess {
  child: ChildProcess
  /** Every complete stdout line, raw. */
  lines: string[]
  /** Every stdout line that parsed as JSON, in order. */
  messages: any[]
  /** stdout lines that did not parse as JSON. */
  nonJson: string[]
  /** stderr so far. */
  stderr(): string
  /** ms since spawn at which each entry of `messages` arrived. */
  times: number[]
  spawnedAt: number
  /** Writes one JSON line to stdin. */
  send(message: unknown): void
  /** Calls `listener` for every JSON message arriving from now on (e.g. to answer control requests). */
  onMessage(listener: (message: any) => void): void
  /** Resolves with the first message (from index `from`, default 0) matching `predicate`. */
  waitFor(predicate: (message: any) => boolean, timeoutMs?: number, from?: number): Promise<any>
  /** Resolves once the process has exited and stdout/stderr closed. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  /** Ends stdin. */
  end(): void
  /** SIGKILLs the process group if it is still running. */
  kill(): void
}

/**
 * Spawns `command` (in its own process group) with piped stdio and collects stdout as JSON lines.
 * Lines may be large; non-JSON lines go to `nonJson`.
 */
export function startJsonlProcess(command: string, args: string[], options: SpawnOptions = {}): JsonlProcess {
  const spawnedAt = Date.now()
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], detached: true, ...options })
  const lines: string[] = []
  const messages: any[] = []
  const nonJson: string[] = []
  const times: number[] = []
  let stderr = ''
  const waiters = new Set<() => void>()
  const listeners: Array<(message: any) => void> = []
  let buf = ''
  child.stdout!.setEncoding('utf8')
  child.stdout!.on('data', (chunk: string) => {
    buf += chunk
    let nl: number
    while ((nl = buf.indexOf('\n')) !== -1) {
      const line = buf.slice(0, nl)
      buf = buf.slice(nl + 1)
      lines.push(line)
      if (!line.trim()) continue
      let parsed: unknown
      try {
        parsed = JSON.parse(line)
      } catch {
        nonJson.push(line)
        continue
      }
      messages.push(parsed)
      times.push(Date.now() - spawnedAt)
      for (const l of listeners) l(parsed)
    }
    for (const w of waiters) w()
  })
  child.stderr!.setEncoding('utf8')
  child.stderr!.on('data', (chunk: string) => {
    stderr += chunk
  })
  let exitedFlag = false
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('close', (code, signal) => {
      exitedFlag = true
      if (buf) {
        lines.push(buf)
        nonJson.push(buf)
        buf = ''
      }
      for (const w of waiters) w()
      resolve({ code, signal })
    })
    child.on('error', (err) => {
      stderr += `spawn error: ${err.message}\n`
    })
  })
  child.stdin!.on('error', () => {
    /* EPIPE when the child died first */
  })

  return {
    child,
    lines,
    messages,
    nonJson,
    times,
    spawnedAt,
    stderr: () => stderr,
    onMessage(listener) {
      listeners.push(listener)
    },
    send(message) {
      child.stdin!.write(JSON.stringify(message) + '\n')
    },
    waitFor(predicate, timeoutMs = 20_000, from = 0) {
      return new Promise((resolve, reject) => {
        const check = (): boolean => {
          for (let i = from; i < messages.length; i++) {
            if (predicate(messages[i])) {
              cleanup()
              resolve(messages[i])
              return true
            }
          }
          if (exitedFlag) {
            cleanup()
            reject(
              new Error(
                `process exited before the awaited message arrived; stderr:\n${stderr.slice(-2000)}\nlast lines:\n${lines
                  .slice(-5)
                  .map((l) => l.slice(0, 300))
                  .join('\n')}`
              )
            )
            return true
          }
          return false
        }
        const timer = setTimeout(() => {
          cleanup()
          reject(
            new Error(
              `timed out after ${timeoutMs} ms waiting for a message; stderr:\n${stderr.slice(-2000)}\nlast lines:\n${lines
                .slice(-5)
                .map((l) => l.slice(0, 300))
                .join('\n')}`
            )
          )
        }, timeoutMs)
        const waiter = (): void => {
          check()
        }
        const cleanup = (): void => {
          clearTimeout(timer)
          waiters.delete(waiter)
        }
        waiters.add(waiter)
        check()
      })
    },
    exited,
    end() {
      child.stdin!.end()
    },
    kill() {
      if (exitedFlag || child.pid === undefined) return
      try {
        process.kill(-child.pid, 'SIGKILL')
      } catch {
        try {
          child.kill('SIGKILL')
        } catch {
          /* already gone */
        }
      }
    }
  }
}

/** A stream-json user line as the real CLI expects it on stdin. */
export function userLine(text: string): { type: 'user'; message: { role: 'user'; content: string }; parent_tool_use_id: null; session_id: string } {
  return { type: 'user', message: { role: 'user', content: text }, parent_tool_use_id: null, session_id: '' }
}

/** The argv for a long-lived stream-json Claude Code session. */
export const CLAUDE_STREAM_JSON_ARGS = [
  '-p',
  '--output-format',
  'stream-json',
  '--input-format',
  'stream-json',
  '--verbose',
  '--permission-prompt-tool',
  'stdio'
] as const
