/**
 * The inbox: every session, across projects, that needs the user. Items are derived from the
 * database when asked (pending approvals, budget holds, usage-limit waits, and the `attention` rows
 * written here from the event stream: failed, finished-not-looked-at, budget warnings), minus what the
 * user marked done or snoozed (`inbox_marks`, so marks survive restarts and reloads). Stalled sessions
 * are added by the renderer, which already times stalls per project.
 *
 * Order: most urgent kind first — approval, over budget, failed, waiting for a limit reset, budget
 * warning, finished — and newest first within a kind.
 *
 * An item that resolves itself leaves at once: an answered approval is no longer pending, a resumed
 * session's failed/finished rows are deleted when it runs again, a released hold is gone; each such
 * change publishes `attention.changed` and the renderer refetches (no polling).
 */
import type Database from 'better-sqlite3'
import type { ApprovalDTO } from '../shared/dto'
import type { ShepherdEvent } from '../shared/events'
import { ShepherdError } from '../shared/errors'
import type { SessionStatus } from '../shared/status'
import { approvalToDTO, type ApprovalRow } from '../store/rows'
import { questionToDTO, type QuestionRow } from '../store/questions-store'
import type { QuestionDTO } from '../shared/questions'
import type { GroupCommitWriter } from '../store/writer'
import type { EventHub } from '../supervisor/event-hub'
import type { BudgetService } from './budgets'
import type { LimitService } from './limits'

export const INBOX_KINDS = ['approval', 'question', 'over_budget', 'failed', 'limit', 'stalled', 'budget_warning', 'finished'] as const
export type InboxKind = (typeof INBOX_KINDS)[number]

export interface InboxItemDTO {
  /** Stable per occurrence: a mark applies to this occurrence only (a later failure is a new item). */
  key: string
  kind: InboxKind
  sessionId: string
  projectId: string
  projectName: string
  sessionTitle: string
  provider: string
  text: string
  at: number
  approval: ApprovalDTO | null
  /** For `question`: the question or form, answered right in the inbox with the pane's card. */
  question?: QuestionDTO | null
}

export interface InboxListDTO {
  items: InboxItemDTO[]
  /** Snoozed items not shown now. */
  snoozed: number
  /** When the earliest snooze ends (the renderer sets one timer to refetch then), or null. */
  nextWakeAt: number | null
  /** Marks for the renderer's own items (stalled): key → hidden. */
  hiddenKeys: string[]
}

const RUNNING: readonly SessionStatus[] = ['running', 'starting']
const TURN_END: readonly SessionStatus[] = ['idle', 'done']

interface SessionInfo {
  project_id: string
  title: string
  provider: string
  project_name: string
}

export class InboxService {
  readonly #s
  /** Last status per session, to tell a finished turn from other idle transitions. */
  #last = new Map<string, SessionStatus>()

  constructor(
    private readonly db: Database.Database,
    private readonly writer: GroupCommitWriter,
    private readonly hub: EventHub,
    private readonly budgets: BudgetService,
    private readonly limits: LimitService,
    private readonly clock: () => number = Date.now
  ) {
    this.#s = {
      put: db.prepare(
        'INSERT INTO attention (session_id, kind, at, detail) SELECT @sid, @kind, @at, @detail WHERE EXISTS (SELECT 1 FROM sessions WHERE id = @sid) ON CONFLICT (session_id, kind) DO UPDATE SET at = excluded.at, detail = excluded.detail'
      ),
      clear: db.prepare("DELETE FROM attention WHERE session_id = ? AND kind IN ('finished', 'failed')"),
      clearFinished: db.prepare("DELETE FROM attention WHERE session_id = ? AND kind = 'finished'"),
      attention: db.prepare<[], { session_id: string; kind: string; at: number; detail: string | null }>('SELECT * FROM attention'),
      approvals: db.prepare<[], ApprovalRow>("SELECT * FROM approvals WHERE status = 'pending'"),
      questions: db.prepare<[], QuestionRow>("SELECT * FROM questions WHERE status = 'pending'"),
      sessions: db.prepare<[], { id: string } & SessionInfo>(
        'SELECT s.id, s.project_id, s.title, s.provider, p.name AS project_name FROM sessions s JOIN projects p ON p.id = s.project_id'
      ),
      session: db.prepare<[string], SessionInfo>(
        'SELECT s.project_id, s.title, s.provider, p.name AS project_name FROM sessions s JOIN projects p ON p.id = s.project_id WHERE s.id = ?'
      ),
      marks: db.prepare<[], { key: string; state: string; until: number | null }>('SELECT key, state, until FROM inbox_marks'),
      mark: db.prepare(
        'INSERT INTO inbox_marks (key, state, until, at) VALUES (?, ?, ?, ?) ON CONFLICT (key) DO UPDATE SET state = excluded.state, until = excluded.until, at = excluded.at'
      ),
      pruneMarks: db.prepare("DELETE FROM inbox_marks WHERE at < ? AND (state = 'done' OR until < ?)")
    }
    // Marks older than 30 days point at items long gone.
    const now = clock()
    this.#s.pruneMarks.run(now - 30 * 86_400_000, now)
  }

  onEvent(e: ShepherdEvent): void {
    if (e.type === 'agent.status') {
      const prev = this.#last.get(e.sessionId)
      this.#last.set(e.sessionId, e.status)
      const at = e.at
      if (RUNNING.includes(e.status)) {
        // Resumed: what it needed the user for is over.
        this.#write(() => this.#s.clear.run(e.sessionId))
      } else if (e.status === 'error') {
        this.#write(() => this.#s.put.run({ sid: e.sessionId, kind: 'failed', at, detail: e.reason?.message ?? 'the agent reported an error' }))
      } else if (TURN_END.includes(e.status) && prev && (prev === 'running' || prev === 'waiting_approval')) {
        const text = e.reason?.message ?? (e.status === 'done' ? 'finished' : 'finished its turn')
        this.#write(() => this.#s.put.run({ sid: e.sessionId, kind: 'finished', at, detail: text }))
      } else return
      this.hub.publish({ type: 'attention.changed' })
    } else if (e.type === 'agent.approval' || e.type === 'agent.question') {
      this.hub.publish({ type: 'attention.changed' })
    } else if (e.type === 'session.removed') {
      this.#last.delete(e.sessionId)
      this.hub.publish({ type: 'attention.changed' })
    }
  }

  list(): InboxListDTO {
    this.writer.flush()
    const now = this.clock()
    const sessions = new Map<string, SessionInfo>()
    for (const s of this.#s.sessions.all()) sessions.set(s.id, s)
    const items: InboxItemDTO[] = []
    const add = (
      kind: InboxKind,
      key: string,
      sessionId: string,
      text: string,
      at: number,
      approval: ApprovalDTO | null = null,
      question: QuestionDTO | null = null
    ) => {
      const s = sessions.get(sessionId)
      if (!s) return
      items.push({
        key,
        kind,
        sessionId,
        projectId: s.project_id,
        projectName: s.project_name,
        sessionTitle: s.title,
        provider: s.provider,
        text,
        at,
        approval,
        question
      })
    }
    for (const a of this.#s.approvals.all()) {
      const s = sessions.get(a.session_id)
      if (s) add('approval', `approval:${a.id}`, a.session_id, `${a.tool_name} needs your approval`, a.created_at, approvalToDTO(a, s.project_id))
    }
    for (const q of this.#s.questions.all()) {
      const s = sessions.get(q.session_id)
      if (s) add('question', `question:${q.id}`, q.session_id, `${q.title}: your answer is needed`, q.created_at, null, questionToDTO(q, s.project_id))
    }
    for (const h of this.budgets.holds()) add('over_budget', `budget:${h.sessionId}:${h.at}`, h.sessionId, `Over budget: ${h.reason}`, h.at)
    for (const w of this.limits.waits()) {
      const when = w.resetsAt ? `at ${new Date(w.resetsAt).toTimeString().slice(0, 5)}` : 'when the limit resets'
      add(
        'limit',
        `limit:${w.sessionId}:${w.at}`,
        w.sessionId,
        `Waiting for the usage limit to reset ${when}${w.autoResume ? ' (resumes by itself)' : ''}`,
        w.at
      )
    }
    for (const a of this.#s.attention.all()) {
      const kind = a.kind as InboxKind
      add(kind, `${a.kind}:${a.session_id}:${a.at}`, a.session_id, a.detail ?? a.kind, a.at)
    }
    // Marks: done hides for good, a snooze until its time (one that ended while the app was closed shows again).
    const hidden = new Set<string>()
    let nextWakeAt: number | null = null
    for (const m of this.#s.marks.all()) {
      if (m.state === 'done') hidden.add(m.key)
      else if (m.state === 'snoozed' && m.until !== null && m.until > now) {
        hidden.add(m.key)
        nextWakeAt = nextWakeAt === null ? m.until : Math.min(nextWakeAt, m.until)
      }
    }
    const shown = items.filter((i) => !hidden.has(i.key))
    const rank = (k: InboxKind) => INBOX_KINDS.indexOf(k)
    shown.sort((a, b) => rank(a.kind) - rank(b.kind) || b.at - a.at)
    return { items: shown, snoozed: items.length - shown.length, nextWakeAt, hiddenKeys: [...hidden] }
  }

  /** "Done" clears an item; "Not now" snoozes it until `until`. */
  mark(key: string, state: 'done' | 'snoozed', until: number | null): void {
    if (state === 'snoozed' && (until === null || until <= this.clock()))
      throw new ShepherdError('BAD_REQUEST', 'a snooze must end in the future', { until: 'must be in the future' })
    this.#s.mark.run(key, state, state === 'snoozed' ? until : null, this.clock())
    this.hub.publish({ type: 'attention.changed' })
  }

  /** Undo a mark (the item shows again). */
  unmark(key: string): void {
    this.db.prepare('DELETE FROM inbox_marks WHERE key = ?').run(key)
    this.hub.publish({ type: 'attention.changed' })
  }

  /** The user looked at the session: its "finished" item goes. */
  seen(sessionId: string): void {
    if (this.#s.clearFinished.run(sessionId).changes > 0) this.hub.publish({ type: 'attention.changed' })
  }

  #write(op: () => void): void {
    this.writer.enqueue(op)
    this.writer.flush()
  }
}
