/**
 * Streaming drafts (see `ProviderDraft`) arrive once per model chunk, often dozens per second; a pane
 * needs a few. Keeps only the newest and hands it on at most once per interval (first one at once,
 * then the newest at the end of each interval), so a long answer costs a bounded number of pushes
 * whatever the chunk rate. Each draft holds the whole text, so skipping the ones between loses nothing.
 */
import type { ProviderDraft } from '../providers/types'

/** ~8 updates a second reads as live typing and keeps the full-text pushes cheap. */
export const DRAFT_INTERVAL_MS = 120

export class DraftThrottle {
  /** `undefined`: nothing waiting (a `null` draft is a real "the block ended empty"). */
  #pending: ProviderDraft | null | undefined = undefined
  #timer: ReturnType<typeof setTimeout> | null = null
  #last = -Infinity

  constructor(
    private readonly push: (draft: ProviderDraft | null) => void,
    private readonly intervalMs = DRAFT_INTERVAL_MS,
    private readonly now: () => number = Date.now
  ) {}

  offer(draft: ProviderDraft | null): void {
    this.#pending = draft
    if (this.#timer) return
    const wait = this.#last + this.intervalMs - this.now()
    if (wait <= 0) this.#fire()
    else
      this.#timer = setTimeout(() => {
        this.#timer = null
        this.#fire()
      }, wait)
  }

  /** A message superseded the draft, or the turn or process ended: drop what is waiting. */
  cancel(): void {
    this.#pending = undefined
    if (this.#timer) clearTimeout(this.#timer)
    this.#timer = null
  }

  #fire(): void {
    const draft = this.#pending
    this.#pending = undefined
    if (draft === undefined) return
    this.#last = this.now()
    this.push(draft)
  }
}
