/**
 * The environment an agent CLI is started with (docs/fault-catalogue.md SEC-8): an allowlist of
 * the parent's variables, then app-managed provider variables, then the user's validated extra
 * env. Never `...process.env`: the parent may carry API keys or `CLAUDECODE` (which makes Claude
 * Code believe it runs nested inside itself).
 */
import { z } from 'zod'
import { ShepherdError } from '../shared/errors'

/** Inherited from the parent as-is (matched case-insensitively on Windows). */
const ALLOWED = ['PATH', 'HOME', 'USER', 'LOGNAME', 'SHELL', 'LANG', 'TERM', 'TMPDIR', 'TEMP', 'TMP']
const ALLOWED_WINDOWS = ['SYSTEMROOT', 'COMSPEC', 'PATHEXT', 'APPDATA', 'LOCALAPPDATA', 'USERPROFILE']
const ALLOWED_PREFIXES = ['LC_']

/** Removed from every child env, whatever their source (defence in depth, case-insensitive). */
export const ALWAYS_STRIPPED = ['CLAUDECODE', 'CLAUDE_CODE_ENTRYPOINT'] as const

/** Extra-env keys users may not set: agent config/credentials and loader/runtime injection. */
const DENIED_PREFIXES = ['CLAUDE', 'CODEX', 'OLLAMA', 'ANTHROPIC_', 'LD_', 'DYLD_']
const DENIED_EXACT = ['NODE_OPTIONS', 'ELECTRON_RUN_AS_NODE']

/** Size limits keep a settings form from smuggling megabytes into every spawn. */
export const EXTRA_ENV_MAX_KEYS = 64
export const EXTRA_ENV_MAX_VALUE_BYTES = 8 * 1024

const KEY_RE = /^[A-Za-z_][A-Za-z0-9_]*$/
const utf8 = new TextEncoder()

/** Why a key is refused, or null when it is acceptable. */
export function extraEnvKeyProblem(key: string): string | null {
  if (!KEY_RE.test(key)) return 'Use letters, digits and underscores only, not starting with a digit'
  const upper = key.toUpperCase()
  if (DENIED_EXACT.includes(upper)) return `${key} cannot be set here: it changes how programs start`
  const prefix = DENIED_PREFIXES.find((p) => upper.startsWith(p))
  if (prefix === 'LD_' || prefix === 'DYLD_') return `${key} cannot be set here: it changes how programs load libraries`
  if (prefix) return `${key} cannot be set here: agent settings and API keys are managed by Shepherd`
  return null
}

/** Why a value is refused, or null when it is acceptable. */
export function extraEnvValueProblem(value: string): string | null {
  if (value.includes('\0')) return 'Value must not contain NUL characters'
  if (/[\r\n]/.test(value)) return 'Value must not contain line breaks'
  if (utf8.encode(value).length > EXTRA_ENV_MAX_VALUE_BYTES) return `Value is longer than ${EXTRA_ENV_MAX_VALUE_BYTES} bytes`
  return null
}

/** User-provided extra environment: issues carry `path: [key]` so forms can show them per field. */
export const extraEnvSchema = z.record(z.string(), z.string()).superRefine((env, ctx) => {
  const keys = Object.keys(env)
  if (keys.length > EXTRA_ENV_MAX_KEYS) {
    ctx.addIssue({ code: 'custom', message: `At most ${EXTRA_ENV_MAX_KEYS} variables`, path: [] })
  }
  for (const key of keys) {
    const problem = extraEnvKeyProblem(key) ?? extraEnvValueProblem(env[key] ?? '')
    if (problem) ctx.addIssue({ code: 'custom', message: problem, path: [key] })
  }
})
export type ExtraEnv = z.infer<typeof extraEnvSchema>

/** Validate, or throw `ShepherdError('BAD_REQUEST')` with one message per offending key. */
export function parseExtraEnv(input: unknown): ExtraEnv {
  const parsed = extraEnvSchema.safeParse(input)
  if (parsed.success) return parsed.data
  const fields: Record<string, string> = {}
  for (const issue of parsed.error.issues) {
    const key = issue.path.length > 0 ? String(issue.path[0]) : '_'
    fields[key] ??= issue.message
  }
  const names = Object.keys(fields).filter((k) => k !== '_')
  const summary = names.length > 0 ? `Invalid environment variables: ${names.join(', ')}` : (fields._ ?? 'Invalid environment')
  throw new ShepherdError('BAD_REQUEST', summary, fields)
}

export interface ChildEnvOptions {
  /** Defaults to `process.env`. */
  parentEnv?: Record<string, string | undefined>
  /** App-managed provider variables (API key, base URL, traffic switches): trusted. */
  providerEnv?: Record<string, string>
  /** The user's extra env: validated again here. */
  extraEnv?: Record<string, string> | null
  /** Defaults to `process.platform`. */
  platform?: NodeJS.Platform
}

function isAllowed(key: string, platform: NodeJS.Platform): boolean {
  const k = platform === 'win32' ? key.toUpperCase() : key
  if (ALLOWED.includes(k) || ALLOWED_PREFIXES.some((p) => k.startsWith(p))) return true
  return platform === 'win32' && ALLOWED_WINDOWS.includes(k)
}

/** Drop `CLAUDECODE` / `CLAUDE_CODE_ENTRYPOINT` (any case). Returns a new object. */
export function stripForbiddenEnv(env: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(env)) {
    if (!(ALWAYS_STRIPPED as readonly string[]).includes(k.toUpperCase())) out[k] = v
  }
  return out
}

/** Allowlisted parent env → provider env → validated extra env, then the strip list. */
export function buildChildEnv(opts: ChildEnvOptions = {}): Record<string, string> {
  const platform = opts.platform ?? process.platform
  const parent = opts.parentEnv ?? process.env
  const env: Record<string, string> = {}
  for (const [k, v] of Object.entries(parent)) {
    if (typeof v === 'string' && !v.includes('\0') && isAllowed(k, platform)) env[k] = v
  }
  Object.assign(env, opts.providerEnv ?? {})
  if (opts.extraEnv) Object.assign(env, parseExtraEnv(opts.extraEnv))
  return stripForbiddenEnv(env)
}
