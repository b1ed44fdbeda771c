/**
 * What the renderer stores need from the outside world, as small interfaces so every store is
 * unit-testable with fakes (no server, no tRPC). `trpc-api.ts` adapts the real tRPC client to them.
 */
import type { ApprovalDTO, MessageDTO, SessionDTO } from '../../src-main/shared/dto'
import type { ShepherdEvent } from '../../src-main/shared/events'

/** A page of a transcript ending before `beforeSeq` (ascending), like `messages.page`. */
export interface MessagePage {
  messages: MessageDTO[]
  /** True when messages older than the first one exist. */
  hasMore: boolean
}

/** Messages after `afterSeq` (ascending, at most `limit`), plus the session's highest seq in the DB. */
export interface MessagesAfter {
  messages: MessageDTO[]
  lastSeq: number
}

/** The transcript half of the API (one session's messages). */
export interface TranscriptApi {
  /** `messages.page`: `beforeSeq` null = the tail. */
  pageMessages(sessionId: string, beforeSeq: number | null, limit: number): Promise<MessagePage>
  /** `messages.after`: gap fill and resync. */
  messagesAfter(sessionId: string, afterSeq: number, limit: number): Promise<MessagesAfter>
}

/** Renderer-owned UI blobs (`settings.uiAll` / `settings.uiSet`). */
export interface UiApi {
  uiAll(): Promise<Record<string, unknown>>
  /** `null` clears the key (it is stored as JSON `null`, which readers treat as absent). */
  uiSet(key: string, value: unknown): Promise<void>
}

/** Everything a `ProjectStore` calls. */
export interface ProjectApi extends TranscriptApi {
  /** `sessions.list`. */
  listSessions(projectId: string): Promise<SessionDTO[]>
  /** `sessions.approvals`: pending approvals of the project. */
  approvals(projectId: string): Promise<ApprovalDTO[]>
  /** `sessions.prune`: retention in the DB (messages included); returns the removed session ids. */
  prune(projectId: string): Promise<{ removed: string[] }>
  /** One UI blob (`null` when absent). */
  uiGet(key: string): Promise<unknown>
  uiSet(key: string, value: unknown): Promise<void>
}

export type NotificationKind = 'completed' | 'error' | 'stalled' | 'approval'

/** One toast + OS notification. `key` is unique per event: the store never sends a key twice. */
export interface ShepherdNotification {
  kind: NotificationKind
  key: string
  title: string
  body: string
  projectId: string
  sessionId: string
}

/**
 * Shows toasts and OS notifications. The store calls it once per event; the implementation applies
 * the user's per-kind toggles (`settings.notifications`) and decides toast vs OS notification.
 */
export interface Notifier {
  notify(n: ShepherdNotification): void
}

/** Injected time source (tests pass a fake or rely on `vi.useFakeTimers()`, which fakes `Date`). */
export interface Clock {
  now(): number
}

export const systemClock: Clock = { now: () => Date.now() }

/** One event of the `events.stream` subscription with its tracked id. */
export interface TrackedEvent {
  id: string
  event: ShepherdEvent
}

/**
 * Opens the one `events.stream` subscription (resuming after `lastEventId` when given) and returns
 * what closes it.
 */
export type EventSource = (
  lastEventId: string | null,
  handlers: { onEvent(e: TrackedEvent): void; onError(err: unknown): void }
) => () => void

/** Where stores report failures they recover from (failed fetches, failed saves). */
export type ErrorReporter = (err: unknown, where: string) => void

export const consoleReporter: ErrorReporter = (err, where) => console.error(`[shepherd] ${where}:`, err)
