/**
 * Group-commit writer: many small writes (one per agent event) become one transaction per debounce
 * window. Callers enqueue a synchronous DB operation plus an optional `after` callback; `after`
 * runs only once the transaction holding the operation has committed — that is how "persist, then
 * push" is enforced.
 */
import type { Store } from './store'

/**
 * Debounce window. Each commit is an fsync under synchronous=FULL; 15 ms bounds that to ~65/s while
 * keeping the agent-stdout→renderer latency well under the 50 ms p99 target.
 */
export const DEFAULT_DEBOUNCE_MS = 15
/**
 * Flush at once past this many queued rows so one transaction never grows without bound. An op
 * counts 1, plus whatever it reported through `grew()` (one op may insert a session's whole batch).
 */
export const DEFAULT_MAX_BATCH = 2000
/** After a failed commit (disk full, busy) retry after this delay; ops stay queued, nothing is dropped. */
export const RETRY_DELAY_MS = 500

interface Pending { op: () => void; after?: () => void }

export interface WriterOptions {
  debounceMs?: number
  maxBatch?: number
  /** A commit failed (the batch stays queued and is retried). */
  onError?: (err: unknown) => void
  /** An `after` callback threw: the data is committed, only its push failed. Not a storage problem. */
  onAfterError?: (err: unknown) => void
  /** Called after every successful commit with the number of ops committed. */
  onCommit?: (count: number) => void
}

export class GroupCommitWriter {
  #queue: Pending[] = []
  /** Rows the queued ops will write (ops + what they reported through grew()). */
  #weight = 0
  #timer: ReturnType<typeof setTimeout> | null = null
  #closed = false
  #flushing = false
  readonly #debounceMs: number
  readonly #maxBatch: number

  constructor(
    private readonly store: Store,
    private readonly opts: WriterOptions = {}
  ) {
    this.#debounceMs = opts.debounceMs ?? DEFAULT_DEBOUNCE_MS
    this.#maxBatch = opts.maxBatch ?? DEFAULT_MAX_BATCH
  }

  /** Ops waiting for the next commit (the supervisor's back-pressure signal). */
  get pending(): number {
    return this.#queue.length
  }

  enqueue(op: () => void, after?: () => void): void {
    if (this.#closed) throw new Error('writer is closed')
    this.#queue.push({ op, after })
    this.grew(1)
  }

  /** An already queued op took on `rows` more rows to write (counts toward the batch limit). */
  grew(rows: number): void {
    this.#weight += rows
    if (this.#weight >= this.#maxBatch) this.flush()
    else this.#schedule(this.#debounceMs)
  }

  /** Commit everything queued now (status changes and shutdown call this). Returns false if the commit failed. */
  flush(): boolean {
    if (this.#flushing || this.#queue.length === 0) return true
    if (this.#timer) { clearTimeout(this.#timer); this.#timer = null }
    const batch = this.#queue
    const weight = this.#weight
    this.#queue = []
    this.#weight = 0
    this.#flushing = true
    try {
      this.store.transaction(() => { for (const p of batch) p.op() })
    } catch (err) {
      // Rolled back as a whole: put the batch back in front and retry later.
      this.#queue = batch.concat(this.#queue)
      this.#weight += weight
      this.#flushing = false
      this.opts.onError?.(err)
      if (!this.#closed) this.#schedule(RETRY_DELAY_MS)
      return false
    }
    this.#flushing = false
    this.opts.onCommit?.(batch.length)
    for (const p of batch) {
      if (!p.after) continue
      try { p.after() } catch (err) { this.opts.onAfterError?.(err) }
    }
    return true
  }

  /** Final flush; later enqueues throw. */
  close(): boolean {
    const ok = this.flush()
    this.#closed = true
    if (this.#timer) { clearTimeout(this.#timer); this.#timer = null }
    return ok
  }

  #schedule(ms: number) {
    if (this.#timer) return
    this.#timer = setTimeout(() => { this.#timer = null; this.flush() }, ms)
  }
}
