/**
 * Owns one ProjectStore per project (created when the project appears, disposed when it goes),
 * routes the one events subscription to them, and turns notices into toasts + OS notifications.
 */
import type { ProjectDTO } from '../../src-main/shared/dto'
import type { ShepherdEvent } from '../../src-main/shared/events'
import type { Notice, NoticeKind, Notifier, ProjectApi, StoreSettings } from './api'
import { ProjectStore } from './project-store.svelte'
import type { UiState } from './ui-state.svelte'

/** Notified keys are remembered across reloads; this many is far more than one day of notices. */
const NOTIFIED_CAP = 500
const NOTIFIED_KEY = 'notified'

export interface ProjectStoresDeps {
  api: ProjectApi
  ui: UiState
  settings: StoreSettings
  /** Toast + OS notification for a notice. */
  show: (n: Notice) => void
  /** Take back a shown notice (its toast and OS notification) by key. */
  withdraw?: (key: string) => void
}

export class ProjectStores {
  #stores = $state.raw<Record<string, ProjectStore>>({})
  #notified: Set<string>
  /** Set by a notice click or notification click: the pane to bring forward. */
  focusRequest = $state.raw<{ projectId: string; sessionId: string | null; at: number } | null>(null)

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

  /** Keep one store per project in `projects`; new ones load, removed ones are disposed. */
  sync(projects: readonly ProjectDTO[], openSession: (projectId: string) => string | null): void {
    const next: Record<string, ProjectStore> = {}
    for (const p of projects) {
      const existing = this.#stores[p.id]
      if (existing) { next[p.id] = existing; continue }
      const store = new ProjectStore(p, {
        api: this.deps.api, settings: this.deps.settings, notifier: this.#notifier, notified: this.#notified,
        onNotified: () => this.deps.ui.set(NOTIFIED_KEY, [...this.#notified].slice(-NOTIFIED_CAP))
      })
      next[p.id] = store
      void store.load(openSession(p.id)).catch((err: unknown) => console.warn(`could not load project ${p.name}`, err))
    }
    for (const [id, store] of Object.entries(this.#stores)) if (!next[id]) store.dispose()
    this.#stores = next
  }

  apply(e: ShepherdEvent): void {
    if (e.type === 'ui.focus') {
      this.focusRequest = { projectId: e.projectId, sessionId: e.sessionId, at: Date.now() }
      return
    }
    for (const s of Object.values(this.#stores)) s.apply(e)
  }

  focus(projectId: string, sessionId: string | null): void {
    this.focusRequest = { projectId, sessionId, at: Date.now() }
  }

  dispose(): void {
    for (const s of Object.values(this.#stores)) s.dispose()
    this.#stores = {}
  }

  readonly #notifier: Notifier = { notify: (n) => this.deps.show(n), withdraw: (key) => this.deps.withdraw?.(key) }
}

export const NOTICE_TOAST_KIND: Record<NoticeKind, 'success' | 'error' | 'warning'> = {
  completed: 'success',
  error: 'error',
  stalled: 'warning',
  approval: 'warning'
}
