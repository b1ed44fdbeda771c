/**
 * Part 1 — throughput: synthetic agents write stream-json as fast as the pipe takes it; every line
 * goes through the real pipeline (ClaudeProvider parse → supervisor seq → group-commit writer →
 * hub → `events.stream` via a tRPC caller). Measured from the first prompt sent to the last agent
 * event delivered to the subscriber (delivery happens only after the commit), with the CPU time this
 * process (the Shepherd main process) and the agents spent meanwhile.
 */
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { benchCore } from '../lib/core'
import { cpuMsOf, selfCpuMs } from '../lib/proc'
import { stampOf, synthPrompt, wallNow } from '../lib/synthetic'
import type { ShepherdEvent } from '../../src-main/shared/events'
import type { SessionStatus } from '../../src-main/shared/status'

export interface ThroughputOptions {
  sessions: number
  /** Agent event lines per turn. */
  eventsPerTurn: number
  /** Turns per session (each ends with a cost line); prompts after the first are queued by Shepherd. */
  turns: number
  timeoutMs?: number
  /** Run without the search index's triggers (issue 15: what indexing costs on the event path). */
  noSearchIndex?: boolean
}

export interface ThroughputResult {
  sessions: number
  events: number
  wallMs: number
  eventsPerSec: number
  /** Shepherd main-process CPU (parse, seq, commit, push, subscriber) per event. */
  cpuUsPerEvent: number
  /** The synthetic agents' CPU per event (generating and writing lines), for context. */
  agentCpuUsPerEvent: number
  /** Average `agent.message` batch size pushed to the subscriber. */
  messagesPerPush: number
  /** Stored message text + tool input per event (bytes, UTF-16 length). */
  bytesPerEvent: number
  /** Pushed seq values missing or out of order (must be 0). */
  seqGaps: number
  /** Share of the window the main event loop was busy (1 = saturated: Shepherd itself is the limit). */
  eventLoopUtilization: number
}

export async function throughputRun(o: ThroughputOptions): Promise<ThroughputResult> {
  const bc = await benchCore()
  if (o.noSearchIndex) {
    // The schema change is seen by the core's connection (its statements re-prepare).
    const { default: Database } = await import('better-sqlite3')
    const db = new Database(join(bc.dataDir, 'shepherd.db'))
    db.exec('DROP TRIGGER messages_fts_insert')
    db.close()
  }
  const ac = new AbortController()
  const status = new Map<string, SessionStatus>()
  const lastSeq = new Map<string, number>()
  let stamped = 0
  let pushes = 0
  let pushedMessages = 0
  let bytes = 0
  let seqGaps = 0
  let lastAt = 0
  /** Wakes the waiting `until` loop when an event arrives (a holder, so TS does not narrow it to null). */
  const waker: { wake: (() => void) | null } = { wake: null }
  try {
    const stream = (await bc.callerWith(ac.signal).events.stream(undefined)) as AsyncIterable<[string, ShepherdEvent]>
    const iterator = stream[Symbol.asyncIterator]()
    const first = iterator.next() // the generator subscribes on its first pull
    const consume = (async () => {
      let next = first
      for (;;) {
        const r = await next
        if (r.done) return
        const ev = r.value[1]
        if (ev.type === 'agent.message') {
          pushes++
          for (const m of ev.messages) {
            pushedMessages++
            const prev = lastSeq.get(m.sessionId) ?? 0
            if (m.seq !== prev + 1) seqGaps++
            lastSeq.set(m.sessionId, m.seq)
            if (stampOf(m)) {
              stamped++
              bytes += m.text.length + (m.toolInput?.length ?? 0)
            }
          }
          lastAt = wallNow()
        } else if (ev.type === 'agent.status') status.set(ev.sessionId, ev.status)
        waker.wake?.()
        next = iterator.next()
      }
    })()
    const until = async (what: string, check: () => boolean, timeoutMs = o.timeoutMs ?? 120_000) => {
      const deadline = Date.now() + timeoutMs
      while (!check()) {
        if (Date.now() > deadline) throw new Error(`throughput: timed out waiting for ${what}`)
        await new Promise<void>((r) => {
          waker.wake = r
          setTimeout(r, 50)
        })
        waker.wake = null
      }
    }
    await until('the subscription', () => bc.core.hub.subscriberCount > 0, 5_000)

    // Start every agent with a short turn so process start-up (and the agent's content pool and JIT
    // warm-up) is not measured; the measured turns reuse the same content seed.
    const ids: string[] = []
    for (let i = 0; i < o.sessions; i++) {
      const s = await bc.caller.sessions.start({ projectId: bc.projectId, prompt: synthPrompt(200) })
      ids.push(s.id)
    }
    await until('agents to start', () => ids.every((id) => status.get(id) === 'idle'), 60_000)
    const pids = ids.map((id) => bc.core.store.getSession(id)?.pid ?? 0).filter((p) => p > 0)

    stamped = 0
    pushes = 0
    pushedMessages = 0
    bytes = 0
    const expected = o.sessions * o.turns * o.eventsPerTurn
    const agentCpu0 = cpuMsOf(pids)
    const cpu0 = selfCpuMs()
    const elu0 = performance.eventLoopUtilization()
    const t0 = wallNow()
    for (let t = 0; t < o.turns; t++) {
      for (const id of ids) await bc.caller.sessions.send({ id, prompt: synthPrompt(o.eventsPerTurn) })
    }
    await until(`${expected} events`, () => stamped >= expected)
    const cpuMs = selfCpuMs() - cpu0
    const elu = performance.eventLoopUtilization(elu0).utilization
    const agentCpuMs = cpuMsOf(pids) - agentCpu0
    const wallMs = lastAt - t0
    ac.abort()
    waker.wake?.()
    void consume.catch(() => {})
    return {
      sessions: o.sessions,
      events: stamped,
      wallMs,
      eventsPerSec: (stamped / wallMs) * 1000,
      cpuUsPerEvent: (cpuMs * 1000) / stamped,
      agentCpuUsPerEvent: (agentCpuMs * 1000) / stamped,
      messagesPerPush: pushedMessages / Math.max(1, pushes),
      bytesPerEvent: bytes / Math.max(1, stamped),
      seqGaps,
      eventLoopUtilization: elu
    }
  } finally {
    ac.abort()
    await bc.cleanup()
  }
}
