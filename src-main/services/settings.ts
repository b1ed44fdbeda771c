/**
 * Global settings (validated, with defaults) and renderer-owned UI state (drafts, layout, scroll,
 * expanded items) stored as small JSON blobs so they survive reloads and restarts.
 */
import { z } from 'zod'
import { ShepherdError } from '../shared/errors'
import { PERMISSION_MODES, PROVIDER_IDS } from '../shared/status'
import { SETTING_DEFAULTS, SETTING_LIMITS as L } from '../shared/settings'
import { extraEnvKeyProblem, extraEnvSchema } from '../providers/child-env'
import { modelSchema } from '../api/schemas'
import { acpCommandSchema } from '../providers/acp/command'
import type { Store } from '../store/store'

const providerSettings = z.object({
  /** Validated like the per-session model (sessions.start / setModel): it becomes a CLI argument. */
  model: modelSchema,
  permissionMode: z.enum(PERMISSION_MODES),
  /** Absolute path of the CLI; null = look it up on PATH. */
  cliPath: z
    .string()
    .max(L.pathChars.max)
    .refine((p) => p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p), 'must be an absolute path')
    .nullable()
})

export const settingsSchema = z.object({
  defaultProvider: z.enum(PROVIDER_IDS),
  providers: z.object({
    claude: providerSettings,
    codex: providerSettings,
    opencode: providerSettings,
    /** ACP: `command` = the agent's argv (binary first) or a command line split without a shell. */
    acp: providerSettings.extend({ command: acpCommandSchema.optional() })
  }),
  systemPromptTemplate: z.string().max(L.systemPromptChars.max),
  defaultFolder: z.string().max(L.pathChars.max).nullable(),
  /** Limits and defaults: shared/settings.ts. */
  stallThresholdMs: z.number().int().min(L.stallThresholdMs.min).max(L.stallThresholdMs.max),
  retentionCount: z.number().int().min(L.retentionCount.min).max(L.retentionCount.max),
  retentionDays: z.number().int().min(L.retentionDays.min).max(L.retentionDays.max),
  extraEnv: extraEnvSchema,
  maxConcurrentSessions: z.number().int().min(L.maxConcurrentSessions.min).max(L.maxConcurrentSessions.max),
  idleAgentsKept: z.number().int().min(L.idleAgentsKept.min).max(L.idleAgentsKept.max),
  sleepAfterIdleMs: z.number().int().min(L.sleepAfterIdleMs.min).max(L.sleepAfterIdleMs.max),
  remoteGraceSeconds: z.number().int().min(L.remoteGraceSeconds.min).max(L.remoteGraceSeconds.max),
  notifications: z.object({ completed: z.boolean(), error: z.boolean(), stalled: z.boolean(), approval: z.boolean() })
})
export type AppSettings = z.infer<typeof settingsSchema>
export const settingsPatchSchema = settingsSchema.partial()

/** A copy of the shared defaults; the compiler checks them against the schema's type here. */
export const DEFAULT_SETTINGS: AppSettings = structuredClone(SETTING_DEFAULTS)

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
