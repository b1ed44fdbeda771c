/**
 * Codex CLI provider: one long-lived `codex app-server` (JSON-RPC over stdio) per session, one
 * Codex thread per Shepherd session (its id is the `cli_session` id), one `turn/start` per prompt
 * (README §2). Configuration (model provider, base URL, credentials) is the user's
 * `$CODEX_HOME/config.toml`; Shepherd sets the working directory, model, approval policy and
 * sandbox per thread and per turn.
 */
import { CODEX_CONTROLS, CODEX_PERMISSION_MAP } from './controls'
import { execFile } from 'node:child_process'
import { accessSync, constants, statSync } from 'node:fs'
import path from 'node:path'
import type { AgentProvider, ProviderCapabilities, ProviderDetection, StartOptions } from '../types'
import { buildChildEnv } from '../child-env'
import { findOnPath } from '../claude/provider'
import { CODEX_DISPLAY_NAME, CODEX_INSTALL_HINT, CodexHandle } from './handle'

export { CODEX_PERMISSION_MODES, codexPermission } from './permissions'
export { CODEX_INSTALL_HINT } from './handle'

/** `codex --version` answers in ~50 ms warm; 10 s bounds a hung binary. */
const VERSION_TIMEOUT_MS = 10_000

export const CODEX_CAPABILITIES: ProviderCapabilities = {
  /** `turn/interrupt`: the turn ends "interrupted" within milliseconds; the process stays. */
  interrupt: true,
  /** `turn/start {model}`: applies from the next prompt (and sticks). */
  setModel: true,
  /** `turn/start {approvalPolicy, sandboxPolicy}`: applies from the next prompt (and sticks). */
  setPermissionMode: true,
  /** `item/commandExecution|fileChange/requestApproval` → accept / acceptForSession / decline. */
  approvals: true,
  /** `thread/resume` with the thread id, in a fresh process. */
  resume: true,
  /** `thread/fork`. */
  fork: true,
  /** Tokens only: Codex reports no price. */
  costKnown: false
}

/**
 * Codex's own variables, taken from the host environment when set there: where it keeps its config
 * and sessions, its credentials and OpenAI endpoint, its CA bundle. Not `CODEX_SANDBOX*`: Codex sets
 * those for the commands it runs, and inheriting them would make a nested Codex think it is
 * sandboxed. A custom provider's `env_key` variable goes into the project's or Settings' extra env.
 */
export const CODEX_ENV_PASSTHROUGH: readonly string[] = [
  'CODEX_HOME',
  'CODEX_SQLITE_HOME',
  'CODEX_API_KEY',
  'CODEX_ACCESS_TOKEN',
  'CODEX_CA_CERTIFICATE',
  'OPENAI_API_KEY',
  'OPENAI_BASE_URL',
  'OPENAI_ORGANIZATION'
]

function isExecutableFile(p: string): boolean {
  try {
    if (!statSync(p).isFile()) return false
    if (process.platform !== 'win32') accessSync(p, constants.X_OK)
    return true
  } catch {
    return false
  }
}

function readVersion(binary: string, env: Record<string, string>): Promise<string | null> {
  return new Promise((resolve) => {
    const child = execFile(binary, ['--version'], { timeout: VERSION_TIMEOUT_MS, env, shell: false, windowsHide: true }, (err, stdout) => {
      if (err) return resolve(null)
      // "codex-cli 0.169.0"
      resolve(/\d+\.\d+\.\d+[^\s]*/.exec(String(stdout))?.[0] ?? null)
    })
    child.stdin?.end()
  })
}

export class CodexProvider implements AgentProvider {
  readonly id = 'codex' as const
  readonly displayName = CODEX_DISPLAY_NAME
  readonly capabilities = CODEX_CAPABILITIES
  readonly controls = CODEX_CONTROLS
  readonly permissionModes = CODEX_PERMISSION_MAP
  readonly envPassthrough = CODEX_ENV_PASSTHROUGH

  /**
   * The configured path, else `codex` on PATH. The npm package's `codex` is a Node launcher
   * (`#!/usr/bin/env node`) that spawns the native binary; both are spawnable without a shell.
   */
  async detect(configuredPath: string | null, envPath: string, opts: { version?: boolean } = {}): Promise<ProviderDetection> {
    const installHint = CODEX_INSTALL_HINT
    let found: string | null
    if (configuredPath) found = path.isAbsolute(configuredPath) && isExecutableFile(configuredPath) ? configuredPath : null
    else found = findOnPath('codex', envPath)
    if (!found) return { found: false, path: null, version: null, installHint }
    // The launcher needs `node` on PATH: give `--version` the PATH we searched.
    const env = buildChildEnv({ providerEnv: { PATH: envPath } })
    return { found: true, path: found, version: opts.version === false ? null : await readVersion(found, env), installHint }
  }

  start(opts: StartOptions): Promise<CodexHandle> {
    return CodexHandle.spawn(opts.binaryPath, {
      cwd: opts.cwd,
      env: opts.env,
      model: opts.model,
      permissionMode: opts.permissionMode,
      systemPrompt: opts.systemPrompt,
      resumeThreadId: opts.resumeCliSessionId ?? null,
      fork: opts.fork ?? false
    })
  }
}

export const codexProvider = new CodexProvider()
