/**
 * The usage view's data: the daily ledger for the last 7 / 30 / 90 days summed per day and project,
 * agent or model in SQL (`usage.grouped`: at most days × groups rows — never a scan of messages), as
 * cost (USD) or tokens; totals, a table of days (the biggest groups as columns) and the CSV (the raw
 * ledger rows, fetched on export). Refetched when cost events arrive while the view is open, at most
 * once a second (coalesced, no polling), and the agents' usage-limit meters.
 */
import type { ShepherdEvent } from '../../src-main/shared/events'
import type { LimitMeterDTO } from '../../src-main/services/limits'
import type { UsageGroupRow } from '../../src-main/services/usage'
import { api, describeError } from '../lib/api/client'

export type UsageRange = 7 | 30 | 90
export type UsageGroup = 'project' | 'agent' | 'model'
export type UsageMetric = 'cost' | 'tokens'

const AGENT_NAMES: Record<string, string> = { claude: 'Claude Code', codex: 'Codex', opencode: 'OpenCode', acp: 'ACP agent' }
const REFETCH_MS = 1000

export interface UsageSeries {
  key: string
  label: string
  values: number[]
  total: number
}

export interface UsageData {
  since: string
  today: string
  timeZone: string
  rows: UsageGroupRow[]
  projects: Record<string, string>
  by: UsageGroup
  days: UsageRange
}
/** Table columns: the biggest groups by name, the rest summed as "Other". */
export const TABLE_GROUPS = 5

export class UsageStore {
  range = $state<UsageRange>(30)
  #group = $state<UsageGroup>('project')
  metric = $state<UsageMetric>('cost')
  data = $state.raw<UsageData | null>(null)
  meters = $state.raw<LimitMeterDTO[]>([])
  error = $state<string | null>(null)
  loading = $state(false)
  #timer: ReturnType<typeof setTimeout> | null = null

  /** Every day of the range, oldest first (days without usage are zero). */
  readonly days = $derived.by(() => {
    const d = this.data
    if (!d) return [] as string[]
    const out: string[] = []
    const [y, m, day] = d.today.split('-').map(Number) as [number, number, number]
    // The range of the data on screen (a new range shows when its data has come: one chart build).
    for (let i = d.days - 1; i >= 0; i--) {
      const t = new Date(y, m - 1, day - i, 12)
      out.push(`${t.getFullYear()}-${String(t.getMonth() + 1).padStart(2, '0')}-${String(t.getDate()).padStart(2, '0')}`)
    }
    return out
  })

  /** One series per project / agent / model, biggest first. */
  readonly series = $derived.by((): UsageSeries[] => {
    const d = this.data
    if (!d) return []
    const index = new Map(this.days.map((day, i) => [day, i]))
    const by = new Map<string, UsageSeries>()
    for (const r of d.rows) {
      const i = index.get(r.day)
      if (i === undefined) continue
      const key = r.key
      let s = by.get(key)
      if (!s) {
        s = { key, label: this.#label(key, d), values: new Array<number>(this.days.length).fill(0), total: 0 }
        by.set(key, s)
      }
      const v = this.metric === 'cost' ? r.costUsd : r.tokens
      s.values[i]! += v
      s.total += v
    }
    return [...by.values()].filter((s) => s.total > 0).sort((a, b) => b.total - a.total)
  })

  readonly totals = $derived.by(() => {
    let cost = 0
    let tokens = 0
    let uncosted = 0
    for (const r of this.data?.rows ?? []) {
      cost += r.costUsd
      tokens += r.tokens
      uncosted += r.uncostedTokens
    }
    return { cost, tokens, uncosted }
  })

  /** Table: one row per day with usage, newest first; the biggest groups as columns, then Other and Total. */
  readonly table = $derived.by(() => {
    const top = this.series.slice(0, TABLE_GROUPS)
    const rest = this.series.slice(TABLE_GROUPS)
    const rows: { day: string; values: number[]; other: number; total: number }[] = []
    for (let i = this.days.length - 1; i >= 0; i--) {
      let total = 0
      for (const s of this.series) total += s.values[i]!
      if (total === 0) continue
      let other = 0
      for (const s of rest) other += s.values[i]!
      rows.push({ day: this.days[i]!, values: top.map((s) => s.values[i]!), other, total })
    }
    return { columns: top.map((s) => s.label), hasOther: rest.length > 0, rows }
  })

  get group(): UsageGroup {
    return this.#group
  }

  set group(g: UsageGroup) {
    this.#group = g
    void this.load()
  }

  async load(): Promise<void> {
    this.loading = true
    try {
      const by = this.#group
      const days = this.range
      const [daily, limits] = await Promise.all([api.usage.grouped.query({ days, by }), api.usage.limits.query()])
      this.data = { ...daily, by, days }
      this.meters = limits.meters
      this.error = null
    } catch (err) {
      this.error = describeError(err).message
    } finally {
      this.loading = false
    }
  }

  setRange(r: UsageRange): void {
    this.range = r
    void this.load()
  }

  apply(e: ShepherdEvent): void {
    if (e.type !== 'agent.cost' && e.type !== 'attention.changed' && e.type !== 'resync') return
    if (this.#timer) return
    this.#timer = setTimeout(() => {
      this.#timer = null
      void this.load()
    }, REFETCH_MS)
  }

  /** The raw ledger rows of the range as CSV (one line per day × project × agent × model). */
  async csv(): Promise<string> {
    const d = await api.usage.daily.query({ days: this.range })
    const esc = (v: string) => (/[",\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v)
    const lines = ['day,project,agent,model,cost_usd,input_tokens,output_tokens,tokens_without_cost']
    for (const r of d?.rows ?? []) {
      lines.push(
        [
          r.day,
          esc(d!.projects[r.projectId] ?? r.projectId),
          r.provider,
          esc(r.model),
          r.costUsd.toFixed(6),
          r.inputTokens,
          r.outputTokens,
          r.uncostedTokens
        ].join(',')
      )
    }
    return lines.join('\n') + '\n'
  }

  dispose(): void {
    if (this.#timer) clearTimeout(this.#timer)
  }

  #label(key: string, d: UsageData): string {
    if (d.by === 'project') return d.projects[key] ?? 'Removed project'
    if (d.by === 'agent') return AGENT_NAMES[key] ?? key
    return key || '(default model)'
  }
}
