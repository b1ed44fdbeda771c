/**
 * The agent CLIs: which are installed (detection) and what each supports (its controls and
 * permission-mode mapping), from `settings.providers`. Loaded once when first needed; checked again
 * after Settings and when an ACP agent has told more about itself.
 */
import type { ProviderId } from '../../src-main/shared/status'
import { api, type ProviderDetection } from '../lib/api/client'

export class AgentsStore {
  /** Null until the first detection answers. */
  list = $state.raw<ProviderDetection[] | null>(null)

  #loading: Promise<void> | null = null
  #learntFrom = new Set<string>()

  get(id: ProviderId): ProviderDetection | null {
    return this.list?.find((p) => p.id === id) ?? null
  }

  /** Detect the agent CLIs (once; `force` checks again). */
  load(force = false): Promise<void> {
    if (this.list && !force) return Promise.resolve()
    this.#loading ??= api.settings.providers
      .query()
      .then((p) => {
        this.list = p
      })
      .catch((err: unknown) => console.warn('could not detect agent CLIs', err))
      .finally(() => {
        this.#loading = null
      })
    return this.#loading
  }

  /** Detect again only if detection ran before (Settings may have changed CLI paths). */
  reloadIfLoaded(): void {
    if (this.list) void this.load(true)
  }

  /**
   * A generic (ACP) agent says whether it lets Shepherd choose its model and mode only when a
   * session is set up: once a session has its agent conversation, ask the main process again (once
   * per session; each check probes the agent CLIs).
   */
  learnFrom(session: { id: string; provider: ProviderId; cliSessionId: string | null }): void {
    if (!session.cliSessionId || this.#learntFrom.has(session.id)) return
    const c = this.get(session.provider)?.controls
    if (!c || (c.model.level !== 'depends' && c.permissionMode.level !== 'depends')) return
    this.#learntFrom.add(session.id)
    void this.load(true)
  }
}
