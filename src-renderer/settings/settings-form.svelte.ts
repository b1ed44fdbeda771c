/**
 * Draft of the Settings page: text-friendly fields over `AppSettings`, client-side checks for what
 * the form itself can get wrong (empty numbers, ranges, KEY=VALUE syntax), and server field errors
 * mapped back onto the fields (keys are dotted API paths: `stallThresholdMs`, `extraEnv.FOO`, …).
 */
import { SETTING_DEFAULTS, SETTING_LIMITS } from '../../src-main/shared/limits'
import type { PermissionMode, ProviderId } from '../../src-main/shared/status'
import type { AppSettings } from '../lib/api/client'

const MINUTE = 60_000

export interface ProviderDraft {
  model: string
  permissionMode: PermissionMode
  cliPath: string
  /** ACP only: the agent's command line (split by the server without a shell). */
  command: string
}

/** An argv shown as one editable line; arguments with spaces are quoted. */
function joinArgv(argv: readonly string[] | undefined): string {
  return (argv ?? []).map((a) => (/[\s"']/.test(a) ? `"${a.replace(/"/g, '\\"')}"` : a)).join(' ')
}

export type NotificationKey = keyof AppSettings['notifications']

/** Numeric limits, the server's own (src-main/shared/limits.ts), so the form can explain them before saving. */
export const LIMITS = {
  stallMinutes: { min: SETTING_LIMITS.stallThresholdMs.min / MINUTE, max: SETTING_LIMITS.stallThresholdMs.max / MINUTE },
  retentionCount: SETTING_LIMITS.retentionCount,
  retentionDays: SETTING_LIMITS.retentionDays,
  maxConcurrentSessions: SETTING_LIMITS.maxConcurrentSessions,
  idleAgentsKept: SETTING_LIMITS.idleAgentsKept,
  sleepMinutes: { min: SETTING_LIMITS.sleepAfterIdleMs.min / MINUTE, max: SETTING_LIMITS.sleepAfterIdleMs.max / MINUTE },
  remoteGraceSeconds: SETTING_LIMITS.remoteGraceSeconds
} as const

export type SettingsPatch = Partial<AppSettings>

export class SettingsForm {
  defaultProvider = $state<ProviderId>('claude')
  providers = $state<Record<ProviderId, ProviderDraft>>({} as Record<ProviderId, ProviderDraft>)
  systemPromptTemplate = $state('')
  defaultFolder = $state('')
  stallMinutes = $state<number | null>(SETTING_DEFAULTS.stallThresholdMs / MINUTE)
  retentionCount = $state<number | null>(SETTING_DEFAULTS.retentionCount)
  retentionDays = $state<number | null>(SETTING_DEFAULTS.retentionDays)
  maxConcurrentSessions = $state<number | null>(SETTING_DEFAULTS.maxConcurrentSessions)
  idleAgentsKept = $state<number | null>(SETTING_DEFAULTS.idleAgentsKept)
  sleepMinutes = $state<number | null>(SETTING_DEFAULTS.sleepAfterIdleMs / MINUTE)
  remoteGraceSeconds = $state<number | null>(SETTING_DEFAULTS.remoteGraceSeconds)
  extraEnvText = $state('')
  notifications = $state<AppSettings['notifications']>({ ...SETTING_DEFAULTS.notifications })

  /** Field errors keyed by API path; `extraEnv` holds syntax errors of the text itself. */
  errors = $state<Record<string, string>>({})

  #loaded = $state(false)
  #saved = $state('')

  readonly loaded = $derived(this.#loaded)
  readonly dirty = $derived(this.#loaded && this.#fingerprint() !== this.#saved)
  readonly hasErrors = $derived(Object.keys(this.errors).length > 0)

  /** Per-key messages for the extra env (`extraEnv.KEY` → KEY), for the list under the field. */
  readonly envErrors = $derived(
    Object.entries(this.errors)
      .filter(([k]) => k === 'extraEnv' || k.startsWith('extraEnv.'))
      .map(([k, message]) => ({ key: k === 'extraEnv' ? null : k.slice('extraEnv.'.length), message }))
  )

  /** Replace the draft with saved settings (after load or a successful save). */
  load(s: AppSettings): void {
    this.defaultProvider = s.defaultProvider
    const providers = {} as Record<ProviderId, ProviderDraft>
    for (const [id, p] of Object.entries(s.providers) as [ProviderId, AppSettings['providers'][ProviderId]][]) {
      const command = 'command' in p ? (p.command as readonly string[] | undefined) : undefined
      providers[id] = { model: p.model ?? '', permissionMode: p.permissionMode, cliPath: p.cliPath ?? '', command: joinArgv(command) }
    }
    this.providers = providers
    this.systemPromptTemplate = s.systemPromptTemplate
    this.defaultFolder = s.defaultFolder ?? ''
    this.stallMinutes = s.stallThresholdMs / MINUTE
    this.retentionCount = s.retentionCount
    this.retentionDays = s.retentionDays
    this.maxConcurrentSessions = s.maxConcurrentSessions
    this.idleAgentsKept = s.idleAgentsKept
    this.sleepMinutes = s.sleepAfterIdleMs / MINUTE
    this.remoteGraceSeconds = s.remoteGraceSeconds
    this.extraEnvText = Object.entries(s.extraEnv)
      .map(([k, v]) => `${k}=${v}`)
      .join('\n')
    this.notifications = { ...s.notifications }
    this.errors = {}
    this.#saved = this.#fingerprint()
    this.#loaded = true
  }

  /** Clear one field's error as the user edits it. */
  clearError(key: string): void {
    if (!(key in this.errors)) return
    const { [key]: _removed, ...rest } = this.errors
    this.errors = rest
  }

  clearEnvErrors(): void {
    this.errors = Object.fromEntries(Object.entries(this.errors).filter(([k]) => k !== 'extraEnv' && !k.startsWith('extraEnv.')))
  }

  /** Map the server's `err.data.fields` onto the form. Returns false when none matched a field. */
  setServerErrors(fields: Record<string, string>): boolean {
    const next: Record<string, string> = {}
    for (const [path, message] of Object.entries(fields)) {
      // `stallThresholdMs` is edited in minutes: say it in minutes.
      next[path] = path === 'stallThresholdMs' ? (stallMessage(this.stallMinutes) ?? message) : message
    }
    this.errors = next
    return Object.keys(next).length > 0
  }

  /** The settings patch, or null when the draft has errors (they are set on `errors`). */
  toPatch(): SettingsPatch | null {
    const errors: Record<string, string> = {}
    const stall = stallMessage(this.stallMinutes)
    if (stall) errors.stallThresholdMs = stall
    rangeCheck(errors, 'retentionCount', this.retentionCount, LIMITS.retentionCount, 'sessions')
    rangeCheck(errors, 'retentionDays', this.retentionDays, LIMITS.retentionDays, 'days')
    rangeCheck(errors, 'maxConcurrentSessions', this.maxConcurrentSessions, LIMITS.maxConcurrentSessions, 'agents')
    rangeCheck(errors, 'idleAgentsKept', this.idleAgentsKept, LIMITS.idleAgentsKept, 'agents')
    const sleep = sleepMessage(this.sleepMinutes)
    if (sleep) errors.sleepAfterIdleMs = sleep
    rangeCheck(errors, 'remoteGraceSeconds', this.remoteGraceSeconds, LIMITS.remoteGraceSeconds, 'seconds')
    const env = parseEnvText(this.extraEnvText)
    if (env.error) errors.extraEnv = env.error
    for (const [id, p] of Object.entries(this.providers)) {
      const path = p.cliPath.trim()
      if (path && !(path.startsWith('/') || /^[A-Za-z]:[\\/]/.test(path))) {
        errors[`providers.${id}.cliPath`] = 'Use an absolute path (starting with / or a drive letter), or leave it empty to look on PATH.'
      }
    }
    this.errors = errors
    if (Object.keys(errors).length > 0) return null

    const providers = {} as AppSettings['providers']
    for (const [id, p] of Object.entries(this.providers) as [ProviderId, ProviderDraft][]) {
      providers[id] = { model: p.model.trim() || null, permissionMode: p.permissionMode, cliPath: p.cliPath.trim() || null }
      if (id === 'acp' && p.command.trim()) (providers.acp as { command?: unknown }).command = p.command.trim()
    }
    return {
      defaultProvider: this.defaultProvider,
      providers,
      systemPromptTemplate: this.systemPromptTemplate,
      defaultFolder: this.defaultFolder.trim() || null,
      stallThresholdMs: Math.round((this.stallMinutes ?? 0) * MINUTE),
      retentionCount: this.retentionCount ?? 0,
      retentionDays: this.retentionDays ?? 0,
      maxConcurrentSessions: this.maxConcurrentSessions ?? 0,
      idleAgentsKept: this.idleAgentsKept ?? 0,
      sleepAfterIdleMs: Math.round((this.sleepMinutes ?? 0) * MINUTE),
      remoteGraceSeconds: this.remoteGraceSeconds ?? 0,
      extraEnv: env.env,
      notifications: { ...this.notifications }
    }
  }

  #fingerprint(): string {
    return JSON.stringify([
      this.defaultProvider,
      this.providers,
      this.systemPromptTemplate,
      this.defaultFolder,
      this.stallMinutes,
      this.retentionCount,
      this.retentionDays,
      this.maxConcurrentSessions,
      this.idleAgentsKept,
      this.sleepMinutes,
      this.remoteGraceSeconds,
      this.extraEnvText,
      this.notifications
    ])
  }
}

function stallMessage(minutes: number | null): string | null {
  const { min, max } = LIMITS.stallMinutes
  if (minutes === null || !Number.isFinite(minutes)) return 'Enter a number of minutes.'
  if (minutes < min) return `Use at least ${min} minutes (30 seconds): shorter pauses are normal between tool calls.`
  if (minutes > max) return `Use at most ${max} minutes (24 hours).`
  return null
}

function sleepMessage(minutes: number | null): string | null {
  const { min, max } = LIMITS.sleepMinutes
  if (minutes === null || !Number.isFinite(minutes)) return 'Enter a number of minutes.'
  if (minutes < min) return 'Use at least 5 seconds (0.1 minutes).'
  if (minutes > max) return `Use at most ${max} minutes (24 hours).`
  return null
}

function rangeCheck(errors: Record<string, string>, key: string, value: number | null, limits: { min: number; max: number }, unit: string): void {
  if (value === null || !Number.isFinite(value)) errors[key] = 'Enter a number.'
  else if (!Number.isInteger(value)) errors[key] = 'Enter a whole number.'
  else if (value < limits.min || value > limits.max) errors[key] = `Between ${limits.min} and ${limits.max} ${unit}.`
}

/** `KEY=VALUE` per line; blank lines and `#` comments are ignored. The server validates keys and values. */
export function parseEnvText(text: string): { env: Record<string, string>; error: string | null } {
  const env: Record<string, string> = {}
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? '').replace(/\r$/, '')
    const trimmed = line.trim()
    if (!trimmed || trimmed.startsWith('#')) continue
    const eq = line.indexOf('=')
    if (eq <= 0 || !line.slice(0, eq).trim()) return { env, error: `Line ${i + 1}: write each variable as KEY=VALUE.` }
    const key = line.slice(0, eq).trim()
    if (key in env) return { env, error: `Line ${i + 1}: ${key} is set twice.` }
    env[key] = line.slice(eq + 1)
  }
  return { env, error: null }
}
