/**
 * CI-sized bench part 1 (`npm run bench` has the full one): events through the real pipeline
 * (ClaudeProvider → supervisor → group-commit writer → SQLite → hub → `events.stream`) for 1 and for
 * 4 concurrent sessions. Every event must arrive, in seq order, and throughput must stay within a
 * generous ratio of the bare minimum on the same machine at the same time (spawn the same agent,
 * frame and JSON.parse its output): this catches order-of-magnitude regressions, not noise.
 */
import { describe, expect, it } from 'vitest'
import { baselineRun } from '../../bench/parts/baseline'
import { throughputRun } from '../../bench/parts/throughput'

/** The pipeline runs at ~25 % of the bare read+parse rate on a 2-core machine (4× its CPU). */
const MIN_SHARE_OF_BASELINE = 0.025

describe('bench (CI size): throughput through the real pipeline', () => {
  it('1 session and 4 sessions: all events delivered gap-free, within 40× of bare read+parse', async () => {
    const base = await baselineRun({ events: 4_000 })
    const one = await throughputRun({ sessions: 1, eventsPerTurn: 2_000, turns: 2 })
    const four = await throughputRun({ sessions: 4, eventsPerTurn: 500, turns: 2 })
    expect(one.events).toBe(4_000)
    expect(four.events).toBe(4_000)
    expect(one.seqGaps).toBe(0)
    expect(four.seqGaps).toBe(0)
    // Batching must be in effect: one push carries many messages (per-event pushes would be ~1).
    expect(one.messagesPerPush).toBeGreaterThan(5)
    for (const r of [one, four]) {
      expect(
        r.eventsPerSec / base.eventsPerSec,
        `${r.sessions} session(s): ${Math.round(r.eventsPerSec)} vs bare ${Math.round(base.eventsPerSec)} events/s`
      ).toBeGreaterThan(MIN_SHARE_OF_BASELINE)
    }
  }, 90_000)
})
