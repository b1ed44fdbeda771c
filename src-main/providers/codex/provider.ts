/**
 * Codex CLI provider: one long-lived `codex app-server` (JSON-RPC over stdio) per session, one
 * Codex thread per Shepherd session (its id is the `cli_session` id), one `turn/start` per prompt
 * (docs/agent-cli.md §2). Configuration (model provider, base URL, credentials) is the user's
 * `$CODEX_HOME/config.toml`; Shepherd sets the working directory, model, approval policy and
 * sandbox per thread and per turn.
 */
import { CODEX_CONTROLS, CODEX_PERMISSION_MAP } from './controls'
import type { ProviderCapabilities, StartOptions } from '../types'
import { buildChildEnv } from '../child-env'
import { CliProvider } from '../scaffold/cli-provider'
import { CODEX_DISPLAY_NAME, CODEX_INSTALL_HINT, CodexHandle } from './handle'

export { CODEX_PERMISSION_MODES, codexPermission } from './permissions'
export { CODEX_INSTALL_HINT } from './handle'

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

export class CodexProvider extends CliProvider {
  /**
   * Found at the configured path, else `codex` on PATH. The npm package's `codex` is a Node launcher
   * (`#!/usr/bin/env node`) that spawns the native binary; both are spawnable without a shell.
   */
  constructor() {
    super({
      id: 'codex',
      displayName: CODEX_DISPLAY_NAME,
      capabilities: CODEX_CAPABILITIES,
      controls: CODEX_CONTROLS,
      permissionModes: CODEX_PERMISSION_MAP,
      envPassthrough: CODEX_ENV_PASSTHROUGH,
      cliName: 'codex',
      installHint: CODEX_INSTALL_HINT,
      // The launcher needs `node` on PATH: give `--version` the PATH we searched.
      versionEnv: (envPath) => buildChildEnv({ providerEnv: { PATH: envPath } })
    })
  }

  start(opts: StartOptions): Promise<CodexHandle> {
    return CodexHandle.spawn(opts.binaryPath, {
      cwd: opts.cwd,
      env: opts.env,
      model: opts.model,
      permissionMode: opts.permissionMode,
      systemPrompt: opts.systemPrompt,
      resumeThreadId: opts.resumeCliSessionId ?? null,
      fork: opts.fork ?? false,
      remote: opts.remote
    })
  }
}

export const codexProvider = new CodexProvider()
