/**
 * Claude Code provider: one long-lived `claude -p` stream-json process per session; prompts only
 * via stdin, approvals through `--permission-prompt-tool stdio` (README §1).
 */
import { CLAUDE_CONTROLS, CLAUDE_PERMISSION_MODES } from './controls'
import { execFile } from 'node:child_process'
import { accessSync, constants, statSync } from 'node:fs'
import path from 'node:path'
import type { AgentProvider, ProviderCapabilities, ProviderDetection, StartOptions } from '../types'
import { buildChildEnv } from '../child-env'
import { CLAUDE_INSTALL_HINT, ClaudeHandle } from './handle'

/** `--version` of a warm binary takes ~0.3 s, a cold one ~1 s; 10 s bounds a hung binary. */
const VERSION_TIMEOUT_MS = 10_000

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
  const args = ['-p', '--output-format', 'stream-json', '--input-format', 'stream-json', '--verbose', '--permission-prompt-tool', 'stdio',
    // Token deltas as `stream_event` lines, so panes show the answer while it is written.
    '--include-partial-messages']
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

function isExecutableFile(p: string): boolean {
  try {
    if (!statSync(p).isFile()) return false
    if (process.platform !== 'win32') accessSync(p, constants.X_OK)
    return true
  } catch {
    return false
  }
}

/** Search `envPath` like a shell would (no shell involved). Windows: only `.exe` is spawnable without a shell. */
export function findOnPath(name: string, envPath: string): string | null {
  const names = process.platform === 'win32' ? [`${name}.exe`] : [name]
  for (const dir of envPath.split(path.delimiter)) {
    if (!dir || !path.isAbsolute(dir)) continue // relative PATH entries would depend on our cwd
    for (const n of names) {
      const candidate = path.join(dir, n)
      if (isExecutableFile(candidate)) return candidate
    }
  }
  return null
}

function readVersion(binary: string): Promise<string | null> {
  return new Promise((resolve) => {
    const env = buildChildEnv({ providerEnv: claudeProviderEnv({}) })
    const child = execFile(binary, ['--version'], { timeout: VERSION_TIMEOUT_MS, env, shell: false, windowsHide: true }, (err, stdout) => {
      if (err) return resolve(null)
      resolve(/\d+\.\d+\.\d+[^\s]*/.exec(String(stdout))?.[0] ?? null)
    })
    // A CLI that reads stdin must see EOF, not wait on an open pipe.
    child.stdin?.end()
  })
}

export class ClaudeProvider implements AgentProvider {
  readonly id = 'claude' as const
  readonly displayName = 'Claude Code'
  readonly capabilities = CLAUDE_CAPABILITIES
  readonly controls = CLAUDE_CONTROLS
  readonly permissionModes = CLAUDE_PERMISSION_MODES
  /** Claude Code's own settings, passed through from the host env when set there (README §1). */
  readonly envPassthrough = CLAUDE_ENV_PASSTHROUGH

  async detect(configuredPath: string | null, envPath: string, opts: { version?: boolean } = {}): Promise<ProviderDetection> {
    const installHint = CLAUDE_INSTALL_HINT
    let found: string | null
    if (configuredPath) {
      found = path.isAbsolute(configuredPath) && isExecutableFile(configuredPath) ? configuredPath : null
    } else {
      found = findOnPath('claude', envPath)
    }
    if (!found) return { found: false, path: null, version: null, installHint }
    return { found: true, path: found, version: opts.version === false ? null : await readVersion(found), installHint }
  }

  start(opts: StartOptions): Promise<ClaudeHandle> {
    return ClaudeHandle.spawn(opts.binaryPath, buildClaudeArgs(opts), { cwd: opts.cwd, env: opts.env })
  }
}

export const claudeProvider = new ClaudeProvider()
