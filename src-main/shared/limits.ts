/**
 * Setting limits and defaults, once for both sides: the main process validates with them (zod
 * schemas in services/settings.ts and the projects router), the renderer's Settings form explains
 * them before saving and shows the defaults until the server answers. Pure values: no Node.
 */

const MINUTE_MS = 60_000

/** Inclusive ranges of the numeric settings (global and per project). */
export const SETTING_LIMITS = {
  /** 30 s is the shortest that is still a "stall" rather than a pause between tool calls; at most a day. */
  stallThresholdMs: { min: 30_000, max: 24 * 60 * MINUTE_MS },
  retentionCount: { min: 1, max: 50 },
  retentionDays: { min: 1, max: 365 },
  /** Running agents at once; more wait in a queue (each CLI is a heavy process). */
  maxConcurrentSessions: { min: 1, max: 32 }
} as const

/** Defaults of the scalar settings (the server's DEFAULT_SETTINGS is built from these). */
export const SETTING_DEFAULTS = {
  stallThresholdMs: 15 * MINUTE_MS,
  retentionCount: 5,
  retentionDays: 30,
  maxConcurrentSessions: 4,
  notifications: { completed: true, error: true, stalled: true, approval: true }
} as const
