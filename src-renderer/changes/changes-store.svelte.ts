/**
 * One session's worktree and changes, for its pane header badge and the Changes view. Git runs only
 * when this asks: once when a pane shows the session, then debounced after the agent's tool results
 * and status changes (never on a timer), so idle sessions and hidden panes cost no git processes.
 */
import type { ChangesDTO, FileDiffDTO, WorktreeDTO } from '../../src-main/shared/worktrees'

export interface ChangesApi {
  worktree(sessionId: string): Promise<WorktreeDTO | null>
  changes(sessionId: string): Promise<ChangesDTO>
  diff(sessionId: string, path: string): Promise<FileDiffDTO>
}

/** Quiet period after the last tool result before the changes are read again. */
export const REFRESH_DEBOUNCE_MS = 700

export class ChangesStore {
  worktree = $state<WorktreeDTO | null>(null)
  changes = $state<ChangesDTO | null>(null)
  error = $state<string | null>(null)
  loading = $state(false)
  /** Set once the worktree record was read (null worktree = the session runs in the project folder). */
  known = $state(false)
  #timer: ReturnType<typeof setTimeout> | null = null
  #running: Promise<void> | null = null
  #again = false
  #disposed = false

  constructor(
    readonly sessionId: string,
    private readonly api: ChangesApi
  ) {}

  get fileCount(): number {
    return this.changes?.files.length ?? 0
  }

  /** First read: the worktree record (no git), then the changes if it has one. */
  async load(): Promise<void> {
    try {
      this.worktree = await this.api.worktree(this.sessionId)
      this.known = true
      if (this.worktree && this.worktree.state !== 'discarded' && this.worktree.state !== 'preparing') await this.refresh()
    } catch (err) {
      this.error = err instanceof Error ? err.message : String(err)
    }
  }

  /** Something may have changed files (a tool result, a status change): read again after a quiet period. */
  poke(): void {
    if (this.#disposed || !this.worktree) return
    if (this.#timer) clearTimeout(this.#timer)
    this.#timer = setTimeout(() => {
      this.#timer = null
      void this.refresh(true)
    }, REFRESH_DEBOUNCE_MS)
  }

  /** Read the worktree record and the changes now; a call while one runs queues exactly one more. */
  refresh(withRecord = false): Promise<void> {
    if (this.#running) {
      this.#again = true
      return this.#running
    }
    this.#running = (async () => {
      this.loading = true
      try {
        do {
          this.#again = false
          if (withRecord || !this.worktree) this.worktree = await this.api.worktree(this.sessionId)
          if (this.worktree && this.worktree.state !== 'preparing') this.changes = await this.api.changes(this.sessionId)
          this.error = null
        } while (this.#again && !this.#disposed)
      } catch (err) {
        this.error = err instanceof Error ? err.message : String(err)
      } finally {
        this.loading = false
        this.#running = null
      }
    })()
    return this.#running
  }

  dispose(): void {
    this.#disposed = true
    if (this.#timer) clearTimeout(this.#timer)
  }
}
