/**
 * Part 1b — what the budget checks and the usage ledger add to the event path (issue 16): the same
 * stream of `agent.cost` events (20 sessions, cumulative totals, as the runner publishes them after
 * each committed usage line) published through the real hub of a real core, with the attention
 * listener attached (caps set on every level, so every check runs the rules) and detached, interleaved.
 * The result is CPU µs per event for each, and the difference; part 1's events cost ~30 µs.
 */
import { benchCore } from '../lib/core'
import type { ShepherdEvent } from '../../src-main/shared/events'

export interface AttentionOverheadOptions {
  events: number
  rounds: number
}
export interface AttentionOverheadResult {
  events: number
  withUs: number[]
  withoutUs: number[]
}

export async function attentionOverheadRun(o: AttentionOverheadOptions): Promise<AttentionOverheadResult> {
  const b = await benchCore()
  try {
    const ctx = b.core.createContext()
    // Caps high enough never to be reached: every event runs the full rules.
    await b.caller.budgets.setGlobal({ sessionUsd: 1e4, projectDayUsd: 5e4, globalDayUsd: 9e4, sessionTokens: 1e9, warnPercent: 99 })
    const sessions: string[] = []
    for (let i = 0; i < 20; i++) {
      const id = `bench-${i}`
      b.core.store.insertSession({
        id,
        projectId: b.projectId,
        provider: 'claude',
        model: 'claude-opus-5-5',
        permissionMode: 'default',
        cwd: '/tmp',
        title: 't',
        systemPrompt: null,
        extraEnv: {},
        status: 'idle',
        now: Date.now()
      })
      sessions.push(id)
    }
    const totals = new Map(sessions.map((id) => [id, { cost: 0, tokens: 0 }]))
    const stream = (n: number): ShepherdEvent[] =>
      Array.from({ length: n }, (_, i) => {
        const id = sessions[i % sessions.length]!
        const t = totals.get(id)!
        t.cost += 0.00001
        t.tokens += 37
        return {
          type: 'agent.cost',
          sessionId: id,
          projectId: b.projectId,
          seq: i,
          totals: {
            costUsd: t.cost,
            inputTokens: t.tokens,
            outputTokens: 5,
            cacheReadTokens: 0,
            cacheWriteTokens: 0,
            contextTokens: null,
            contextWindow: null,
            costKnown: true
          }
        }
      })
    const withUs: number[] = []
    const withoutUs: number[] = []
    // Detached for good; each "with" run listens again for its duration.
    ctx.attention.dispose()
    const measure = (events: ShepherdEvent[], attached: boolean): number => {
      const off = attached ? b.core.hub.listen(ctx.attention.onEvent) : null
      const c0 = process.cpuUsage()
      for (const e of events) b.core.hub.publish(e)
      // The ledger's upserts (one per day × project × agent × model per commit) are part of the cost.
      ctx.attention.usage.rows('9999-12-31')
      const c = process.cpuUsage(c0)
      off?.()
      return (c.user + c.system) / events.length
    }
    measure(stream(o.events), true)
    for (let r = 0; r < o.rounds; r++) {
      withoutUs.push(measure(stream(o.events), false))
      withUs.push(measure(stream(o.events), true))
    }
    return { events: o.events, withUs, withoutUs }
  } finally {
    await b.cleanup()
  }
}
