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
import { api, events, type AppInfo } from './api/client'

export type ThemePreference = 'system' | 'light' | 'dark'
export type MainView = 'projects' | 'settings'
/**
 * What the sidebar dot of a project shows. Set by whoever knows the project's sessions (the project
 * store) through {@link Workspace.setActivity}; absent = nothing running.
 */
export interface ProjectActivity {
  tone: 'idle' | 'running' | 'attention' | 'error'
  /** Accessible text for the dot, e.g. "2 agents running", "1 agent needs approval". */
  label: string
}

export type WorkspaceDialog = { kind: 'add' } | { kind: 'remove'; project: ProjectDTO } | null

/** UI-state keys (settings.uiSet): survive reloads and restarts. */
const UI_THEME = 'theme'
const UI_LAYOUT = 'workspace'

interface LayoutState {
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
  #activity = $state.raw<Record<string, ProjectActivity>>({})

  /** Events that arrive while the list is being (re)fetched are applied after it lands. */
  #pending: ShepherdEvent[] | null = null
  #disposers: (() => void)[] = []

  readonly selected = $derived(this.#projects.find((p) => p.id === this.#selectedId) ?? null)
  /** Projects shown side by side in the main area (one for now; up to four later). */
  readonly openProjects = $derived(this.selected ? [this.selected] : [])
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
  get info(): AppInfo | null {
    return this.#info
  }

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

  select(id: string | null): void {
    this.#selectedId = id
    this.#view = 'projects'
    this.#saveLayout()
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

  openAddDialog(): void {
    this.#dialog = { kind: 'add' }
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
    void api.settings.uiSet.mutate({ key: UI_THEME, value: theme }).catch((err: unknown) => console.warn('could not save theme', err))
  }

  // ---- internals ------------------------------------------------------------------------------

  #onEvent(e: ShepherdEvent): void {
    if (e.type === 'resync') {
      void this.refresh()
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
    if (this.#selectedId === id) {
      // Select the neighbour, as file trees and tab bars do.
      const next = this.#projects[Math.min(index, this.#projects.length - 1)] ?? null
      this.select(next?.id ?? null)
    }
  }

  #ensureSelection(): void {
    if (!this.#loaded) return
    if (this.#selectedId && this.#projects.some((p) => p.id === this.#selectedId)) return
    this.#selectedId = this.#projects[0]?.id ?? null
  }

  async #loadUiState(): Promise<void> {
    try {
      const ui = await api.settings.uiAll.query()
      const theme = ui[UI_THEME]
      if (isTheme(theme)) this.#theme = theme
      const layout = ui[UI_LAYOUT] as Partial<LayoutState> | null | undefined
      if (layout && typeof layout.selectedId === 'string') this.#selectedId = layout.selectedId
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
  }

  #saveLayout(): void {
    const value: LayoutState = { selectedId: this.#selectedId }
    void api.settings.uiSet.mutate({ key: UI_LAYOUT, value }).catch((err: unknown) => console.warn('could not save layout', err))
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
