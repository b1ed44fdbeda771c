/** Projects: a named folder the user runs agents in. */
import { randomUUID } from 'node:crypto'
import { accessSync, constants, realpathSync, statSync } from 'node:fs'
import { basename, isAbsolute } from 'node:path'
import type { ProjectDTO } from '../shared/dto'
import { ShepherdError } from '../shared/errors'
import type { EventHub } from '../supervisor/event-hub'
import { projectToDTO } from '../store/rows'
import { formatRemoteLocation, isRemoteLocation, parseRemoteLocation } from '../remote/location'
import type { Store } from '../store/store'

export interface ProjectSettingsPatch {
  stallThresholdMs?: number | null
  retentionCount?: number | null
  retentionDays?: number | null
}

export class ProjectService {
  constructor(
    private readonly store: Store,
    private readonly hub: EventHub,
    /** Stops a project's running sessions before it is removed (set by the supervisor). */
    private readonly beforeRemove: (projectId: string) => Promise<void> = async () => {}
  ) {}

  list(): ProjectDTO[] {
    return this.store.listProjects().map(projectToDTO)
  }

  get(id: string): ProjectDTO {
    const row = this.store.getProject(id)
    if (!row) throw new ShepherdError('NOT_FOUND', `no project with id ${id}`)
    return projectToDTO(row)
  }

  add(path: string, name?: string): ProjectDTO {
    // A folder on an SSH host (`host:/path`) is checked over SSH first (src-main/remote/service.ts); stored as typed.
    const resolved = isRemoteLocation(path) ? formatRemoteLocation(parseRemoteLocation(path)) : validateProjectFolder(path)
    if (this.store.getProjectByPath(resolved)) throw new ShepherdError('CONFLICT', `${resolved} is already a project`)
    const now = Date.now()
    const row = {
      id: randomUUID(),
      name: (name?.trim() || basename(resolved.replace(/^[^/]*:(?=\/)/, '')) || resolved).slice(0, 200),
      path: resolved,
      created_at: now,
      updated_at: now,
      stall_threshold_ms: null,
      retention_count: null,
      retention_days: null
    }
    this.store.insertProject(row)
    const dto = projectToDTO(row)
    this.hub.publish({ type: 'project.changed', project: dto })
    return dto
  }

  rename(id: string, name: string): ProjectDTO {
    const trimmed = name.trim()
    if (!trimmed) throw new ShepherdError('BAD_REQUEST', 'a project name cannot be empty')
    this.get(id)
    this.store.updateProject(id, { name: trimmed, updated_at: Date.now() })
    return this.#changed(id)
  }

  updateSettings(id: string, patch: ProjectSettingsPatch): ProjectDTO {
    this.get(id)
    const p: Record<string, number | null> = { updated_at: Date.now() }
    if (patch.stallThresholdMs !== undefined) p.stall_threshold_ms = patch.stallThresholdMs
    if (patch.retentionCount !== undefined) p.retention_count = patch.retentionCount
    if (patch.retentionDays !== undefined) p.retention_days = patch.retentionDays
    this.store.updateProject(id, p)
    return this.#changed(id)
  }

  async remove(id: string): Promise<void> {
    this.get(id)
    await this.beforeRemove(id)
    // Sessions, messages, raw events and approvals go with it (ON DELETE CASCADE); the cost ledger stays.
    this.store.deleteProject(id)
    this.hub.publish({ type: 'project.removed', projectId: id })
  }

  #changed(id: string): ProjectDTO {
    const dto = this.get(id)
    this.hub.publish({ type: 'project.changed', project: dto })
    return dto
  }
}

/** An absolute path to an existing, readable directory; returned with symlinks resolved. */
export function validateProjectFolder(path: string): string {
  const p = path.trim()
  if (!p) throw new ShepherdError('BAD_REQUEST', 'Enter the folder path of your project.')
  if (p.includes('\0')) throw new ShepherdError('BAD_REQUEST', 'The path contains a NUL character.')
  if (!isAbsolute(p)) throw new ShepherdError('BAD_REQUEST', `"${p}" is not an absolute path (it should start with / or a drive letter).`)
  let real: string
  try {
    real = realpathSync(p)
  } catch {
    throw new ShepherdError('BAD_REQUEST', `No folder exists at ${p}.`)
  }
  if (!statSync(real).isDirectory()) throw new ShepherdError('BAD_REQUEST', `${p} is a file, not a folder.`)
  try {
    accessSync(real, constants.R_OK | constants.X_OK)
  } catch {
    throw new ShepherdError('BAD_REQUEST', `Shepherd cannot read ${p} (permission denied).`)
  }
  return real
}
