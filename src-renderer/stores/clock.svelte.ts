/** The time for relative times ("5 min ago"): ticks every 30 s so they stay true without a timer per row. */

const TICK_MS = 30_000

export class LiveClock {
  now = $state(Date.now())
  #timer: ReturnType<typeof setInterval> | null = setInterval(() => (this.now = Date.now()), TICK_MS)

  dispose(): void {
    if (this.#timer) clearInterval(this.#timer)
    this.#timer = null
  }
}
