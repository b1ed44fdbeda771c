/**
 * The one `events` subscription carries these. Every event has a global, monotonically increasing
 * `id` (the tRPC `tracked()` id, used to resume after a reconnect) and, for session events, the
 * session's `seq` so the renderer can dedupe and detect gaps.
 */
import type { ApprovalDTO, CostTotals, DraftDTO, MessageDTO, ProjectDTO, SessionDTO } from './dto'
import type { SessionStatus, StatusReason } from './status'
import type { QuestionDTO } from './questions'

export type ShepherdEvent =
  | { type: 'agent.message'; sessionId: string; projectId: string; seq: number; messages: MessageDTO[] }
  /**
   * One status change is this one event, pushed after it is committed; `session` is the committed row
   * it produced (the supervisor always sets it; no separate `session.changed` follows).
   */
  | {
      type: 'agent.status'
      sessionId: string
      projectId: string
      seq: number
      status: SessionStatus
      reason: StatusReason | null
      at: number
      session?: SessionDTO
    }
  /**
   * The block the agent is streaming after message `seq` (null: none). Pushed, not stored; a
   * message with a higher seq replaces it.
   */
  | { type: 'agent.draft'; sessionId: string; projectId: string; seq: number; draft: DraftDTO | null }
  /**
   * Proof of life that is no transcript row (a tool's progress heartbeat, a sub-agent's progress):
   * resets the stall timer. `text`: what runs now; `background`: work the agent started that still
   * runs (null = unchanged). Not persisted (the session's last activity time is, now and then).
   */
  | { type: 'agent.activity'; sessionId: string; projectId: string; text: string | null; background: string[] | null }
  | { type: 'agent.cost'; sessionId: string; projectId: string; seq: number; totals: CostTotals }
  | { type: 'agent.approval'; sessionId: string; projectId: string; seq: number; approval: ApprovalDTO }
  /** A question or form the agent asks (pending), or how it ended. */
  | { type: 'agent.question'; sessionId: string; projectId: string; seq: number; question: QuestionDTO }
  | { type: 'session.changed'; session: SessionDTO }
  | { type: 'session.removed'; sessionId: string; projectId: string }
  | { type: 'project.changed'; project: ProjectDTO }
  | { type: 'project.removed'; projectId: string }
  /** Writing to the database started failing (`error`) or works again (null): agents are paused meanwhile. */
  | { type: 'app.storage'; error: string | null }
  /** The user clicked an OS notification: focus this project's pane (and session). */
  | { type: 'ui.focus'; projectId: string; sessionId: string | null }
  /** An agent reported its usage-limit windows; `limited`: this session's turn was refused until `resetsAt`. */
  | {
      type: 'agent.ratelimit'
      sessionId: string
      projectId: string
      provider: string
      windows: RateLimitWindowDTO[]
      limited: boolean
      resetsAt: number | null
      prompt: string | null
    }
  /** Inbox items, budget holds or usage limits changed: the inbox and counts refetch (issue 16). */
  | { type: 'attention.changed' }
  /** A budget threshold was crossed (`warning`) or a session was paused at its cap (`over`): toast + OS notification. */
  | { type: 'budget.alert'; level: 'warning' | 'over'; sessionId: string; projectId: string; text: string }
  /** The server could not replay from the client's lastEventId: refetch state from the API. */
  | { type: 'resync'; reason: string }

export interface RateLimitWindowDTO {
  window: string
  status: 'allowed' | 'warning' | 'rejected'
  utilization: number | null
  resetsAt: number | null
}

export type ShepherdEventType = ShepherdEvent['type']
