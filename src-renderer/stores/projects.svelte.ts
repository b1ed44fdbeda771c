/**
 * The projects list, kept live from the events stream: loaded at startup and after a `resync`,
 * changed by the user's add / rename / remove and by `project.*` events (newest wins).
 */
import type { ProjectDTO } from '../../src-main/shared/dto'
import type { ShepherdEvent } from '../../src-main/shared/events'
import { api } from '../lib/api/client'

export interface ProjectsHooks {
  /** The list changed (or finished loading). */
  changed(): void
  /** A project left the list; `index` is where it was. */
  removed(id: string, index: number): void
}

export class ProjectsStore {
  /** Projects in the order they were added (the server's order). */
  #list = $state.raw<ProjectDTO[]>([])
  #loaded = $state(false)
  #loadError = $state<string | null>(null)
  /** Events that arrive while the list is being (re)fetched are applied after it lands. */
  #pending: ShepherdEvent[] | null = null

  constructor(private readonly hooks: ProjectsHooks) {}

  get list(): readonly ProjectDTO[] {
    return this.#list
  }
  get loaded(): boolean {
    return this.#loaded
  }
  get loadError(): string | null {
    return this.#loadError
  }

  /** Refetch the list (startup, `resync`, retry after a failure). */
  async refresh(): Promise<void> {
    this.#pending ??= []
    try {
      const list = await api.projects.list.query()
      this.#list = list
      this.#loadError = null
      const queued = this.#pending
      this.#pending = null
      for (const e of queued) this.#apply(e)
    } catch (err) {
      this.#pending = null
      this.#loadError = err instanceof Error ? err.message : String(err)
    } finally {
      this.#loaded = true
      this.hooks.changed()
    }
  }

  /** A live event: `project.changed` / `project.removed` (others are not this store's). */
  apply(e: ShepherdEvent): void {
    if (e.type !== 'project.changed' && e.type !== 'project.removed') return
    if (this.#pending) this.#pending.push(e)
    else this.#apply(e)
  }

  /** Add a project folder; throws the API error (the dialog shows it inline). */
  async add(path: string, name?: string): Promise<ProjectDTO> {
    const project = await api.projects.add.mutate({ path, name: name?.trim() ? name.trim() : undefined })
    this.#upsert(project)
    return project
  }

  async rename(id: string, name: string): Promise<ProjectDTO> {
    const project = await api.projects.rename.mutate({ id, name })
    this.#upsert(project)
    return project
  }

  async remove(id: string): Promise<void> {
    await api.projects.remove.mutate({ id })
    this.#drop(id)
  }

  /** Native folder picker (Electron only); null when cancelled or unsupported. */
  async pickFolder(): Promise<string | null> {
    const res = await api.projects.pickFolder.mutate()
    return res.supported ? res.path : null
  }

  #apply(e: ShepherdEvent): void {
    if (e.type === 'project.changed') this.#upsert(e.project)
    else if (e.type === 'project.removed') this.#drop(e.projectId)
  }

  #upsert(project: ProjectDTO): void {
    const i = this.#list.findIndex((p) => p.id === project.id)
    if (i === -1) {
      this.#list = [...this.#list, project]
    } else {
      const current = this.#list[i]
      // Events and mutation results can arrive in either order: keep the newest.
      if (current && current.updatedAt > project.updatedAt) return
      this.#list = this.#list.with(i, project)
    }
    this.hooks.changed()
  }

  #drop(id: string): void {
    const index = this.#list.findIndex((p) => p.id === id)
    if (index === -1) return
    this.#list = this.#list.filter((p) => p.id !== id)
    this.hooks.removed(id, index)
    this.hooks.changed()
  }
}
