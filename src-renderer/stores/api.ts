/**
 * What the project store needs from the outside world, as small interfaces so unit tests can use
 * fakes (and fake timers) instead of a server. `trpc-api.ts` adapts the real tRPC client to them.
 */
import type { ApprovalDTO, MessageDTO, ProjectDTO, SessionDTO } from '../../src-main/shared/dto'
import type { QuestionDTO } from '../../src-main/shared/questions'
import type { ProviderId } from '../../src-main/shared/status'

export interface ProjectApi {
  listSessions(projectId: string): Promise<SessionDTO[]>
  /** Newest page ending before `beforeSeq` (null = tail), ascending. */
  pageMessages(sessionId: string, beforeSeq: number | null, limit: number): Promise<{ messages: MessageDTO[]; hasMore: boolean }>
  messagesAfter(sessionId: string, afterSeq: number, limit: number): Promise<{ messages: MessageDTO[]; lastSeq: number }>
  /** The page around `seq` (search hits, in-session find), ascending. */
  messagesAround(
    sessionId: string,
    seq: number,
    before: number,
    after: number
  ): Promise<{ messages: MessageDTO[]; hasOlder: boolean; hasNewer: boolean; lastSeq: number }>
  approvals(projectId: string): Promise<ApprovalDTO[]>
  /** Pending questions and forms (optional: test fakes may leave it out). */
  questions?(projectId: string): Promise<QuestionDTO[]>
  prune(projectId: string): Promise<{ removed: string[] }>
  /** Warm up an agent for this project (OpenCode starts its server); optional, fire and forget. */
  prewarm?(projectId: string, provider: ProviderId): Promise<unknown>
}

export type NoticeKind = 'completed' | 'error' | 'stalled' | 'approval'

export interface Notice {
  kind: NoticeKind
  /** Dedup key: the same key is never shown twice, also across reloads. */
  key: string
  title: string
  body: string
  projectId: string
  sessionId: string
}

export interface Notifier {
  notify(n: Notice): void
  /** The thing a notice was about is over (an approval answered, here or anywhere): take it back. */
  withdraw?(key: string): void
}

export interface StoreSettings {
  /** The project's stall threshold (project override or the global default), ms. */
  stallThresholdMs(project: ProjectDTO): number
  /** Whether this kind of notice is wanted. */
  wants(kind: NoticeKind): boolean
}

export interface Clock {
  now(): number
}

export const systemClock: Clock = { now: () => Date.now() }
