/**
 * Global settings (validated, with defaults) and renderer-owned UI state (drafts, layout, scroll,
 * expanded items) stored as small JSON blobs so they survive reloads and restarts.
 */
import { z } from 'zod'
import { ShepherdError } from '../shared/errors'
import { SETTING_DEFAULTS, SETTING_LIMITS } from '../shared/limits'
import { PERMISSION_MODES, PROVIDER_IDS } from '../shared/status'
import { extraEnvKeyProblem, extraEnvSchema } from '../providers/child-env'
import { modelSchema } from '../api/schemas'
import { acpCommandSchema } from '../providers/acp/command'
import type { Store } from '../store/store'

const providerSettings = z.object({
  /** Validated like the per-session model (sessions.start / setModel): it becomes a CLI argument. */
  model: modelSchema,
  permissionMode: z.enum(PERMISSION_MODES),
  /** Absolute path of the CLI; null = look it up on PATH. */
  cliPath: z.string().max(4096).refine((p) => p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p), 'must be an absolute path').nullable()
})

export const settingsSchema = z.object({
  defaultProvider: z.enum(PROVIDER_IDS),
  providers: z.object({
    claude: providerSettings, codex: providerSettings, opencode: providerSettings,
    /** ACP: `command` = the agent's argv (binary first) or a command line split without a shell. */
    acp: providerSettings.extend({ command: acpCommandSchema.optional() })
  }),
  systemPromptTemplate: z.string().max(20_000),
  defaultFolder: z.string().max(4096).nullable(),
  /** Limits and defaults: src-main/shared/limits.ts (the Settings form uses the same). */
  stallThresholdMs: z.number().int().min(SETTING_LIMITS.stallThresholdMs.min).max(SETTING_LIMITS.stallThresholdMs.max),
  retentionCount: z.number().int().min(SETTING_LIMITS.retentionCount.min).max(SETTING_LIMITS.retentionCount.max),
  retentionDays: z.number().int().min(SETTING_LIMITS.retentionDays.min).max(SETTING_LIMITS.retentionDays.max),
  extraEnv: extraEnvSchema,
  /** Running agents at once; more wait in a queue (each CLI is a heavy process). */
  maxConcurrentSessions: z.number().int().min(SETTING_LIMITS.maxConcurrentSessions.min).max(SETTING_LIMITS.maxConcurrentSessions.max),
  notifications: z.object({ completed: z.boolean(), error: z.boolean(), stalled: z.boolean(), approval: z.boolean() })
})
export type AppSettings = z.infer<typeof settingsSchema>
export const settingsPatchSchema = settingsSchema.partial()

export const DEFAULT_SETTINGS: AppSettings = {
  defaultProvider: 'claude',
  providers: {
    claude: { model: null, permissionMode: 'default', cliPath: null },
    codex: { model: null, permissionMode: 'default', cliPath: null },
    opencode: { model: null, permissionMode: 'default', cliPath: null },
    acp: { model: null, permissionMode: 'default', cliPath: null }
  },
  systemPromptTemplate: '',
  defaultFolder: null,
  stallThresholdMs: SETTING_DEFAULTS.stallThresholdMs,
  retentionCount: SETTING_DEFAULTS.retentionCount,
  retentionDays: SETTING_DEFAULTS.retentionDays,
  extraEnv: {},
  maxConcurrentSessions: SETTING_DEFAULTS.maxConcurrentSessions,
  notifications: { ...SETTING_DEFAULTS.notifications }
}

export const UI_KEY = /^[A-Za-z0-9:._-]{1,120}$/
/** UI blobs are drafts and layout, not data: 256 KiB is far above any real one. */
export const UI_VALUE_MAX = 256 * 1024
const UI_PREFIX = 'ui:'
const SETTINGS_KEY = 'app'

export class SettingsService {
  #cache: AppSettings | null = null
  constructor(private readonly store: Store) {}

  get(): AppSettings {
    if (this.#cache) return this.#cache
    const raw = this.store.getSetting(SETTINGS_KEY)
    let merged = DEFAULT_SETTINGS
    if (raw) {
      // Unknown or invalid stored keys fall back to defaults rather than breaking startup.
      const stored = JSON.parse(raw) as Record<string, unknown>
      let parsed = settingsSchema.partial().safeParse(stored)
      if (!parsed.success && stored.extraEnv && typeof stored.extraEnv === 'object') {
        // A variable refused by a newer rule is dropped, not the user's other settings with it.
        const extraEnv = Object.fromEntries(Object.entries(stored.extraEnv).filter(([k]) => extraEnvKeyProblem(k) === null))
        parsed = settingsSchema.partial().safeParse({ ...stored, extraEnv })
      }
      if (parsed.success) merged = { ...DEFAULT_SETTINGS, ...parsed.data }
    }
    this.#cache = merged
    return merged
  }

  update(patch: Partial<AppSettings>): AppSettings {
    const next = settingsSchema.safeParse({ ...this.get(), ...patch })
    if (!next.success) {
      const fields: Record<string, string> = {}
      for (const issue of next.error.issues) fields[issue.path.join('.')] = issue.message
      throw new ShepherdError('BAD_REQUEST', 'invalid settings', fields)
    }
    this.store.setSetting(SETTINGS_KEY, JSON.stringify(next.data))
    this.#cache = next.data
    return next.data
  }

  getUi(key: string): unknown {
    const raw = this.store.getSetting(UI_PREFIX + key)
    return raw === undefined ? null : JSON.parse(raw)
  }

  setUi(key: string, value: unknown): void {
    const json = JSON.stringify(value ?? null)
    if (json.length > UI_VALUE_MAX) throw new ShepherdError('BAD_REQUEST', `UI state "${key}" is too large`)
    this.store.setSetting(UI_PREFIX + key, json)
  }

  allUi(): Record<string, unknown> {
    const out: Record<string, unknown> = {}
    for (const { key, value } of this.store.allSettings()) if (key.startsWith(UI_PREFIX)) out[key.slice(UI_PREFIX.length)] = JSON.parse(value)
    return out
  }
}
