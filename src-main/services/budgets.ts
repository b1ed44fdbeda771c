/**
 * Budgets: caps per session, per project per local day and for everything per day (USD for agents
 * that report cost, tokens for token-only agents), a warning threshold, and the pause at the cap.
 *
 * Fed synchronously by the event hub (`agent.cost` after each committed cost update): the ledger adds
 * the difference, then the rules run on in-memory numbers (no query on the event path). At the cap
 * the session is held through the supervisor (`holdForBudget`): the running turn is interrupted (or
 * its current tool call allowed to finish), queued prompts stay queued, no new turn starts — the
 * supervisor asks `gate()` before any prompt starts a turn. Nothing is killed; the user raises the
 * cap, allows one more turn, or stops it. Held state lives in `session_budget` and survives restarts.
 */
import type Database from 'better-sqlite3'
import type { CostTotals } from '../shared/dto'
import type { ShepherdEvent } from '../shared/events'
import { ShepherdError } from '../shared/errors'
import type { Store } from '../store/store'
import type { GroupCommitWriter } from '../store/writer'
import type { EventHub } from '../supervisor/event-hub'
import {
  DEFAULT_GLOBAL_BUDGET,
  EMPTY_PROJECT_BUDGET,
  describeCap,
  effectiveCaps,
  evaluate,
  globalBudgetSchema,
  nearAnyCap,
  projectBudgetSchema,
  warningKey,
  type CapCheck,
  type GlobalBudget,
  type ProjectBudget,
  type Verdict
} from './budget-rules'
import { localDay, nextLocalMidnight, timeZoneName } from './day'
import type { SessionMeta, UsageLedger } from './usage'

/** What the budgets need from the supervisor (kept small: another engineer owns the supervisor). */
export interface BudgetControl {
  holdForBudget(id: string, opts: { finishToolCall: boolean; interrupt: boolean }): void
  release(id: string): void
  stop(id: string): Promise<unknown>
}

export interface BudgetHoldDTO {
  sessionId: string
  projectId: string
  /** Why: the cap(s) reached, in words ("$5.02 of this session's cap of $5.00"). */
  reason: string
  over: CapCheck[]
  at: number
  unit: 'usd' | 'tokens'
}

export interface BudgetWarning {
  sessionId: string
  projectId: string
  text: string
  key: string
}

interface SessionBudgetRow {
  session_id: string
  extra_usd: number
  extra_tokens: number
  allow_turn: number
  held: number
  held_reason: string | null
  held_at: number | null
  warned: string
}

const NO_EXTRA = Object.freeze({ usd: 0, tokens: 0 })
const NOTHING: Verdict = Object.freeze({ over: [], warn: [], applies: [] }) as unknown as Verdict

/** allow_turn: granted but not started yet, or the allowed turn is running. */
const ALLOW_GRANTED = 1
const ALLOW_RUNNING = 2

export class BudgetService {
  #global: GlobalBudget
  #projects = new Map<string, ProjectBudget>()
  #meta = new Map<string, SessionMeta & { totals: CostTotals | null }>()
  #state = new Map<string, SessionBudgetRow>()
  #dayWarned = new Set<string>()
  #control: BudgetControl | null = null
  /** Whether any cap is set anywhere: without one, a cost event costs only the ledger's bookkeeping. */
  #anyCap = false
  /** Effective caps per project (the global ones with the project's overrides), rebuilt on a change. */
  #caps = new Map<string, GlobalBudget>()
  #midnight: ReturnType<typeof setTimeout> | null = null
  readonly #s

  constructor(
    private readonly db: Database.Database,
    private readonly store: Store,
    private readonly writer: GroupCommitWriter,
    private readonly hub: EventHub,
    private readonly ledger: UsageLedger,
    private readonly clock: () => number = Date.now
  ) {
    this.#s = {
      config: db.prepare<[], { scope: string; config: string }>('SELECT scope, config FROM budgets'),
      setConfig: db.prepare('INSERT INTO budgets (scope, config) VALUES (?, ?) ON CONFLICT (scope) DO UPDATE SET config = excluded.config'),
      states: db.prepare<[], SessionBudgetRow>('SELECT * FROM session_budget'),
      put: db.prepare(`INSERT INTO session_budget (session_id, extra_usd, extra_tokens, allow_turn, held, held_reason, held_at, warned)
        VALUES (@session_id, @extra_usd, @extra_tokens, @allow_turn, @held, @held_reason, @held_at, @warned)
        ON CONFLICT (session_id) DO UPDATE SET extra_usd = excluded.extra_usd, extra_tokens = excluded.extra_tokens, allow_turn = excluded.allow_turn,
          held = excluded.held, held_reason = excluded.held_reason, held_at = excluded.held_at, warned = excluded.warned`),
      attention: db.prepare(
        'INSERT INTO attention (session_id, kind, at, detail) SELECT @sid, @kind, @at, @detail WHERE EXISTS (SELECT 1 FROM sessions WHERE id = @sid) ON CONFLICT (session_id, kind) DO UPDATE SET at = excluded.at, detail = excluded.detail'
      )
    }
    this.#global = DEFAULT_GLOBAL_BUDGET
    for (const r of this.#s.config.all()) {
      const json = JSON.parse(r.config) as unknown
      if (r.scope === 'global') {
        const p = globalBudgetSchema.safeParse({ ...DEFAULT_GLOBAL_BUDGET, ...(json as object) })
        if (p.success) this.#global = p.data
      } else if (r.scope === 'day-warnings') {
        for (const k of json as string[]) this.#dayWarned.add(k)
      } else if (r.scope.startsWith('project:')) {
        const p = projectBudgetSchema.safeParse({ ...EMPTY_PROJECT_BUDGET, ...(json as object) })
        if (p.success) this.#projects.set(r.scope.slice('project:'.length), p.data)
      }
    }
    for (const r of this.#s.states.all()) this.#state.set(r.session_id, r)
    this.#updateAnyCap()
  }

  #updateAnyCap(): void {
    this.#caps.clear()
    const g = this.#global
    const set = (c: { sessionUsd: number | null; sessionTokens: number | null; projectDayUsd: number | null; projectDayTokens: number | null }) =>
      c.sessionUsd !== null || c.sessionTokens !== null || c.projectDayUsd !== null || c.projectDayTokens !== null
    this.#anyCap = set(g) || g.globalDayUsd !== null || g.globalDayTokens !== null || [...this.#projects.values()].some(set)
  }

  /** Connect the supervisor: sessions held before a restart stay held (no process runs for them yet). */
  attach(control: BudgetControl): void {
    this.#control = control
    for (const s of this.#state.values()) if (s.held) control.holdForBudget(s.session_id, { finishToolCall: false, interrupt: false })
    this.#armMidnight()
  }

  dispose(): void {
    if (this.#midnight) clearTimeout(this.#midnight)
    this.#midnight = null
  }

  // ---- the event path ---------------------------------------------------------------------------

  onEvent(e: ShepherdEvent): void {
    switch (e.type) {
      case 'session.changed': {
        const m = this.#meta.get(e.session.id)
        const totals = m?.totals ?? e.session.totals
        this.#meta.set(e.session.id, { projectId: e.session.projectId, provider: e.session.provider, model: e.session.model, totals })
        return
      }
      case 'agent.cost': {
        const meta = this.#metaOf(e.sessionId)
        if (!meta) return
        meta.totals = e.totals
        const delta = this.ledger.record(e.sessionId, meta, e.totals, this.clock())
        // A cost that arrives after the session stopped is still counted; the check marks it over
        // budget (its next turn is held) but there is nothing to interrupt.
        if (this.#anyCap && (delta.costUsd > 0 || delta.tokens > 0)) this.check(e.sessionId)
        return
      }
      case 'agent.status': {
        const st = this.#state.get(e.sessionId)
        if (st?.allow_turn === ALLOW_RUNNING && e.status !== 'running' && e.status !== 'waiting_approval' && e.status !== 'starting') {
          // The one allowed turn is over: back to the caps.
          this.#put({ ...st, allow_turn: 0 })
          this.check(e.sessionId)
        }
        return
      }
      case 'session.removed':
        this.#meta.delete(e.sessionId)
        this.#state.delete(e.sessionId)
        this.ledger.forget(e.sessionId)
        return
      default:
    }
  }

  /**
   * The supervisor asks before a prompt starts a turn (a queued prompt, a follow-up, a resume):
   * false = over the cap, the prompt stays queued and the session is marked over budget.
   */
  gate(sessionId: string): boolean {
    const st = this.#state.get(sessionId)
    if (!this.#anyCap && !st) return true
    if (st?.allow_turn === ALLOW_GRANTED) {
      this.#put({ ...st, allow_turn: ALLOW_RUNNING })
      return true
    }
    if (st?.allow_turn === ALLOW_RUNNING) return true
    if (st?.held) return false
    const v = this.#verdict(sessionId)
    if (!v || v.over.length === 0) return true
    this.#hold(sessionId, v, false)
    return false
  }

  /** Run the rules for one session now (after a cost update or a cap change). */
  check(sessionId: string): void {
    const v = this.#verdict(sessionId, true)
    if (!v || (v.over.length === 0 && v.warn.length === 0)) return
    const st = this.#row(sessionId)
    if (v.over.length === 0) {
      this.#warn(sessionId, v, st)
      return
    }
    if (st.held || st.allow_turn) return
    this.#hold(sessionId, v, true)
  }

  // ---- user actions -------------------------------------------------------------------------------

  config(): { global: GlobalBudget; projects: Record<string, ProjectBudget>; timeZone: string } {
    return { global: this.#global, projects: Object.fromEntries(this.#projects), timeZone: timeZoneName() }
  }

  setGlobal(patch: Partial<GlobalBudget>): GlobalBudget {
    const next = globalBudgetSchema.safeParse({ ...this.#global, ...patch })
    if (!next.success) throw badCaps(next.error.issues)
    this.#global = next.data
    this.#updateAnyCap()
    this.#s.setConfig.run('global', JSON.stringify(next.data))
    this.#recheckAll()
    return next.data
  }

  setProject(projectId: string, patch: Partial<ProjectBudget>): ProjectBudget {
    if (!this.store.getProject(projectId)) throw new ShepherdError('NOT_FOUND', `no project with id ${projectId}`)
    const next = projectBudgetSchema.safeParse({ ...(this.#projects.get(projectId) ?? EMPTY_PROJECT_BUDGET), ...patch })
    if (!next.success) throw badCaps(next.error.issues)
    this.#projects.set(projectId, next.data)
    this.#updateAnyCap()
    this.#s.setConfig.run(`project:${projectId}`, JSON.stringify(next.data))
    this.#recheckAll()
    return next.data
  }

  holds(): BudgetHoldDTO[] {
    const out: BudgetHoldDTO[] = []
    for (const s of this.#state.values()) {
      if (!s.held) continue
      const meta = this.#metaOf(s.session_id)
      if (!meta) continue
      const over = s.held_reason ? (JSON.parse(s.held_reason) as CapCheck[]) : []
      out.push({
        sessionId: s.session_id,
        projectId: meta.projectId,
        over,
        reason: over.map(describeCap).join('; '),
        at: s.held_at ?? 0,
        unit: over[0]?.unit ?? 'usd'
      })
    }
    return out
  }

  /** Raise this session's cap by an amount (USD for agents with cost, tokens otherwise); resumes it when that is enough. */
  raise(sessionId: string, amount: number): BudgetHoldDTO[] {
    const meta = this.#needSession(sessionId)
    const st = this.#row(sessionId)
    const usd = meta.totals?.costKnown !== false
    this.#put({ ...st, extra_usd: st.extra_usd + (usd ? amount : 0), extra_tokens: st.extra_tokens + (usd ? 0 : Math.round(amount)) })
    const v = this.#verdict(sessionId)
    if (st.held && v && v.over.length === 0) this.#release(sessionId)
    else if (st.held && v) this.#put({ ...this.#row(sessionId), held_reason: JSON.stringify(v.over) })
    this.#changed()
    return this.holds()
  }

  /** Let one more turn run past the cap; the session is held again when that turn ends over the cap. */
  allowTurn(sessionId: string): void {
    this.#needSession(sessionId)
    const st = this.#row(sessionId)
    this.#put({ ...st, allow_turn: ALLOW_GRANTED })
    if (st.held) this.#release(sessionId)
    this.#changed()
  }

  /** Stop an over-budget session (the process ends gracefully; the transcript stays). */
  async stop(sessionId: string): Promise<void> {
    this.#needSession(sessionId)
    // Stopped first (its queued prompts are dropped with the process), then the hold is lifted, so
    // nothing queued starts a turn in between.
    await this.#control?.stop(sessionId)
    const st = this.#row(sessionId)
    if (st.held) this.#put({ ...st, held: 0, held_reason: null, held_at: null })
    this.#control?.release(sessionId)
    this.#changed()
  }

  // ---- internals --------------------------------------------------------------------------------

  #verdict(sessionId: string, onlyIfNear = false): Verdict | null {
    const meta = this.#metaOf(sessionId)
    if (!meta) return null
    const totals = meta.totals
    const now = this.clock()
    let caps = this.#caps.get(meta.projectId)
    if (!caps) {
      caps = effectiveCaps(this.#global, this.#projects.get(meta.projectId) ?? null)
      this.#caps.set(meta.projectId, caps)
    }
    const p = this.ledger.today(meta.projectId, now)
    const g = this.ledger.today(null, now)
    const st = this.#state.get(sessionId)
    const spend = {
      sessionUsd: totals?.costUsd ?? 0,
      sessionTokens: (totals?.inputTokens ?? 0) + (totals?.outputTokens ?? 0),
      projectDayUsd: p.costUsd,
      projectDayTokens: p.uncostedTokens,
      globalDayUsd: g.costUsd,
      globalDayTokens: g.uncostedTokens,
      costKnown: totals?.costKnown !== false
    }
    const extra = st ? { usd: st.extra_usd, tokens: st.extra_tokens } : NO_EXTRA
    // Far from every cap (the usual case on the event path): nothing to warn about or hold.
    if (onlyIfNear && !nearAnyCap(spend, caps, extra)) return NOTHING
    return evaluate(spend, caps, extra)
  }

  #hold(sessionId: string, v: Verdict, interrupt: boolean): void {
    const meta = this.#metaOf(sessionId)!
    const now = this.clock()
    this.#put({ ...this.#row(sessionId), held: 1, held_reason: JSON.stringify(v.over), held_at: now, allow_turn: 0 })
    this.#control?.holdForBudget(sessionId, { finishToolCall: this.#global.pauseAt === 'after_tool', interrupt })
    this.hub.publish({
      type: 'budget.alert',
      level: 'over',
      sessionId,
      projectId: meta.projectId,
      text: `Paused at the budget cap: ${v.over.map(describeCap).join('; ')}`
    })
    this.#changed()
  }

  #release(sessionId: string): void {
    const st = this.#row(sessionId)
    this.#put({ ...st, held: 0, held_reason: null, held_at: null })
    this.#control?.release(sessionId)
  }

  #warn(sessionId: string, v: Verdict, st: SessionBudgetRow): void {
    if (v.warn.length === 0) return
    const day = localDay(this.clock())
    const warned = new Set(JSON.parse(st.warned) as string[])
    const fresh = v.warn.filter((c) => {
      const k = warningKey(c, day)
      if (c.scope === 'session') return !warned.has(k)
      // A day cap warns once per project/all and day, whichever session crosses it.
      const dk = `${c.scope === 'project' ? this.#metaOf(sessionId)!.projectId : 'all'}:${k}`
      return !this.#dayWarned.has(dk)
    })
    if (fresh.length === 0) return
    const meta = this.#metaOf(sessionId)!
    for (const c of fresh) {
      const k = warningKey(c, day)
      if (c.scope === 'session') warned.add(k)
      else this.#dayWarned.add(`${c.scope === 'project' ? meta.projectId : 'all'}:${k}`)
    }
    this.#put({ ...st, warned: JSON.stringify([...warned]) })
    this.#s.setConfig.run('day-warnings', JSON.stringify([...this.#dayWarned].filter((k) => k.endsWith(day))))
    const text = `${Math.floor(this.#global.warnPercent)} % of the budget used: ${fresh.map(describeCap).join('; ')}`
    const now = this.clock()
    this.writer.enqueue(() => this.#s.attention.run({ sid: sessionId, kind: 'budget_warning', at: now, detail: text }))
    this.writer.flush()
    this.hub.publish({ type: 'budget.alert', level: 'warning', sessionId, projectId: meta.projectId, text })
    this.#changed()
  }

  #recheckAll(): void {
    // A cap set lower than what was already spent pauses at once; a raised one lets held sessions go.
    for (const id of this.#meta.keys()) {
      const st = this.#state.get(id)
      const v = this.#verdict(id)
      if (st?.held && v && v.over.length === 0) this.#release(id)
      else this.check(id)
    }
    this.#changed()
  }

  #armMidnight(): void {
    // One timer to the next local midnight (no polling): day caps start again from zero.
    const now = this.clock()
    this.#midnight = setTimeout(
      () => {
        this.#dayWarned.clear()
        this.#recheckAll()
        this.#armMidnight()
      },
      Math.max(1000, nextLocalMidnight(now) - now + 50)
    )
    this.#midnight.unref?.()
  }

  #metaOf(sessionId: string): (SessionMeta & { totals: CostTotals | null }) | null {
    let m = this.#meta.get(sessionId)
    if (!m) {
      const row = this.store.getSession(sessionId)
      if (!row) return null
      m = {
        projectId: row.project_id,
        provider: row.provider,
        model: row.model,
        totals: {
          costUsd: row.cost_usd,
          inputTokens: row.input_tokens,
          outputTokens: row.output_tokens,
          cacheReadTokens: row.cache_read_tokens,
          cacheWriteTokens: row.cache_write_tokens,
          contextTokens: row.context_tokens,
          contextWindow: row.context_window,
          costKnown: row.cost_known === 1
        }
      }
      this.#meta.set(sessionId, m)
    }
    return m
  }

  #needSession(id: string) {
    const m = this.#metaOf(id)
    if (!m) throw new ShepherdError('NOT_FOUND', `no session with id ${id}`)
    return m
  }

  #row(id: string): SessionBudgetRow {
    return this.#state.get(id) ?? { session_id: id, extra_usd: 0, extra_tokens: 0, allow_turn: 0, held: 0, held_reason: null, held_at: null, warned: '[]' }
  }

  #put(row: SessionBudgetRow): void {
    this.#state.set(row.session_id, row)
    // Rare (a cap reached, a warning, a user action): written at once with the writer's next commit.
    this.writer.enqueue(() => {
      if (this.store.getSession(row.session_id)) this.#s.put.run(row)
    })
    this.writer.flush()
  }

  #changed(): void {
    this.hub.publish({ type: 'attention.changed' })
  }
}

function badCaps(issues: readonly { path: PropertyKey[]; message: string }[]): ShepherdError {
  const fields: Record<string, string> = {}
  for (const i of issues) fields[i.path.join('.') || '_'] = i.message
  return new ShepherdError('BAD_REQUEST', `invalid budget: ${Object.values(fields).join('; ')}`, fields)
}
