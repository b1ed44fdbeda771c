/**
 * Shapes that cross the API boundary. The router returns exactly these (never raw rows);
 * the renderer imports them with `import type`.
 */
import type { MessageKind, PermissionMode, ProviderId, SessionStatus, StatusReason } from './status'
import type { PermissionModeMap, ProviderCapabilities, ProviderControls } from './controls'

export interface ProjectDTO {
  id: string
  name: string
  path: string
  createdAt: number
  updatedAt: number
  /** Per-project settings (stall threshold, retention); null fields mean "use the global default". */
  stallThresholdMs: number | null
  retentionCount: number | null
  retentionDays: number | null
}

export interface CostTotals {
  costUsd: number
  inputTokens: number
  outputTokens: number
  cacheReadTokens: number
  cacheWriteTokens: number
  /** Tokens in the context window at the end of the last turn, when the provider reports it. */
  contextTokens: number | null
  contextWindow: number | null
  /** False when the provider reports tokens only (Codex): show "cost n/a", never $0. */
  costKnown: boolean
}

export interface SessionDTO {
  id: string
  projectId: string
  provider: ProviderId
  model: string | null
  permissionMode: PermissionMode
  cwd: string
  title: string
  status: SessionStatus
  statusReason: StatusReason | null
  cliSessionId: string | null
  pinned: boolean
  /** Highest committed message seq (0 when empty). */
  lastSeq: number
  /** Last time the agent produced anything (ms epoch); drives stall timers. */
  lastActivityAt: number
  createdAt: number
  updatedAt: number
  endedAt: number | null
  totals: CostTotals
  /** Prompts accepted while a turn was running, not yet delivered to the agent. */
  queuedPrompts: string[]
  /** Hidden from the session list, still found by search. */
  archived: boolean
}

/**
 * An answer or thinking block the agent is still streaming: shown live under the transcript, never
 * stored. The finished block arrives as a message with a higher seq, which replaces it.
 */
export interface DraftDTO {
  kind: 'assistant' | 'thinking'
  /** The newest part of the text (at most DRAFT_MAX_CHARS). */
  text: string
  /** Characters cut from the front of a very long draft. */
  omitted: number
}

export interface MessageDTO {
  sessionId: string
  seq: number
  kind: MessageKind
  /** Text body: prompt, assistant text, thinking, tool result text, system/error text. */
  text: string
  toolName: string | null
  /** Tool input as JSON text (full). */
  toolInput: string | null
  /** The file path or command a tool call touches, for compact display. */
  toolPath: string | null
  /** Links a tool result to its call. */
  toolUseId: string | null
  /** For sub-agent messages: the tool_use id of the parent Task/Agent call. */
  parentId: string | null
  isError: boolean
  createdAt: number
  /** Full text length when `text` was truncated for transport (tool results); else null. */
  fullLength: number | null
}

export interface ApprovalDTO {
  id: string
  sessionId: string
  projectId: string
  toolName: string
  /** Tool input as JSON text. */
  input: string
  description: string | null
  /** What "Allow for this session" allows from now on, as the agent's adapter knows it; null = not said. */
  sessionScope: string | null
  status: 'pending' | 'allowed' | 'denied' | 'cancelled'
  createdAt: number
}

export interface SettingsDTO {
  values: Record<string, unknown>
}

/** An agent provider as Settings and the new-session form see it (`settings.providers`). */
export interface ProviderInfoDTO {
  id: ProviderId
  displayName: string
  /** The binary was found (configured path, else PATH); a provider without one cannot be chosen. */
  found: boolean
  path: string | null
  version: string | null
  /** How to install it (or what is wrong with its configuration). */
  installHint: string
  capabilities: ProviderCapabilities
  /** What each control does with this agent. */
  controls: ProviderControls
  /** Shepherd's permission modes in the agent's own terms. */
  permissionModes: PermissionModeMap
}
