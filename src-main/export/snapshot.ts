/**
 * What an export covers: the session's messages up to the seq stored when the export began. A running
 * agent keeps appending meanwhile; those rows (seq above the snapshot) are left out, and every format
 * states the snapshot seq, so the file is consistent. Rows are read in pages so memory stays flat.
 */
import { ShepherdError } from '../shared/errors'
import { ACTIVE_STATUSES, type SessionStatus } from '../shared/status'
import type { MessageRow, ProjectRow, SessionRow } from '../store/rows'
import type { Store } from '../store/store'

export const EXPORT_FORMATS = ['markdown', 'json', 'html'] as const
export type ExportFormat = (typeof EXPORT_FORMATS)[number]
export const EXPORT_EXT: Record<ExportFormat, string> = { markdown: 'md', json: 'json', html: 'html' }
export const EXPORT_MIME: Record<ExportFormat, string> = {
  markdown: 'text/markdown; charset=utf-8',
  json: 'application/json; charset=utf-8',
  html: 'text/html; charset=utf-8'
}

export interface ExportSnapshot {
  session: SessionRow
  project: ProjectRow
  /** Messages with seq ≤ upToSeq are exported. */
  upToSeq: number
  messageCount: number
  /** The agent was working when the snapshot was taken. */
  running: boolean
  exportedAt: number
}

export function takeSnapshot(store: Store, sessionId: string): ExportSnapshot {
  // One read transaction: the row's totals and the seq agree.
  return store.transaction(() => {
    const session = store.getSession(sessionId)
    if (!session) throw new ShepherdError('NOT_FOUND', `no session with id ${sessionId}`)
    const project = store.getProject(session.project_id)
    if (!project) throw new ShepherdError('NOT_FOUND', `no project with id ${session.project_id}`)
    const upToSeq = store.maxSeq(sessionId)
    return {
      session,
      project,
      upToSeq,
      messageCount: upToSeq,
      exportedAt: Date.now(),
      running: (ACTIVE_STATUSES as readonly string[]).includes(session.status as SessionStatus) && session.status !== 'idle'
    }
  })
}

export const PAGE = 500

/** The snapshot's rows in seq order, a page at a time. */
export function* snapshotMessages(store: Store, snap: ExportSnapshot, page = PAGE): Generator<MessageRow> {
  let after = 0
  while (after < snap.upToSeq) {
    const rows = store.messagesAfter(snap.session.id, after, page)
    if (rows.length === 0) return
    for (const r of rows) {
      if (r.seq > snap.upToSeq) return
      yield r
    }
    after = rows[rows.length - 1]!.seq
  }
}

/** A file name for the export: the title, made safe, plus the date. */
export function exportFileName(snap: ExportSnapshot, format: ExportFormat): string {
  const safe =
    snap.session.title
      .replace(/[^\p{L}\p{N}._ -]+/gu, ' ')
      .trim()
      .replace(/\s+/g, '-')
      .slice(0, 60) || 'session'
  const day = new Date(snap.session.created_at).toISOString().slice(0, 10)
  return `${safe}-${day}.${EXPORT_EXT[format]}`
}
