/**
 * Vocabulary shared by every room (main, renderer via `import type`, tests).
 * Pure TypeScript: no Node, no Electron.
 */

/** Agent providers Shepherd can drive. */
export const PROVIDER_IDS = ['claude', 'codex', 'opencode', 'acp'] as const
export type ProviderId = (typeof PROVIDER_IDS)[number]

/**
 * Session lifecycle. `idle` = turn finished, process alive (can take a follow-up);
 * `done` = process ended after a finished turn; `interrupted` = stopped by the user or by an app exit;
 * `error` = the agent or its API failed.
 */
export const SESSION_STATUSES = [
  'queued',
  'starting',
  'running',
  'waiting_approval',
  'idle',
  'stopping',
  'done',
  'error',
  'interrupted'
] as const
export type SessionStatus = (typeof SESSION_STATUSES)[number]

/** Statuses in which a process of ours may be alive. */
export const ACTIVE_STATUSES: readonly SessionStatus[] = ['queued', 'starting', 'running', 'waiting_approval', 'idle', 'stopping']
/** Statuses after which nothing more happens until the user acts. */
export const FINAL_STATUSES: readonly SessionStatus[] = ['done', 'error', 'interrupted']
/** Statuses in which a turn is under way or about to be (Esc / Interrupt make sense; "running" in the sidebar's unread marks). */
export const BUSY_STATUSES: readonly SessionStatus[] = ['queued', 'starting', 'running', 'waiting_approval']
/** Statuses a busy session lands in when its turn ends (finished, failed, or the process ended). */
export const TURN_ENDED_STATUSES: readonly SessionStatus[] = ['idle', 'done', 'error']

/** Permission modes, named after Claude Code's; other providers map them (see each provider). */
export const PERMISSION_MODES = ['default', 'acceptEdits', 'plan', 'bypassPermissions'] as const
export type PermissionMode = (typeof PERMISSION_MODES)[number]

/** What a transcript row is. */
export const MESSAGE_KINDS = ['user', 'assistant', 'thinking', 'tool_call', 'tool_result', 'system', 'error'] as const
export type MessageKind = (typeof MESSAGE_KINDS)[number]

/**
 * What kind of reason a status has, for code to act on (the renderer never matches `message`, which is
 * English for people): `interrupted` = the user interrupted the turn (Esc), the agent lives on;
 * `stopped` = the user stopped the session; `shutdown` = Shepherd closed before it started;
 * `waiting_slot` = queued for a free agent slot; `agent_error` = the agent or its API reported a
 * failure; `crashed` = the process died or exited mid-turn; `exited` = the process ended after a
 * finished turn; `start_failed` = the agent could not be started; `orphaned` = Shepherd exited while
 * the session was active; `budget_paused` = Shepherd interrupted the turn at a budget cap;
 * `usage_limit` = the agent hit a usage limit and waits for its reset. Reasons stored before codes existed have none.
 */
export const STATUS_REASON_CODES = ['interrupted', 'stopped', 'shutdown', 'waiting_slot', 'agent_error', 'crashed', 'exited', 'start_failed', 'orphaned', 'budget_paused', 'usage_limit'] as const
export type StatusReasonCode = (typeof STATUS_REASON_CODES)[number]

/** Why a status was entered (`message` is shown in the UI next to the badge). */
export interface StatusReason {
  code?: StatusReasonCode
  message?: string
  exitCode?: number | null
  signal?: string | null
  stderrTail?: string
  apiErrorStatus?: number | null
}
