/**
 * What the window shows: the main view (projects or settings), the project panes side by side and
 * which one has the focus (the sidebar's current item), and the open dialog. The panes and the focus
 * are saved in the UI state, so a reload or restart shows the same layout.
 */
import type { ProjectDTO } from '../../src-main/shared/dto'
import type { ProjectsStore } from './projects.svelte'
import type { UiState } from './ui-state.svelte'

export type MainView = 'projects' | 'settings' | 'inbox' | 'usage'

export type AppDialog =
  | { kind: 'add' }
  | { kind: 'remove'; project: ProjectDTO }
  /** Ctrl/Cmd+K: jump to a project or session; `beside` opens the pick in a new pane. */
  | { kind: 'switcher'; beside: boolean }
  | null

/** At most this many project panes side by side. */
export const MAX_PANES = 4

const UI_LAYOUT = 'layout'

interface SavedLayout {
  /** Project ids shown side by side, left to right. */
  panes: string[]
  /** The focused pane's project (the sidebar's current item). */
  selectedId: string | null
}

export interface LayoutHooks {
  /** The user left Settings: what was changed there (thresholds, CLI paths) is to be read again. */
  leftSettings(): void
}

export class Layout {
  #panes = $state.raw<string[]>([])
  #selectedId = $state<string | null>(null)
  #view = $state<MainView>('projects')
  #dialog = $state<AppDialog>(null)

  /** Projects shown side by side in the main area (one to {@link MAX_PANES}), left to right. */
  readonly openProjects: readonly ProjectDTO[]

  constructor(
    private readonly ui: UiState,
    private readonly projects: ProjectsStore,
    private readonly hooks: LayoutHooks
  ) {
    this.openProjects = $derived(this.#panes.flatMap((id) => projects.list.find((p) => p.id === id) ?? []))
  }

  get selectedId(): string | null {
    return this.#selectedId
  }
  get view(): MainView {
    return this.#view
  }
  get dialog(): AppDialog {
    return this.#dialog
  }

  /** The saved layout, read before the projects list shows (or the first project flashes selected). */
  restore(): void {
    const saved = this.ui.get<Partial<SavedLayout> | null>(UI_LAYOUT, null)
    if (saved && typeof saved.selectedId === 'string') this.#selectedId = saved.selectedId
    if (saved && Array.isArray(saved.panes)) this.#panes = saved.panes.filter((p): p is string => typeof p === 'string').slice(0, MAX_PANES)
  }

  /**
   * Show a project: focus its pane when it has one, else show it in the focused pane (replacing
   * that pane's project), or in a first pane.
   */
  select(id: string | null): void {
    if (id && !this.#panes.includes(id)) {
      const at = this.#selectedId ? this.#panes.indexOf(this.#selectedId) : -1
      this.#panes = at >= 0 ? this.#panes.with(at, id) : this.#panes.length > 0 ? this.#panes.with(this.#panes.length - 1, id) : [id]
    }
    this.#selectedId = id
    this.#setView('projects')
    this.#save()
  }

  /** Open a project in a new pane right of the focused one (the last pane is reused at the limit). */
  openBeside(id: string): void {
    if (!this.#panes.includes(id)) {
      if (this.#panes.length >= MAX_PANES) this.#panes = this.#panes.with(this.#panes.length - 1, id)
      else {
        const at = this.#selectedId ? this.#panes.indexOf(this.#selectedId) : -1
        const next = [...this.#panes]
        next.splice(at >= 0 ? at + 1 : next.length, 0, id)
        this.#panes = next
      }
    }
    this.#selectedId = id
    this.#setView('projects')
    this.#save()
  }

  /** Close a project's pane; the neighbour gets the focus. */
  closePane(id: string): void {
    const at = this.#panes.indexOf(id)
    if (at < 0) return
    this.#panes = this.#panes.filter((p) => p !== id)
    if (this.#selectedId === id) this.#selectedId = this.#panes[Math.min(at, this.#panes.length - 1)] ?? null
    this.#save()
  }

  /** Mark a pane as the focused one (click or focus inside it) without changing the layout. */
  focusPane(id: string): void {
    if (this.#selectedId === id || !this.#panes.includes(id)) return
    this.#selectedId = id
    this.#save()
  }

  isOpen(id: string): boolean {
    return this.#panes.includes(id)
  }

  showSettings(): void {
    this.#setView('settings')
  }

  showProjects(): void {
    this.#setView('projects')
  }

  /** The inbox across projects (`g i`). */
  showInbox(): void {
    this.#setView('inbox')
  }

  /** Cost and tokens by day (`g u`). */
  showUsage(): void {
    this.#setView('usage')
  }

  openAddDialog(): void {
    this.#dialog = { kind: 'add' }
  }

  /** The Ctrl/Cmd+K switcher; `beside` opens the chosen project in a new pane. */
  openSwitcher(beside = false): void {
    this.#dialog = { kind: 'switcher', beside }
  }

  confirmRemove(project: ProjectDTO): void {
    this.#dialog = { kind: 'remove', project }
  }

  closeDialog(): void {
    this.#dialog = null
  }

  /** A project left the list (`index` = where it was): close its pane and dialog, move the focus on. */
  forget(id: string, index: number): void {
    if (this.#dialog?.kind === 'remove' && this.#dialog.project.id === id) this.#dialog = null
    const wasOpen = this.#panes.includes(id)
    if (wasOpen) this.#panes = this.#panes.filter((p) => p !== id)
    const list = this.projects.list
    if (this.#selectedId === id) {
      // Focus a remaining pane, else select the neighbour, as file trees and tab bars do.
      this.select(this.#panes[0] ?? list[Math.min(index, list.length - 1)]?.id ?? null)
    } else if (wasOpen) this.#save()
  }

  /** After the list changed: panes only of known projects, and something selected when there is anything. */
  reconcile(): void {
    if (!this.projects.loaded) return
    const list = this.projects.list
    const known = (id: string) => list.some((p) => p.id === id)
    const panes = this.#panes.filter(known)
    if (panes.length !== this.#panes.length) this.#panes = panes
    if (this.#selectedId && known(this.#selectedId)) {
      if (!this.#panes.includes(this.#selectedId)) this.#panes = [...this.#panes, this.#selectedId].slice(-MAX_PANES)
      return
    }
    this.#selectedId = this.#panes[0] ?? list[0]?.id ?? null
    if (this.#selectedId && this.#panes.length === 0) this.#panes = [this.#selectedId]
  }

  #setView(view: MainView): void {
    const left = this.#view === 'settings' && view !== 'settings'
    this.#view = view
    if (left) this.hooks.leftSettings()
  }

  #save(): void {
    // Written at once (not debounced): a reload right after a click keeps the layout.
    this.ui.set(UI_LAYOUT, { panes: this.#panes, selectedId: this.#selectedId } satisfies SavedLayout)
    void this.ui.flush()
  }
}
