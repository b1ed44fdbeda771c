/**
 * The store interface in front of SQLite. The supervisor and the API depend on this, not on
 * better-sqlite3, so tests can inject faults (SQLITE_FULL, slow appends) at this seam.
 */
import type { StatusReason } from '../shared/status'
import type { QueuedPrompt } from './queued-prompts'
import type { ApprovalRow, MessageRow, ProjectRow, SessionRow } from './rows'
import type { QuestionRow } from './questions-store'

export interface NewSession {
  id: string
  projectId: string
  provider: string
  model: string | null
  permissionMode: string
  cwd: string
  title: string
  systemPrompt: string | null
  extraEnv: Record<string, string>
  status: string
  now: number
  /** False for an agent that reports tokens only (Codex): its cost reads "n/a" from the start, never $0. */
  costKnown?: boolean
}

/**
 * What may change on a session row: its columns, less those fixed at creation, with the JSON columns
 * as domain values (the store encodes them, and only the store).
 */
export type SessionPatch = Partial<
  Omit<SessionRow, 'id' | 'project_id' | 'provider' | 'cwd' | 'created_at' | 'status_reason' | 'queued_prompts' | 'extra_env'> & {
    status_reason: StatusReason | null
    queued_prompts: readonly QueuedPrompt[]
    extra_env: Record<string, string>
  }
>

export interface RawEvent {
  sessionId: string
  stream: string
  data: string
  createdAt: number
}

export interface Store {
  /** Run `fn` in one transaction (synchronous). */
  transaction<T>(fn: () => T): T

  listProjects(): ProjectRow[]
  getProject(id: string): ProjectRow | undefined
  getProjectByPath(path: string): ProjectRow | undefined
  insertProject(row: ProjectRow): void
  updateProject(id: string, patch: Partial<Omit<ProjectRow, 'id'>>): void
  deleteProject(id: string): void

  listSessions(projectId: string): SessionRow[]
  getSession(id: string): SessionRow | undefined
  sessionsWithStatus(statuses: readonly string[]): SessionRow[]
  insertSession(s: NewSession): void
  updateSession(id: string, patch: SessionPatch): void
  deleteSession(id: string): void

  insertMessages(rows: MessageRow[]): void
  /** Newest first page ending before `beforeSeq` (exclusive), returned in ascending seq order. */
  pageMessages(sessionId: string, beforeSeq: number | null, limit: number): MessageRow[]
  /** Messages with seq > afterSeq in ascending order (gap fill, resync). */
  messagesAfter(sessionId: string, afterSeq: number, limit: number): MessageRow[]
  getMessage(sessionId: string, seq: number): MessageRow | undefined
  maxSeq(sessionId: string): number
  /** The first message written at or after `at` (ms), for "jump to a date"; null when none is. */
  seqAtTime(sessionId: string, at: number): number | null

  insertRaw(rows: RawEvent[]): void
  countRaw(sessionId: string, stream?: string): number

  insertApproval(row: ApprovalRow): void
  updateApproval(id: string, status: string, decidedAt: number): void
  getApproval(id: string): ApprovalRow | undefined
  pendingApprovals(sessionId?: string): ApprovalRow[]

  insertQuestion(row: QuestionRow): void
  updateQuestion(id: string, status: string, answer: string | null, decidedAt: number): void
  getQuestion(id: string): QuestionRow | undefined
  pendingQuestions(sessionId?: string): QuestionRow[]

  addDailyCost(day: string, projectId: string, provider: string, costUsd: number, inputTokens: number, outputTokens: number): void
  dailyCost(sinceDay: string): { day: string; project_id: string; provider: string; cost_usd: number; input_tokens: number; output_tokens: number }[]

  getSetting(key: string): string | undefined
  setSetting(key: string, value: string): void
  allSettings(): { key: string; value: string }[]

  /** Checkpoint the WAL (idle/shutdown housekeeping). */
  checkpoint(): void
  close(): void
}
