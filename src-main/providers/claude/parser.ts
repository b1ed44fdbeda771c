/**
 * Claude Code `--output-format stream-json` → normalized events. Pure: one stdout line in, events
 * out; the little cross-line context (interrupt requested, last init, context size) lives in a
 * `ClaudeParseState` owned by the caller. Never throws: unknown input becomes `raw` events.
 * Schema and pitfalls: docs/agent-cli.md §1 (copied transcripts in ./fixtures).
 */
import type { ProviderDraft, ProviderEvent, ProviderMessage, ProviderUsage } from '../types'
import { firstStringOf, isObj, type Obj, INTERRUPTED_TEXT } from '../scaffold/values'

export interface ClaudeParseState {
  /** Set by the handle when it interrupts a turn in flight; cleared at the next `result`. */
  interruptRequested: boolean
  /** Prompts written but not finished by a `result` yet (maintained by the handle). */
  turnsInFlight: number
  /** An "Interrupted" system message was already emitted for the current turn. */
  interruptShown: boolean
  /** Last init summary, to avoid repeating the same system message every turn. */
  lastInitSummary: string | null
  model: string | null
  /** Prompt size of the latest main-thread API call (input + cache), for the context meter. */
  contextTokens: number | null
  /** The main thread's text/thinking block being streamed (`--include-partial-messages`). */
  draft: ProviderDraft | null
}

export function createParseState(): ClaudeParseState {
  return { interruptRequested: false, turnsInFlight: 0, interruptShown: false, lastInitSummary: null, model: null, contextTokens: null, draft: null }
}

export type ControlResponse =
  | { requestId: string; ok: true; response: unknown }
  | { requestId: string; ok: false; error: string; errorCode: string | null }

export interface ParsedLine {
  events: ProviderEvent[]
  /** A reply to one of our control requests. */
  controlResponse?: ControlResponse
  /** A permission prompt; `suggestions` are needed to answer with scope `session`. */
  approval?: { requestId: string; input: unknown; suggestions: unknown[] }
  /** A control request we do not support: the caller must answer it with an error. */
  unsupportedControlRequest?: { requestId: string; subtype: string }
  /** A streamed chunk: not worth keeping raw (the complete `assistant` line that follows holds the text). */
  transient?: boolean
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null)
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null)
const msg = (message: ProviderMessage): ProviderEvent => ({ kind: 'message', message })
const raw = (stream: 'unknown' | 'parse_error', data: string): ProviderEvent => ({ kind: 'raw', stream, data })

export { INTERRUPTED_TEXT }
const INTERRUPT_MARKER = '[Request interrupted by user'

export function parseClaudeLine(line: string, state: ClaudeParseState): ParsedLine {
  let value: unknown
  try {
    value = JSON.parse(line)
  } catch {
    return { events: [raw('parse_error', line)] }
  }
  if (!isObj(value)) return { events: [raw('parse_error', line)] }
  switch (value.type) {
    case 'system':
      return { events: parseSystem(value, line, state) }
    case 'assistant':
      return { events: parseAssistant(value, state) }
    case 'user':
      return { events: parseUser(value, state) }
    case 'result':
      return { events: parseResult(value, state) }
    case 'control_request':
      return parseControlRequest(value, line)
    case 'control_cancel_request': {
      const requestId = str(value.request_id)
      return { events: requestId ? [{ kind: 'approval_cancelled', requestId }] : [raw('unknown', line)] }
    }
    case 'control_response':
      return parseControlResponse(value, line)
    case 'stream_event':
      return parseStreamEvent(value, state)
    default:
      return { events: [raw('unknown', line)] }
  }
}

/**
 * `--include-partial-messages`: the API's SSE events. Text and thinking deltas of the main thread
 * (not sub-agents) become drafts; the complete `assistant` line that follows is the message.
 */
function parseStreamEvent(v: Obj, state: ClaudeParseState): ParsedLine {
  const ev = isObj(v.event) ? v.event : {}
  if (v.parent_tool_use_id !== null && v.parent_tool_use_id !== undefined) return { events: [], transient: ev.type === 'content_block_delta' }
  switch (ev.type) {
    case 'content_block_start': {
      const block = isObj(ev.content_block) ? ev.content_block : {}
      state.draft = block.type === 'text' ? { kind: 'assistant', text: '' } : block.type === 'thinking' ? { kind: 'thinking', text: '' } : null
      return { events: [] }
    }
    case 'content_block_delta': {
      const delta = isObj(ev.delta) ? ev.delta : {}
      const piece = delta.type === 'text_delta' ? str(delta.text) : delta.type === 'thinking_delta' ? str(delta.thinking) : null
      if (!state.draft || !piece) return { events: [], transient: true }
      state.draft = { kind: state.draft.kind, text: state.draft.text + piece }
      return { events: [{ kind: 'draft', draft: state.draft }], transient: true }
    }
    case 'content_block_stop':
      state.draft = null
      return { events: [] }
    default:
      return { events: [] }
  }
}

function parseSystem(v: Obj, line: string, state: ClaudeParseState): ProviderEvent[] {
  switch (v.subtype) {
    case 'init': {
      const sessionId = str(v.session_id)
      const model = str(v.model)
      state.model = model ?? state.model
      const events: ProviderEvent[] = []
      if (sessionId) events.push({ kind: 'cli_session', cliSessionId: sessionId, model })
      const tools = Array.isArray(v.tools) ? v.tools.length : 0
      const version = str(v.claude_code_version)
      const summary = [`Claude Code${version ? ` ${version}` : ''}`, `model ${model ?? 'default'}`, `cwd ${str(v.cwd) ?? '?'}`, `${tools} tools`].join(' · ')
      // system/init starts every turn; only show it when something changed.
      if (summary !== state.lastInitSummary) events.push(msg({ kind: 'system', text: summary }))
      state.lastInitSummary = summary
      events.push({ kind: 'turn', state: 'running' })
      return events
    }
    case 'api_retry': {
      const status = num(v.error_status)
      const what = [status !== null ? `API error ${status}` : 'API error', str(v.error)].filter(Boolean).join(': ')
      const attempt = `attempt ${num(v.attempt) ?? '?'}/${num(v.max_retries) ?? '?'}`
      const delay = num(v.retry_delay_ms)
      return [msg({ kind: 'system', text: `${what}; retrying (${attempt})${delay !== null ? ` in ${Math.round(delay)} ms` : ''}` })]
    }
    case 'permission_denied':
      return [
        msg({
          kind: 'error',
          text: str(v.message) ?? `Permission denied for ${str(v.tool_name) ?? 'a tool'}`,
          toolName: str(v.tool_name),
          toolUseId: str(v.tool_use_id),
          isError: true
        })
      ]
    case 'compact_boundary':
      return [msg({ kind: 'system', text: 'Conversation compacted' })]
    case 'status':
    case 'thinking_tokens':
      return [] // progress heartbeats ("requesting", token estimates) and mode echoes
    default:
      return [raw('unknown', line)]
  }
}

const TOOL_PATH_KEYS = ['file_path', 'notebook_path', 'path', 'command', 'pattern', 'url']

const toolPathOf = (input: unknown): string | null => firstStringOf(input, TOOL_PATH_KEYS)

function parseAssistant(v: Obj, state: ClaudeParseState): ProviderEvent[] {
  const message = isObj(v.message) ? v.message : {}
  const parentId = str(v.parent_tool_use_id)
  const content = Array.isArray(message.content) ? message.content : []
  // A failed API call is reported as a synthetic assistant message.
  const apiError = v.is_api_error_message === true || message.model === '<synthetic>'
  const usage = isObj(message.usage) ? message.usage : null
  if (usage && !parentId && !apiError) {
    state.contextTokens =
      (num(usage.input_tokens) ?? 0) + (num(usage.cache_read_input_tokens) ?? 0) + (num(usage.cache_creation_input_tokens) ?? 0)
  }
  const events: ProviderEvent[] = []
  for (const block of content) {
    if (!isObj(block)) continue
    if (block.type === 'text') {
      const text = str(block.text) ?? ''
      events.push(msg(apiError ? { kind: 'error', text, parentId, isError: true } : { kind: 'assistant', text, parentId }))
    } else if (block.type === 'thinking') {
      const text = str(block.thinking) ?? ''
      if (text) events.push(msg({ kind: 'thinking', text, parentId }))
    } else if (block.type === 'redacted_thinking') {
      continue // encrypted: nothing to show
    } else if (block.type === 'tool_use' || block.type === 'server_tool_use' || block.type === 'mcp_tool_use') {
      const name = str(block.name) ?? 'tool'
      const toolPath = toolPathOf(block.input)
      events.push(
        msg({
          kind: 'tool_call',
          text: toolPath ? `${name}: ${toolPath}` : name,
          toolName: name,
          toolInput: JSON.stringify(block.input ?? {}),
          toolPath,
          toolUseId: str(block.id),
          parentId
        })
      )
    } else {
      events.push(raw('unknown', JSON.stringify(block)))
    }
  }
  return events
}

/** Tool result content: a string or an array of text/image blocks. */
function resultText(content: unknown): string {
  if (typeof content === 'string') return content
  if (!Array.isArray(content)) return content === undefined || content === null ? '' : JSON.stringify(content)
  return content
    .map((b) => (isObj(b) && b.type === 'text' ? (str(b.text) ?? '') : isObj(b) && b.type === 'image' ? '[image]' : JSON.stringify(b)))
    .join('\n')
}

function parseUser(v: Obj, state: ClaudeParseState): ProviderEvent[] {
  const message = isObj(v.message) ? v.message : {}
  const content = message.content
  const parentId = str(v.parent_tool_use_id)
  const events: ProviderEvent[] = []
  if (Array.isArray(content)) {
    for (const block of content) {
      if (!isObj(block) || block.type !== 'tool_result') continue
      events.push(
        msg({ kind: 'tool_result', text: resultText(block.content), toolUseId: str(block.tool_use_id), parentId, isError: block.is_error === true })
      )
    }
  }
  if (events.length > 0) return events
  // Not a tool result: an echo (prompt replay, `isReplay` local-command output). Only the interrupt
  // marker is worth showing.
  if (resultText(content).startsWith(INTERRUPT_MARKER) && !state.interruptShown) {
    state.interruptShown = true
    return [msg({ kind: 'system', text: INTERRUPTED_TEXT })]
  }
  return []
}

function parseResult(v: Obj, state: ClaudeParseState): ProviderEvent[] {
  const events: ProviderEvent[] = [{ kind: 'usage', usage: usageOf(v, state) }]
  const wasInterrupt = state.interruptRequested || state.interruptShown
  if (v.is_error !== true) {
    events.push({ kind: 'turn', state: 'idle' })
  } else if (wasInterrupt && v.subtype !== 'success') {
    if (!state.interruptShown) events.push(msg({ kind: 'system', text: INTERRUPTED_TEXT }))
    events.push({ kind: 'turn', state: 'idle' })
  } else {
    // Test is_error, not subtype: API failures arrive as subtype "success" + is_error (docs/agent-cli.md §1).
    const errors = Array.isArray(v.errors) ? v.errors.filter((e): e is string => typeof e === 'string') : []
    const message = str(v.result) ?? (errors.length > 0 ? errors.join('\n') : `Claude Code turn failed (${str(v.subtype) ?? 'error'})`)
    events.push({ kind: 'turn', state: 'error', reason: { message, apiErrorStatus: num(v.api_error_status) } })
  }
  state.interruptRequested = false
  state.interruptShown = false
  state.turnsInFlight = Math.max(0, state.turnsInFlight - 1)
  return events
}

function usageOf(v: Obj, state: ClaudeParseState): ProviderUsage {
  const u = isObj(v.usage) ? v.usage : {}
  const models = isObj(v.modelUsage) ? Object.entries(v.modelUsage).filter((e): e is [string, Obj] => isObj(e[1])) : []
  const main = models.find(([name]) => name === state.model) ?? models[0]
  const cost = num(v.total_cost_usd)
  return {
    ...(cost !== null ? { costUsdSessionTotal: cost } : {}),
    inputTokens: num(u.input_tokens) ?? 0,
    outputTokens: num(u.output_tokens) ?? 0,
    cacheReadTokens: num(u.cache_read_input_tokens) ?? 0,
    cacheWriteTokens: num(u.cache_creation_input_tokens) ?? 0,
    contextTokens: state.contextTokens,
    contextWindow: main ? num(main[1].contextWindow) : null,
    // Unknown model names are priced with a guess (costBasis "unknown").
    costKnown: cost !== null && !(models.length > 0 && models.every(([, m]) => m.costBasis === 'unknown'))
  }
}

function parseControlRequest(v: Obj, line: string): ParsedLine {
  const requestId = str(v.request_id)
  const request = isObj(v.request) ? v.request : {}
  const subtype = str(request.subtype) ?? ''
  if (!requestId) return { events: [raw('unknown', line)] }
  if (subtype !== 'can_use_tool') return { events: [raw('unknown', line)], unsupportedControlRequest: { requestId, subtype } }
  const suggestions = Array.isArray(request.permission_suggestions) ? request.permission_suggestions : []
  const event: ProviderEvent = {
    kind: 'approval_request',
    request: {
      requestId,
      toolName: str(request.tool_name) ?? 'tool',
      input: request.input ?? {},
      description: str(request.description) ?? str(request.decision_reason),
      toolUseId: str(request.tool_use_id)
    }
  }
  return { events: [event], approval: { requestId, input: request.input ?? {}, suggestions } }
}

function parseControlResponse(v: Obj, line: string): ParsedLine {
  const r = isObj(v.response) ? v.response : {}
  const requestId = str(r.request_id)
  if (!requestId) return { events: [raw('unknown', line)] }
  if (r.subtype === 'success') return { events: [], controlResponse: { requestId, ok: true, response: r.response ?? null } }
  const error = str(r.error) ?? 'unknown error'
  return { events: [], controlResponse: { requestId, ok: false, error, errorCode: str(r.error_code) } }
}
