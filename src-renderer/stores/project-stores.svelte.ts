/**
 * Owns one ProjectStore per project (created when the project appears, disposed when it goes),
 * hands each live event to them, remembers each project's open session, and sums up a project's
 * sessions for its sidebar dot.
 */
import type { ProjectDTO } from '../../src-main/shared/dto'
import type { ShepherdEvent } from '../../src-main/shared/events'
import type { Notice, Notifier, ProjectApi, StoreSettings } from './api'
import { ProjectStore } from './project-store.svelte'
import type { UiState } from './ui-state.svelte'

/** Notified keys are remembered across reloads; this many is far more than one day of notices. */
const NOTIFIED_CAP = 500
const NOTIFIED_KEY = 'notified'
const OPEN_KEY = (projectId: string) => `open:${projectId}`

/** What the sidebar dot of a project shows; absent = nothing running. */
export interface ProjectActivity {
  tone: 'idle' | 'running' | 'attention' | 'error'
  /** Accessible text for the dot, e.g. "2 agents running", "1 agent needs approval". */
  label: string
}

export interface ProjectStoresDeps {
  api: ProjectApi
  ui: UiState
  settings: StoreSettings
  /** Toast + OS notification for a notice. */
  show: (n: Notice) => void
  /** Take back a shown notice (its toast and OS notification) by key. */
  withdraw?: (key: string) => void
}

/** Toasts are for what happens from now on (older events are replayed as the stores load). */
const PAGE_LOADED_AT = Date.now()

export class ProjectStores {
  #stores = $state.raw<Record<string, ProjectStore>>({})
  #notified: Set<string>

  /** Global "needs you" count across projects (stalled, approval, error). */
  readonly needsYou = $derived(Object.values(this.#stores).reduce((n, s) => n + s.needsYou, 0))

  constructor(private readonly deps: ProjectStoresDeps) {
    this.#notified = new Set(deps.ui.get<string[]>(NOTIFIED_KEY, []))
  }

  get(projectId: string): ProjectStore | null {
    return this.#stores[projectId] ?? null
  }

  all(): ProjectStore[] {
    return Object.values(this.#stores)
  }

  /** Keep one store per project in `projects`; new ones load and open the session the user had open last time. */
  sync(projects: readonly ProjectDTO[]): void {
    const next: Record<string, ProjectStore> = {}
    for (const p of projects) {
      const existing = this.#stores[p.id]
      if (existing) {
        next[p.id] = existing
        continue
      }
      const store = new ProjectStore(p, {
        api: this.deps.api,
        settings: this.deps.settings,
        notifier: this.#notifier,
        notified: this.#notified,
        quietBefore: PAGE_LOADED_AT,
        quietOlderThanMs: 60_000,
        onNotified: () => this.deps.ui.set(NOTIFIED_KEY, [...this.#notified].slice(-NOTIFIED_CAP))
      })
      next[p.id] = store
      void store.load(this.deps.ui.get<string | null>(OPEN_KEY(p.id), null)).catch((err: unknown) => console.warn(`could not load project ${p.name}`, err))
    }
    for (const [id, store] of Object.entries(this.#stores)) if (!next[id]) store.dispose()
    this.#stores = next
  }

  apply(e: ShepherdEvent): void {
    for (const s of Object.values(this.#stores)) s.apply(e)
  }

  /** The open session of a project, restored by {@link sync} on the next start. */
  rememberOpen(projectId: string, sessionId: string | null): void {
    if (this.deps.ui.get<string | null>(OPEN_KEY(projectId), null) !== sessionId) this.deps.ui.set(OPEN_KEY(projectId), sessionId)
  }

  /** The sidebar dot of a project, from its sessions: what needs the user wins over what runs. */
  activityOf(projectId: string): ProjectActivity | null {
    const store = this.get(projectId)
    if (!store) return null
    let approval = 0
    let stalled = 0
    let failed = 0
    let running = 0
    let idle = 0
    for (const s of store.sessions) {
      const d = store.displayStatus(s)
      if (d === 'waiting_approval') approval++
      else if (d === 'stalled') stalled++
      else if (d === 'error') failed++
      else if (d === 'running' || d === 'starting' || d === 'queued' || d === 'stopping') running++
      else if (d === 'idle') idle++
    }
    const n = (k: number, one: string, many: string) => `${k} ${k === 1 ? one : many}`
    if (approval > 0 || stalled > 0) {
      const parts = [approval ? n(approval, 'agent needs approval', 'agents need approval') : '', stalled ? n(stalled, 'agent stalled', 'agents stalled') : '']
      return { tone: 'attention', label: parts.filter(Boolean).join(', ') }
    }
    if (failed > 0) return { tone: 'error', label: n(failed, 'agent failed', 'agents failed') }
    if (running > 0) return { tone: 'running', label: n(running, 'agent running', 'agents running') }
    if (idle > 0) return { tone: 'idle', label: n(idle, 'agent waiting for a prompt', 'agents waiting for a prompt') }
    return null
  }

  dispose(): void {
    for (const s of Object.values(this.#stores)) s.dispose()
    this.#stores = {}
  }

  readonly #notifier: Notifier = { notify: (n) => this.deps.show(n), withdraw: (key) => this.deps.withdraw?.(key) }
}
