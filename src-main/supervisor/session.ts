/**
 * One session's state and its one commit-then-push path: its status (changes checked against
 * STATUS_TRANSITIONS), its prompt queue, its monotonic `seq`. Transcript messages are numbered,
 * queued on the group-commit writer and published (one `agent.message` batch per commit) only after
 * the commit. Every other change (status, row patch, cost, approval) is a writer op whose push is its
 * after-commit callback: when a commit fails nothing is pushed, and the push follows the retry that
 * commits it. A status change is one `agent.status` event carrying the committed row.
 *
 * Performance (bench part 1): messages and raw lines are not one writer op each. They collect in
 * per-session pending lists and ONE writer op per commit inserts them all and updates the session
 * row once (`last_seq`, activity) instead of once per message. That removes two closures, an op and
 * a session UPDATE per event. The pending lists are cleared only after the commit, so a failed
 * (rolled back) commit re-inserts them when the writer retries.
 */
import type { DraftDTO, MessageDTO } from '../shared/dto'
import type { ShepherdEvent } from '../shared/events'
import { canTransition, type SessionStatus, type StatusReason } from '../shared/status'
import type { ProviderDraft, ProviderMessage, ProviderUsage } from '../providers/types'
import { decodeQueue } from '../store/queued-prompts'
import { randomUUID } from 'node:crypto'
import { approvalInputWithNote, approvalToDTO, messageToDTO, sessionToDTO, type MessageRow } from '../store/rows'
import type { RawEvent, SessionPatch, Store } from '../store/store'
import type { GroupCommitWriter } from '../store/writer'
import { questionToDTO } from '../store/questions-store'
import type { ProviderQuestionRequest } from '../providers/types'
import type { EventHub } from './event-hub'
import { PromptQueue, type QueuedPrompt } from './prompt-queue'
import type { SessionRunner } from './session-runner'

/** A draft pushed to the panes keeps this many trailing characters: the view follows the end, and each push carries the whole draft. */
export const DRAFT_MAX_CHARS = 16_000

/** `activity` stores the last activity time at most this often (a push happens every time). */
export const ACTIVITY_STORE_MS = 10_000

export class Session {
  #seq: number
  #status: SessionStatus
  /** When the status last changed (ms epoch): for an idle session, when it became idle (the sleep policy's LRU order). */
  #since = Date.now()
  /** Prompts accepted and not yet delivered: the one queue of this session (items keyed by id). */
  readonly queue: PromptQueue
  /** Approvals the agent waits for: our approval id → the provider's request id. */
  readonly #approvals = new Map<string, string>()
  /** Questions and forms the agent waits on: our question id → the provider's request id. */
  readonly #questions = new Map<string, string>()
  /** The live agent process (set by the supervisor at launch, cleared when it is gone). */
  runner: SessionRunner | null = null
  /** Between "starting" and a live process (the double-start guard; counts toward the cap). */
  launching = false
  /** Forked without a prompt: the first launch must fork the source conversation, not resume it. */
  forkPending = false
  #outbox: MessageDTO[] = []
  /** Rows queued for the next commit (inserted by the one pending writer op, see #enqueueBatch). */
  #rows: MessageRow[] = []
  #raws: RawEvent[] = []
  #batchQueued = false
  /** A draft that waits for the commit of the messages queued before it. */
  #pendingDraft: ShepherdEvent | null = null
  /** When `activity` last wrote the session's last activity time. */
  #activityStoredAt = 0

  constructor(
    readonly sessionId: string,
    readonly projectId: string,
    private readonly store: Store,
    private readonly writer: GroupCommitWriter,
    private readonly hub: EventHub,
    /** Told about a status change the table does not allow (it is refused). */
    private readonly onRefused: (from: SessionStatus, to: SessionStatus) => void = () => {}
  ) {
    this.#seq = store.maxSeq(sessionId)
    const row = store.getSession(sessionId)
    this.#status = (row?.status ?? 'queued') as SessionStatus
    this.queue = new PromptQueue(decodeQueue(row?.queued_prompts))
  }

  get seq(): number {
    return this.#seq
  }

  /** The status last set (its commit may still be pending). */
  get current(): SessionStatus {
    return this.#status
  }

  /** When the current status was entered (see #since). */
  get since(): number {
    return this.#since
  }

  // ---- pending approvals ---------------------------------------------------------------------

  get pendingApprovalCount(): number {
    return this.#approvals.size
  }

  /** Take a pending approval to answer it: its provider request id (undefined when it is not pending). */
  takeApproval(approvalId: string): string | undefined {
    const requestId = this.#approvals.get(approvalId)
    this.#approvals.delete(approvalId)
    return requestId
  }

  /** Store how an approval ended; pushed after the commit. */
  recordApproval(approvalId: string, status: 'allowed' | 'denied' | 'cancelled'): void {
    this.write(
      () => this.store.updateApproval(approvalId, status, Date.now()),
      () => this.#approvalEvent(approvalId)
    )
  }

  /** The agent asks: store the approval, push it after the commit; returns its id. */
  openApproval(requestId: string, toolName: string, input: unknown, description: string | null, sessionScope: string | null = null): string {
    const id = randomUUID()
    this.#approvals.set(id, requestId)
    const row = {
      id,
      session_id: this.sessionId,
      request_id: requestId,
      tool_name: toolName,
      // What "Allow for this session" would allow rides along in the stored input (approvalToDTO strips it).
      input: approvalInputWithNote(input, sessionScope),
      description,
      status: 'pending',
      created_at: Date.now(),
      decided_at: null
    }
    this.write(
      () => this.store.insertApproval(row),
      () => this.#approvalEvent(id)
    )
    return id
  }

  /** The agent withdrew its request (by the provider's id). */
  cancelApprovalRequest(requestId: string): void {
    for (const [id, req] of [...this.#approvals]) if (req === requestId && this.takeApproval(id)) this.recordApproval(id, 'cancelled')
  }

  /** The turn or the process ended: nothing is pending any more. */
  cancelAllApprovals(): void {
    for (const id of [...this.#approvals.keys()]) if (this.takeApproval(id)) this.recordApproval(id, 'cancelled')
  }

  // ---- pending questions and forms (like approvals; see shared/questions.ts) -------------------

  get pendingQuestionCount(): number {
    return this.#questions.size
  }

  /** Nothing (approval or question) waits for the user. */
  get nothingPending(): boolean {
    return this.#approvals.size === 0 && this.#questions.size === 0
  }

  /** The agent asks: store the question, push it after the commit; returns its id. */
  openQuestion(q: ProviderQuestionRequest): string {
    const id = randomUUID()
    this.#questions.set(id, q.requestId)
    const row = {
      id,
      session_id: this.sessionId,
      request_id: q.requestId,
      source: q.source,
      title: q.title,
      message: q.message,
      fields: JSON.stringify(q.fields),
      can_decline: q.canDecline ? 1 : 0,
      status: 'pending',
      answer: null,
      created_at: Date.now(),
      decided_at: null
    }
    this.write(
      () => this.store.insertQuestion(row),
      () => this.#questionEvent(id)
    )
    return id
  }

  /** Take a pending question to answer it: its provider request id (undefined when it is not pending). */
  takeQuestion(questionId: string): string | undefined {
    const requestId = this.#questions.get(questionId)
    this.#questions.delete(questionId)
    return requestId
  }

  /** Store how a question ended (with what was sent, secrets masked); pushed after the commit. */
  recordQuestion(questionId: string, status: 'answered' | 'declined' | 'cancelled', answer: Record<string, unknown> | null = null): void {
    this.write(
      () => this.store.updateQuestion(questionId, status, answer ? JSON.stringify(answer) : null, Date.now()),
      () => this.#questionEvent(questionId)
    )
  }

  cancelQuestionRequest(requestId: string): void {
    for (const [id, req] of [...this.#questions]) if (req === requestId && this.takeQuestion(id)) this.recordQuestion(id, 'cancelled')
  }

  cancelAllQuestions(): void {
    for (const id of [...this.#questions.keys()]) if (this.takeQuestion(id)) this.recordQuestion(id, 'cancelled')
  }

  #questionEvent(id: string): ShepherdEvent | null {
    const row = this.store.getQuestion(id)
    if (!row) return null
    return { type: 'agent.question', sessionId: this.sessionId, projectId: this.projectId, seq: this.#seq, question: questionToDTO(row, this.projectId) }
  }

  #approvalEvent(id: string): ShepherdEvent | null {
    const row = this.store.getApproval(id)
    if (!row) return null
    return { type: 'agent.approval', sessionId: this.sessionId, projectId: this.projectId, seq: this.#seq, approval: approvalToDTO(row, this.projectId) }
  }

  // ---- cost ----------------------------------------------------------------------------------

  /** Add a turn's usage (cost delta, tokens) to the session's totals; `alsoInCommit` runs in the same transaction. Pushed after the commit. */
  addUsage(costDelta: number, u: ProviderUsage, alsoInCommit: () => void): void {
    const id = this.sessionId
    const now = Date.now()
    this.write(
      () => {
        const s = this.store.getSession(id)
        if (!s) return
        this.store.updateSession(id, {
          cost_usd: s.cost_usd + costDelta,
          cost_known: u.costKnown ? 1 : 0,
          input_tokens: s.input_tokens + u.inputTokens,
          output_tokens: s.output_tokens + u.outputTokens,
          cache_read_tokens: s.cache_read_tokens + u.cacheReadTokens,
          cache_write_tokens: s.cache_write_tokens + u.cacheWriteTokens,
          context_tokens: u.contextTokens ?? s.context_tokens,
          context_window: u.contextWindow ?? s.context_window,
          last_activity_at: now,
          updated_at: now
        })
        alsoInCommit()
      },
      () => {
        const s = this.store.getSession(id)
        if (!s) return null
        return { type: 'agent.cost', sessionId: id, projectId: this.projectId, seq: this.#seq, totals: sessionToDTO(s).totals }
      }
    )
  }

  // ---- the prompt queue ---------------------------------------------------------------------

  /** Accept a prompt for later; persisted, then the row is pushed. */
  enqueuePrompt(text: string): QueuedPrompt {
    const item = this.queue.add(text)
    this.#saveQueue()
    return item
  }

  /** The oldest queued prompt, removed (persisted). */
  nextPrompt(): QueuedPrompt | undefined {
    const item = this.queue.shift()
    if (item) this.#saveQueue()
    return item
  }

  /** Drop every queued prompt (Esc, stop, the process ended). */
  clearQueue(): void {
    if (this.queue.length === 0) return
    this.queue.clear()
    this.#saveQueue()
  }

  #saveQueue(): void {
    this.patch({ queued_prompts: this.queue.items })
  }

  /** Assigns the next seq, queues the insert, pushes after commit. Returns the seq. */
  message(m: ProviderMessage, now = Date.now()): number {
    const seq = ++this.#seq
    const row: MessageRow = {
      session_id: this.sessionId,
      seq,
      kind: m.kind,
      text: m.text,
      tool_name: m.toolName ?? null,
      tool_input: m.toolInput ?? null,
      tool_path: m.toolPath ?? null,
      tool_use_id: m.toolUseId ?? null,
      parent_id: m.parentId ?? null,
      is_error: m.isError ? 1 : 0,
      created_at: now
    }
    this.#outbox.push(messageToDTO(row))
    this.#rows.push(row)
    this.#pendingDraft = null // the message is what the draft was becoming
    this.#enqueueBatch()
    return seq
  }

  /**
   * Push (never store) what the agent is streaming. It goes out after the messages queued before it
   * are committed and pushed, so a pane never sees a draft ahead of them.
   */
  draft(d: ProviderDraft | null): void {
    let draft: DraftDTO | null = null
    if (d) {
      const omitted = Math.max(0, d.text.length - DRAFT_MAX_CHARS)
      draft = { kind: d.kind, text: omitted ? d.text.slice(omitted) : d.text, omitted }
    }
    const event: ShepherdEvent = { type: 'agent.draft', sessionId: this.sessionId, projectId: this.projectId, seq: this.#seq, draft }
    if (this.#outbox.length) this.#pendingDraft = event
    else this.hub.publish(event)
  }

  raw(stream: string, data: string, now = Date.now()): void {
    // Stored whole, so every raw row stays valid JSON that can be parsed again: the line splitter
    // already bounds a line (MAX_LINE_BYTES, 32 MiB; a longer one arrives as a `line_too_large` note).
    const kept = data
    this.#raws.push({ sessionId: this.sessionId, stream, data: kept, createdAt: now })
    this.#enqueueBatch()
  }

  /**
   * One writer op per commit for everything this session queued: it inserts the pending raw lines and
   * messages as they are when the transaction runs (later arrivals join it until then) and remembers
   * how many it wrote; after the commit those are dropped from the lists and the messages pushed.
   */
  #enqueueBatch(): void {
    if (this.#batchQueued) return this.writer.grew(1)
    this.#batchQueued = true
    let rows = 0
    let raws = 0
    this.writer.enqueue(
      () => {
        rows = this.#rows.length
        raws = this.#raws.length
        if (raws) this.store.insertRaw(this.#raws)
        if (rows) {
          this.store.insertMessages(this.#rows)
          const last = this.#rows[rows - 1]!
          this.store.updateSession(this.sessionId, { last_seq: last.seq, last_activity_at: last.created_at, updated_at: last.created_at })
        }
      },
      () => {
        this.#rows = rows === this.#rows.length ? [] : this.#rows.slice(rows)
        this.#raws = raws === this.#raws.length ? [] : this.#raws.slice(raws)
        this.#batchQueued = false
        if (this.#rows.length || this.#raws.length) this.#enqueueBatch()
        this.#flushOutbox()
      }
    )
  }

  /** Any DB change that must be pushed after commit (cost, approvals). */
  write(op: () => void, publish?: () => ShepherdEvent | ShepherdEvent[] | null): void {
    this.writer.enqueue(op, publish ? () => this.#publish(publish()) : undefined)
  }

  /**
   * Persist a status (committing everything queued before it), then push ONE `agent.status` with the
   * committed row. A change STATUS_TRANSITIONS does not allow is refused (nothing written or pushed).
   * With `clearQueue` the queued prompts are dropped in the same write.
   */
  status(status: SessionStatus, reason: StatusReason | null, extra: SessionPatch = {}, processAlive = false, clearQueue = false): boolean {
    if (!canTransition(this.#status, status)) {
      this.onRefused(this.#status, status)
      return false
    }
    const now = Date.now()
    if (status !== this.#status) this.#since = now
    this.#status = status
    const seq = this.#seq
    if (clearQueue) this.queue.clear()
    // A failed turn is an error status while the process lives on: keep its pid for the orphan sweep.
    const final = !processAlive && (status === 'done' || status === 'error' || status === 'interrupted')
    this.writer.enqueue(
      () =>
        this.store.updateSession(this.sessionId, {
          status,
          status_reason: reason,
          updated_at: now,
          ...(final ? { ended_at: now, pid: null, pid_start_time: null } : {}),
          ...(clearQueue ? { queued_prompts: [] } : {}),
          ...extra
        }),
      () => {
        const row = this.store.getSession(this.sessionId)
        this.hub.publish({
          type: 'agent.status',
          sessionId: this.sessionId,
          projectId: this.projectId,
          seq,
          status,
          reason,
          at: now,
          ...(row ? { session: sessionToDTO(row) } : {})
        })
      }
    )
    this.writer.flush()
    return true
  }

  /** Persist a session patch now; the row is pushed once it is committed. */
  patch(patch: SessionPatch): void {
    this.writer.enqueue(
      () => this.store.updateSession(this.sessionId, { ...patch, updated_at: Date.now() }),
      () => this.publishSession()
    )
    this.writer.flush()
  }

  /**
   * Proof of life without a row (heartbeats, sub-agent progress): pushed to the panes (the stall
   * timer restarts) and, at most every ACTIVITY_STORE_MS, stored as the session's last activity
   * time so a reloaded page does not flag a busy agent as stalled.
   */
  activity(text: string | null, background: string[] | null, now = Date.now()): void {
    const event: ShepherdEvent = { type: 'agent.activity', sessionId: this.sessionId, projectId: this.projectId, text, background }
    if (now - this.#activityStoredAt < ACTIVITY_STORE_MS) {
      this.writer.enqueue(
        () => {},
        () => this.hub.publish(event)
      )
      return
    }
    this.#activityStoredAt = now
    this.writer.enqueue(
      () => this.store.updateSession(this.sessionId, { last_activity_at: now }),
      () => this.hub.publish(event)
    )
  }

  /** Push the stored row (call only for what is committed). */
  publishSession(): void {
    const row = this.store.getSession(this.sessionId)
    if (row) this.hub.publish({ type: 'session.changed', session: sessionToDTO(row) })
  }

  #flushOutbox(): void {
    if (this.#outbox.length === 0) return
    const messages = this.#outbox
    this.#outbox = []
    this.hub.publish({ type: 'agent.message', sessionId: this.sessionId, projectId: this.projectId, seq: messages[messages.length - 1]!.seq, messages })
    const draft = this.#pendingDraft
    this.#pendingDraft = null
    if (draft) this.hub.publish(draft)
  }

  #publish(e: ShepherdEvent | ShepherdEvent[] | null): void {
    if (!e) return
    for (const ev of Array.isArray(e) ? e : [e]) this.hub.publish(ev)
  }
}
