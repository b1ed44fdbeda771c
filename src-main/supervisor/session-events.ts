/**
 * Persist-then-push for one session: numbers transcript messages with the session's monotonic `seq`,
 * queues them on the group-commit writer and publishes them (in one `agent.message` batch per
 * commit) only after the commit. Status changes flush the writer first, so a pushed status is never
 * ahead of the messages it follows.
 *
 * Performance (bench part 1): messages and raw lines are not one writer op each. They collect in
 * per-session pending lists and ONE writer op per commit inserts them all and updates the session
 * row once (`last_seq`, activity) instead of once per message. That removes two closures, an op and
 * a session UPDATE per event. The pending lists are cleared only after the commit, so a failed
 * (rolled back) commit re-inserts them when the writer retries.
 */
import type { DraftDTO, MessageDTO } from '../shared/dto'
import type { ShepherdEvent } from '../shared/events'
import type { SessionStatus, StatusReason } from '../shared/status'
import type { ProviderDraft, ProviderMessage } from '../providers/types'
import { messageToDTO, sessionToDTO, type MessageRow } from '../store/rows'
import type { RawEvent, SessionPatch, Store } from '../store/store'
import type { GroupCommitWriter } from '../store/writer'
import type { EventHub } from './event-hub'

/** A draft pushed to the panes keeps this many trailing characters: the view follows the end, and each push carries the whole draft. */
export const DRAFT_MAX_CHARS = 16_000

export class SessionEvents {
  #seq: number
  #outbox: MessageDTO[] = []
  /** Rows queued for the next commit (inserted by the one pending writer op, see #enqueueBatch). */
  #rows: MessageRow[] = []
  #raws: RawEvent[] = []
  #batchQueued = false
  /** A draft that waits for the commit of the messages queued before it. */
  #pendingDraft: ShepherdEvent | null = null

  constructor(
    readonly sessionId: string,
    readonly projectId: string,
    private readonly store: Store,
    private readonly writer: GroupCommitWriter,
    private readonly hub: EventHub
  ) {
    this.#seq = store.maxSeq(sessionId)
  }

  get seq(): number {
    return this.#seq
  }

  /** Assigns the next seq, queues the insert, pushes after commit. Returns the seq. */
  message(m: ProviderMessage, now = Date.now()): number {
    const seq = ++this.#seq
    const row: MessageRow = {
      session_id: this.sessionId, seq, kind: m.kind, text: m.text, tool_name: m.toolName ?? null,
      tool_input: m.toolInput ?? null, tool_path: m.toolPath ?? null, tool_use_id: m.toolUseId ?? null,
      parent_id: m.parentId ?? null, is_error: m.isError ? 1 : 0, created_at: now
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
    this.#raws.push({ sessionId: this.sessionId, stream, data, createdAt: now })
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

  /** Persist a status (flushing everything before it), then push status + the session row. */
  status(status: SessionStatus, reason: StatusReason | null, extra: SessionPatch = {}, processAlive = false): void {
    const now = Date.now()
    // A failed turn is an error status while the process lives on: keep its pid for the orphan sweep.
    const final = !processAlive && (status === 'done' || status === 'error' || status === 'interrupted')
    this.writer.enqueue(() =>
      this.store.updateSession(this.sessionId, {
        status, status_reason: reason ? JSON.stringify(reason) : null, updated_at: now,
        ...(final ? { ended_at: now, pid: null, pid_start_time: null } : {}), ...extra
      })
    )
    this.writer.flush()
    this.#publish({ type: 'agent.status', sessionId: this.sessionId, projectId: this.projectId, seq: this.#seq, status, reason, at: now })
    this.publishSession()
  }

  /** Persist a session patch now and push the row. */
  patch(patch: SessionPatch): void {
    this.writer.enqueue(() => this.store.updateSession(this.sessionId, { ...patch, updated_at: Date.now() }))
    this.writer.flush()
    this.publishSession()
  }

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
