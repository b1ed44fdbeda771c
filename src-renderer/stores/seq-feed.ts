/**
 * The seq logic of one session's transcript, free of Svelte so it is easy to test exhaustively:
 * applies each message exactly once whatever path it came by, buffers messages that arrive ahead of
 * a gap and asks for the missing range.
 */
import type { MessageDTO } from '../../src-main/shared/dto'

export interface FeedResult {
  /** Messages to append, in seq order (contiguous with what was there). */
  appended: MessageDTO[]
  /** Set when a gap was seen: fetch everything after this seq. */
  gapAfter: number | null
}

/** Messages held while waiting for a gap to be filled; beyond this we drop them and refetch. */
const MAX_AHEAD = 20_000

export class SeqFeed {
  #lastSeq: number
  #ahead = new Map<number, MessageDTO>()

  constructor(lastSeq = 0) {
    this.#lastSeq = lastSeq
  }

  get lastSeq(): number {
    return this.#lastSeq
  }

  get waiting(): number {
    return this.#ahead.size
  }

  /** Feed messages from any source (live push, page, gap fill, replay), any order, duplicates allowed. */
  push(messages: readonly MessageDTO[]): FeedResult {
    for (const m of messages) {
      if (m.seq > this.#lastSeq && !this.#ahead.has(m.seq) && this.#ahead.size < MAX_AHEAD) this.#ahead.set(m.seq, m)
    }
    const appended: MessageDTO[] = []
    for (let next = this.#ahead.get(this.#lastSeq + 1); next; next = this.#ahead.get(this.#lastSeq + 1)) {
      this.#ahead.delete(next.seq)
      this.#lastSeq = next.seq
      appended.push(next)
    }
    return { appended, gapAfter: this.#ahead.size > 0 ? this.#lastSeq : null }
  }

  /** Reset to a known position (a fresh tail page), keeping buffered messages past it. */
  reset(lastSeq: number): void {
    this.#lastSeq = lastSeq
    for (const seq of [...this.#ahead.keys()]) if (seq <= lastSeq) this.#ahead.delete(seq)
  }
}
