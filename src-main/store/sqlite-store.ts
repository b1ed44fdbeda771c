import type Database from 'better-sqlite3'
import type { NewSession, RawEvent, SessionPatch, Store } from './store'
import type { ApprovalRow, MessageRow, ProjectRow, SessionRow } from './rows'
import { questionStatements, type QuestionRow } from './questions-store'
import { encodeQueue } from './queued-prompts'
import { mapSqliteError, markClosed, openDatabase, type PragmaReport } from './open'
import type { DbRecovery } from './recovery'
import { SearchIndex } from '../search/search-index'

/** Columns a patch may touch: patches are built from this list, never from caller-supplied keys. */
const SESSION_COLUMNS = new Set([
  'model',
  'permission_mode',
  'title',
  'status',
  'status_reason',
  'cli_session_id',
  'pinned',
  'last_seq',
  'last_activity_at',
  'updated_at',
  'ended_at',
  'cost_usd',
  'cli_cost_total',
  'cost_known',
  'input_tokens',
  'output_tokens',
  'cache_read_tokens',
  'cache_write_tokens',
  'context_tokens',
  'context_window',
  'queued_prompts',
  'pid',
  'pid_start_time',
  'system_prompt',
  'extra_env',
  'archived'
])
const PROJECT_COLUMNS = new Set(['name', 'path', 'updated_at', 'stall_threshold_ms', 'retention_count', 'retention_days'])

export class SqliteStore implements Store {
  readonly pragmas: PragmaReport
  /** Whether the open ran `quick_check`, and what was done about a damaged file (DB-5). */
  readonly checked: boolean
  readonly recovery: DbRecovery | null
  readonly #file: string
  readonly #db: Database.Database
  readonly #s: ReturnType<SqliteStore['prepare']>
  readonly #patchCache = new Map<string, Database.Statement>()
  readonly #q: ReturnType<typeof questionStatements>
  /** Full-text search and the session list's queries (src-main/search/). */
  readonly search: SearchIndex

  constructor(file: string, nativeBinding?: string) {
    const { db, pragmas, checked, recovery } = openDatabase(file, nativeBinding)
    this.#file = file
    this.#db = db
    this.pragmas = pragmas
    this.checked = checked
    this.recovery = recovery
    this.#s = this.prepare()
    this.#q = questionStatements(db)
    this.search = new SearchIndex(db)
  }

  /** The open connection, for feature modules with their own tables (e.g. session worktrees). */
  get connection(): Database.Database {
    return this.#db
  }

  private prepare() {
    const db = this.#db
    return {
      listProjects: db.prepare<[], ProjectRow>('SELECT * FROM projects ORDER BY created_at, id'),
      getProject: db.prepare<[string], ProjectRow>('SELECT * FROM projects WHERE id = ?'),
      getProjectByPath: db.prepare<[string], ProjectRow>('SELECT * FROM projects WHERE path = ?'),
      insertProject: db.prepare(
        'INSERT INTO projects (id, name, path, created_at, updated_at, stall_threshold_ms, retention_count, retention_days) VALUES (@id, @name, @path, @created_at, @updated_at, @stall_threshold_ms, @retention_count, @retention_days)'
      ),
      deleteProject: db.prepare('DELETE FROM projects WHERE id = ?'),
      listSessions: db.prepare<[string], SessionRow>('SELECT * FROM sessions WHERE project_id = ? ORDER BY created_at DESC, id'),
      getSession: db.prepare<[string], SessionRow>('SELECT * FROM sessions WHERE id = ?'),
      insertSession:
        db.prepare(`INSERT INTO sessions (id, project_id, provider, model, permission_mode, cwd, title, system_prompt, extra_env, status, cost_known, last_activity_at, created_at, updated_at)
        VALUES (@id, @projectId, @provider, @model, @permissionMode, @cwd, @title, @systemPrompt, @extraEnv, @status, @costKnown, @now, @now, @now)`),
      deleteSession: db.prepare('DELETE FROM sessions WHERE id = ?'),
      // Positional parameters: binding by name costs a lookup per column on the hottest insert (bench part 1).
      insertMessage: db.prepare<[string, number, string, string, string | null, string | null, string | null, string | null, string | null, number, number]>(
        'INSERT INTO messages (session_id, seq, kind, text, tool_name, tool_input, tool_path, tool_use_id, parent_id, is_error, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)'
      ),
      pageLatest: db.prepare<[string, number], MessageRow>('SELECT * FROM messages WHERE session_id = ? ORDER BY seq DESC LIMIT ?'),
      pageBefore: db.prepare<[string, number, number], MessageRow>('SELECT * FROM messages WHERE session_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?'),
      after: db.prepare<[string, number, number], MessageRow>('SELECT * FROM messages WHERE session_id = ? AND seq > ? ORDER BY seq LIMIT ?'),
      getMessage: db.prepare<[string, number], MessageRow>('SELECT * FROM messages WHERE session_id = ? AND seq = ?'),
      maxSeq: db.prepare<[string], { m: number | null }>('SELECT MAX(seq) AS m FROM messages WHERE session_id = ?'),
      // Walks the session's messages in seq order (the primary key) and stops at the first match.
      seqAtTime: db.prepare<[string, number], { seq: number }>('SELECT seq FROM messages WHERE session_id = ? AND created_at >= ? ORDER BY seq LIMIT 1'),
      insertRaw: db.prepare('INSERT INTO raw_events (session_id, stream, data, created_at) VALUES (?, ?, ?, ?)'),
      countRaw: db.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM raw_events WHERE session_id = ?'),
      countRawStream: db.prepare<[string, string], { n: number }>('SELECT COUNT(*) AS n FROM raw_events WHERE session_id = ? AND stream = ?'),
      insertApproval: db.prepare(
        'INSERT INTO approvals (id, session_id, request_id, tool_name, input, description, status, created_at, decided_at) VALUES (@id, @session_id, @request_id, @tool_name, @input, @description, @status, @created_at, @decided_at)'
      ),
      updateApproval: db.prepare('UPDATE approvals SET status = ?, decided_at = ? WHERE id = ?'),
      getApproval: db.prepare<[string], ApprovalRow>('SELECT * FROM approvals WHERE id = ?'),
      pendingAll: db.prepare<[], ApprovalRow>("SELECT * FROM approvals WHERE status = 'pending' ORDER BY created_at"),
      pendingFor: db.prepare<[string], ApprovalRow>("SELECT * FROM approvals WHERE session_id = ? AND status = 'pending' ORDER BY created_at"),
      addDailyCost: db.prepare(`INSERT INTO cost_daily (day, project_id, provider, cost_usd, input_tokens, output_tokens) VALUES (?, ?, ?, ?, ?, ?)
        ON CONFLICT (day, project_id, provider) DO UPDATE SET cost_usd = cost_usd + excluded.cost_usd,
          input_tokens = input_tokens + excluded.input_tokens, output_tokens = output_tokens + excluded.output_tokens`),
      dailyCost: db.prepare<[string], { day: string; project_id: string; provider: string; cost_usd: number; input_tokens: number; output_tokens: number }>(
        'SELECT * FROM cost_daily WHERE day >= ? ORDER BY day'
      ),
      getSetting: db.prepare<[string], { value: string }>('SELECT value FROM settings WHERE key = ?'),
      setSetting: db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value'),
      allSettings: db.prepare<[], { key: string; value: string }>('SELECT key, value FROM settings ORDER BY key')
    }
  }

  /** The connection, for services that own their tables (attention/usage, migration 0004). */
  get database(): Database.Database {
    return this.#db
  }

  transaction<T>(fn: () => T): T {
    try {
      return this.#db.transaction(fn)()
    } catch (err) {
      throw mapSqliteError(err)
    }
  }

  listProjects() {
    return this.#s.listProjects.all()
  }
  getProject(id: string) {
    return this.#s.getProject.get(id)
  }
  getProjectByPath(path: string) {
    return this.#s.getProjectByPath.get(path)
  }
  insertProject(row: ProjectRow) {
    this.#s.insertProject.run(row)
  }
  updateProject(id: string, patch: Partial<Omit<ProjectRow, 'id'>>) {
    this.#patch('projects', PROJECT_COLUMNS, id, patch)
  }
  deleteProject(id: string) {
    this.#s.deleteProject.run(id)
  }

  listSessions(projectId: string) {
    return this.#s.listSessions.all(projectId)
  }
  getSession(id: string) {
    return this.#s.getSession.get(id)
  }
  sessionsWithStatus(statuses: readonly string[]): SessionRow[] {
    if (statuses.length === 0) return []
    const marks = statuses.map(() => '?').join(',')
    return this.#db.prepare<string[], SessionRow>(`SELECT * FROM sessions WHERE status IN (${marks})`).all(...statuses)
  }
  insertSession(s: NewSession) {
    this.#s.insertSession.run({ ...s, extraEnv: JSON.stringify(s.extraEnv), costKnown: s.costKnown === false ? 0 : 1 })
  }
  updateSession(id: string, patch: SessionPatch) {
    // The JSON columns are encoded here, and only here.
    const { status_reason, queued_prompts, extra_env, ...plain } = patch
    const row: Record<string, unknown> = plain
    if (status_reason !== undefined) row.status_reason = status_reason === null ? null : JSON.stringify(status_reason)
    if (queued_prompts !== undefined) row.queued_prompts = encodeQueue(queued_prompts)
    if (extra_env !== undefined) row.extra_env = JSON.stringify(extra_env)
    this.#patch('sessions', SESSION_COLUMNS, id, row)
  }
  deleteSession(id: string) {
    this.#s.deleteSession.run(id)
  }

  insertMessages(rows: MessageRow[]) {
    const stmt = this.#s.insertMessage
    for (const r of rows)
      stmt.run(r.session_id, r.seq, r.kind, r.text, r.tool_name, r.tool_input, r.tool_path, r.tool_use_id, r.parent_id, r.is_error, r.created_at)
  }
  pageMessages(sessionId: string, beforeSeq: number | null, limit: number): MessageRow[] {
    const rows = beforeSeq === null ? this.#s.pageLatest.all(sessionId, limit) : this.#s.pageBefore.all(sessionId, beforeSeq, limit)
    return rows.reverse()
  }
  messagesAfter(sessionId: string, afterSeq: number, limit: number) {
    return this.#s.after.all(sessionId, afterSeq, limit)
  }
  getMessage(sessionId: string, seq: number) {
    return this.#s.getMessage.get(sessionId, seq)
  }
  maxSeq(sessionId: string) {
    return this.#s.maxSeq.get(sessionId)?.m ?? 0
  }
  seqAtTime(sessionId: string, at: number) {
    return this.#s.seqAtTime.get(sessionId, at)?.seq ?? null
  }

  insertRaw(rows: RawEvent[]) {
    for (const r of rows) this.#s.insertRaw.run(r.sessionId, r.stream, r.data, r.createdAt)
  }
  countRaw(sessionId: string, stream?: string) {
    return (stream ? this.#s.countRawStream.get(sessionId, stream) : this.#s.countRaw.get(sessionId))?.n ?? 0
  }

  insertApproval(row: ApprovalRow) {
    this.#s.insertApproval.run(row)
  }
  updateApproval(id: string, status: string, decidedAt: number) {
    this.#s.updateApproval.run(status, decidedAt, id)
  }
  getApproval(id: string) {
    return this.#s.getApproval.get(id)
  }
  pendingApprovals(sessionId?: string) {
    return sessionId ? this.#s.pendingFor.all(sessionId) : this.#s.pendingAll.all()
  }

  insertQuestion(row: QuestionRow) {
    this.#q.insert.run(row)
  }
  updateQuestion(id: string, status: string, answer: string | null, decidedAt: number) {
    this.#q.update.run(status, answer, decidedAt, id)
  }
  getQuestion(id: string) {
    return this.#q.get.get(id)
  }
  pendingQuestions(sessionId?: string) {
    return sessionId ? this.#q.pendingFor.all(sessionId) : this.#q.pendingAll.all()
  }

  addDailyCost(day: string, projectId: string, provider: string, costUsd: number, inputTokens: number, outputTokens: number) {
    this.#s.addDailyCost.run(day, projectId, provider, costUsd, inputTokens, outputTokens)
  }
  dailyCost(sinceDay: string) {
    return this.#s.dailyCost.all(sinceDay)
  }

  getSetting(key: string) {
    return this.#s.getSetting.get(key)?.value
  }
  setSetting(key: string, value: string) {
    this.#s.setSetting.run(key, value)
  }
  allSettings() {
    return this.#s.allSettings.all()
  }

  checkpoint() {
    this.#db.pragma('wal_checkpoint(TRUNCATE)')
  }
  close() {
    if (!this.#db.open) return
    try {
      this.checkpoint()
    } catch {
      /* a busy checkpoint is fine: the WAL is replayed on next open */
    }
    this.#db.close()
    markClosed(this.#file)
  }

  #patch(table: string, allowed: Set<string>, id: string, patch: object) {
    const keys = Object.keys(patch)
      .filter((k) => allowed.has(k))
      .sort()
    if (keys.length === 0) return
    const cacheKey = `${table}:${keys.join(',')}`
    let stmt = this.#patchCache.get(cacheKey)
    if (!stmt) {
      stmt = this.#db.prepare(`UPDATE ${table} SET ${keys.map((k) => `${k} = @${k}`).join(', ')} WHERE id = @id`)
      this.#patchCache.set(cacheKey, stmt)
    }
    const params: Record<string, unknown> = { id }
    for (const k of keys) params[k] = (patch as Record<string, unknown>)[k]
    stmt.run(params)
  }
}
