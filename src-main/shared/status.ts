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
export const SESSION_STATUSES = ['queued', 'starting', 'running', 'waiting_approval', 'idle', 'stopping', 'done', 'error', 'interrupted'] as const
export type SessionStatus = (typeof SESSION_STATUSES)[number]

/** Statuses in which a process of ours may be alive (Stop makes sense). */
export const ACTIVE_STATUSES: readonly SessionStatus[] = ['queued', 'starting', 'running', 'waiting_approval', 'idle', 'stopping']
/** Statuses after which nothing more happens until the user acts. */
export const FINAL_STATUSES: readonly SessionStatus[] = ['done', 'error', 'interrupted']
/** "Busy": a turn is under way or about to start (Esc / Interrupt make sense; a finish after it is news). */
export const BUSY_STATUSES: readonly SessionStatus[] = ['queued', 'starting', 'running', 'waiting_approval']
/** Statuses that ask for the user (badges, the sidebar's attention count); a stall is judged apart. */
export const ATTENTION_STATUSES: readonly SessionStatus[] = ['waiting_approval', 'error']

export const isBusy = (s: SessionStatus): boolean => BUSY_STATUSES.includes(s)
export const isLive = (s: SessionStatus): boolean => ACTIVE_STATUSES.includes(s)
export const isFinished = (s: SessionStatus): boolean => FINAL_STATUSES.includes(s)
/** Statuses a busy session lands in when its turn ends (finished, failed, or the process ended). */
export const TURN_ENDED_STATUSES: readonly SessionStatus[] = ['idle', 'done', 'error']

/** Permission modes, named after Claude Code's; other providers map them (see each provider). */
export const PERMISSION_MODES = ['default', 'acceptEdits', 'plan', 'bypassPermissions'] as const
export type PermissionMode = (typeof PERMISSION_MODES)[number]

/** What a transcript row is. */
export const MESSAGE_KINDS = ['user', 'assistant', 'thinking', 'tool_call', 'tool_result', 'system', 'error'] as const
export type MessageKind = (typeof MESSAGE_KINDS)[number]

/**
 * What kind of reason a status carries, for code to act on (the message is for people and may change):
 * `turn_interrupted` the user pressed Esc; `stopping` / `stopped_by_user` the user pressed Stop;
 * `waiting_for_slot` the concurrency cap holds it; `needs_approval` a tool waits for the user;
 * `needs_input` the agent asked a question or for a form and waits for the answer (status `waiting_approval`);
 * `turn_failed` the agent or its API reported an error; `exited` / `killed` / `exited_mid_turn` the
 * process ended by itself; `launch_failed` it could not be started; `app_closed` / `app_crashed`
 * Shepherd quit before it ran / exited unexpectedly while it was active; `usage_limit` the agent's
 * usage limit refused the turn (it waits for the reset); `budget_hold` paused at a budget cap;
 * `asleep` idle with its process stopped to save memory (the next prompt resumes the conversation,
 * see supervisor/idle-sleep.ts); `waking` that resume under way ("waking up…").
 * `disconnected` the SSH connection to the agent's host was lost (it resumes once reconnected).
 * `background_work` the agent answered but work it started still runs (the turn is not over, a
 * prompt may be sent meanwhile, and long silence is not a stall).
 */
export const STATUS_REASON_CODES = [
  'turn_interrupted',
  'stopping',
  'stopped_by_user',
  'waiting_for_slot',
  'needs_approval',
  'needs_input',
  'turn_failed',
  'exited',
  'killed',
  'exited_mid_turn',
  'launch_failed',
  'app_closed',
  'app_crashed',
  'usage_limit',
  'budget_hold',
  'asleep',
  'waking',
  'disconnected',
  'background_work'
] as const
export type StatusReasonCode = (typeof STATUS_REASON_CODES)[number]

/** Why a status was entered (shown in the UI next to the badge). */
export interface StatusReason {
  /** Set on every reason Shepherd writes; absent on rows stored before codes existed. */
  code?: StatusReasonCode
  message?: string
  exitCode?: number | null
  signal?: string | null
  stderrTail?: string
  apiErrorStatus?: number | null
}

/**
 * Every status change a session may make, written down once (the session object refuses any other).
 * A session that is not running can be started again (`queued` while waiting for a slot, then
 * `starting`); a live process moves between `idle`, `running` and `waiting_approval`; `stopping`
 * only ends; the three final statuses end its process. `error` is also a failed turn of a live process,
 * which can take the next prompt. `idle` / `running` → `starting`: a resume that died before the agent
 * took up the conversation (a stale id) is replaced at once by a fresh start. `idle` → `queued`: an
 * asleep session (idle, its process stopped to save memory) that waits for a slot to wake. Staying in
 * a status is always allowed (a new reason, a new field).
 */
export const STATUS_TRANSITIONS: Readonly<Record<SessionStatus, readonly SessionStatus[]>> = {
  queued: ['starting', 'interrupted', 'error'],
  starting: ['idle', 'running', 'waiting_approval', 'stopping', 'done', 'error', 'interrupted'],
  running: ['waiting_approval', 'idle', 'stopping', 'done', 'error', 'interrupted', 'starting'],
  waiting_approval: ['running', 'idle', 'stopping', 'done', 'error', 'interrupted'],
  idle: ['running', 'waiting_approval', 'stopping', 'done', 'error', 'interrupted', 'starting', 'queued'],
  stopping: ['done', 'error', 'interrupted'],
  done: ['queued', 'starting'],
  error: ['running', 'waiting_approval', 'idle', 'queued', 'starting', 'stopping', 'done', 'interrupted'],
  interrupted: ['queued', 'starting']
}

/** True when a session in `from` may go to `to` (see STATUS_TRANSITIONS). */
export function canTransition(from: SessionStatus, to: SessionStatus): boolean {
  return from === to || STATUS_TRANSITIONS[from].includes(to)
}
