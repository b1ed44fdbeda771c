/**
 * Queries over `messages_fts` (migration 0002) and the background build of the index for rows that
 * predate it. Works on the store's own connection: every call is synchronous and short, so it never
 * interleaves with the group-commit writer's transactions.
 */
import type Database from 'better-sqlite3'
import type { SessionRow } from '../store/rows'
import { toFtsQuery } from './query'

/** What a hit is, as the user filters it (issue 15: prompts / answers / commands / file paths / output / errors). */
export const SEARCH_KINDS = ['prompts', 'answers', 'thinking', 'commands', 'paths', 'output', 'errors'] as const
export type SearchKind = (typeof SEARCH_KINDS)[number]

const KIND_SQL: Record<SearchKind, string> = {
  prompts: "m.kind = 'user'",
  answers: "m.kind = 'assistant'",
  thinking: "m.kind = 'thinking'",
  commands: "m.kind = 'tool_call'",
  paths: 'm.tool_path IS NOT NULL',
  output: "m.kind = 'tool_result'",
  errors: "(m.kind = 'error' OR m.is_error = 1)"
}

export interface SearchFilters {
  projectId?: string
  provider?: string
  kinds?: readonly SearchKind[]
  /** created_at bounds, ms epoch, inclusive. */
  from?: number
  to?: number
}

/** Snippet highlight markers: control characters no message text is shown with (the renderer splits on them). */
export const HL_START = '\u0002'
export const HL_END = '\u0003'

export interface SearchHitRow {
  rowid: number
  session_id: string
  seq: number
  kind: string
  created_at: number
  snippet: string
}
export interface SearchSessionRow {
  id: string
  project_id: string
  project_name: string
  provider: string
  title: string
  created_at: number
  last_activity_at: number
  archived: number
  status: string
}
export interface SearchPage {
  hits: SearchHitRow[]
  sessions: SearchSessionRow[]
  /** Pass as `before` for the next page (null: no more). */
  next: number | null
}

export interface SessionQuery {
  projectId: string
  text?: string
  statuses?: readonly string[]
  providers?: readonly string[]
  archived?: boolean
  limit: number
  offset?: number
}

export interface IndexStatus {
  building: boolean
  done: number
  total: number
  startedAt: number
  finishedAt: number | null
}

export class SearchIndex {
  readonly #db: Database.Database
  readonly #state: Database.Statement<[], { upto: number; done: number; started_at: number; finished_at: number | null }>
  readonly #range: Database.Statement<[string], { lo: number | null; hi: number | null }>
  readonly #cache = new Map<string, Database.Statement>()

  constructor(db: Database.Database) {
    this.#db = db
    this.#state = db.prepare('SELECT upto, done, started_at, finished_at FROM search_state WHERE id = 1')
    this.#range = db.prepare('SELECT MIN(rowid) AS lo, MAX(rowid) AS hi FROM messages WHERE session_id = ?')
  }

  status(): IndexStatus {
    const s = this.#state.get()
    if (!s) return { building: false, done: 0, total: 0, startedAt: 0, finishedAt: null }
    return { building: s.finished_at === null, done: s.done, total: s.upto, startedAt: s.started_at, finishedAt: s.finished_at }
  }

  /**
   * Newest hits first (rowid order: FTS5 walks its doc-lists backwards and stops at `limit`, so the
   * first page costs the same for a word in every message as for a rare one; bm25 ranking would
   * have to score every match first). Hits in archived sessions are included.
   */
  search(query: string, filters: SearchFilters = {}, limit = 50, before: number | null = null): SearchPage {
    const fts = toFtsQuery(query)
    if (fts === null) return { hits: [], sessions: [], next: null }
    const kinds = filters.kinds?.length ? [...new Set(filters.kinds)].sort() : []
    // Only file paths: match in the path column itself.
    const match = kinds.length === 1 && kinds[0] === 'paths' ? `{tool_path} : (${fts})` : fts
    const where = ['messages_fts MATCH @match']
    if (before !== null) where.push('f.rowid < @before')
    // A project's messages lie within its rowid range: FTS5 then walks only that part of each
    // doc-list (a common word in an old project no longer scans every newer project's matches).
    let lo: number | null = null
    let hi: number | null = null
    if (filters.projectId) {
      const r = this.#stmt<{ lo: number | null; hi: number | null }>(
        'SELECT MIN(m.rowid) AS lo, MAX(m.rowid) AS hi FROM sessions s JOIN messages m ON m.session_id = s.id WHERE s.project_id = ?'
      ).get(filters.projectId)
      if (!r || r.lo === null || r.hi === null) return { hits: [], sessions: [], next: null }
      lo = r.lo
      hi = r.hi
      where.push('f.rowid BETWEEN @lo AND @hi')
    }
    if (filters.projectId) where.push('s.project_id = @projectId')
    if (filters.provider) where.push('s.provider = @provider')
    if (kinds.length) where.push(`(${kinds.map((k) => KIND_SQL[k]).join(' OR ')})`)
    if (filters.from !== undefined) where.push('m.created_at >= @from')
    if (filters.to !== undefined) where.push('m.created_at <= @to')
    const sql = `SELECT f.rowid AS rowid, m.session_id, m.seq, m.kind, m.created_at,
        snippet(messages_fts, -1, '${HL_START}', '${HL_END}', '…', 16) AS snippet
      FROM messages_fts f JOIN messages m ON m.rowid = f.rowid JOIN sessions s ON s.id = m.session_id
      WHERE ${where.join(' AND ')} ORDER BY f.rowid DESC LIMIT @limit`
    const hits = this.#stmt<SearchHitRow>(sql).all({
      match,
      before,
      lo,
      hi,
      limit: limit + 1,
      projectId: filters.projectId,
      provider: filters.provider,
      from: filters.from,
      to: filters.to
    })
    const more = hits.length > limit
    if (more) hits.pop()
    const ids = [...new Set(hits.map((h) => h.session_id))]
    const sessions =
      ids.length === 0
        ? []
        : this.#stmt<SearchSessionRow>(
            `SELECT s.id, s.project_id, p.name AS project_name, s.provider, s.title, s.created_at, s.last_activity_at, s.archived, s.status
       FROM sessions s JOIN projects p ON p.id = s.project_id WHERE s.id IN (${ids.map(() => '?').join(',')})`
          ).all(...ids)
    return { hits, sessions, next: more ? hits[hits.length - 1]!.rowid : null }
  }

  /**
   * Every seq in one session that matches, ascending (in-session find: next/previous walk the whole
   * session, not the rows in the DOM). The session's rowid range bounds the FTS5 scan.
   */
  findInSession(sessionId: string, query: string, limit = 10_000): { seqs: number[]; truncated: boolean } {
    const fts = toFtsQuery(query)
    if (fts === null) return { seqs: [], truncated: false }
    const r = this.#range.get(sessionId)
    if (!r || r.lo === null || r.hi === null) return { seqs: [], truncated: false }
    const rows = this.#stmt<{ seq: number }>(
      `SELECT m.seq FROM messages_fts f JOIN messages m ON m.rowid = f.rowid
       WHERE messages_fts MATCH ? AND f.rowid BETWEEN ? AND ? AND m.session_id = ? ORDER BY f.rowid LIMIT ?`
    ).all(fts, r.lo, r.hi, sessionId, limit + 1)
    const truncated = rows.length > limit
    const seqs = rows
      .slice(0, limit)
      .map((x) => x.seq)
      .sort((a, b) => a - b)
    return { seqs, truncated }
  }

  /**
   * Index the next `rows` messages that predate the index. Returns true when the build is complete.
   * One transaction per call: a crash keeps what was committed and the next start continues from there.
   */
  backfillStep(rows: number): boolean {
    return this.#db.transaction(() => {
      const s = this.#state.get()
      if (!s || s.finished_at !== null) return true
      const next =
        this.#stmt<{ hi: number | null }>(
          'SELECT MAX(rowid) AS hi FROM (SELECT rowid FROM messages WHERE rowid > ? AND rowid <= ? ORDER BY rowid LIMIT ?)'
        ).get(s.done, s.upto, rows)?.hi ?? null
      if (next === null) {
        this.#stmt('UPDATE search_state SET done = upto, finished_at = ? WHERE id = 1').run(Date.now())
        return true
      }
      this.#stmt(
        'INSERT INTO messages_fts (rowid, text, tool_input, tool_path) SELECT rowid, text, tool_input, tool_path FROM messages WHERE rowid > ? AND rowid <= ?'
      ).run(s.done, next)
      this.#stmt('UPDATE search_state SET done = ? WHERE id = 1').run(next)
      return false
    })()
  }

  /**
   * One page of a project's sessions for the session picker, filtered and sorted in SQL (a project
   * may hold thousands): pinned first, then by last activity. Archived sessions only when asked.
   */
  listSessions(q: SessionQuery): { rows: SessionRow[]; total: number } {
    const where = ['project_id = @projectId', `archived = ${q.archived ? 1 : 0}`]
    if (q.text?.trim()) where.push("title LIKE @like ESCAPE '\\'")
    if (q.statuses?.length) where.push(`status IN (${q.statuses.map((_, i) => `@st${i}`).join(',')})`)
    if (q.providers?.length) where.push(`provider IN (${q.providers.map((_, i) => `@pr${i}`).join(',')})`)
    const params: Record<string, unknown> = { projectId: q.projectId, limit: q.limit, offset: q.offset ?? 0 }
    if (q.text?.trim()) params.like = `%${q.text.trim().replace(/[\\%_]/g, (c) => `\\${c}`)}%`
    q.statuses?.forEach((v, i) => {
      params[`st${i}`] = v
    })
    q.providers?.forEach((v, i) => {
      params[`pr${i}`] = v
    })
    const w = where.join(' AND ')
    const rows = this.#stmt<SessionRow>(`SELECT * FROM sessions WHERE ${w} ORDER BY pinned DESC, last_activity_at DESC, id LIMIT @limit OFFSET @offset`).all(
      params
    )
    const total = this.#stmt<{ n: number }>(`SELECT COUNT(*) AS n FROM sessions WHERE ${w}`).get(params)?.n ?? 0
    return { rows, total }
  }

  /** Index size on disk (bytes of the FTS5 shadow tables), for the bench. */
  indexBytes(): number {
    try {
      const r = this.#db.prepare<[], { b: number | null }>("SELECT SUM(pgsize) AS b FROM dbstat WHERE name LIKE 'messages_fts%'").get()
      return r?.b ?? 0
    } catch {
      return NaN // dbstat not compiled in
    }
  }

  #stmt<R>(sql: string): Database.Statement<unknown[], R> {
    let s = this.#cache.get(sql)
    if (!s) {
      s = this.#db.prepare(sql)
      this.#cache.set(sql, s)
    }
    return s as Database.Statement<unknown[], R>
  }
}
