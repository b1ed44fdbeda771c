/**
 * The inbox across projects (one instance per window): items from `inbox.list` (approvals, over
 * budget, failed, waiting for a limit reset, budget warnings, finished-not-looked-at) plus stalled
 * sessions, which the project stores already time. Refetched when the event stream says something
 * changed (`attention.changed`, statuses, approvals) — coalesced to one request per burst — and once
 * when the earliest snooze ends (one timer, no polling). Also: budget holds (the pane's over-budget
 * banner), usage-limit waits, and budget alerts turned into toasts + OS notifications.
 */
import type { ShepherdEvent } from '../../src-main/shared/events'
import type { InboxItemDTO, InboxKind } from '../../src-main/services/inbox'
import type { BudgetHoldDTO } from '../../src-main/services/budgets'
import type { LimitWaitDTO } from '../../src-main/services/limits'
import { api, describeError } from '../lib/api/client'
import type { ProjectStores } from '../stores/project-stores.svelte'

export type { InboxItemDTO, InboxKind }

/** Order of kinds (most urgent first); within a kind, newest first. Stalled sits after "limit". */
export const KIND_ORDER: readonly InboxKind[] = ['approval', 'question', 'over_budget', 'failed', 'limit', 'stalled', 'budget_warning', 'finished']
export const KIND_LABEL: Record<InboxKind, string> = {
  approval: 'Needs approval',
  question: 'Question',
  over_budget: 'Over budget',
  failed: 'Failed',
  limit: 'Usage limit',
  stalled: 'Stalled',
  budget_warning: 'Budget warning',
  finished: 'Finished'
}

/** Events after which the list may have changed. */
const REFETCH_ON = new Set<ShepherdEvent['type']>([
  'attention.changed',
  'agent.approval',
  'agent.question',
  'agent.status',
  'session.removed',
  'project.removed',
  'project.changed',
  'resync'
])

export interface InboxDeps {
  stores: ProjectStores
  /** Toast + OS notification (grouped by the caller). */
  alert: (a: { kind: 'warning' | 'error'; title: string; body: string; projectId: string; sessionId: string; key: string }) => void
  /** Test seam: the list request. */
  fetchList?: () => Promise<{ items: InboxItemDTO[]; snoozed: number; nextWakeAt: number | null; hiddenKeys: string[] }>
}

export class InboxStore {
  #server = $state.raw<InboxItemDTO[]>([])
  #hidden = $state.raw<Set<string>>(new Set())
  snoozed = $state(0)
  loaded = $state(false)
  error = $state<string | null>(null)
  holds = $state.raw<Record<string, BudgetHoldDTO>>({})
  waits = $state.raw<Record<string, LimitWaitDTO>>({})
  /** The selected item's key (j/k move it). */
  selectedKey = $state<string | null>(null)

  #inflight: Promise<void> | null = null
  #again = false
  #wake: ReturnType<typeof setTimeout> | null = null
  #disposed = false

  /** Server items plus stalled sessions, in the stated order. */
  readonly items = $derived.by(() => {
    const stalled: InboxItemDTO[] = []
    for (const store of this.deps.stores.all()) {
      for (const s of store.sessions) {
        if (store.displayStatus(s) !== 'stalled') continue
        const key = `stalled:${s.id}:${s.lastActivityAt}`
        if (this.#hidden.has(key)) continue
        stalled.push({
          key,
          kind: 'stalled',
          sessionId: s.id,
          projectId: store.project.id,
          projectName: store.project.name,
          sessionTitle: s.title,
          provider: s.provider,
          text: 'No output for a while: it may be stuck',
          at: s.lastActivityAt,
          approval: null
        })
      }
    }
    const all = stalled.length ? [...this.#server, ...stalled] : this.#server
    if (!stalled.length) return all
    const rank = (k: InboxKind) => KIND_ORDER.indexOf(k)
    return [...all].sort((a, b) => rank(a.kind) - rank(b.kind) || b.at - a.at)
  })
  readonly count = $derived(this.items.length)
  readonly selected = $derived(this.items.find((i) => i.key === this.selectedKey) ?? this.items[0] ?? null)

  constructor(private readonly deps: InboxDeps) {}

  apply(e: ShepherdEvent): void {
    if (e.type === 'budget.alert') {
      const s = this.deps.stores.get(e.projectId)?.sessions.find((x) => x.id === e.sessionId)
      this.deps.alert({
        kind: e.level === 'over' ? 'error' : 'warning',
        title: e.level === 'over' ? 'Paused: over budget' : 'Budget warning',
        body: `${s?.title ?? 'A session'} — ${e.text}`,
        projectId: e.projectId,
        sessionId: e.sessionId,
        key: `budget:${e.level}:${e.sessionId}:${e.text}`
      })
    }
    if (REFETCH_ON.has(e.type)) void this.refresh()
  }

  /** Fetch now; calls during a fetch coalesce into one more. */
  refresh(): Promise<void> {
    if (this.#inflight) {
      this.#again = true
      return this.#inflight
    }
    this.#inflight = this.#load().finally(() => {
      this.#inflight = null
      if (this.#again && !this.#disposed) {
        this.#again = false
        void this.refresh()
      }
    })
    return this.#inflight
  }

  async #load(): Promise<void> {
    try {
      const [list, holds, limits] = await Promise.all([
        this.deps.fetchList ? this.deps.fetchList() : api.inbox.list.query(),
        api.budgets.holds.query(),
        api.usage.limits.query()
      ])
      this.#server = list.items
      this.#hidden = new Set(list.hiddenKeys)
      this.snoozed = list.snoozed
      this.holds = Object.fromEntries(holds.map((h) => [h.sessionId, h]))
      this.waits = Object.fromEntries(limits.waits.map((w) => [w.sessionId, w]))
      this.error = null
      this.#armWake(list.nextWakeAt)
    } catch (err) {
      this.error = describeError(err).message
    } finally {
      this.loaded = true
    }
  }

  #armWake(at: number | null): void {
    if (this.#wake) clearTimeout(this.#wake)
    this.#wake = null
    if (at === null || this.#disposed) return
    // One timer to the end of the earliest snooze (capped to a day; re-armed by the refetch).
    this.#wake = setTimeout(() => void this.refresh(), Math.min(Math.max(0, at - Date.now()) + 250, 86_400_000))
  }

  select(key: string | null): void {
    this.selectedKey = key
  }

  /** j / k: the next or previous item. */
  move(delta: 1 | -1): void {
    const list = this.items
    if (list.length === 0) return
    const at = this.selected ? list.findIndex((i) => i.key === this.selected!.key) : -1
    const next = list[Math.max(0, Math.min(list.length - 1, at + delta))]
    if (next) this.selectedKey = next.key
  }

  async done(item: InboxItemDTO): Promise<void> {
    this.#dropLocal(item)
    if (item.kind === 'stalled') this.#hidden = new Set([...this.#hidden, item.key])
    await api.inbox.done.mutate({ key: item.key })
  }

  async snooze(item: InboxItemDTO, until: number): Promise<void> {
    this.#dropLocal(item)
    if (item.kind === 'stalled') this.#hidden = new Set([...this.#hidden, item.key])
    await api.inbox.snooze.mutate({ key: item.key, until })
  }

  /** Keep the selection on the neighbour of the item that leaves. */
  #dropLocal(item: InboxItemDTO): void {
    const list = this.items
    const at = list.findIndex((i) => i.key === item.key)
    const next = list[at + 1] ?? list[at - 1] ?? null
    this.#server = this.#server.filter((i) => i.key !== item.key)
    this.selectedKey = next?.key ?? null
  }

  dispose(): void {
    this.#disposed = true
    if (this.#wake) clearTimeout(this.#wake)
  }
}

/** "Not now" choices: 15 minutes, an hour, or tomorrow 08:00 local time. */
export function snoozeUntil(choice: '15m' | '1h' | 'tomorrow', now = Date.now()): number {
  if (choice === '15m') return now + 15 * 60_000
  if (choice === '1h') return now + 60 * 60_000
  const d = new Date(now)
  return new Date(d.getFullYear(), d.getMonth(), d.getDate() + 1, 8, 0, 0).getTime()
}
