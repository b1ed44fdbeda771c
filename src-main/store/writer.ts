/**
 * Group-commit writer: many small writes (one per agent event) become one transaction per debounce
 * window. Callers enqueue a synchronous DB operation plus an optional `after` callback; `after`
 * runs only once the transaction holding the operation has committed — that is how "persist, then
 * push" is enforced.
 */
import type { Store } from './store'

/**
 * Least time between two commits. Each commit is an fsync under synchronous=FULL; 15 ms bounds that to
 * ~65/s under load. An idle writer does not wait for it: the first write after a quiet spell commits
 * on the next macrotask (after the rest of the stdout chunk that produced it has been parsed), so a
 * lone event reaches the screen without a fixed 15 ms delay, and only a busy writer batches.
 */
export const DEFAULT_DEBOUNCE_MS = 15
/**
 * Flush at once past this many queued rows so one transaction never grows without bound. An op
 * counts 1, plus whatever it reported through `grew()` (one op may insert a session's whole batch).
 */
export const DEFAULT_MAX_BATCH = 2000
/** After a failed commit (disk full, busy) retry after this delay; ops stay queued, nothing is dropped. */
export const RETRY_DELAY_MS = 500

interface Pending {
  op: () => void
  after?: () => void
}

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
  #immediate: ReturnType<typeof setImmediate> | null = null
  /** When the last commit ended (performance.now()); 0 before the first one. */
  #lastCommitAt = 0
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
    else this.#scheduleCommit()
  }

  /** Commit everything queued now (status changes and shutdown call this). Returns false if the commit failed. */
  flush(): boolean {
    if (this.#flushing || this.#queue.length === 0) return true
    this.#cancelTimers()
    const batch = this.#queue
    const weight = this.#weight
    this.#queue = []
    this.#weight = 0
    this.#flushing = true
    try {
      this.store.transaction(() => {
        for (const p of batch) p.op()
      })
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
    this.#lastCommitAt = performance.now()
    this.opts.onCommit?.(batch.length)
    for (const p of batch) {
      if (!p.after) continue
      try {
        p.after()
      } catch (err) {
        this.opts.onAfterError?.(err)
      }
    }
    return true
  }

  /** Final flush; later enqueues throw. */
  close(): boolean {
    const ok = this.flush()
    this.#closed = true
    this.#cancelTimers()
    return ok
  }

  /** Idle (no commit within the window): commit on the next macrotask. Busy: when the window since the last commit ends. */
  #scheduleCommit() {
    if (this.#timer || this.#immediate) return
    const wait = this.#lastCommitAt + this.#debounceMs - performance.now()
    if (this.#lastCommitAt === 0 || wait <= 0)
      this.#immediate = setImmediate(() => {
        this.#immediate = null
        this.flush()
      })
    else this.#schedule(wait)
  }

  #schedule(ms: number) {
    if (this.#timer) return
    this.#timer = setTimeout(() => {
      this.#timer = null
      this.flush()
    }, ms)
  }

  #cancelTimers() {
    if (this.#timer) {
      clearTimeout(this.#timer)
      this.#timer = null
    }
    if (this.#immediate) {
      clearImmediate(this.#immediate)
      this.#immediate = null
    }
  }
}
