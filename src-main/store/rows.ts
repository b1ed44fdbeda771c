/** Row ↔ DTO mapping. The API returns DTOs, never rows. */
import type { ApprovalDTO, MessageDTO, ProjectDTO, SessionDTO } from '../shared/dto'
import { decodeQueue } from './queued-prompts'
import type { MessageKind, PermissionMode, ProviderId, SessionStatus, StatusReason } from '../shared/status'

export interface ProjectRow {
  id: string
  name: string
  path: string
  created_at: number
  updated_at: number
  stall_threshold_ms: number | null
  retention_count: number | null
  retention_days: number | null
}

export interface SessionRow {
  id: string
  project_id: string
  provider: string
  model: string | null
  permission_mode: string
  cwd: string
  title: string
  system_prompt: string | null
  extra_env: string
  status: string
  status_reason: string | null
  cli_session_id: string | null
  pinned: number
  last_seq: number
  last_activity_at: number
  created_at: number
  updated_at: number
  ended_at: number | null
  cost_usd: number
  cli_cost_total: number
  cost_known: number
  input_tokens: number
  output_tokens: number
  cache_read_tokens: number
  cache_write_tokens: number
  context_tokens: number | null
  context_window: number | null
  queued_prompts: string
  pid: number | null
  pid_start_time: string | null
  /** Hidden from the session list, kept in search (migration 0002). */
  archived: number
}

export interface MessageRow {
  session_id: string
  seq: number
  kind: string
  text: string
  tool_name: string | null
  tool_input: string | null
  tool_path: string | null
  tool_use_id: string | null
  parent_id: string | null
  is_error: number
  created_at: number
}

export interface ApprovalRow {
  id: string
  session_id: string
  request_id: string
  tool_name: string
  input: string
  description: string | null
  status: string
  created_at: number
  decided_at: number | null
}

/** The session's extra environment variables (the `extra_env` JSON column). */
export function extraEnvOf(r: SessionRow): Record<string, string> {
  return JSON.parse(r.extra_env) as Record<string, string>
}

export function projectToDTO(r: ProjectRow): ProjectDTO {
  return {
    id: r.id,
    name: r.name,
    path: r.path,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    stallThresholdMs: r.stall_threshold_ms,
    retentionCount: r.retention_count,
    retentionDays: r.retention_days
  }
}

export function sessionToDTO(r: SessionRow): SessionDTO {
  return {
    id: r.id,
    projectId: r.project_id,
    provider: r.provider as ProviderId,
    model: r.model,
    permissionMode: r.permission_mode as PermissionMode,
    cwd: r.cwd,
    title: r.title,
    status: r.status as SessionStatus,
    statusReason: r.status_reason ? (JSON.parse(r.status_reason) as StatusReason) : null,
    cliSessionId: r.cli_session_id,
    pinned: r.pinned === 1,
    lastSeq: r.last_seq,
    lastActivityAt: r.last_activity_at,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    endedAt: r.ended_at,
    totals: {
      costUsd: r.cost_usd,
      inputTokens: r.input_tokens,
      outputTokens: r.output_tokens,
      cacheReadTokens: r.cache_read_tokens,
      cacheWriteTokens: r.cache_write_tokens,
      contextTokens: r.context_tokens,
      contextWindow: r.context_window,
      costKnown: r.cost_known === 1
    },
    queuedPrompts: decodeQueue(r.queued_prompts).map((q) => q.text),
    archived: r.archived === 1
  }
}

/** Tool results above this many characters are sent as a preview; the full text is one `messages.full` call away. */
export const PREVIEW_CHARS = 16_000

export function messageToDTO(r: MessageRow, full = false): MessageDTO {
  const truncate = !full && r.text.length > PREVIEW_CHARS
  return {
    sessionId: r.session_id,
    seq: r.seq,
    kind: r.kind as MessageKind,
    text: truncate ? r.text.slice(0, PREVIEW_CHARS) : r.text,
    toolName: r.tool_name,
    toolInput: r.tool_input,
    toolPath: r.tool_path,
    toolUseId: r.tool_use_id,
    parentId: r.parent_id,
    isError: r.is_error === 1,
    createdAt: r.created_at,
    fullLength: truncate ? r.text.length : null
  }
}

/**
 * Shepherd's own note stored with an approval's input (no schema change): `{ ...input, [APPROVAL_NOTE_KEY]:
 * { sessionScope } }`. Split off again here, so the DTO's `input` is the agent's input exactly.
 */
export const APPROVAL_NOTE_KEY = '__shepherd'

export function approvalInputWithNote(input: unknown, sessionScope: string | null): string {
  if (sessionScope && input && typeof input === 'object' && !Array.isArray(input) && !(APPROVAL_NOTE_KEY in input)) {
    return JSON.stringify({ ...(input as object), [APPROVAL_NOTE_KEY]: { sessionScope } })
  }
  return JSON.stringify(input ?? null)
}

function splitNote(json: string): { input: string; sessionScope: string | null } {
  if (!json.includes(`"${APPROVAL_NOTE_KEY}"`)) return { input: json, sessionScope: null }
  try {
    const v = JSON.parse(json) as Record<string, unknown>
    const note = v[APPROVAL_NOTE_KEY] as { sessionScope?: unknown } | undefined
    delete v[APPROVAL_NOTE_KEY]
    return { input: JSON.stringify(v), sessionScope: typeof note?.sessionScope === 'string' ? note.sessionScope : null }
  } catch {
    return { input: json, sessionScope: null }
  }
}

export function approvalToDTO(r: ApprovalRow, projectId: string): ApprovalDTO {
  const { input, sessionScope } = splitNote(r.input)
  return {
    id: r.id,
    sessionId: r.session_id,
    projectId,
    toolName: r.tool_name,
    input,
    sessionScope,
    description: r.description,
    status: r.status as ApprovalDTO['status'],
    createdAt: r.created_at
  }
}
