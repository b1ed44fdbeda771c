/**
 * Diagnostic for part 2: the same stream in-process (no WebSocket, no browser): agent line written →
 * delivered to an `events.stream` subscriber, with the duration of every commit and the event-loop
 * delay, to tell debounce, commit (fsync, checkpoint) and event-loop stalls apart.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { benchCore } from '../lib/core'
import { percentile } from '../lib/stats'
import { stampOf, synthPrompt, wallNow } from '../lib/synthetic'
import type { ShepherdEvent } from '../../src-main/shared/events'

export interface CoreLatencyOptions {
  rate: number
  seconds: number
}

export async function coreLatencyRun(o: CoreLatencyOptions) {
  const bc = await benchCore()
  const ac = new AbortController()
  const lat: number[] = []
  const commits: number[] = []
  const store = bc.core.store as unknown as { transaction<T>(fn: () => T): T }
  const real = store.transaction.bind(store)
  store.transaction = <T>(fn: () => T): T => {
    const t = performance.now()
    try {
      return real(fn)
    } finally {
      commits.push(performance.now() - t)
    }
  }
  let idle = false
  try {
    const stream = (await bc.callerWith(ac.signal).events.stream(undefined)) as AsyncIterable<[string, ShepherdEvent]>
    void (async () => {
      for await (const [, ev] of stream) {
        if (ev.type === 'agent.status') idle = ev.status === 'idle'
        if (ev.type !== 'agent.message') continue
        const t = wallNow()
        for (const m of ev.messages) {
          const st = stampOf(m)
          if (st) lat.push(t - st.writtenAt)
        }
      }
    })().catch(() => {})
    const s = await bc.caller.sessions.start({ projectId: bc.projectId, prompt: synthPrompt(20) })
    while (!idle) await new Promise((r) => setTimeout(r, 20))
    lat.length = 0
    commits.length = 0
    idle = false
    const h = monitorEventLoopDelay({ resolution: 5 })
    h.enable()
    await bc.caller.sessions.send({ id: s.id, prompt: synthPrompt(o.rate * o.seconds, o.rate, 2) })
    while (!idle) await new Promise((r) => setTimeout(r, 20))
    h.disable()
    return {
      events: lat.length,
      p50Ms: percentile(lat, 50),
      p90Ms: percentile(lat, 90),
      p99Ms: percentile(lat, 99),
      maxMs: Math.max(...lat),
      commits: commits.length,
      commitP50Ms: percentile(commits, 50),
      commitP99Ms: percentile(commits, 99),
      commitMaxMs: Math.max(...commits),
      loopDelayP99Ms: h.percentile(99) / 1e6,
      loopDelayMaxMs: h.max / 1e6
    }
  } finally {
    ac.abort()
    await bc.cleanup()
  }
}
