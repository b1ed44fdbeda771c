/**
 * One instance per open project: its sessions, the open session's transcript window, approvals,
 * stall timers and notices. Fed by `apply(event)` from the one events subscription; every
 * message is applied once (SeqFeed), gaps are fetched, and after a reload/reconnect the store
 * resumes from its last seq and ends identical to the database.
 */
import type { ApprovalDTO, DraftDTO, MessageDTO, ProjectDTO, SessionDTO } from '../../src-main/shared/dto'
import type { QuestionDTO } from '../../src-main/shared/questions'
import type { ShepherdEvent } from '../../src-main/shared/events'
import type { SessionStatus, StatusReason } from '../../src-main/shared/status'
import { systemClock, type Clock, type NoticeKind, type Notifier, type ProjectApi, type StoreSettings } from './api'
import { SeqFeed } from './seq-feed'

/** First paint shows this many tail messages; older ones load on scroll in pages of the same size. */
export const PAGE_SIZE = 200
/** The open session's in-memory window; older messages beyond it are dropped while following the tail. */
export const WINDOW_MAX = 2000
/** Gap fills fetch at most this many messages per request (the API's limit). */
const GAP_PAGE = 1000

export type DisplayStatus = SessionStatus | 'stalled'

export interface ProjectStoreDeps {
  api: ProjectApi
  notifier: Notifier
  settings: StoreSettings
  clock?: Clock
  /** Keys already notified (persisted by the caller so reloads do not repeat notices). */
  notified?: Set<string>
  onNotified?: (key: string) => void
  /**
   * Events that happened before this moment (ms; the page's load) make no toast: toasts are for what
   * happened while the user was looking (issue 11 item 18); the inbox keeps the rest. 0 = all toast.
   */
  quietBefore?: number
  /** Events older than this when they arrive (replayed after a reconnect) make no toast either (ms; unset = any age). */
  quietOlderThanMs?: number
}

export class ProjectStore {
  project = $state.raw<ProjectDTO>(null as never)
  sessions = $state.raw<SessionDTO[]>([])
  openSessionId = $state<string | null>(null)
  /** The open session's window of messages, ascending seq; replaced, never mutated. */
  messages = $state.raw<MessageDTO[]>([])
  hasOlder = $state(false)
  loadingOlder = $state(false)
  /**
   * The window does not reach the session's tail (opened at a search hit): live messages are not
   * appended until scrolling down (`loadNewer`) reaches the tail again.
   */
  hasNewer = $state(false)
  loadingNewer = $state(false)
  /** A message to scroll to and highlight (search hit, in-session find); `at` changes with every request. */
  focus = $state.raw<{ sessionId: string; seq: number; at: number } | null>(null)
  approvals = $state.raw<ApprovalDTO[]>([])
  /** Pending questions and forms the agents ask (issue 13). */
  questions = $state.raw<QuestionDTO[]>([])
  stalled = $state.raw<ReadonlySet<string>>(new Set())
  loaded = $state(false)
  /** What each session's agent is writing right now (pushed, never stored), by session id. */
  drafts = $state.raw<ReadonlyMap<string, DraftDTO>>(new Map())
  /** What each session's agent is doing right now without a row (a tool's heartbeat, a sub-agent's progress) and the background work it started. */
  live = $state.raw<ReadonlyMap<string, { text: string | null; background: readonly string[] }>>(new Map())

  readonly openSession = $derived(this.sessions.find((s) => s.id === this.openSessionId) ?? null)
  /** Things that need the user: pending approvals, stalled and failed sessions. */
  readonly needsYou = $derived(this.sessions.filter((s) => s.status === 'waiting_approval' || s.status === 'error' || this.stalled.has(s.id)).length)

  readonly #deps: ProjectStoreDeps
  readonly #clock: Clock
  #feed = new SeqFeed()
  /** Live messages that arrived while the tail page of the open session was loading. */
  #early: MessageDTO[] | null = null
  #batch: MessageDTO[] = []
  #batchScheduled = false
  #filling = false
  #stallTimers = new Map<string, ReturnType<typeof setTimeout>>()
  /** Last activity per session as seen live (the DB's lastActivityAt is the fallback). */
  #activity = new Map<string, number>()
  #notified: Set<string>
  /** Per session: the seq a shown draft follows, and the newest message seq seen (older drafts are stale). */
  #draftSeq = new Map<string, number>()
  #lastSeq = new Map<string, number>()
  #followTail = true
  #disposed = false
  #openGeneration = 0
  /** See `hasNewer`: live messages of the open session are not ingested while detached. */
  #detached = false

  constructor(project: ProjectDTO, deps: ProjectStoreDeps) {
    this.project = project
    this.#deps = deps
    this.#clock = deps.clock ?? systemClock
    this.#notified = deps.notified ?? new Set()
  }

  /** Startup: prune by retention, load sessions and approvals, open the newest session, arm stall timers. */
  async load(openSessionId?: string | null): Promise<void> {
    await this.#deps.api.prune(this.project.id).catch(() => ({ removed: [] }))
    await this.#refresh()
    // A project with OpenCode sessions: its server starts now, not when the next prompt is sent.
    for (const provider of new Set(this.sessions.map((s) => s.provider))) void this.#deps.api.prewarm?.(this.project.id, provider).catch(() => null)
    const target = openSessionId && this.sessions.some((s) => s.id === openSessionId) ? openSessionId : (this.sessions[0]?.id ?? null)
    if (target) await this.open(target)
    this.loaded = true
  }

  /** Show a session: tail page first, then anything live that arrived meanwhile. */
  async open(sessionId: string): Promise<void> {
    // Each open supersedes any still loading (also of the same session: its page would be applied twice).
    const generation = ++this.#openGeneration
    this.openSessionId = sessionId
    this.messages = []
    this.hasOlder = false
    this.#feed = new SeqFeed()
    this.#early = []
    this.#batch = []
    this.#followTail = true
    this.#detached = false
    this.hasNewer = false
    this.focus = null
    const page = await this.#deps.api.pageMessages(sessionId, null, PAGE_SIZE)
    if (this.#disposed || generation !== this.#openGeneration) return
    const first = page.messages[0]
    this.#feed.reset(first ? first.seq - 1 : 0)
    const early = this.#early ?? []
    this.#early = null
    this.hasOlder = page.hasMore
    this.#ingest([...page.messages, ...early])
    this.#flushBatch()
  }

  /**
   * Show a session scrolled to message `seq`: the page around it first (also when it is message
   * 80,000 of 100,000), then the transcript scrolls both ways from there (`loadOlder`/`loadNewer`).
   */
  async openAt(sessionId: string, seq: number): Promise<void> {
    const at = this.#clock.now()
    if (this.openSessionId === sessionId && this.messages.some((m) => m.seq === seq)) {
      this.focus = { sessionId, seq, at }
      return
    }
    const generation = ++this.#openGeneration
    this.openSessionId = sessionId
    this.messages = []
    this.hasOlder = false
    this.hasNewer = false
    this.#feed = new SeqFeed()
    this.#early = null
    this.#batch = []
    this.#detached = true
    this.#followTail = false
    this.focus = { sessionId, seq, at }
    const half = PAGE_SIZE / 2
    const page = await this.#deps.api.messagesAround(sessionId, seq, half, half)
    if (this.#disposed || generation !== this.#openGeneration) return
    this.messages = page.messages
    this.hasOlder = page.hasOlder
    this.hasNewer = page.hasNewer
    if (!page.hasNewer) this.#attach(sessionId)
  }

  /** Newer page after the last loaded message (scroll-down in a window opened away from the tail). */
  async loadNewer(): Promise<void> {
    const sessionId = this.openSessionId
    const last = this.messages[this.messages.length - 1]
    if (!sessionId || !last || !this.hasNewer || this.loadingNewer) return
    const generation = this.#openGeneration
    this.loadingNewer = true
    try {
      const page = await this.#deps.api.messagesAfter(sessionId, last.seq, PAGE_SIZE)
      if (this.openSessionId !== sessionId || generation !== this.#openGeneration) return
      const fresh = page.messages.filter((m) => m.seq > last.seq)
      let next = this.messages.concat(fresh)
      // Bounded like the tail window: reading downwards drops the head (it reloads on scroll-up).
      if (next.length > WINDOW_MAX) {
        next = next.slice(next.length - WINDOW_MAX)
        this.hasOlder = true
      }
      this.messages = next
      const newest = next[next.length - 1]?.seq ?? last.seq
      this.hasNewer = newest < page.lastSeq
      if (!this.hasNewer) this.#attach(sessionId)
    } finally {
      this.loadingNewer = false
    }
  }

  /** The window reached the tail: follow live messages again, fetching whatever came meanwhile. */
  #attach(sessionId: string): void {
    this.#detached = false
    this.hasNewer = false
    this.#feed.reset(this.messages[this.messages.length - 1]?.seq ?? 0)
    void this.#fillFrom(sessionId, this.#feed.lastSeq)
  }

  /** Older page before the first loaded message (scroll-up). */
  async loadOlder(): Promise<void> {
    const sessionId = this.openSessionId
    const first = this.messages[0]
    if (!sessionId || !first || !this.hasOlder || this.loadingOlder) return
    this.loadingOlder = true
    try {
      const page = await this.#deps.api.pageMessages(sessionId, first.seq, PAGE_SIZE)
      if (this.openSessionId !== sessionId) return
      let next = page.messages.filter((m) => m.seq < first.seq).concat(this.messages)
      // Bounded both ways (issue 11 item 16): reading upwards drops the newest pages, far below the
      // view; they reload on scroll-down (`loadNewer`), and live messages wait until then.
      if (next.length > WINDOW_MAX) {
        next = next.slice(0, WINDOW_MAX)
        this.#detached = true
        this.#followTail = false
        this.hasNewer = true
      }
      this.messages = next
      this.hasOlder = page.hasMore
    } finally {
      this.loadingOlder = false
    }
  }

  /** The pane tells the store whether the user follows the tail (bounded window) or reads history. */
  setFollowTail(follow: boolean): void {
    this.#followTail = follow
  }

  /** The block `s`'s agent is streaming, while its turn runs. */
  draftOf(s: SessionDTO): DraftDTO | null {
    return s.status === 'running' ? (this.drafts.get(s.id) ?? null) : null
  }

  /** What `s`'s agent does right now beyond its rows, while its turn runs. */
  liveOf(s: SessionDTO): { text: string | null; background: readonly string[] } | null {
    return s.status === 'running' || s.status === 'waiting_approval' ? (this.live.get(s.id) ?? null) : null
  }

  displayStatus(s: SessionDTO): DisplayStatus {
    return s.status === 'running' && this.stalled.has(s.id) ? 'stalled' : s.status
  }

  apply(e: ShepherdEvent): void {
    if (this.#disposed) return
    switch (e.type) {
      case 'project.changed':
        if (e.project.id === this.project.id) {
          this.project = e.project
          this.#rearmAll()
        }
        return
      case 'resync':
        void this.resync()
        return
      case 'ui.focus':
      case 'project.removed':
      case 'app.storage':
      case 'attention.changed':
        return
    }
    const projectId = e.type === 'session.changed' ? e.session.projectId : e.projectId
    if (projectId !== this.project.id) return
    switch (e.type) {
      case 'session.changed':
        this.#upsert(e.session)
        return
      case 'session.removed':
        this.sessions = this.sessions.filter((s) => s.id !== e.sessionId)
        this.#clearStall(e.sessionId)
        this.#dropDraft(e.sessionId)
        if (this.openSessionId === e.sessionId) {
          this.openSessionId = null
          this.messages = []
        }
        return
      case 'agent.message':
        this.#touch(e.sessionId)
        this.#lastSeq.set(e.sessionId, Math.max(e.seq, this.#lastSeq.get(e.sessionId) ?? 0))
        // The message is what the draft before it was becoming.
        if ((this.#draftSeq.get(e.sessionId) ?? Infinity) < e.seq) this.#dropDraft(e.sessionId)
        if (e.sessionId === this.openSessionId) {
          if (this.#detached) this.hasNewer = true
          else this.#ingest(e.messages)
        }
        return
      case 'agent.draft':
        // Streaming is activity: a long answer being written is not a stall.
        this.#touch(e.sessionId)
        if (!e.draft) this.#dropDraft(e.sessionId)
        else if (e.seq >= (this.#lastSeq.get(e.sessionId) ?? 0)) {
          this.#draftSeq.set(e.sessionId, e.seq)
          this.drafts = new Map(this.drafts).set(e.sessionId, e.draft)
        }
        return
      case 'agent.status':
        if (e.status !== 'running') this.#dropDraft(e.sessionId)
        if (e.status !== 'running' && e.status !== 'waiting_approval' && this.live.has(e.sessionId)) {
          const next = new Map(this.live)
          next.delete(e.sessionId)
          this.live = next
        }
        this.#status(e.sessionId, e.status, e.reason, e.at)
        // The committed row comes with the status (one event per change).
        if (e.session) this.#upsert(e.session)
        return
      case 'agent.activity': {
        // A heartbeat or a sub-agent's progress is activity: a long sub-agent run is not a stall.
        this.#touch(e.sessionId)
        const prev = this.live.get(e.sessionId)
        this.live = new Map(this.live).set(e.sessionId, { text: e.text, background: e.background ?? prev?.background ?? [] })
        return
      }
      case 'agent.cost':
        this.#touch(e.sessionId)
        this.#patch(e.sessionId, { totals: e.totals })
        return
      case 'agent.approval':
        this.#approval(e.approval)
        return
      case 'agent.question':
        this.#question(e.question)
        return
    }
  }

  /** After a reconnect the server could not replay: refetch, continue from our last seq. */
  async resync(): Promise<void> {
    await this.#refresh()
    const id = this.openSessionId
    if (id && this.#early === null && !this.#detached) await this.#fillFrom(id, this.#feed.lastSeq)
  }

  dispose(): void {
    this.#disposed = true
    for (const t of this.#stallTimers.values()) clearTimeout(t)
    this.#stallTimers.clear()
  }

  // ---- internals -------------------------------------------------------------------------

  #dropDraft(id: string): void {
    this.#draftSeq.delete(id)
    if (!this.drafts.has(id)) return
    const next = new Map(this.drafts)
    next.delete(id)
    this.drafts = next
  }

  async #refresh(): Promise<void> {
    const [sessions, approvals, questions] = await Promise.all([
      this.#deps.api.listSessions(this.project.id),
      this.#deps.api.approvals(this.project.id),
      this.#deps.api.questions?.(this.project.id) ?? Promise.resolve([])
    ])
    if (this.#disposed) return
    this.sessions = sessions
    this.approvals = approvals
    this.questions = questions
    this.#rearmAll()
  }

  #ingest(messages: readonly MessageDTO[]): void {
    if (this.#early) {
      this.#early.push(...messages)
      return
    }
    const { appended, gapAfter } = this.#feed.push(messages)
    if (appended.length) {
      this.#batch.push(...appended)
      if (!this.#batchScheduled) {
        this.#batchScheduled = true
        // Events of one tick are applied as one array replacement, never re-spread per event.
        queueMicrotask(() => this.#flushBatch())
      }
    }
    if (gapAfter !== null && this.openSessionId) void this.#fillFrom(this.openSessionId, gapAfter)
  }

  #flushBatch(): void {
    this.#batchScheduled = false
    if (this.#batch.length === 0) return
    const batch = this.#batch
    this.#batch = []
    const overflow = this.#followTail ? this.messages.length + batch.length - WINDOW_MAX : 0
    // One copy per batch: drop the head of the window and append in the same pass (bench part 3).
    if (overflow > 0) {
      this.hasOlder = true
      this.messages = overflow >= this.messages.length ? batch.slice(batch.length - WINDOW_MAX) : this.messages.slice(overflow).concat(batch)
    } else {
      this.messages = this.messages.concat(batch)
    }
  }

  async #fillFrom(sessionId: string, afterSeq: number): Promise<void> {
    if (this.#filling) return
    this.#filling = true
    try {
      let after = afterSeq
      for (;;) {
        const page = await this.#deps.api.messagesAfter(sessionId, after, GAP_PAGE)
        if (this.#disposed || this.openSessionId !== sessionId) return
        this.#feed.push(page.messages).appended.forEach((m) => this.#batch.push(m))
        this.#flushBatch()
        if (page.messages.length < GAP_PAGE || this.#feed.lastSeq >= page.lastSeq) break
        after = this.#feed.lastSeq
      }
    } finally {
      this.#filling = false
    }
  }

  #upsert(s: SessionDTO): void {
    const i = this.sessions.findIndex((x) => x.id === s.id)
    const prev = i >= 0 ? this.sessions[i] : undefined
    const next = i >= 0 ? this.sessions.with(i, s) : [s, ...this.sessions]
    this.sessions = next.toSorted((a, b) => b.createdAt - a.createdAt)
    if (!prev || prev.status !== s.status) this.#rearm(s)
  }

  #patch(id: string, patch: Partial<SessionDTO>): void {
    const i = this.sessions.findIndex((x) => x.id === id)
    if (i < 0) return
    this.sessions = this.sessions.with(i, { ...this.sessions[i]!, ...patch })
  }

  #status(id: string, status: SessionStatus, reason: StatusReason | null, at: number): void {
    const prev = this.sessions.find((s) => s.id === id)
    this.#patch(id, { status })
    this.#activity.set(id, at)
    const s = this.sessions.find((x) => x.id === id)
    if (s) this.#rearm(s)
    const title = s?.title ?? 'Session'
    const stoppedByUser = status === 'interrupted' || status === 'stopping'
    if (stoppedByUser) return
    if (status === 'idle' && prev?.status === 'running' && reason?.code !== 'turn_interrupted' && reason?.code !== 'budget_hold') {
      this.#notice('completed', `${id}:completed:${at}`, `${this.project.name}: done`, title, id, at)
      this.#prune()
    } else if (status === 'done' && prev && prev.status !== 'idle' && prev.status !== 'done') {
      this.#notice('completed', `${id}:completed:${at}`, `${this.project.name}: done`, title, id, at)
      this.#prune()
    } else if (status === 'error') {
      this.#notice('error', `${id}:error:${at}`, `${this.project.name}: agent failed`, reason?.message ?? title, id, at)
      this.#prune()
    }
  }

  #question(q: QuestionDTO): void {
    const others = this.questions.filter((x) => x.id !== q.id)
    this.questions = q.status === 'pending' ? [...others, q] : others
    const key = `${q.sessionId}:question:${q.id}`
    if (q.status === 'pending') {
      const s = this.sessions.find((x) => x.id === q.sessionId)
      // Shown like an approval (same setting): the agent waits for the user either way.
      this.#notice('approval', key, `${this.project.name}: needs your answer`, `${q.title} in “${s?.title ?? 'a session'}”`, q.sessionId)
    } else this.#deps.notifier.withdraw?.(key)
  }

  #approval(a: ApprovalDTO): void {
    const others = this.approvals.filter((x) => x.id !== a.id)
    this.approvals = a.status === 'pending' ? [...others, a] : others
    const key = `${a.sessionId}:approval:${a.id}`
    if (a.status === 'pending') {
      const s = this.sessions.find((x) => x.id === a.sessionId)
      this.#notice('approval', key, `${this.project.name}: needs your approval`, `${a.toolName} in “${s?.title ?? 'a session'}”`, a.sessionId, a.createdAt)
    } else {
      // Answered (in this window, another one, or by the agent going away): the toast is stale now.
      this.#deps.notifier.withdraw?.(key)
    }
  }

  #prune(): void {
    void this.#deps.api.prune(this.project.id).catch(() => {})
  }

  #notice(kind: NoticeKind, key: string, title: string, body: string, sessionId: string, at?: number): void {
    if (this.#notified.has(key) || !this.#deps.settings.wants(kind)) return
    this.#notified.add(key)
    this.#deps.onNotified?.(key)
    // Replayed from before the page loaded (an earlier turn's "done"): no toast.
    if (at !== undefined && at < (this.#deps.quietBefore ?? 0)) return
    if (at !== undefined && this.#deps.quietOlderThanMs !== undefined && this.#clock.now() - at > this.#deps.quietOlderThanMs) return
    this.#deps.notifier.notify({ kind, key, title, body, projectId: this.project.id, sessionId })
  }

  // ---- stall timers ----------------------------------------------------------------------

  #touch(id: string): void {
    this.#activity.set(id, this.#clock.now())
    const s = this.sessions.find((x) => x.id === id)
    if (s) this.#rearm(s)
  }

  #rearmAll(): void {
    for (const s of this.sessions) this.#rearm(s)
  }

  /** Running sessions get a timer from their last activity; anything else none. */
  #rearm(s: SessionDTO): void {
    this.#clearStall(s.id)
    // Waiting for background work (a dev server, a long build) is not being stuck.
    if (s.status !== 'running' || s.statusReason?.code === 'background_work') return
    const last = Math.max(this.#activity.get(s.id) ?? 0, s.lastActivityAt)
    const threshold = this.#deps.settings.stallThresholdMs(this.project)
    const due = last + threshold - this.#clock.now()
    const fire = () => {
      this.#stallTimers.delete(s.id)
      const cur = this.sessions.find((x) => x.id === s.id)
      if (!cur || cur.status !== 'running') return
      this.stalled = new Set(this.stalled).add(s.id)
      // Whole minutes read as minutes; anything else (30 s, 90 s) in seconds.
      const span = threshold % 60_000 === 0 ? `${threshold / 60_000} min` : `${Math.round(threshold / 1000)} s`
      this.#notice('stalled', `${s.id}:stalled:${last}`, `${this.project.name}: agent stalled`, `No activity for ${span} in “${cur.title}”`, s.id)
    }
    if (due <= 0) fire()
    else this.#stallTimers.set(s.id, setTimeout(fire, due))
  }

  #clearStall(id: string): void {
    const t = this.#stallTimers.get(id)
    if (t) clearTimeout(t)
    this.#stallTimers.delete(id)
    if (this.stalled.has(id)) {
      const next = new Set(this.stalled)
      next.delete(id)
      this.stalled = next
    }
  }
}
