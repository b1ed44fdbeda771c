/**
 * The usage view's data: the daily ledger rows for the last 7 / 30 / 90 days (`usage.daily`, a few
 * hundred rows at most — never a scan of messages), grouped by project, agent or model, as cost (USD)
 * or tokens; totals, the table and the CSV. Refetched when cost events arrive while the view is open,
 * at most once a second (coalesced, no polling), and the agents' usage-limit meters.
 */
import type { ShepherdEvent } from '../../src-main/shared/events'
import type { LimitMeterDTO } from '../../src-main/services/limits'
import type { UsageRow } from '../../src-main/services/usage'
import { api, describeError } from '../lib/api/client'

export type UsageRange = 7 | 30 | 90
export type UsageGroup = 'project' | 'agent' | 'model'
export type UsageMetric = 'cost' | 'tokens'

const AGENT_NAMES: Record<string, string> = { claude: 'Claude Code', codex: 'Codex', opencode: 'OpenCode', acp: 'ACP agent' }
const REFETCH_MS = 1000

export interface UsageSeries { key: string; label: string; values: number[]; total: number }

export interface UsageData { since: string; today: string; timeZone: string; rows: UsageRow[]; projects: Record<string, string> }

export class UsageStore {
  range = $state<UsageRange>(30)
  group = $state<UsageGroup>('project')
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
    for (let i = this.range - 1; i >= 0; i--) {
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
      const key = this.group === 'project' ? r.projectId : this.group === 'agent' ? r.provider : r.model || '(default model)'
      let s = by.get(key)
      if (!s) {
        s = { key, label: this.#label(key), values: new Array<number>(this.days.length).fill(0), total: 0 }
        by.set(key, s)
      }
      const v = this.metric === 'cost' ? r.costUsd : r.inputTokens + r.outputTokens
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
      tokens += r.inputTokens + r.outputTokens
      uncosted += r.uncostedTokens
    }
    return { cost, tokens, uncosted }
  })

  /** Table rows: day × group with usage, newest day first. */
  readonly table = $derived.by(() => {
    const out: { day: string; label: string; value: number }[] = []
    for (let i = this.days.length - 1; i >= 0; i--) {
      for (const s of this.series) if (s.values[i]! > 0) out.push({ day: this.days[i]!, label: s.label, value: s.values[i]! })
    }
    return out
  })

  async load(): Promise<void> {
    this.loading = true
    try {
      const [daily, limits] = await Promise.all([api.usage.daily.query({ days: this.range }), api.usage.limits.query()])
      this.data = daily
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
  csv(): string {
    const d = this.data
    const esc = (v: string) => (/[",\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v)
    const lines = ['day,project,agent,model,cost_usd,input_tokens,output_tokens,tokens_without_cost']
    for (const r of d?.rows ?? []) {
      lines.push([r.day, esc(d!.projects[r.projectId] ?? r.projectId), r.provider, esc(r.model), r.costUsd.toFixed(6), r.inputTokens, r.outputTokens, r.uncostedTokens].join(','))
    }
    return lines.join('\n') + '\n'
  }

  dispose(): void {
    if (this.#timer) clearTimeout(this.#timer)
  }

  #label(key: string): string {
    if (this.group === 'project') return this.data?.projects[key] ?? 'Removed project'
    if (this.group === 'agent') return AGENT_NAMES[key] ?? key
    return key
  }
}
