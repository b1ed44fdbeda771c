/**
 * Claude Code provider: one long-lived `claude -p` stream-json process per session; prompts only
 * via stdin, approvals through `--permission-prompt-tool stdio` (docs/agent-cli.md §1).
 */
import { CLAUDE_CONTROLS, CLAUDE_PERMISSION_MODES } from './controls'
import type { ProviderCapabilities, StartOptions } from '../types'
import { buildChildEnv } from '../child-env'
import { CLAUDE_INSTALL_HINT, ClaudeHandle } from './handle'
import { CliProvider } from '../scaffold/cli-provider'

export const CLAUDE_CAPABILITIES: ProviderCapabilities = {
  interrupt: true,
  setModel: true,
  setPermissionMode: true,
  approvals: true,
  resume: true,
  fork: true,
  costKnown: true
}

/**
 * The argv after the binary. User-controlled values use `--flag=value` so a value that starts with
 * `-` can never be read as another flag (SEC-7). Never `--dangerously-skip-permissions`.
 */
export function buildClaudeArgs(opts: Pick<StartOptions, 'model' | 'permissionMode' | 'systemPrompt' | 'resumeCliSessionId' | 'fork'>): string[] {
  const args = [
    '-p',
    '--output-format',
    'stream-json',
    '--input-format',
    'stream-json',
    '--verbose',
    '--permission-prompt-tool',
    'stdio',
    // Token deltas as `stream_event` lines, so panes show the answer while it is written.
    '--include-partial-messages',
    // Sub-agents' own text and thinking (2.1.211+), shown nested under the sub-agent's call.
    '--forward-subagent-text'
  ]
  if (opts.model) args.push(`--model=${opts.model}`)
  // bypassPermissions must be allowed explicitly at launch, or the CLI refuses it.
  if (opts.permissionMode === 'bypassPermissions') args.push('--allow-dangerously-skip-permissions')
  args.push(`--permission-mode=${opts.permissionMode}`)
  if (opts.systemPrompt) args.push(`--append-system-prompt=${opts.systemPrompt}`)
  if (opts.resumeCliSessionId) {
    args.push(`--resume=${opts.resumeCliSessionId}`)
    if (opts.fork) args.push('--fork-session')
  }
  return args
}

export const CLAUDE_ENV_PASSTHROUGH: readonly string[] = [
  'ANTHROPIC_API_KEY',
  'ANTHROPIC_AUTH_TOKEN',
  'ANTHROPIC_BASE_URL',
  'CLAUDE_CONFIG_DIR',
  'CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC',
  'DISABLE_TELEMETRY',
  'DISABLE_ERROR_REPORTING',
  'DISABLE_AUTOUPDATER',
  'CLAUDE_CODE_MAX_RETRIES',
  // As root, bypassPermissions is refused at startup unless this is set.
  'IS_SANDBOX'
]

/** Provider variables for Claude Code (merged into the child env by `buildChildEnv`). */
export function claudeProviderEnv(settings: { apiKey?: string | null; baseUrl?: string | null; disableNonessentialTraffic?: boolean }): Record<string, string> {
  const env: Record<string, string> = {}
  if (settings.apiKey) env.ANTHROPIC_API_KEY = settings.apiKey
  if (settings.baseUrl) env.ANTHROPIC_BASE_URL = settings.baseUrl
  // Without it the CLI contacts api.anthropic.com (telemetry, MCP registry) even with a base URL.
  if (settings.disableNonessentialTraffic !== false) env.CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC = '1'
  return env
}

/**
 * Makes the CLI send `session_state_changed` (idle | running | requires_action), the turn-over
 * signal the Agent SDK itself turns on this way: a turn ends at `idle`, not at a `result` that
 * comes while background work still runs.
 */
export const CLAUDE_SESSION_STATE_ENV: Readonly<Record<string, string>> = { CLAUDE_CODE_SDK_READS_SESSION_STATE: '1' }

export class ClaudeProvider extends CliProvider {
  constructor() {
    super({
      id: 'claude',
      displayName: 'Claude Code',
      capabilities: CLAUDE_CAPABILITIES,
      controls: CLAUDE_CONTROLS,
      permissionModes: CLAUDE_PERMISSION_MODES,
      // Claude Code's own settings, passed through from the host env when set there (docs/agent-cli.md §1).
      envPassthrough: CLAUDE_ENV_PASSTHROUGH,
      cliName: 'claude',
      installHint: CLAUDE_INSTALL_HINT,
      versionEnv: () => buildChildEnv({ providerEnv: claudeProviderEnv({}) })
    })
  }

  start(opts: StartOptions): Promise<ClaudeHandle> {
    return ClaudeHandle.spawn(opts.binaryPath, buildClaudeArgs(opts), { cwd: opts.cwd, env: { ...opts.env, ...CLAUDE_SESSION_STATE_ENV }, remote: opts.remote })
  }
}

export const claudeProvider = new ClaudeProvider()
