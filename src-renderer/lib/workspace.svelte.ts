/**
 * App-level state: the projects list (kept live from `events.stream`), which project is selected and
 * open, which view the main area shows, the open dialog and the theme. One instance per window,
 * provided to components with {@link setWorkspace} / {@link getWorkspace}.
 *
 * Per-project state (sessions, transcripts) lives in the project stores, not here.
 */
import { createContext } from 'svelte'
import type { ProjectDTO } from '../../src-main/shared/dto'
import type { ShepherdEvent } from '../../src-main/shared/events'
import type { UiState } from '../stores/ui-state.svelte'
import { api, events, type AppInfo } from './api/client'

export type ThemePreference = 'system' | 'light' | 'dark'
export type MainView = 'projects' | 'settings' | 'inbox' | 'usage'
/**
 * What the sidebar dot of a project shows. Set by whoever knows the project's sessions (the project
 * store) through {@link Workspace.setActivity}; absent = nothing running.
 */
export interface ProjectActivity {
  tone: 'idle' | 'running' | 'attention' | 'error'
  /** Accessible text for the dot, e.g. "2 agents running", "1 agent needs approval". */
  label: string
}

export type WorkspaceDialog =
  | { kind: 'add' }
  | { kind: 'remove'; project: ProjectDTO }
  /** Ctrl/Cmd+K: jump to a project or session; `beside` opens the pick in a new pane. */
  | { kind: 'switcher'; beside: boolean }
  | null

/** UI-state keys (settings.uiSet): survive reloads and restarts. */
const UI_THEME = 'theme'
const UI_LAYOUT = 'layout'
/** Before panes existed the selection was stored here. */
const UI_LEGACY_LAYOUT = 'workspace'

/** At most this many project panes side by side. */
export const MAX_PANES = 4

interface LayoutState {
  /** Project ids shown side by side, left to right. */
  panes: string[]
  /** The focused pane's project (the sidebar's current item). */
  selectedId: string | null
}

function isTheme(v: unknown): v is ThemePreference {
  return v === 'system' || v === 'light' || v === 'dark'
}

export class Workspace {
  /** Projects in the order they were added (the server's order). */
  #projects = $state.raw<ProjectDTO[]>([])
  #loaded = $state(false)
  #loadError = $state<string | null>(null)
  #selectedId = $state<string | null>(null)
  #view = $state<MainView>('projects')
  #dialog = $state<WorkspaceDialog>(null)
  #theme = $state<ThemePreference>('system')
  #systemDark = $state(false)
  #info = $state.raw<AppInfo | null>(null)
  /** Why Shepherd cannot write to its database right now (agents are paused meanwhile), or null. */
  #storageError = $state<string | null>(null)
  #activity = $state.raw<Record<string, ProjectActivity>>({})
  #panes = $state.raw<string[]>([])

  /** Events that arrive while the list is being (re)fetched are applied after it lands. */
  #pending: ShepherdEvent[] | null = null
  #disposers: (() => void)[] = []

  readonly selected = $derived(this.#projects.find((p) => p.id === this.#selectedId) ?? null)
  /** Projects shown side by side in the main area (one to {@link MAX_PANES}), left to right. */
  readonly openProjects = $derived(this.#panes.flatMap((id) => this.#projects.find((p) => p.id === id) ?? []))
  readonly effectiveTheme = $derived<'light' | 'dark'>(this.#theme === 'system' ? (this.#systemDark ? 'dark' : 'light') : this.#theme)
  readonly canPickFolder = $derived(this.#info?.canPickFolder ?? false)
  /** For shortcut labels: ⌘ on macOS, Ctrl elsewhere. */
  readonly isMac = $derived(this.#info ? this.#info.platform === 'darwin' : /mac/i.test(navigator.platform))

  get projects(): readonly ProjectDTO[] {
    return this.#projects
  }
  get loaded(): boolean {
    return this.#loaded
  }
  get loadError(): string | null {
    return this.#loadError
  }
  get selectedId(): string | null {
    return this.#selectedId
  }
  get view(): MainView {
    return this.#view
  }
  get dialog(): WorkspaceDialog {
    return this.#dialog
  }
  get theme(): ThemePreference {
    return this.#theme
  }
  get storageError(): string | null {
    return this.#storageError
  }

  get info(): AppInfo | null {
    return this.#info
  }

  /** @param ui renderer UI state, already loaded: theme and pane layout are read from it. */
  constructor(private readonly ui: UiState | null = null) {}

  /** Subscribe to live events, then load everything. Call once at startup. */
  async init(): Promise<void> {
    this.#watchSystemTheme()
    this.#disposers.push(events.on((e) => this.#onEvent(e)))
    const info = this.#loadInfo()
    // The saved selection must be known before the list shows, or the first project flashes selected.
    await this.refresh(this.#loadUiState())
    await info
  }

  dispose(): void {
    for (const d of this.#disposers.splice(0)) d()
  }

  /** Refetch the projects list (startup, `resync`, retry after a failure). */
  async refresh(before?: Promise<void>): Promise<void> {
    this.#pending ??= []
    try {
      const request = api.projects.list.query()
      await before
      const list = await request
      this.#projects = list
      this.#loadError = null
      const queued = this.#pending
      this.#pending = null
      for (const e of queued) this.#apply(e)
    } catch (err) {
      this.#pending = null
      this.#loadError = err instanceof Error ? err.message : String(err)
    } finally {
      this.#loaded = true
      this.#ensureSelection()
    }
  }

  // ---- projects -------------------------------------------------------------------------------

  /** Add a project folder; throws the API error (the dialog shows it inline). */
  async addProject(path: string, name?: string): Promise<ProjectDTO> {
    const project = await api.projects.add.mutate({ path, name: name?.trim() ? name.trim() : undefined })
    this.#upsert(project)
    this.select(project.id)
    return project
  }

  async renameProject(id: string, name: string): Promise<ProjectDTO> {
    const project = await api.projects.rename.mutate({ id, name })
    this.#upsert(project)
    return project
  }

  async removeProject(id: string): Promise<void> {
    await api.projects.remove.mutate({ id })
    this.#drop(id)
  }

  /** Native folder picker (Electron only); null when cancelled or unsupported. */
  async pickFolder(): Promise<string | null> {
    const res = await api.projects.pickFolder.mutate()
    return res.supported ? res.path : null
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
    this.#view = 'projects'
    this.#saveLayout()
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
    this.#view = 'projects'
    this.#saveLayout()
  }

  /** Close a project's pane; the neighbour gets the focus. */
  closePane(id: string): void {
    const at = this.#panes.indexOf(id)
    if (at < 0) return
    this.#panes = this.#panes.filter((p) => p !== id)
    if (this.#selectedId === id) this.#selectedId = this.#panes[Math.min(at, this.#panes.length - 1)] ?? null
    this.#saveLayout()
  }

  /** Mark a pane as the focused one (click or focus inside it) without changing the layout. */
  focusPane(id: string): void {
    if (this.#selectedId === id || !this.#panes.includes(id)) return
    this.#selectedId = id
    this.#saveLayout()
  }

  isOpen(id: string): boolean {
    return this.#panes.includes(id)
  }

  /** The status dot of a project (null = no agents running). */
  activityOf(projectId: string): ProjectActivity | null {
    return this.#activity[projectId] ?? null
  }

  setActivity(projectId: string, activity: ProjectActivity | null): void {
    const { [projectId]: _previous, ...rest } = this.#activity
    this.#activity = activity ? { ...rest, [projectId]: activity } : rest
  }

  // ---- view, dialogs, theme -------------------------------------------------------------------

  showSettings(): void {
    this.#view = 'settings'
  }

  showProjects(): void {
    this.#view = 'projects'
  }

  /** The inbox across projects (`g i`). */
  showInbox(): void {
    this.#view = 'inbox'
  }

  /** Cost and tokens by day (`g u`). */
  showUsage(): void {
    this.#view = 'usage'
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

  setTheme(theme: ThemePreference): void {
    this.#theme = theme
    this.#applyTheme()
    if (this.ui) {
      this.ui.set(UI_THEME, theme)
      void this.ui.flush()
    } else void api.settings.uiSet.mutate({ key: UI_THEME, value: theme }).catch((err: unknown) => console.warn('could not save theme', err))
  }

  // ---- internals ------------------------------------------------------------------------------

  #onEvent(e: ShepherdEvent): void {
    if (e.type === 'resync') {
      void this.refresh()
      void this.#loadHealth()
      return
    }
    if (e.type === 'app.storage') {
      this.#storageError = e.error
      return
    }
    if (this.#pending) {
      if (e.type === 'project.changed' || e.type === 'project.removed') this.#pending.push(e)
      return
    }
    this.#apply(e)
  }

  #apply(e: ShepherdEvent): void {
    if (e.type === 'project.changed') this.#upsert(e.project)
    else if (e.type === 'project.removed') this.#drop(e.projectId)
  }

  #upsert(project: ProjectDTO): void {
    const i = this.#projects.findIndex((p) => p.id === project.id)
    if (i === -1) {
      this.#projects = [...this.#projects, project]
    } else {
      const current = this.#projects[i]
      // Events and mutation results can arrive in either order: keep the newest.
      if (current && current.updatedAt > project.updatedAt) return
      this.#projects = this.#projects.with(i, project)
    }
    this.#ensureSelection()
  }

  #drop(id: string): void {
    const index = this.#projects.findIndex((p) => p.id === id)
    if (index === -1) return
    this.#projects = this.#projects.filter((p) => p.id !== id)
    if (this.#dialog?.kind === 'remove' && this.#dialog.project.id === id) this.#dialog = null
    const wasOpen = this.#panes.includes(id)
    if (wasOpen) this.#panes = this.#panes.filter((p) => p !== id)
    if (this.#selectedId === id) {
      // Focus a remaining pane, else select the neighbour, as file trees and tab bars do.
      const next = this.#panes[0] ?? this.#projects[Math.min(index, this.#projects.length - 1)]?.id ?? null
      this.select(next)
    } else if (wasOpen) this.#saveLayout()
  }

  #ensureSelection(): void {
    if (!this.#loaded) return
    const known = (id: string) => this.#projects.some((p) => p.id === id)
    const panes = this.#panes.filter(known)
    if (panes.length !== this.#panes.length) this.#panes = panes
    if (this.#selectedId && known(this.#selectedId)) {
      if (!this.#panes.includes(this.#selectedId)) this.#panes = [...this.#panes, this.#selectedId].slice(-MAX_PANES)
      return
    }
    this.#selectedId = this.#panes[0] ?? this.#projects[0]?.id ?? null
    if (this.#selectedId && this.#panes.length === 0) this.#panes = [this.#selectedId]
  }

  async #loadUiState(): Promise<void> {
    try {
      const ui = this.ui ? null : await api.settings.uiAll.query()
      const get = (key: string): unknown => (this.ui ? this.ui.get<unknown>(key, null) : ui?.[key])
      const theme = get(UI_THEME)
      if (isTheme(theme)) this.#theme = theme
      const layout = (get(UI_LAYOUT) ?? get(UI_LEGACY_LAYOUT)) as Partial<LayoutState> | null | undefined
      if (layout && typeof layout.selectedId === 'string') this.#selectedId = layout.selectedId
      if (layout && Array.isArray(layout.panes)) this.#panes = layout.panes.filter((p): p is string => typeof p === 'string').slice(0, MAX_PANES)
    } catch (err) {
      console.warn('could not load UI state', err)
    }
    this.#applyTheme()
  }

  async #loadInfo(): Promise<void> {
    try {
      this.#info = await api.app.info.query()
    } catch (err) {
      console.warn('could not load app info', err)
    }
    await this.#loadHealth()
  }

  async #loadHealth(): Promise<void> {
    try {
      this.#storageError = (await api.app.health.query()).storageError
    } catch (err) {
      console.warn('could not load app health', err)
    }
  }

  #saveLayout(): void {
    const value: LayoutState = { panes: this.#panes, selectedId: this.#selectedId }
    if (this.ui) {
      // Written at once (not debounced): a reload right after a click keeps the layout.
      this.ui.set(UI_LAYOUT, value)
      void this.ui.flush()
    } else void api.settings.uiSet.mutate({ key: UI_LAYOUT, value }).catch((err: unknown) => console.warn('could not save layout', err))
  }

  #applyTheme(): void {
    const root = document.documentElement
    if (this.#theme === 'system') delete root.dataset.theme
    else root.dataset.theme = this.#theme
  }

  #watchSystemTheme(): void {
    const mq = window.matchMedia('(prefers-color-scheme: dark)')
    this.#systemDark = mq.matches
    const onChange = (e: MediaQueryListEvent) => {
      this.#systemDark = e.matches
    }
    mq.addEventListener('change', onChange)
    this.#disposers.push(() => mq.removeEventListener('change', onChange))
  }
}

export const [getWorkspace, setWorkspace] = createContext<Workspace>()
