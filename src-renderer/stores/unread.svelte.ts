/**
 * Unread marks: sessions that finished a turn while not on screen (session id → project id), shown
 * as dots in the sidebar and the session picker until the session is looked at. Survive reloads.
 */
import { BUSY_STATUSES, TURN_ENDED_STATUSES, type SessionStatus } from '../../src-main/shared/status'
import type { UiState } from './ui-state.svelte'

const UNREAD_KEY = 'unread'

export class UnreadStore {
  #marks = $state.raw<Record<string, string>>({})

  constructor(private readonly ui: UiState) {
    this.#marks = ui.get<Record<string, string>>(UNREAD_KEY, {})
  }

  has(sessionId: string): boolean {
    return this.#marks[sessionId] !== undefined
  }

  count(projectId: string): number {
    let n = 0
    for (const p of Object.values(this.#marks)) if (p === projectId) n++
    return n
  }

  /** A status change: a busy session whose turn ended while not on screen gets a mark. */
  noteStatus(projectId: string, sessionId: string, prev: SessionStatus | undefined, next: SessionStatus, onScreen: boolean): void {
    if (prev && BUSY_STATUSES.includes(prev) && TURN_ENDED_STATUSES.includes(next) && !onScreen) this.#set({ ...this.#marks, [sessionId]: projectId })
  }

  /** The session was looked at, or is gone. */
  markRead(sessionId: string): void {
    if (!this.has(sessionId)) return
    const { [sessionId]: _read, ...rest } = this.#marks
    this.#set(rest)
  }

  #set(next: Record<string, string>): void {
    this.#marks = next
    this.ui.set(UNREAD_KEY, next)
  }
}
