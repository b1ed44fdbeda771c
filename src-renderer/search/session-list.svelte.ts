/**
 * The session picker's list, filtered, sorted and paged by the server (`search.sessions`): a project
 * may hold thousands of sessions, and the picker renders one page (pinned first, then by last
 * activity). Rows show the project store's live copy of a session when it has one (status, title).
 */
import type { SessionDTO } from '../../src-main/shared/dto'
import type { ProviderId, SessionStatus } from '../../src-main/shared/status'
import type { RouterInputs, RouterOutputs } from '../lib/api/client'

export type SessionsInput = RouterInputs['search']['sessions']
export type SessionsResult = RouterOutputs['search']['sessions']

/** Status filter choices, each a set of statuses. */
export const STATUS_FILTERS: Record<string, { label: string; statuses: SessionStatus[] }> = {
  active: { label: 'Active', statuses: ['queued', 'starting', 'running', 'waiting_approval', 'idle', 'stopping'] },
  approval: { label: 'Needs approval', statuses: ['waiting_approval'] },
  done: { label: 'Done', statuses: ['done'] },
  error: { label: 'Failed', statuses: ['error'] },
  interrupted: { label: 'Interrupted', statuses: ['interrupted'] }
}

export const LIST_PAGE = 100

export class SessionList {
  text = $state('')
  status = $state<string>('')
  provider = $state<ProviderId | ''>('')
  archived = $state(false)
  rows = $state.raw<SessionDTO[]>([])
  total = $state(0)
  loading = $state(false)
  error = $state<string | null>(null)

  #generation = 0
  #timer: ReturnType<typeof setTimeout> | null = null

  constructor(
    private readonly projectId: string,
    private readonly query: (input: SessionsInput) => Promise<SessionsResult>
  ) {}

  get filtered(): boolean {
    return this.text.trim() !== '' || this.status !== '' || this.provider !== '' || this.archived
  }

  /** Re-query after a short pause (typing, or sessions changing while the list is open). */
  changed(delay = 120): void {
    if (this.#timer) clearTimeout(this.#timer)
    this.#timer = setTimeout(() => {
      this.#timer = null
      void this.load()
    }, delay)
  }

  async load(more = false): Promise<void> {
    const generation = ++this.#generation
    this.loading = true
    try {
      const r = await this.query({
        projectId: this.projectId,
        limit: LIST_PAGE,
        offset: more ? this.rows.length : 0,
        archived: this.archived,
        ...(this.text.trim() ? { text: this.text.trim().slice(0, 200) } : {}),
        ...(this.status && STATUS_FILTERS[this.status] ? { statuses: STATUS_FILTERS[this.status]!.statuses } : {}),
        ...(this.provider ? { providers: [this.provider] } : {})
      })
      if (generation !== this.#generation) return
      this.rows = more ? this.rows.concat(r.sessions) : r.sessions
      this.total = r.total
      this.error = null
    } catch (err) {
      if (generation === this.#generation) this.error = err instanceof Error ? err.message : String(err)
    } finally {
      if (generation === this.#generation) this.loading = false
    }
  }

  dispose(): void {
    this.#generation++
    if (this.#timer) clearTimeout(this.#timer)
  }
}
