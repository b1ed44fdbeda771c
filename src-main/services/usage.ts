/**
 * The daily usage ledger (table usage_daily, migration 0004): cost and tokens per local day, project,
 * agent and model. Fed by `agent.cost` events from the event hub: each carries the session's running
 * totals, and the ledger adds the difference to what it already counted for that session
 * (usage_counted, same transaction). Writes ride the group-commit writer as one op per commit, so a
 * burst of usage lines costs one upsert per (day, project, agent, model) per commit, not per event.
 * The usage view reads this table (a few hundred rows for 90 days), never the messages.
 */
import type Database from 'better-sqlite3'
import type { CostTotals } from '../shared/dto'
import type { GroupCommitWriter } from '../store/writer'
import { localDay, nextLocalMidnight } from './day'

export interface SessionMeta {
  projectId: string
  provider: string
  model: string | null
}

export interface UsageRow {
  day: string
  projectId: string
  provider: string
  model: string
  costUsd: number
  inputTokens: number
  outputTokens: number
  uncostedTokens: number
}

/** What one cost event added (the budget rules check these against the caps). */
/** One day × group (project id, agent id or model) of the usage view. */
export interface UsageGroupRow {
  day: string
  key: string
  costUsd: number
  tokens: number
  uncostedTokens: number
}
export type UsageGroupBy = 'project' | 'agent' | 'model'

export interface UsageDelta {
  costUsd: number
  tokens: number
  costKnown: boolean
}

const ZERO: DayTotals = Object.freeze({ costUsd: 0, uncostedTokens: 0 })

interface Bucket {
  day: string
  projectId: string
  provider: string
  model: string
  cost: number
  inT: number
  outT: number
  uncosted: number
}
/** Read-only for callers (the ledger's own running totals). */
export interface DayTotals {
  readonly costUsd: number
  readonly uncostedTokens: number
}

export class UsageLedger {
  readonly #counted = new Map<string, { cost: number; tokens: number }>()
  #pending = new Map<string, Bucket>()
  #pendingCounted = new Map<string, { cost: number; tokens: number }>()
  #queued = false
  /** Today's totals per project and overall, for the per-day caps (reloaded at local midnight). */
  #day = ''
  #todayProject = new Map<string, { costUsd: number; uncostedTokens: number }>()
  #todayAll = { costUsd: 0, uncostedTokens: 0 }
  /** The local day of the last event and when it ends: a Date is formatted once per day, not per event. */
  #dayStart = 0
  #dayEnd = 0
  #dayKey = ''
  readonly #s

  constructor(
    private readonly db: Database.Database,
    private readonly writer: GroupCommitWriter
  ) {
    this.#s = {
      counted: db.prepare<[string], { cost_usd: number; tokens: number }>('SELECT cost_usd, tokens FROM usage_counted WHERE session_id = ?'),
      setCounted: db.prepare(
        'INSERT INTO usage_counted (session_id, cost_usd, tokens) VALUES (?, ?, ?) ON CONFLICT (session_id) DO UPDATE SET cost_usd = excluded.cost_usd, tokens = excluded.tokens'
      ),
      add: db.prepare(`INSERT INTO usage_daily (day, project_id, provider, model, cost_usd, input_tokens, output_tokens, uncosted_tokens) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (day, project_id, provider, model) DO UPDATE SET cost_usd = cost_usd + excluded.cost_usd, input_tokens = input_tokens + excluded.input_tokens,
          output_tokens = output_tokens + excluded.output_tokens, uncosted_tokens = uncosted_tokens + excluded.uncosted_tokens`),
      since: db.prepare<
        [string],
        {
          day: string
          project_id: string
          provider: string
          model: string
          cost_usd: number
          input_tokens: number
          output_tokens: number
          uncosted_tokens: number
        }
      >('SELECT day, project_id, provider, model, cost_usd, input_tokens, output_tokens, uncosted_tokens FROM usage_daily WHERE day >= ? ORDER BY day'),
      dayByProject: db.prepare<[string], { project_id: string; cost: number; uncosted: number }>(
        'SELECT project_id, sum(cost_usd) AS cost, sum(uncosted_tokens) AS uncosted FROM usage_daily WHERE day = ? GROUP BY project_id'
      ),
      byProject: db.prepare<[string], { day: string; key: string; cost: number; tokens: number; uncosted: number }>(
        'SELECT day, project_id AS key, sum(cost_usd) AS cost, sum(input_tokens + output_tokens) AS tokens, sum(uncosted_tokens) AS uncosted FROM usage_daily WHERE day >= ? GROUP BY day, project_id'
      ),
      byAgent: db.prepare<[string], { day: string; key: string; cost: number; tokens: number; uncosted: number }>(
        'SELECT day, provider AS key, sum(cost_usd) AS cost, sum(input_tokens + output_tokens) AS tokens, sum(uncosted_tokens) AS uncosted FROM usage_daily WHERE day >= ? GROUP BY day, provider'
      ),
      byModel: db.prepare<[string], { day: string; key: string; cost: number; tokens: number; uncosted: number }>(
        'SELECT day, model AS key, sum(cost_usd) AS cost, sum(input_tokens + output_tokens) AS tokens, sum(uncosted_tokens) AS uncosted FROM usage_daily WHERE day >= ? GROUP BY day, model'
      ),
      projectTotals: db.prepare<[], { project_id: string; cost: number; tokens: number }>(
        'SELECT project_id, sum(cost_usd) AS cost, sum(input_tokens + output_tokens) AS tokens FROM usage_daily GROUP BY project_id'
      )
    }
  }

  /** Count a cost event's totals; returns what it added (zero when nothing new). */
  record(sessionId: string, meta: SessionMeta, totals: CostTotals, now: number): UsageDelta {
    let prev = this.#counted.get(sessionId)
    if (!prev) {
      const row = this.#s.counted.get(sessionId)
      prev = row ? { cost: row.cost_usd, tokens: row.tokens } : { cost: 0, tokens: 0 }
    }
    const tokens = totals.inputTokens + totals.outputTokens
    // Totals only grow; a lower value (a rewritten row) is taken as the new baseline, never negative.
    const dCost = Math.max(0, totals.costUsd - prev.cost)
    const dTok = Math.max(0, tokens - prev.tokens)
    const next = { cost: Math.max(prev.cost, totals.costUsd), tokens: Math.max(prev.tokens, tokens) }
    this.#counted.set(sessionId, next)
    const delta: UsageDelta = { costUsd: dCost, tokens: dTok, costKnown: totals.costKnown }
    if (dCost === 0 && dTok === 0) return delta
    const day = this.#dayOf(now)
    this.#rollTo(day)
    const model = meta.model ?? ''
    const key = `${day}\u0000${meta.projectId}\u0000${meta.provider}\u0000${model}`
    let b = this.#pending.get(key)
    if (!b) {
      b = { day, projectId: meta.projectId, provider: meta.provider, model, cost: 0, inT: 0, outT: 0, uncosted: 0 }
      this.#pending.set(key, b)
    }
    // The counted baseline is one token sum: the delta is split into input/output by the totals' ratio.
    const dIn = tokens > 0 ? Math.round((dTok * totals.inputTokens) / tokens) : 0
    b.cost += dCost
    b.inT += dIn
    b.outT += dTok - dIn
    const uncosted = totals.costKnown ? 0 : dTok
    b.uncosted += uncosted
    this.#pendingCounted.set(sessionId, next)
    const p = this.#todayProject.get(meta.projectId) ?? { costUsd: 0, uncostedTokens: 0 }
    p.costUsd += dCost
    p.uncostedTokens += uncosted
    this.#todayProject.set(meta.projectId, p)
    this.#todayAll.costUsd += dCost
    this.#todayAll.uncostedTokens += uncosted
    this.#enqueue()
    return delta
  }

  /** Today's totals (local day of `now`) for one project, or all with null. */
  today(projectId: string | null, now: number): DayTotals {
    this.#rollTo(this.#dayOf(now))
    if (projectId === null) return this.#todayAll
    return this.#todayProject.get(projectId) ?? ZERO
  }

  #dayOf(now: number): string {
    if (now < this.#dayStart || now >= this.#dayEnd) {
      this.#dayKey = localDay(now)
      this.#dayEnd = nextLocalMidnight(now)
      const d = new Date(now)
      this.#dayStart = new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime()
    }
    return this.#dayKey
  }

  rows(sinceDay: string): UsageRow[] {
    this.writer.flush()
    return this.#s.since.all(sinceDay).map((r) => ({
      day: r.day,
      projectId: r.project_id,
      provider: r.provider,
      model: r.model,
      costUsd: r.cost_usd,
      inputTokens: r.input_tokens,
      outputTokens: r.output_tokens,
      uncostedTokens: r.uncosted_tokens
    }))
  }

  /** Per day and project / agent / model, summed in SQL (the view never gets the raw rows). */
  grouped(sinceDay: string, by: UsageGroupBy): UsageGroupRow[] {
    this.writer.flush()
    const stmt = by === 'project' ? this.#s.byProject : by === 'agent' ? this.#s.byAgent : this.#s.byModel
    return stmt.all(sinceDay).map((r) => ({ day: r.day, key: r.key, costUsd: r.cost, tokens: r.tokens, uncostedTokens: r.uncosted }))
  }

  projectTotals(): { projectId: string; costUsd: number; tokens: number }[] {
    this.writer.flush()
    return this.#s.projectTotals.all().map((r) => ({ projectId: r.project_id, costUsd: r.cost, tokens: r.tokens }))
  }

  /** Forget a removed session's counted totals (its ledger rows stay). */
  forget(sessionId: string): void {
    this.#counted.delete(sessionId)
  }

  #rollTo(day: string): void {
    if (day === this.#day) return
    // A new local day (or the first use): today's totals come from the ledger, pending writes included.
    this.#day = day
    this.#todayProject = new Map()
    this.#todayAll = { costUsd: 0, uncostedTokens: 0 }
    for (const r of this.#s.dayByProject.all(day)) {
      this.#todayProject.set(r.project_id, { costUsd: r.cost, uncostedTokens: r.uncosted })
      this.#todayAll.costUsd += r.cost
      this.#todayAll.uncostedTokens += r.uncosted
    }
    for (const b of this.#pending.values()) {
      if (b.day !== day) continue
      const p = this.#todayProject.get(b.projectId) ?? { costUsd: 0, uncostedTokens: 0 }
      p.costUsd += b.cost
      p.uncostedTokens += b.uncosted
      this.#todayProject.set(b.projectId, p)
      this.#todayAll.costUsd += b.cost
      this.#todayAll.uncostedTokens += b.uncosted
    }
  }

  #enqueue(): void {
    if (this.#queued) return
    this.#queued = true
    // Written as they are when the commit runs; cleared only after it committed, so a rolled-back
    // commit writes them again on the writer's retry (op and after run in one synchronous flush).
    this.writer.enqueue(
      () => {
        for (const b of this.#pending.values()) this.#s.add.run(b.day, b.projectId, b.provider, b.model, b.cost, b.inT, b.outT, b.uncosted)
        for (const [id, c] of this.#pendingCounted) this.#s.setCounted.run(id, c.cost, c.tokens)
      },
      () => {
        this.#pending = new Map()
        this.#pendingCounted = new Map()
        this.#queued = false
      }
    )
  }
}
