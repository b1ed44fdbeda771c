/**
 * The prompts a session accepted but has not delivered yet (a turn was running, or the session waits
 * for a free slot). One queue per session, owned by its `Session`; items are keyed by id, so two
 * identical follow-ups are two items and each is delivered (issue 10, bug 2: they used to be merged
 * by text). Stored in the session row's `queued_prompts` column (see store/queued-prompts.ts).
 */
import { randomUUID } from 'node:crypto'
import type { QueuedPrompt } from '../store/queued-prompts'

export type { QueuedPrompt }

export class PromptQueue {
  #items: QueuedPrompt[]

  constructor(items: readonly QueuedPrompt[] = []) {
    this.#items = [...items]
  }

  get items(): readonly QueuedPrompt[] {
    return this.#items
  }
  get length(): number {
    return this.#items.length
  }

  add(text: string): QueuedPrompt {
    const item = { id: randomUUID(), text }
    this.#items.push(item)
    return item
  }

  /** The oldest item, removed. */
  shift(): QueuedPrompt | undefined {
    return this.#items.shift()
  }

  /** Removes exactly this item (never others with the same text). */
  remove(id: string): boolean {
    const i = this.#items.findIndex((q) => q.id === id)
    if (i < 0) return false
    this.#items.splice(i, 1)
    return true
  }

  clear(): void {
    this.#items = []
  }
}
