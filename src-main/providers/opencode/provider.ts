/**
 * OpenCode provider: `opencode serve` (HTTP + SSE on 127.0.0.1, basic auth), one server per project
 * folder shared by that folder's sessions (`server-pool.ts`), one OpenCode session per Shepherd
 * session (`handle.ts`), events normalized by `parser.ts` (docs/agent-cli.md §3). OpenCode 2.x
 * (`@opencode/cli`) is driven over `opencode acp` instead, chosen by the binary's version (v2/README.md).
 */
import { OPENCODE_CONTROLS, OPENCODE_PERMISSION_MAP } from './controls'
import type { PrewarmOptions, ProviderCapabilities, ProviderDetection, StartOptions } from '../types'
import { CliProvider } from '../scaffold/cli-provider'
import { OpenCodeHandle } from './handle'
import { OPENCODE_DISPLAY_NAME, OPENCODE_INSTALL_HINT, OpenCodeServerPool } from './server-pool'
import { OpenCode2Costs, OpenCode2Handle } from './v2/handle'
import { isOpenCode2, OPENCODE2_CLI_NAME, openCodeVersion } from './v2/version'
import { findOnPath } from '../scaffold/cli'
import { buildChildEnv } from '../child-env'
import { withOpenCode2Controls, withOpenCode2Modes } from './v2/controls'

export { OPENCODE_PERMISSION_MODES, permissionRules } from './permissions'
export { OPENCODE_INSTALL_HINT } from './server-pool'

export const OPENCODE_CAPABILITIES: ProviderCapabilities = {
  /** `POST /session/{id}/abort`. */
  interrupt: true,
  /** Per-message `model` (`provider/model`): applies from the next prompt. */
  setModel: true,
  /** `PATCH /session/{id} {permission}`: applies at once, also to the turn in flight. */
  setPermissionMode: true,
  /** `permission.asked` → `POST /permission/{id}/reply` once / always / reject. */
  approvals: true,
  /** The OpenCode session id, on a fresh server after a restart. */
  resume: true,
  /** `POST /session/{id}/fork`. */
  fork: true,
  /** Per-step cost from the model's pricing in OpenCode's catalog / config (0 when it has none). */
  costKnown: true
}

/**
 * OpenCode's own variables, taken from the host environment when set there: config location and
 * inline config, its traffic switches, where it keeps data (XDG dirs), and the API keys of the
 * providers it talks to. Never `OPENCODE_SERVER_PASSWORD`/`_USERNAME`: Shepherd sets its own.
 */
export const OPENCODE_ENV_PASSTHROUGH: readonly string[] = [
  'OPENCODE_CONFIG',
  'OPENCODE_CONFIG_DIR',
  'OPENCODE_CONFIG_CONTENT',
  'OPENCODE_DISABLE_MODELS_FETCH',
  'OPENCODE_DISABLE_AUTOUPDATE',
  'OPENCODE_DISABLE_SHARE',
  'OPENCODE_DISABLE_LSP_DOWNLOAD',
  'OPENCODE_DISABLE_DEFAULT_PLUGINS',
  'OPENCODE_DISABLE_AUTOCOMPACT',
  'OPENCODE_DISABLE_CLAUDE_CODE',
  'OPENCODE_MODELS_URL',
  'XDG_CONFIG_HOME',
  'XDG_DATA_HOME',
  'XDG_CACHE_HOME',
  'XDG_STATE_HOME',
  'OPENAI_API_KEY',
  'OPENAI_BASE_URL',
  'ANTHROPIC_API_KEY',
  'OPENROUTER_API_KEY',
  'GEMINI_API_KEY',
  'GOOGLE_GENERATIVE_AI_API_KEY',
  'GROQ_API_KEY',
  'MISTRAL_API_KEY',
  'DEEPSEEK_API_KEY',
  'XAI_API_KEY',
  'TOGETHER_AI_API_KEY',
  'FIREWORKS_API_KEY',
  'CEREBRAS_API_KEY',
  'AZURE_API_KEY',
  'AZURE_RESOURCE_NAME',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_REGION',
  'AWS_PROFILE'
]

export interface OpenCodeProviderOptions {
  /** Servers shared by this provider's sessions; tests pass their own to inspect it. */
  pool?: OpenCodeServerPool
}

export class OpenCodeProvider extends CliProvider {
  readonly pool: OpenCodeServerPool
  readonly #v2Costs = new OpenCode2Costs()

  constructor(opts: OpenCodeProviderOptions = {}) {
    super({
      id: 'opencode',
      displayName: OPENCODE_DISPLAY_NAME,
      capabilities: OPENCODE_CAPABILITIES,
      controls: withOpenCode2Controls(OPENCODE_CONTROLS),
      permissionModes: withOpenCode2Modes(OPENCODE_PERMISSION_MAP),
      envPassthrough: OPENCODE_ENV_PASSTHROUGH,
      cliName: 'opencode',
      installHint: OPENCODE_INSTALL_HINT
    })
    this.pool = opts.pool ?? new OpenCodeServerPool()
  }

  /** `opencode` (either major), else `opencode2` on PATH (2.x installed beside a 1.x elsewhere). */
  override async detect(configuredPath: string | null, envPath: string, opts: { version?: boolean } = {}): Promise<ProviderDetection> {
    const d = await super.detect(configuredPath, envPath, opts)
    if (d.found || configuredPath) return d
    const alt = findOnPath(OPENCODE2_CLI_NAME, envPath)
    if (!alt) return d
    return { ...d, found: true, path: alt, version: opts.version === false ? null : await openCodeVersion(alt, buildChildEnv({})) }
  }

  /** OpenCode 2.x is driven over `opencode acp` (v2/), 1.x over `opencode serve`; chosen by the binary's version. */
  async start(opts: StartOptions): Promise<OpenCodeHandle | OpenCode2Handle> {
    const version = await openCodeVersion(opts.binaryPath, opts.env)
    if (isOpenCode2(version)) return OpenCode2Handle.open(opts, version, this.#v2Costs)
    return OpenCodeHandle.open(this.pool, opts)
  }

  /** Start (or keep) the project's server before its first session (the first prompt then waits no 10 s boot). */
  async prewarm(opts: PrewarmOptions): Promise<void> {
    await this.pool.prewarm({ binaryPath: opts.binaryPath, cwd: opts.cwd, env: opts.env })
  }

  /** Stop every server (the supervisor stops sessions first; this is the safety net). */
  shutdown(): Promise<void> {
    return this.pool.shutdown()
  }
}
