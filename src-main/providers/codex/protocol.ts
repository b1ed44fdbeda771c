/**
 * The slice of the `codex app-server` protocol Shepherd speaks, typed with the generated bindings
 * in ./generated (`codex app-server generate-ts`, see its README). One JSON object per line,
 * JSON-RPC-like but without a `"jsonrpc"` field (docs/agent-cli.md §2).
 */
import type { InitializeParams } from './generated/InitializeParams'
import type { InitializeResponse } from './generated/InitializeResponse'
import type { RequestId } from './generated/RequestId'
import type { AgentMessageDeltaNotification } from './generated/v2/AgentMessageDeltaNotification'
import type { CommandExecutionOutputDeltaNotification } from './generated/v2/CommandExecutionOutputDeltaNotification'
import type { CommandExecutionRequestApprovalParams } from './generated/v2/CommandExecutionRequestApprovalParams'
import type { CommandExecutionRequestApprovalResponse } from './generated/v2/CommandExecutionRequestApprovalResponse'
import type { ConfigWarningNotification } from './generated/v2/ConfigWarningNotification'
import type { DeprecationNoticeNotification } from './generated/v2/DeprecationNoticeNotification'
import type { ErrorNotification } from './generated/v2/ErrorNotification'
import type { FileChangeRequestApprovalParams } from './generated/v2/FileChangeRequestApprovalParams'
import type { FileChangeRequestApprovalResponse } from './generated/v2/FileChangeRequestApprovalResponse'
import type { ItemCompletedNotification } from './generated/v2/ItemCompletedNotification'
import type { ItemStartedNotification } from './generated/v2/ItemStartedNotification'
import type { ModelReroutedNotification } from './generated/v2/ModelReroutedNotification'
import type { ReasoningSummaryTextDeltaNotification } from './generated/v2/ReasoningSummaryTextDeltaNotification'
import type { ReasoningTextDeltaNotification } from './generated/v2/ReasoningTextDeltaNotification'
import type { ServerRequestResolvedNotification } from './generated/v2/ServerRequestResolvedNotification'
import type { ThreadForkParams } from './generated/v2/ThreadForkParams'
import type { ThreadForkResponse } from './generated/v2/ThreadForkResponse'
import type { ThreadResumeParams } from './generated/v2/ThreadResumeParams'
import type { ThreadResumeResponse } from './generated/v2/ThreadResumeResponse'
import type { ThreadStartedNotification } from './generated/v2/ThreadStartedNotification'
import type { ThreadStartParams } from './generated/v2/ThreadStartParams'
import type { ThreadStartResponse } from './generated/v2/ThreadStartResponse'
import type { ThreadStatusChangedNotification } from './generated/v2/ThreadStatusChangedNotification'
import type { ThreadTokenUsageUpdatedNotification } from './generated/v2/ThreadTokenUsageUpdatedNotification'
import type { TurnCompletedNotification } from './generated/v2/TurnCompletedNotification'
import type { TurnInterruptParams } from './generated/v2/TurnInterruptParams'
import type { TurnInterruptResponse } from './generated/v2/TurnInterruptResponse'
import type { TurnStartedNotification } from './generated/v2/TurnStartedNotification'
import type { TurnStartParams } from './generated/v2/TurnStartParams'
import type { TurnStartResponse } from './generated/v2/TurnStartResponse'
import type { TurnSteerParams } from './generated/v2/TurnSteerParams'
import type { TurnSteerResponse } from './generated/v2/TurnSteerResponse'
import type { WarningNotification } from './generated/v2/WarningNotification'

export type { RequestId }
export type { AskForApproval } from './generated/v2/AskForApproval'
export type { SandboxMode } from './generated/v2/SandboxMode'
export type { SandboxPolicy } from './generated/v2/SandboxPolicy'
export type { ThreadItem } from './generated/v2/ThreadItem'
export type { ThreadTokenUsage } from './generated/v2/ThreadTokenUsage'
export type { Turn } from './generated/v2/Turn'
export type { TurnError } from './generated/v2/TurnError'
export type { CodexErrorInfo } from './generated/v2/CodexErrorInfo'
export type { UserInput } from './generated/v2/UserInput'
export type { CommandExecutionApprovalDecision } from './generated/v2/CommandExecutionApprovalDecision'
export type { FileChangeApprovalDecision } from './generated/v2/FileChangeApprovalDecision'
export type { CommandExecutionRequestApprovalParams, FileChangeRequestApprovalParams }
export type { ThreadStartResponse, ThreadResumeResponse, ThreadForkResponse }

/**
 * `thread/backgroundTerminals/terminate` is experimental (needs `experimentalApi` at initialize), so
 * it is not in the stable bindings in ./generated: these are its shapes from
 * `codex app-server generate-ts --experimental` (0.171.0), v2/ThreadBackgroundTerminalsTerminate*.
 */
export interface ThreadBackgroundTerminalsTerminateParams {
  threadId: string
  processId: string
}
export interface ThreadBackgroundTerminalsTerminateResponse {
  terminated: boolean
}

/** Client → server requests we send: method → [params, result]. */
export interface CodexClientRequests {
  'thread/backgroundTerminals/terminate': [ThreadBackgroundTerminalsTerminateParams, ThreadBackgroundTerminalsTerminateResponse]
  initialize: [InitializeParams, InitializeResponse]
  'thread/start': [ThreadStartParams, ThreadStartResponse]
  'thread/resume': [ThreadResumeParams, ThreadResumeResponse]
  'thread/fork': [ThreadForkParams, ThreadForkResponse]
  'turn/start': [TurnStartParams, TurnStartResponse]
  'turn/interrupt': [TurnInterruptParams, TurnInterruptResponse]
  'turn/steer': [TurnSteerParams, TurnSteerResponse]
}
export type CodexMethod = keyof CodexClientRequests
export type ParamsOf<M extends CodexMethod> = CodexClientRequests[M][0]
/** The per-turn overrides Shepherd uses (they stick for later turns too). */
export type TurnStartParamsOverrides = Pick<TurnStartParams, 'model' | 'approvalPolicy' | 'sandboxPolicy'>
export type ResultOf<M extends CodexMethod> = CodexClientRequests[M][1]

/** Server → client notifications Shepherd interprets (anything else is kept as raw). */
export type CodexNotification =
  | { method: 'thread/started'; params: ThreadStartedNotification }
  | { method: 'thread/status/changed'; params: ThreadStatusChangedNotification }
  | { method: 'turn/started'; params: TurnStartedNotification }
  | { method: 'turn/completed'; params: TurnCompletedNotification }
  | { method: 'item/started'; params: ItemStartedNotification }
  | { method: 'item/completed'; params: ItemCompletedNotification }
  | { method: 'item/agentMessage/delta'; params: AgentMessageDeltaNotification }
  | { method: 'item/commandExecution/outputDelta'; params: CommandExecutionOutputDeltaNotification }
  | { method: 'item/reasoning/summaryTextDelta'; params: ReasoningSummaryTextDeltaNotification }
  | { method: 'item/reasoning/textDelta'; params: ReasoningTextDeltaNotification }
  | { method: 'thread/tokenUsage/updated'; params: ThreadTokenUsageUpdatedNotification }
  | { method: 'error'; params: ErrorNotification }
  | { method: 'serverRequest/resolved'; params: ServerRequestResolvedNotification }
  | { method: 'configWarning'; params: ConfigWarningNotification }
  | { method: 'warning'; params: WarningNotification }
  | { method: 'deprecationNotice'; params: DeprecationNoticeNotification }
  | { method: 'model/rerouted'; params: ModelReroutedNotification }
export type CodexNotificationMethod = CodexNotification['method']

/** Server → client requests Shepherd answers with a decision (anything else gets an error reply). */
export type CodexApprovalRequest =
  | { method: 'item/commandExecution/requestApproval'; id: RequestId; params: CommandExecutionRequestApprovalParams }
  | { method: 'item/fileChange/requestApproval'; id: RequestId; params: FileChangeRequestApprovalParams }
export type CodexApprovalResponse = CommandExecutionRequestApprovalResponse | FileChangeRequestApprovalResponse

/** A JSON-RPC error object (in replies to server requests, and in Codex's error replies). */
export interface RpcErrorObject {
  code: number
  message: string
  data?: unknown
}

/** JSON-RPC error codes we send. */
export const RPC_METHOD_NOT_FOUND = -32601
