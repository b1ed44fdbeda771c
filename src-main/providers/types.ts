/**
 * The provider interface: one adapter per agent CLI translates its protocol to and from Shepherd's
 * normalized events. Providers never write to the store and never number events: the supervisor
 * assigns `seq`, persists, then pushes.
 */
import type { MessageKind, PermissionMode, ProviderId, StatusReason } from '../shared/status'
import type { PermissionModeMap, ProviderCapabilities, ProviderControls } from '../shared/controls'
import type { QuestionAnswer, QuestionField, QuestionSource } from '../shared/questions'
import type { RemoteSpawn } from '../remote/spawn'

/** A transcript entry as a provider emits it (no seq, no session id yet). */
export interface ProviderMessage {
  kind: MessageKind
  text: string
  toolName?: string | null
  toolInput?: string | null
  toolPath?: string | null
  toolUseId?: string | null
  parentId?: string | null
  isError?: boolean
}

/** Usage as reported by the CLI. Claude reports a running session total; others report per turn. */
export interface ProviderUsage {
  /** Cumulative session cost as reported by the CLI (Claude `total_cost_usd`). */
  costUsdSessionTotal?: number
  /** Cost of this step/turn only (OpenCode step cost). */
  costUsdDelta?: number
  inputTokens: number
  outputTokens: number
  cacheReadTokens: number
  cacheWriteTokens: number
  contextTokens?: number | null
  contextWindow?: number | null
  /** False for providers that report tokens only. */
  costKnown: boolean
}

export interface ProviderApprovalRequest {
  /** Provider-level id needed to answer (Claude control request_id). */
  requestId: string
  toolName: string
  input: unknown
  description?: string | null
  toolUseId?: string | null
  /**
   * What "Allow for this session" would allow from now on, in this agent's terms (a rule, a
   * pattern, "this exact command", or "only this once" when the agent offers nothing more).
   */
  sessionScope?: string | null
}

/** A question or form the agent waits on (see shared/questions.ts). */
export interface ProviderQuestionRequest {
  /** Provider-level id needed to answer. */
  requestId: string
  source: QuestionSource
  title: string
  message: string | null
  fields: QuestionField[]
  canDecline: boolean
}

/**
 * The text so far of an answer or thinking block the agent is still streaming (the whole text, not
 * a delta, so a dropped draft loses nothing). Not persisted: the finished block arrives as a
 * `message`, which replaces it.
 */
export interface ProviderDraft {
  kind: 'assistant' | 'thinking'
  text: string
}

export interface RateLimitWindow {
  /** e.g. `five_hour`, `seven_day` (Claude), `primary`, `secondary` (Codex). */
  window: string
  status: 'allowed' | 'warning' | 'rejected'
  /** 0..1 when reported. */
  utilization: number | null
  /** ms epoch. */
  resetsAt: number | null
}

/** Work an agent started that outlives the tool call that started it (a background sub-agent or shell). */
export interface BackgroundTask {
  id: string
  /** e.g. `local_agent`, `local_bash`. */
  type: string
  description: string
}

export type ProviderEvent =
  | { kind: 'message'; message: ProviderMessage }
  /** A block is streaming (`draft`), or the open one ended without a message (`null`). */
  | { kind: 'draft'; draft: ProviderDraft | null }
  /**
   * Turn started (`running`), finished with the process alive (`idle`), or failed (`error`).
   * `background` (with `running`): the agent answered and waits, but work it started still runs —
   * the turn is not over, yet a prompt may be sent.
   */
  | { kind: 'turn'; state: 'running' | 'idle' | 'error'; reason?: StatusReason; background?: string[] }
  | { kind: 'usage'; usage: ProviderUsage }
  /** The CLI's own session/thread id, for resume. */
  | { kind: 'cli_session'; cliSessionId: string; model?: string | null }
  | { kind: 'approval_request'; request: ProviderApprovalRequest }
  | { kind: 'approval_cancelled'; requestId: string }
  /** The agent asks the user a question or to fill in a form; it waits for `answerQuestion`. */
  | { kind: 'question_request'; request: ProviderQuestionRequest }
  | { kind: 'question_cancelled'; requestId: string }
  /**
   * The agent's subscription/rate-limit windows (Claude Code `rate_limit_event`, Codex
   * `account/rateLimits/updated`). `limited`: a request was refused until `resetsAt`.
   */
  | { kind: 'rate_limit'; windows: RateLimitWindow[]; limited: boolean; resetsAt: number | null }
  /**
   * Proof of life that is not a transcript row (tool progress heartbeats, sub-agent progress):
   * resets the stall timer. `text` says what runs now; `background` (when set) replaces the list
   * of background tasks still running.
   */
  | { kind: 'activity'; text: string | null; background?: BackgroundTask[] }
  /** A warning the CLI printed on stderr that matters to the user (shown once per session). */
  | { kind: 'cli_warning'; text: string }
  /** Raw CLI output kept for debugging/re-parsing; `parse_error` / `line_too_large` for bad input. */
  | { kind: 'raw'; stream: 'stdout' | 'stderr' | 'parse_error' | 'line_too_large' | 'unknown'; data: string }

export interface StartOptions {
  sessionId: string
  cwd: string
  model: string | null
  permissionMode: PermissionMode
  systemPrompt: string | null
  /** Validated child environment (allowlist + provider settings + user's extra env). */
  env: Record<string, string>
  /** Resume this CLI session id (and fork it when `fork` is set). */
  resumeCliSessionId?: string | null
  fork?: boolean
  /** Absolute path of the CLI binary (resolved by the provider's `detect`); for `remote`, its name on the host's PATH. */
  binaryPath: string
  /** A project on an SSH host: the CLI runs there (src-main/remote/), `cwd` is the path on the host. */
  remote?: RemoteSpawn | null
}

export interface ProviderExit {
  code: number | null
  signal: string | null
  stderrTail: string
  /** An agent on an SSH host whose connection was lost: it resumes after the reconnect. */
  disconnected?: boolean
}

/** One running agent process (or connection) for one session. */
export interface AgentHandle {
  readonly pid: number | null
  /** Send a user prompt; providers queue nothing themselves: the supervisor decides when. */
  send(prompt: string): Promise<void>
  interrupt(): Promise<void>
  setModel(model: string | null): Promise<void>
  setPermissionMode(mode: PermissionMode): Promise<void>
  answerApproval(requestId: string, decision: ApprovalDecision): Promise<void>
  /** Answer a `question_request` (only providers that emit them implement it). */
  answerQuestion?(requestId: string, answer: QuestionAnswer): Promise<void>
  /** Graceful stop: close input, SIGTERM the process group, SIGKILL after the grace period; resolves when gone. */
  stop(graceMs: number): Promise<ProviderExit>
  /**
   * Backpressure (BP-6): stop reading the agent's output until `resumeOutput` (for a child process
   * the OS pipe then blocks it). Optional: providers that cannot pause simply omit them.
   */
  pauseOutput?(): void
  resumeOutput?(): void
  /** Events in order; `onExit` is called once when the process is gone and every event was delivered. */
  onEvent(listener: (event: ProviderEvent) => void): void
  onExit(listener: (exit: ProviderExit) => void): void
}

export type ApprovalDecision = { behavior: 'allow'; scope: 'once' | 'session' } | { behavior: 'deny'; message: string }

export type { ProviderCapabilities } from '../shared/controls'

export interface ProviderDetection {
  found: boolean
  path: string | null
  version: string | null
  installHint: string
}

export interface AgentProvider {
  readonly id: ProviderId
  readonly displayName: string
  readonly capabilities: ProviderCapabilities
  /** What each UI control does with this agent (Settings table; reasons on disabled controls). */
  readonly controls: ProviderControls
  /** Shepherd's permission modes in this agent's own terms, shown where a mode is chosen. */
  readonly permissionModes: PermissionModeMap
  /**
   * The provider's own variables taken from the host environment when set there (API keys, base
   * URL, traffic switches, config dir): users who launch Shepherd with them expect the agent to see them.
   */
  readonly envPassthrough?: readonly string[]
  /** Find the binary: the configured path, else PATH. */
  detect(configuredPath: string | null, envPath: string, opts?: { version?: boolean }): Promise<ProviderDetection>
  /** Spawn/connect. Throws AgentError('AGENT_NOT_FOUND' | 'SPAWN_FAILED'). */
  start(opts: StartOptions): Promise<AgentHandle>
  /**
   * Optional: get ready for a session that may start soon in `cwd` (OpenCode starts the project's
   * server, which takes seconds), so the first prompt does not wait. Idle warm-ups end by themselves.
   */
  prewarm?(opts: PrewarmOptions): Promise<void>
}

export type PrewarmOptions = Pick<StartOptions, 'cwd' | 'env' | 'binaryPath'>
