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

/**
 * Extra-env keys users may not set. The rule is a denylist of names and prefixes, not an allowlist:
 * the field exists for the user's own variables (proxies, tool paths, project settings), whose
 * names no list can foresee, while what can hurt is a known, finite set:
 * - MANAGED: what Shepherd sets or passes through for a provider (config dirs, API keys, base URLs,
 *   sandbox switches): the user's value would silently redirect or re-credential an agent;
 * - CODE: variables that make a shell, runtime, loader or tool run code of the variable's choosing
 *   (startup files, preload/option variables, helper commands, pagers and editors);
 * - TRUST: variables that weaken TLS or replace the set of trusted certificates, or point git at
 *   another repository or configuration.
 * Names are compared upper-cased (Windows env is case-insensitive; on POSIX a lower-case twin is
 * refused too, as it is never what the user meant). The same lists are shown next to the field.
 */
export const DENIED_NAMES: Readonly<Record<string, 'code' | 'trust' | 'managed'>> = {
  // Shells: startup files and hooks.
  BASH_ENV: 'code',
  ENV: 'code',
  ZDOTDIR: 'code',
  PROMPT_COMMAND: 'code',
  PS4: 'code',
  SHELLOPTS: 'code',
  BASHOPTS: 'code',
  IFS: 'code',
  HOME: 'code',
  SHELL: 'code',
  COMSPEC: 'code',
  PATHEXT: 'code',
  // Runtimes: options and preload paths.
  NODE_OPTIONS: 'code',
  NODE_PATH: 'code',
  NODE_REPL_EXTERNAL_MODULE: 'code',
  ELECTRON_RUN_AS_NODE: 'code',
  PYTHONSTARTUP: 'code',
  PYTHONPATH: 'code',
  PYTHONHOME: 'code',
  PYTHONINSPECT: 'code',
  PYTHONWARNINGS: 'code',
  PYTHONBREAKPOINT: 'code',
  PYTHONUSERBASE: 'code',
  PYTHONEXECUTABLE: 'code',
  PERL5OPT: 'code',
  PERL5LIB: 'code',
  PERLLIB: 'code',
  PERL5DB: 'code',
  RUBYOPT: 'code',
  RUBYLIB: 'code',
  JAVA_TOOL_OPTIONS: 'code',
  _JAVA_OPTIONS: 'code',
  JDK_JAVA_OPTIONS: 'code',
  CLASSPATH: 'code',
  GCONV_PATH: 'code',
  LOCPATH: 'code',
  // Helper commands tools run on their own.
  PAGER: 'code',
  MANPAGER: 'code',
  LESSOPEN: 'code',
  LESSCLOSE: 'code',
  EDITOR: 'code',
  VISUAL: 'code',
  BROWSER: 'code',
  SSH_ASKPASS: 'code',
  SSH_ASKPASS_REQUIRE: 'code',
  SUDO_ASKPASS: 'code',
  // TLS and certificate trust (NODE_EXTRA_CA_CERTS only adds a CA and stays allowed, for company proxies).
  NODE_TLS_REJECT_UNAUTHORIZED: 'trust',
  SSL_CERT_FILE: 'trust',
  SSL_CERT_DIR: 'trust',
  CURL_CA_BUNDLE: 'trust',
  REQUESTS_CA_BUNDLE: 'trust',
  PYTHONHTTPSVERIFY: 'trust',
  // Managed by Shepherd for a provider (passed through from Shepherd's own environment).
  IS_SANDBOX: 'managed',
  DISABLE_TELEMETRY: 'managed',
  DISABLE_ERROR_REPORTING: 'managed',
  DISABLE_AUTOUPDATER: 'managed'
}
/** Prefixes; GIT_ allows only {@link GIT_ALLOWED} (identity), as most GIT_ variables run helpers or change the repo. */
export const DENIED_PREFIXES: Readonly<Record<string, 'code' | 'trust' | 'managed'>> = {
  LD_: 'code',
  DYLD_: 'code',
  BASH_FUNC_: 'code',
  NPM_CONFIG_: 'code',
  GIT_: 'code',
  CLAUDE: 'managed',
  CODEX: 'managed',
  OLLAMA: 'managed',
  ANTHROPIC_: 'managed',
  OPENAI_: 'managed',
  OPENCODE: 'managed',
  GEMINI_: 'managed',
  GOOGLE_: 'managed',
  GOOSE_: 'managed',
  XDG_: 'managed',
  AWS_: 'managed',
  AZURE_: 'managed',
  OPENROUTER_: 'managed',
  GROQ_: 'managed',
  MISTRAL_: 'managed',
  DEEPSEEK_: 'managed',
  XAI_: 'managed',
  TOGETHER_: 'managed',
  FIREWORKS_: 'managed',
  CEREBRAS_: 'managed',
  // Shepherd's own (its web token, data dir): an agent never gets them.
  SHEPHERD_: 'managed'
}
export const GIT_ALLOWED = ['GIT_AUTHOR_NAME', 'GIT_AUTHOR_EMAIL', 'GIT_COMMITTER_NAME', 'GIT_COMMITTER_EMAIL', 'GIT_TERMINAL_PROMPT']

/** Size limits keep a settings form from smuggling megabytes into every spawn. */
export const EXTRA_ENV_MAX_KEYS = 64
export const EXTRA_ENV_MAX_VALUE_BYTES = 8 * 1024

const KEY_RE = /^[A-Za-z_][A-Za-z0-9_]*$/
const utf8 = new TextEncoder()

const REASONS = {
  code: 'it makes shells or programs run code when they start',
  trust: 'it changes which servers and certificates are trusted',
  managed: 'agent settings and API keys are managed by Shepherd'
} as const

/** Why a key is refused, or null when it is acceptable. */
export function extraEnvKeyProblem(key: string): string | null {
  if (!KEY_RE.test(key)) return 'Use letters, digits and underscores only, not starting with a digit'
  const upper = key.toUpperCase()
  if (GIT_ALLOWED.includes(upper)) return null
  const exact = DENIED_NAMES[upper]
  if (exact) return `${key} cannot be set here: ${REASONS[exact]}`
  const prefix = Object.keys(DENIED_PREFIXES).find((p) => upper.startsWith(p))
  if (prefix === 'LD_' || prefix === 'DYLD_') return `${key} cannot be set here: it changes how programs load libraries`
  if (prefix) return `${key} cannot be set here: ${REASONS[DENIED_PREFIXES[prefix]!]}`
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

/**
 * Allowlisted parent env → validated extra env → provider env, then the strip list. The provider's
 * variables come last so the user's extra env can never override what Shepherd sets for an agent
 * (also for a name no rule foresaw, and whatever the case on Windows).
 */
export function buildChildEnv(opts: ChildEnvOptions = {}): Record<string, string> {
  const platform = opts.platform ?? process.platform
  const parent = opts.parentEnv ?? process.env
  const env: Record<string, string> = {}
  for (const [k, v] of Object.entries(parent)) {
    if (typeof v === 'string' && !v.includes('\0') && isAllowed(k, platform)) env[k] = v
  }
  if (opts.extraEnv) Object.assign(env, parseExtraEnv(opts.extraEnv))
  for (const [k, v] of Object.entries(opts.providerEnv ?? {})) {
    if (platform === 'win32') for (const other of Object.keys(env)) if (other.toUpperCase() === k.toUpperCase()) delete env[other]
    env[k] = v
  }
  return stripForbiddenEnv(env)
}
