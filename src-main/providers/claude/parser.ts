/**
 * Claude Code `--output-format stream-json` → normalized events. Pure: one stdout line in, events
 * out; the little cross-line context (interrupt requested, last init, context size) lives in a
 * `ClaudeParseState` owned by the caller. Never throws: unknown input becomes `raw` events.
 * Schema and pitfalls: docs/agent-cli.md §1 (copied transcripts in ./fixtures).
 */
import type { BackgroundTask, ProviderDraft, ProviderEvent, ProviderMessage, ProviderUsage } from '../types'
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
  /** The CLI's cumulative token totals (all models) at the last `result`, to report each turn's share. */
  tokensReported: TokenTotals | null
  /** The current turn already has its error row (an API error arrives as an assistant message first). */
  turnErrorShown: boolean
  /**
   * The CLI sends `session_state_changed` (2.1.x with CLAUDE_CODE_SDK_READS_SESSION_STATE=1): then
   * `idle` ends the turn, not `result` — a `result` comes while background work it started still
   * runs, and the CLI starts a turn of its own when that work ends.
   */
  sessionStateSeen: boolean
  /** The turn end a `result` reported, held until the CLI says `idle`. */
  pendingEnd: ProviderEvent[] | null
  /** The CLI session id last reported (`init`, or the new one after `/clear`). */
  cliSessionId: string | null
  /** A `conversation_reset` was seen: the next different `session_id` is the new CLI session. */
  resetPending: boolean
  /** Tasks (sub-agents, shells) by id, for their progress lines and to nest their rows. */
  tasks: Map<string, { description: string; toolUseId: string | null; type: string | null }>
  /** Tasks that got a "running in the background" row (their end gets one too). */
  backgrounded: Set<string>
  /** The CLI said `idle` last (it waits for input), and the background tasks still running. */
  cliIdle: boolean
  background: BackgroundTask[]
}

interface TokenTotals {
  input: number
  output: number
  cacheRead: number
  cacheWrite: number
}

export function createParseState(): ClaudeParseState {
  return {
    interruptRequested: false,
    turnsInFlight: 0,
    interruptShown: false,
    lastInitSummary: null,
    model: null,
    contextTokens: null,
    draft: null,
    tokensReported: null,
    turnErrorShown: false,
    sessionStateSeen: false,
    pendingEnd: null,
    cliSessionId: null,
    resetPending: false,
    tasks: new Map(),
    backgrounded: new Set(),
    cliIdle: true,
    background: []
  }
}

export type ControlResponse = { requestId: string; ok: true; response: unknown } | { requestId: string; ok: false; error: string; errorCode: string | null }

export interface ParsedLine {
  events: ProviderEvent[]
  /** A reply to one of our control requests. */
  controlResponse?: ControlResponse
  /** A permission prompt; `suggestions` are needed to answer with scope `session`. */
  approval?: { requestId: string; input: unknown; suggestions: unknown[] }
  /** A control request we do not support: the caller must answer it with an error. */
  /** A control request other than a permission prompt (the handle answers it: an elicitation form, or an error). */
  unsupportedControlRequest?: { requestId: string; subtype: string; request: Obj }
  /** A streamed chunk: not worth keeping raw (the complete `assistant` line that follows holds the text). */
  transient?: boolean
  /**
   * The last background task ended while the CLI was idle: the turn ends with these events unless
   * the CLI starts a turn of its own within a moment (it does, to tell the model the task ended).
   */
  deferredEnd?: ProviderEvent[]
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
  const parsed = parseValue(value, line, state)
  // After `/clear` the CLI runs a new session (a new id, a new transcript file): resume must use it.
  const sid = str(value.session_id)
  if (state.resetPending && sid && sid !== state.cliSessionId && value.type !== 'system') {
    state.resetPending = false
    state.cliSessionId = sid
    parsed.events.unshift({ kind: 'cli_session', cliSessionId: sid, model: state.model })
  }
  return parsed
}

function parseValue(value: Obj, line: string, state: ClaudeParseState): ParsedLine {
  switch (value.type) {
    case 'system':
      return parseSystem(value, line, state)
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
    case 'rate_limit_event':
      return { events: parseRateLimit(value, line) }
    case 'tool_progress':
      return { events: [activity(toolProgressText(value, state))], transient: true }
    case 'conversation_reset':
      return { events: parseConversationReset(value, state) }
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

function parseSystem(v: Obj, line: string, state: ClaudeParseState): ParsedLine {
  if (v.subtype === 'background_tasks_changed') {
    const events = [parseBackgroundTasks(v, state)]
    if (!state.cliIdle || state.background.length > 0) return { events }
    const ends = state.pendingEnd ?? [{ kind: 'turn', state: 'idle' }]
    state.pendingEnd = null
    return { events, deferredEnd: ends }
  }
  return { events: parseSystemEvents(v, line, state) }
}

function parseSystemEvents(v: Obj, line: string, state: ClaudeParseState): ProviderEvent[] {
  switch (v.subtype) {
    case 'init': {
      const sessionId = str(v.session_id)
      const model = str(v.model)
      state.model = model ?? state.model
      const events: ProviderEvent[] = []
      if (sessionId) {
        events.push({ kind: 'cli_session', cliSessionId: sessionId, model })
        state.cliSessionId = sessionId
        state.resetPending = false
      }
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
    case 'session_state_changed':
      return parseSessionState(v, state)
    case 'task_started':
      return parseTaskStarted(v, state)
    case 'task_progress': {
      const what = str(v.summary) ?? str(v.description)
      const name = state.tasks.get(str(v.task_id) ?? '')?.description ?? str(v.subagent_type) ?? 'sub-agent'
      return [activity(what ? `${name}: ${what}` : name)]
    }
    case 'task_updated':
      return [activity(null)]
    case 'task_notification':
      return parseTaskNotification(v, state)
    case 'session_writes_lost':
      return [msg({ kind: 'error', text: writesLostText(v), isError: true })]
    default:
      return [raw('unknown', line)]
  }
}

const activity = (text: string | null, background?: BackgroundTask[]): ProviderEvent => ({ kind: 'activity', text, ...(background ? { background } : {}) })

/**
 * `session_state_changed` (documented as the authoritative turn-over signal): `running` starts a
 * turn, `idle` ends it — with the end the last `result` reported (an error, an interrupt) or a
 * plain idle. `requires_action` is a permission prompt, which its `control_request` shows.
 */
function parseSessionState(v: Obj, state: ClaudeParseState): ProviderEvent[] {
  state.sessionStateSeen = true
  if (v.state === 'running') {
    state.cliIdle = false
    return [{ kind: 'turn', state: 'running' }]
  }
  if (v.state !== 'idle') return []
  state.cliIdle = true
  // Background work the turn started still runs: the turn is not over (but a prompt may be sent).
  if (state.background.length > 0) return [{ kind: 'turn', state: 'running', background: state.background.map((t) => t.description) }]
  const end = state.pendingEnd ?? [{ kind: 'turn', state: 'idle' }]
  state.pendingEnd = null
  return end
}

function parseBackgroundTasks(v: Obj, state: ClaudeParseState): ProviderEvent {
  const tasks: BackgroundTask[] = []
  for (const t of Array.isArray(v.tasks) ? v.tasks : []) {
    // `ambient` tasks (watchers, housekeeping) are not activity: the SDK says to leave them out.
    if (!isObj(t) || t.ambient === true) continue
    const id = str(t.task_id)
    if (!id) continue
    const description = str(t.description) ?? 'background task'
    if (!state.tasks.has(id)) state.tasks.set(id, { description, toolUseId: null, type: str(t.task_type) })
    tasks.push({ id, type: str(t.task_type) ?? 'task', description })
  }
  state.background = tasks
  return activity(null, tasks)
}

/** A task that runs on after its tool call returned gets a row; a foreground one is only activity. */
function parseTaskStarted(v: Obj, state: ClaudeParseState): ProviderEvent[] {
  const id = str(v.task_id)
  const description = str(v.description) ?? 'task'
  if (id) state.tasks.set(id, { description, toolUseId: str(v.tool_use_id), type: str(v.task_type) })
  if (v.is_backgrounded !== true || v.skip_transcript === true || v.ambient === true || !id) return [activity(description)]
  state.backgrounded.add(id)
  const what = taskLabel(str(v.task_type))
  return [activity(description), msg({ kind: 'system', text: `${what} running in the background: ${description}`, parentId: parentOfTask(v, state) })]
}

function parseTaskNotification(v: Obj, state: ClaudeParseState): ProviderEvent[] {
  const id = str(v.task_id) ?? ''
  const known = state.tasks.get(id)
  // Only tasks that got a "running in the background" row get an end row; a sub-agent's own
  // foreground command ends with its tool result.
  if (!known || !state.backgrounded.has(id) || v.skip_transcript === true || v.ambient === true) return [activity(null)]
  state.backgrounded.delete(id)
  const status = str(v.status) ?? 'completed'
  // A shell's summary says what ended and how ("… completed (exit code 0)"); a sub-agent's is its
  // final answer, which its own rows already show.
  const summary = str(v.summary)
  const text = known.type === 'local_bash' && summary && summary !== known.description ? summary : `${taskLabel(known.type)} ${status}: ${known.description}`
  return [activity(null), msg({ kind: status === 'failed' ? 'error' : 'system', text, parentId: parentOfTask(v, state), isError: status === 'failed' })]
}

const taskLabel = (type: string | null): string => (type === 'local_agent' ? 'Sub-agent' : type === 'local_bash' ? 'Command' : 'Task')

/** A task a sub-agent started is nested under that sub-agent's tool call. */
function parentOfTask(v: Obj, state: ClaudeParseState): string | null {
  const parent = str(v.parent_task_id)
  return parent ? (state.tasks.get(parent)?.toolUseId ?? null) : null
}

/** `tool_progress`: a tool still runs (heartbeat). */
function toolProgressText(v: Obj, state: ClaudeParseState): string {
  const tool = str(v.tool_name) ?? 'tool'
  const secs = num(v.elapsed_time_seconds)
  const task = state.tasks.get(str(v.task_id) ?? '')?.description
  return `${task ? `${task}: ` : ''}${tool} running${secs !== null ? ` for ${Math.round(secs)} s` : ''}`
}

function parseConversationReset(v: Obj, state: ClaudeParseState): ProviderEvent[] {
  state.resetPending = true
  const why = v.trigger === 'clear' ? ' (/clear)' : v.trigger === 'plan_mode_exit' ? ' (leaving plan mode)' : ''
  return [msg({ kind: 'system', text: `Conversation cleared${why}: Claude Code continues in a new session.` })]
}

function writesLostText(v: Obj): string {
  const code = str(v.error_code)
  const why = code === 'EDQUOT' ? 'the disk quota is used up' : code === 'ENOSPC' ? 'the disk is full' : `error ${code ?? 'unknown'}`
  const lost = Array.isArray(v.lost) ? v.lost : []
  const what = lost.includes('transcript')
    ? 'its session transcript (resuming this session may miss part of the conversation)'
    : lost.includes('global_config')
      ? 'its settings (~/.claude.json)'
      : 'some of its files'
  return `Claude Code could not save ${what}: ${why}. Shepherd's own copy of this transcript is complete.`
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
    state.contextTokens = (num(usage.input_tokens) ?? 0) + (num(usage.cache_read_input_tokens) ?? 0) + (num(usage.cache_creation_input_tokens) ?? 0)
  }
  const events: ProviderEvent[] = []
  for (const block of content) {
    if (!isObj(block)) continue
    if (block.type === 'text') {
      const text = str(block.text) ?? ''
      if (apiError && !parentId) state.turnErrorShown = true
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

/** One block of a tool result as text: `tool_reference` is what ToolSearch returns for each tool it loaded. */
function blockText(b: unknown): string {
  if (!isObj(b)) return JSON.stringify(b)
  if (b.type === 'text') return str(b.text) ?? ''
  if (b.type === 'image') return '[image]'
  if (b.type === 'tool_reference') return `Loaded tool: ${str(b.tool_name) ?? str(b.name) ?? 'unknown'}`
  return JSON.stringify(b)
}

/** Tool result content: a string or an array of text/image/tool_reference blocks. */
function resultText(content: unknown): string {
  if (typeof content === 'string') return content
  if (!Array.isArray(content)) return content === undefined || content === null ? '' : JSON.stringify(content)
  return content.map(blockText).join('\n')
}

function parseUser(v: Obj, state: ClaudeParseState): ProviderEvent[] {
  const message = isObj(v.message) ? v.message : {}
  const content = message.content
  const parentId = str(v.parent_tool_use_id)
  const events: ProviderEvent[] = []
  if (Array.isArray(content)) {
    for (const block of content) {
      if (!isObj(block) || block.type !== 'tool_result') continue
      events.push(msg({ kind: 'tool_result', text: resultText(block.content), toolUseId: str(block.tool_use_id), parentId, isError: block.is_error === true }))
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

/** What the CLI's error result subtypes mean, for a turn that ended with no text of its own. */
const RESULT_ERRORS: Record<string, string> = {
  error_max_turns: 'Claude Code stopped: the maximum number of turns for this prompt was reached.',
  error_during_execution: 'Claude Code stopped: an error occurred during execution.',
  error_max_budget_usd: 'Claude Code stopped: the spending limit set for this session was reached.',
  error_max_structured_output_retries: 'Claude Code stopped: it could not produce the required output format.'
}

function parseResult(v: Obj, state: ClaudeParseState): ProviderEvent[] {
  const events: ProviderEvent[] = [{ kind: 'usage', usage: usageOf(v, state) }]
  const ends: ProviderEvent[] = []
  const wasInterrupt = state.interruptRequested || state.interruptShown
  if (v.is_error !== true) {
    ends.push({ kind: 'turn', state: 'idle' })
  } else if (wasInterrupt && v.subtype !== 'success') {
    if (!state.interruptShown) events.push(msg({ kind: 'system', text: INTERRUPTED_TEXT }))
    ends.push({ kind: 'turn', state: 'idle' })
  } else {
    // Test is_error, not subtype: API failures arrive as subtype "success" + is_error (docs/agent-cli.md §1).
    const errors = Array.isArray(v.errors) ? v.errors.filter((e): e is string => typeof e === 'string') : []
    const subtype = str(v.subtype) ?? 'error'
    const message = str(v.result) ?? (errors.length > 0 ? errors.join('\n') : (RESULT_ERRORS[subtype] ?? `Claude Code turn failed (${subtype})`))
    // The reason also stays in the transcript: a status is replaced by the next prompt's, a row is not.
    if (!state.turnErrorShown) events.push(msg({ kind: 'error', text: message, isError: true }))
    ends.push({ kind: 'turn', state: 'error', reason: { message, apiErrorStatus: num(v.api_error_status) } })
  }
  // With session state, the turn ends at `idle` (background work may still run); an error or an
  // interrupt reported here is what that end will say. Older CLIs end the turn here.
  if (state.sessionStateSeen) state.pendingEnd = ends
  else events.push(...ends)
  state.interruptRequested = false
  state.interruptShown = false
  state.turnErrorShown = false
  state.turnsInFlight = Math.max(0, state.turnsInFlight - 1)
  return events
}

/**
 * Tokens of one turn. `result.usage` covers the main thread's last API calls only: sub-agents (often
 * another model) and compaction are missing from it (a $30 turn showed 9k input tokens where the CLI
 * counted 1.28M). `modelUsage` is the CLI's own cumulative count per model since the process started,
 * the same numbers its cost comes from, so a turn's tokens are the growth of their sum.
 */
function turnTokens(u: Obj, models: [string, Obj][], state: ClaudeParseState): TokenTotals {
  if (!models.some(([, m]) => num(m.inputTokens) !== null || num(m.outputTokens) !== null)) {
    return {
      input: num(u.input_tokens) ?? 0,
      output: num(u.output_tokens) ?? 0,
      cacheRead: num(u.cache_read_input_tokens) ?? 0,
      cacheWrite: num(u.cache_creation_input_tokens) ?? 0
    }
  }
  const total: TokenTotals = { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 }
  for (const [, m] of models) {
    total.input += num(m.inputTokens) ?? 0
    total.output += num(m.outputTokens) ?? 0
    total.cacheRead += num(m.cacheReadInputTokens) ?? 0
    total.cacheWrite += num(m.cacheCreationInputTokens) ?? 0
  }
  const prev = state.tokensReported
  state.tokensReported = total
  // A count that went down is a new count (a restarted CLI): all of it is new.
  if (!prev || (Object.keys(total) as (keyof TokenTotals)[]).some((k) => total[k] < prev[k])) return total
  return {
    input: total.input - prev.input,
    output: total.output - prev.output,
    cacheRead: total.cacheRead - prev.cacheRead,
    cacheWrite: total.cacheWrite - prev.cacheWrite
  }
}

function usageOf(v: Obj, state: ClaudeParseState): ProviderUsage {
  const u = isObj(v.usage) ? v.usage : {}
  const models = isObj(v.modelUsage) ? Object.entries(v.modelUsage).filter((e): e is [string, Obj] => isObj(e[1])) : []
  const main = models.find(([name]) => name === state.model) ?? models[0]
  const cost = num(v.total_cost_usd)
  const tokens = turnTokens(u, models, state)
  return {
    ...(cost !== null ? { costUsdSessionTotal: cost } : {}),
    inputTokens: tokens.input,
    outputTokens: tokens.output,
    cacheReadTokens: tokens.cacheRead,
    cacheWriteTokens: tokens.cacheWrite,
    contextTokens: state.contextTokens,
    contextWindow: main ? num(main[1].contextWindow) : null,
    // Unknown model names are priced with a guess (costBasis "unknown").
    costKnown: cost !== null && !(models.length > 0 && models.every(([, m]) => m.costBasis === 'unknown'))
  }
}

/**
 * What "Allow for this session" allows with Claude Code: the `addRules` suggestions the CLI sent
 * (the handle answers with exactly these, scoped to the session); without any, only this once.
 */
export function claudeSessionScope(suggestions: unknown[]): string {
  const rules: string[] = []
  for (const s of suggestions) {
    if (!isObj(s) || s.type !== 'addRules' || !Array.isArray(s.rules)) continue
    for (const r of s.rules) {
      if (!isObj(r)) continue
      const tool = str(r.toolName) ?? 'tool'
      const content = str(r.ruleContent)
      rules.push(content ? `${tool}(${content})` : `every ${tool} call`)
    }
  }
  return rules.length
    ? `Claude Code allows ${rules.join(', ')} for the rest of this session (kept in memory, not written to your settings).`
    : 'Claude Code suggested no rule for this request: it is allowed this once only.'
}

function parseControlRequest(v: Obj, line: string): ParsedLine {
  const requestId = str(v.request_id)
  const request = isObj(v.request) ? v.request : {}
  const subtype = str(request.subtype) ?? ''
  if (!requestId) return { events: [raw('unknown', line)] }
  if (subtype !== 'can_use_tool') return { events: [raw('unknown', line)], unsupportedControlRequest: { requestId, subtype, request } }
  const suggestions = Array.isArray(request.permission_suggestions) ? request.permission_suggestions : []
  const event: ProviderEvent = {
    kind: 'approval_request',
    request: {
      requestId,
      toolName: str(request.tool_name) ?? 'tool',
      input: request.input ?? {},
      description: str(request.description) ?? str(request.decision_reason),
      toolUseId: str(request.tool_use_id),
      sessionScope: claudeSessionScope(suggestions)
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

/**
 * `rate_limit_event` (stream-json): `rate_limit_info` = { status: allowed | allowed_warning | rejected,
 * rateLimitType: five_hour | seven_day | …, utilization (0..1), resetsAt (epoch seconds), … } — the
 * shape the CLI builds from the API's `anthropic-ratelimit-unified-*` headers.
 */
function parseRateLimit(v: Obj, line: string): ProviderEvent[] {
  const info = v.rate_limit_info
  if (!isObj(info)) return [raw('unknown', line)]
  const status = info.status === 'rejected' ? 'rejected' : info.status === 'allowed_warning' ? 'warning' : 'allowed'
  const resetsAt = typeof info.resetsAt === 'number' && Number.isFinite(info.resetsAt) ? Math.round(info.resetsAt * 1000) : null
  const utilization = typeof info.utilization === 'number' && Number.isFinite(info.utilization) ? Math.max(0, Math.min(1, info.utilization)) : null
  const window = typeof info.rateLimitType === 'string' ? info.rateLimitType : 'unified'
  return [{ kind: 'rate_limit', windows: [{ window, status, utilization, resetsAt }], limited: status === 'rejected', resetsAt }]
}
