/**
 * Fan-out of committed events to subscribers. Every event gets a global id `<epoch>-<n>`: the
 * tRPC `tracked()` id. A client that reconnects with `lastEventId` gets the events it missed from a
 * ring buffer; if they are gone (ring overflow, or the id is from an earlier run of the app) it gets
 * a `resync` and refetches from the API — the database, not this buffer, is the source of truth.
 */
import type { ShepherdEvent } from '../shared/events'

/** Events kept for replay after a reconnect (a reload usually needs only a few hundred). */
export const RING_SIZE = 10_000
/** A subscriber that falls this far behind gets a `resync` instead of an ever-growing queue. */
export const SUBSCRIBER_HIGH_WATER = 5_000

export interface HubItem {
  id: string
  event: ShepherdEvent
}

class Subscriber {
  queue: HubItem[] = []
  wake: (() => void) | null = null
  overflowed = false
  push(item: HubItem) {
    if (this.overflowed) return
    if (this.queue.length >= SUBSCRIBER_HIGH_WATER) {
      this.overflowed = true
      this.queue = []
    } else this.queue.push(item)
    this.wake?.()
  }
}

export class EventHub {
  /** Changes every process start so ids from a previous run are recognised as stale. */
  readonly epoch = Date.now().toString(36)
  #n = 0
  #ring: HubItem[] = []
  #subs = new Set<Subscriber>()
  /** In-process listeners (budgets, inbox), called synchronously on publish. */
  #listeners: ((event: ShepherdEvent) => void)[] = []

  get subscriberCount(): number {
    return this.#subs.size
  }

  /** Listen in-process to every event as it is published; returns the unsubscribe. */
  listen(fn: (event: ShepherdEvent) => void): () => void {
    this.#listeners.push(fn)
    return () => {
      this.#listeners = this.#listeners.filter((l) => l !== fn)
    }
  }

  publish(event: ShepherdEvent): void {
    const item = { id: `${this.epoch}-${++this.#n}`, event }
    this.#ring.push(item)
    // Trim in chunks so the ring is not shifted on every publish.
    if (this.#ring.length > RING_SIZE * 1.25) this.#ring = this.#ring.slice(-RING_SIZE)
    for (const s of this.#subs) s.push(item)
    // After the subscribers got it, so an event a listener publishes follows the one it reacts to.
    for (const l of this.#listeners) l(event)
  }

  /** Items after `lastEventId`, or null when they cannot be replayed. */
  replayAfter(lastEventId: string): HubItem[] | null {
    const [epoch, nStr] = lastEventId.split('-')
    const n = Number(nStr)
    if (epoch !== this.epoch || !Number.isInteger(n) || n > this.#n) return null
    const first = this.#ring[0]
    const firstN = first ? Number(first.id.split('-')[1]) : this.#n + 1
    if (n + 1 < firstN) return null
    return this.#ring.slice(n + 1 - firstN)
  }

  async *subscribe(lastEventId: string | null | undefined, signal: AbortSignal | undefined): AsyncGenerator<HubItem> {
    const sub = new Subscriber()
    this.#subs.add(sub)
    const onAbort = () => sub.wake?.()
    signal?.addEventListener('abort', onAbort)
    try {
      if (lastEventId) {
        const missed = this.replayAfter(lastEventId)
        if (missed === null) yield this.#resyncItem('cannot replay from ' + lastEventId)
        else for (const item of missed) yield item
      }
      while (!signal?.aborted) {
        if (sub.overflowed) {
          sub.overflowed = false
          yield this.#resyncItem('subscriber fell behind')
          continue
        }
        const item = sub.queue.shift()
        if (item) {
          yield item
          continue
        }
        await new Promise<void>((resolve) => {
          sub.wake = resolve
        })
        sub.wake = null
      }
    } finally {
      signal?.removeEventListener('abort', onAbort)
      this.#subs.delete(sub)
    }
  }

  #resyncItem(reason: string): HubItem {
    // The id of the newest event, so a later reconnect resumes from here.
    return { id: `${this.epoch}-${this.#n}`, event: { type: 'resync', reason } }
  }
}
