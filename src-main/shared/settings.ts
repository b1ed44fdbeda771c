/**
 * Setting defaults and limits, defined once: the server's schema (services/settings.ts) enforces
 * them and the Settings form explains them before saving. Pure TypeScript (the renderer imports it).
 */

const MINUTE = 60_000

/** Inclusive numeric limits of the settings that have them. */
export const SETTING_LIMITS = {
  /** 30 s is the shortest that is still a "stall" rather than a pause between tool calls; at most a day. */
  stallThresholdMs: { min: 30_000, max: 24 * 60 * MINUTE },
  retentionCount: { min: 1, max: 50 },
  retentionDays: { min: 1, max: 365 },
  /** Running agents at once; more wait in a queue (each CLI is a heavy process). */
  maxConcurrentSessions: { min: 1, max: 32 },
  /**
   * Idle agent processes kept alive (issue 11 #17: 20 idle Claude Code processes hold ~3.7 GB); the
   * least recently used beyond this are stopped after `sleepAfterIdleMs` and resumed on the next prompt.
   * The max (32, like the cap) means "never put to sleep" in practice.
   */
  idleAgentsKept: { min: 0, max: 32 },
  /** How long an idle agent beyond the bound keeps its process; 5 s at least (a shorter pause is still "working"). */
  sleepAfterIdleMs: { min: 5_000, max: 24 * 60 * MINUTE },
  /** Seconds an agent on an SSH host outlives its lost connection before its process group is ended. */
  remoteGraceSeconds: { min: 0, max: 3600 },
  systemPromptChars: { max: 20_000 },
  modelChars: { max: 200 },
  pathChars: { max: 4096 }
} as const

const providerDefaults = { model: null, permissionMode: 'default', cliPath: null } as const

/** Settings before the user changed any (services/settings.ts checks this against its schema). */
export const SETTING_DEFAULTS = {
  defaultProvider: 'claude',
  providers: { claude: providerDefaults, codex: providerDefaults, opencode: providerDefaults, acp: providerDefaults },
  systemPromptTemplate: '',
  defaultFolder: null,
  stallThresholdMs: 15 * MINUTE,
  retentionCount: 5,
  retentionDays: 30,
  extraEnv: {},
  maxConcurrentSessions: 4,
  idleAgentsKept: 4,
  sleepAfterIdleMs: 10 * MINUTE,
  remoteGraceSeconds: 5,
  notifications: { completed: true, error: true, stalled: true, approval: true }
} as const
