/**
 * Whether Shepherd can write to its database right now (RELIABILITY DB-2). Commits that fail (disk
 * full, read-only, locked) are retried by the writer while agent output is paused, so nothing is
 * lost, but the user must know why their agents went quiet. Only transitions are pushed.
 */
import type { EventHub } from '../supervisor/event-hub'
import { mapSqliteError } from '../store/open'

export class StorageHealth {
  #error: string | null = null

  constructor(private readonly hub: EventHub) {}

  /** Why writes fail, or null while they succeed. */
  get error(): string | null {
    return this.#error
  }

  failed(err: unknown): void {
    const message = plainReason(err)
    if (this.#error === message) return
    this.#error = message
    this.hub.publish({ type: 'app.storage', error: message })
  }

  committed(): void {
    if (this.#error === null) return
    this.#error = null
    this.hub.publish({ type: 'app.storage', error: null })
  }
}

/** What the banner says after "Shepherd cannot save to its database:". */
function plainReason(err: unknown): string {
  const mapped = mapSqliteError(err)
  switch ((mapped as { code?: string }).code) {
    case 'DB_FULL':
      return 'the disk is full'
    case 'DB_READONLY':
      return 'the database file or its folder is read-only'
    case 'DB_BUSY':
      return 'another program holds a lock on it'
    default:
      return mapped.message
  }
}
