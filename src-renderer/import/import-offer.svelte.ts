/**
 * The "import the sessions the CLIs already have" offer and the progress of a running import, shared
 * by the add-project flow, the project menu and the dialog (one at a time per window). The import runs
 * in the main process; this only polls its progress while one is running, so closing the dialog never
 * stops it.
 */
import type { ProjectDTO } from '../../src-main/shared/dto'
import { api, describeError, type RouterOutputs } from '../lib/api/client'
import { toasts } from '../toasts/toasts.svelte'

export type ImportScan = RouterOutputs['imports']['scan']
export type ImportJob = NonNullable<RouterOutputs['imports']['status']>

const POLL_MS = 300

class ImportOffer {
  project = $state.raw<ProjectDTO | null>(null)
  scan = $state.raw<ImportScan | null>(null)
  job = $state.raw<ImportJob | null>(null)
  open = $state(false)
  error = $state<string | null>(null)
  #timer: ReturnType<typeof setTimeout> | null = null

  /** Scans the folder; shows the dialog when there is something to import (or always, when asked from the menu). */
  async offer(project: ProjectDTO, onlyIfFound: boolean): Promise<void> {
    try {
      const [scan, job] = await Promise.all([api.imports.scan.query({ projectId: project.id }), api.imports.status.query({ projectId: project.id })])
      if (onlyIfFound && scan.pending === 0) return
      this.project = project
      this.scan = scan
      this.job = job?.state === 'running' ? job : null
      this.error = null
      this.open = true
      if (this.job) this.#poll(project)
    } catch (err) {
      if (!onlyIfFound) toasts.error('Could not look for sessions to import', describeError(err).message)
    }
  }

  async start(): Promise<void> {
    const project = this.project
    if (!project) return
    try {
      this.job = await api.imports.start.mutate({ projectId: project.id })
      this.#poll(project)
    } catch (err) {
      this.error = describeError(err).message
    }
  }

  async cancel(): Promise<void> {
    if (this.project) await api.imports.cancel.mutate({ projectId: this.project.id }).catch(() => {})
  }

  close(): void {
    this.open = false
  }

  #poll(project: ProjectDTO): void {
    if (this.#timer) clearTimeout(this.#timer)
    const tick = async () => {
      try {
        const job = await api.imports.status.query({ projectId: project.id })
        if (this.project?.id === project.id) this.job = job
        if (job && job.state !== 'running') {
          this.#timer = null
          if (!this.open || this.project?.id !== project.id) notifyDone(project, job)
          return
        }
      } catch {
        /* reconnecting: try again */
      }
      this.#timer = setTimeout(tick, POLL_MS)
    }
    this.#timer = setTimeout(tick, POLL_MS)
  }
}

function notifyDone(project: ProjectDTO, job: ImportJob) {
  if (job.state === 'done') toasts.success(`Imported sessions into ${project.name}`, summary(job))
  else if (job.state === 'cancelled') toasts.push({ kind: 'info', title: 'Import cancelled', body: summary(job) })
  else toasts.error('Import failed', job.errors[0] ?? 'unknown error')
}

export function summary(job: ImportJob): string {
  const parts = [`${job.sessionsAdded} new ${job.sessionsAdded === 1 ? 'session' : 'sessions'}`]
  if (job.sessionsUpdated) parts.push(`${job.sessionsUpdated} updated`)
  parts.push(`${job.messagesAdded.toLocaleString('en-US')} messages`)
  if (job.skippedCount) parts.push(`${job.skippedCount} unreadable ${job.skippedCount === 1 ? 'line' : 'lines'} skipped`)
  return parts.join(' · ')
}

export const importOffer = new ImportOffer()
