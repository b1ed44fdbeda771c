/**
 * The `questions` table (migration 0006): prepared once per database, used by SqliteStore. Its own
 * file so the store's big statement map stays as it was.
 */
import type Database from 'better-sqlite3'
import type { QuestionDTO } from '../shared/questions'

export interface QuestionRow {
  id: string
  session_id: string
  request_id: string
  source: string
  title: string
  message: string | null
  /** QuestionField[] as JSON. */
  fields: string
  can_decline: number
  status: string
  /** The values sent (secrets masked) as JSON, once answered. */
  answer: string | null
  created_at: number
  decided_at: number | null
}

export function questionStatements(db: Database.Database) {
  return {
    insert: db.prepare(
      `INSERT INTO questions (id, session_id, request_id, source, title, message, fields, can_decline, status, answer, created_at, decided_at)
       VALUES (@id, @session_id, @request_id, @source, @title, @message, @fields, @can_decline, @status, @answer, @created_at, @decided_at)`
    ),
    update: db.prepare('UPDATE questions SET status = ?, answer = ?, decided_at = ? WHERE id = ?'),
    get: db.prepare<[string], QuestionRow>('SELECT * FROM questions WHERE id = ?'),
    pendingAll: db.prepare<[], QuestionRow>("SELECT * FROM questions WHERE status = 'pending' ORDER BY created_at"),
    pendingFor: db.prepare<[string], QuestionRow>("SELECT * FROM questions WHERE session_id = ? AND status = 'pending' ORDER BY created_at")
  }
}

export function questionToDTO(r: QuestionRow, projectId: string): QuestionDTO {
  return {
    id: r.id,
    sessionId: r.session_id,
    projectId,
    source: r.source === 'mcp' ? 'mcp' : 'agent',
    title: r.title,
    message: r.message,
    fields: JSON.parse(r.fields) as QuestionDTO['fields'],
    canDecline: r.can_decline === 1,
    status: r.status as QuestionDTO['status'],
    answer: r.answer ? (JSON.parse(r.answer) as QuestionDTO['answer']) : null,
    createdAt: r.created_at
  }
}
