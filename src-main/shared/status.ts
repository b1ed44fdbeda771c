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

/** Permission modes, named after Claude Code's; other providers map them (see each provider). */
export const PERMISSION_MODES = ['default', 'acceptEdits', 'plan', 'bypassPermissions'] as const
export type PermissionMode = (typeof PERMISSION_MODES)[number]

/** What a transcript row is. */
export const MESSAGE_KINDS = ['user', 'assistant', 'thinking', 'tool_call', 'tool_result', 'system', 'error'] as const
export type MessageKind = (typeof MESSAGE_KINDS)[number]

/** Why a status was entered (shown in the UI next to the badge). */
export interface StatusReason {
  message?: string
  exitCode?: number | null
  signal?: string | null
  stderrTail?: string
  apiErrorStatus?: number | null
}
