/**
 * `opencode serve` SSE events (`GET /event`) → normalized provider events, for ONE Shepherd session.
 * Pure: the handle feeds every event routed to its OpenCode session (and to that session's
 * subagent children); the cross-event context lives in an `OpenCodeParseState` owned by the handle.
 * Never throws: unexpected shapes are ignored or surface as `raw` events.
 *
 * Completion (docs/agent-cli.md §3 pitfall): a prompt is done when an assistant message whose `parentID` is
 * OUR user message (Shepherd names it: `prompt_async {messageID}`) has `time.completed` and either
 * an `error` or a `finish` other than "tool-calls" (a "tool-calls" step is followed by another
 * assistant message). `session.idle` is racy (a late idle of the previous prompt may arrive after
 * the next `prompt_async`), so it is only a HINT, used for turns that end without such a message
 * (a rejection without feedback stops the loop after a "tool-calls" step; an abort during API
 * retries completes the message with neither finish nor error; an unknown model fails before any
 * assistant message): the parser then asks the handle to confirm with `GET /session/status`.
 * Either way the parser only reports the turn as settled; the handle fetches the turn's assistant
 * messages and feeds their parts before ending it, because OpenCode may publish a message's
 * completion before the last updates of its parts.
 *
 * Only messages answering our prompt are shown: a fork replays the whole copied conversation as
 * `message.updated`/`message.part.updated` events of the new session, and late updates of earlier
 * messages arrive during later turns.
 */
import type { ProviderEvent, ProviderMessage, ProviderUsage } from '../types'
import type { StatusReason } from '../../shared/status'
import { firstStringOf, isObj, type Obj, INTERRUPTED_TEXT } from '../scaffold/values'
import { openCodeQuestion } from './questions'

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null)
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null)
const msg = (message: ProviderMessage): ProviderEvent => ({ kind: 'message', message })

export { INTERRUPTED_TEXT }
const ABORTED_ERROR = 'MessageAbortedError'

interface AssistantInfo {
  completed: boolean
  finish: string | null
  error: Obj | null
}

interface PartProgress {
  type: string
  messageId: string
  /** Text so far (text/reasoning parts: full text from updates, plus deltas). */
  text: string
  done: boolean
  callShown: boolean
  resultShown: boolean
  /** Sub-agent parts: the parent's `task` call id they are nested under (null for our own parts). */
  parentId: string | null
  /** Tool parts: the tool and its call id (a `task` call is matched with the sub-agent session it starts). */
  tool: string | null
  callId: string | null
}

export interface OpenCodeParseState {
  /** The OpenCode session this Shepherd session drives. */
  sessionId: string
  /** Subagent sessions started by ours (their approvals and cost belong to this session). */
  children: Set<string>
  /** Subagent session → the call id of the `task` tool call that started it (its messages nest there). */
  childCalls: Map<string, string>
  /** The subagents' user messages (the task's prompt, already shown as the call's input): not shown again. */
  childPrompts: Set<string>
  /** Our user message of the prompt in flight; null between turns. */
  userMessageId: string | null
  /** OpenCode confirmed our user message (`message.updated` role user). */
  userSeen: boolean
  interruptRequested: boolean
  /** Assistant messages answering the prompt in flight, by id. */
  assistants: Map<string, AssistantInfo>
  /** Parts of those messages, by part id. */
  parts: Map<string, PartProgress>
  /** step-finish parts already counted (also children's). */
  countedSteps: Set<string>
  /** `session.error` received during this turn. */
  sessionError: Obj | null
  /** Last API retry attempt shown. */
  retryShown: number
  /** Open permission requests (OpenCode `per_…` ids). */
  approvals: Set<string>
  /** Open `question` tool requests (OpenCode `que_…` ids) → how many questions (the reply is positional). */
  questions: Map<string, number>
  /** Our answer completed with this outcome; the turn ends once the handle caught up on its parts. */
  settled: { error: Obj | null } | null
  /** Prompt size of the latest step, for the context meter. */
  contextTokens: number | null
  /** `provider/model` of the latest assistant message, and context windows by model (from the server config). */
  model: string | null
  /** The model last reported to the supervisor (`cli_session`). */
  modelReported: string | null
  contextWindows: Map<string, number>
}

export function createParseState(sessionId: string): OpenCodeParseState {
  return {
    sessionId,
    children: new Set(),
    childCalls: new Map(),
    childPrompts: new Set(),
    userMessageId: null,
    userSeen: false,
    interruptRequested: false,
    assistants: new Map(),
    parts: new Map(),
    countedSteps: new Set(),
    sessionError: null,
    retryShown: 0,
    approvals: new Set(),
    questions: new Map(),
    settled: null,
    contextTokens: null,
    model: null,
    modelReported: null,
    contextWindows: new Map()
  }
}

/** A prompt is about to be sent with this user message id. */
export function beginTurn(state: OpenCodeParseState, userMessageId: string): void {
  state.userMessageId = userMessageId
  state.settled = null
  state.userSeen = false
  state.interruptRequested = false
  state.assistants.clear()
  state.parts.clear()
  state.sessionError = null
  state.retryShown = 0
  state.childCalls.clear()
  state.childPrompts.clear()
}

/** Forget the turn in flight without events (the prompt never reached OpenCode). */
export function resetTurn(state: OpenCodeParseState): void {
  state.userMessageId = null
  state.settled = null
  state.userSeen = false
  state.interruptRequested = false
  state.assistants.clear()
  state.parts.clear()
  state.sessionError = null
}

export function turnActive(state: OpenCodeParseState): boolean {
  return state.userMessageId !== null
}

export interface ParsedEvent {
  events: ProviderEvent[]
  /**
   * `session.idle` arrived and the turn may have ended without a completing message: the handle
   * confirms with `GET /session/status` and then calls `endTurnAfterIdle`.
   */
  checkIdle?: boolean
  /**
   * Our answer completed (the turn is over): the handle fetches the turn's messages, feeds their
   * parts (OpenCode may publish a message's completion before its last part updates), then calls
   * `endSettledTurn`.
   */
  settled?: boolean
  /** A sub-agent asked: the handle answers it as this session's permission mode would, or shows the card. */
  subagentAsk?: { requestId: string; permission: string }
}

/** The OpenCode session an event belongs to (null for server-wide events). */
export function eventSessionId(event: unknown): string | null {
  if (!isObj(event) || !isObj(event.properties)) return null
  const p = event.properties
  return str(p.sessionID) ?? (isObj(p.info) ? str(p.info.sessionID) : null) ?? (isObj(p.part) ? str(p.part.sessionID) : null)
}

export function parseOpenCodeEvent(event: unknown, state: OpenCodeParseState): ParsedEvent {
  if (!isObj(event)) return { events: [] }
  const type = str(event.type) ?? ''
  const p = isObj(event.properties) ? event.properties : {}
  const sessionId = eventSessionId(event)
  const own = sessionId === state.sessionId
  const child = sessionId !== null && state.children.has(sessionId)
  if (type === 'session.created' && isObj(p.info) && str(p.info.parentID) !== null) {
    const parent = str(p.info.parentID)
    const id = str(p.info.id)
    if (id && (parent === state.sessionId || (parent && state.children.has(parent)))) {
      state.children.add(id)
      // The `task` call that started it: the newest one of that parent without a session yet (its
      // `running` update, which names the session in `metadata.sessionId`, comes right after).
      if (!state.childCalls.has(id)) {
        const taken = new Set(state.childCalls.values())
        const call = [...state.parts.values()].reverse().find((q) => q.tool === 'task' && q.callId && !taken.has(q.callId) && !q.resultShown)
        if (call?.callId) state.childCalls.set(id, call.callId)
      }
    }
    return { events: [] }
  }
  if (!own && !child) return { events: [] }
  switch (type) {
    case 'permission.asked': {
      const events = permissionAsked(p, state, child)
      const requestId = str(p.id)
      return child && events.length && requestId ? { events, subagentAsk: { requestId, permission: str(p.permission) ?? 'tool' } } : { events }
    }
    case 'permission.replied': {
      const id = str(p.requestID)
      if (id && state.approvals.delete(id)) return { events: [{ kind: 'approval_cancelled', requestId: id }] }
      return { events: [] }
    }
    case 'question.asked': {
      // The question tool waits for the user: a question card (see questions.ts).
      const q = openCodeQuestion(p)
      if (!q || state.questions.has(q.requestId)) return { events: [] }
      state.questions.set(q.requestId, q.fields.length)
      return { events: [{ kind: 'question_request', request: q }] }
    }
    case 'question.replied':
    case 'question.rejected': {
      // Settled (by us, or by another client of the server): no longer pending here.
      const id = str(p.requestID)
      if (id && state.questions.delete(id)) return { events: [{ kind: 'question_cancelled', requestId: id }] }
      return { events: [] }
    }
    case 'message.part.updated':
      return { events: partUpdated(p, state, child) }
    case 'message.part.delta':
      return { events: partDelta(p, state) }
    case 'message.updated':
      if (!own && isObj(p.info) && p.info.role === 'user' && str(p.info.id)) state.childPrompts.add(str(p.info.id) as string)
      return own ? messageUpdated(p, state) : { events: [] }
    case 'session.error':
      if (own && turnActive(state) && isObj(p.error)) state.sessionError ??= p.error
      return { events: [] }
    case 'session.status': {
      if (!own || !turnActive(state) || !isObj(p.status)) return { events: [] }
      const st = p.status
      if (st.type === 'retry') return { events: retry(st, state) }
      if (st.type === 'idle') return idleHint(state)
      return { events: [] }
    }
    case 'session.idle':
      return own && turnActive(state) ? idleHint(state) : { events: [] }
    default:
      return { events: [] }
  }
}

function permissionAsked(p: Obj, state: OpenCodeParseState, child: boolean): ProviderEvent[] {
  const id = str(p.id)
  if (!id || state.approvals.has(id)) return []
  state.approvals.add(id)
  const permission = str(p.permission) ?? 'tool'
  const patterns = Array.isArray(p.patterns) ? p.patterns.filter((x): x is string => typeof x === 'string') : []
  const metadata = isObj(p.metadata) ? p.metadata : {}
  const always = Array.isArray(p.always) ? p.always.filter((x): x is string => typeof x === 'string') : []
  const tool = isObj(p.tool) ? p.tool : null
  const what = str(metadata.command) ?? str(metadata.filepath) ?? str(metadata.filePath) ?? patterns.join(', ')
  const description = [
    `${permission}${what ? `: ${what}` : ''}`,
    child ? '(subagent)' : null,
    always.length ? `“allow for session” also allows ${always.join(', ')} in this project` : null
  ]
    .filter(Boolean)
    .join(' · ')
  return [
    {
      kind: 'approval_request',
      request: {
        requestId: id,
        toolName: permission,
        input: { ...metadata, patterns, always },
        description,
        toolUseId: tool ? str(tool.callID) : null,
        sessionScope: always.length
          ? `OpenCode (“always”) allows ${permission} for ${always.join(', ')} in this project for the rest of this session.`
          : `OpenCode (“always”) allows ${permission}${patterns.length ? ` for ${patterns.join(', ')}` : ''} for the rest of this session.`
      }
    }
  ]
}

function idleHint(state: OpenCodeParseState): ParsedEvent {
  if (state.settled) return { events: [] } // already ending
  if (!state.userSeen) return { events: [] } // most likely the late idle of the previous prompt
  const all = [...state.assistants.values()]
  const settled = state.sessionError !== null || state.interruptRequested || (all.length > 0 && all.every((a) => a.completed))
  return { events: [], checkIdle: settled }
}

function retry(st: Obj, state: OpenCodeParseState): ProviderEvent[] {
  const attempt = num(st.attempt) ?? 0
  if (attempt <= state.retryShown) return []
  state.retryShown = attempt
  const next = num(st.next)
  const delay = next !== null ? Math.max(0, Math.round((next - Date.now()) / 1000)) : null
  return [msg({ kind: 'system', text: `API error: ${str(st.message) ?? 'unknown'}; retrying (attempt ${attempt})${delay !== null ? ` in ${delay} s` : ''}` })]
}

function messageUpdated(p: Obj, state: OpenCodeParseState): ParsedEvent {
  const info = isObj(p.info) ? p.info : null
  if (!info || !turnActive(state)) return { events: [] }
  const id = str(info.id)
  if (!id) return { events: [] }
  if (info.role === 'user') {
    if (id === state.userMessageId) state.userSeen = true
    return { events: [] }
  }
  if (info.role !== 'assistant' || str(info.parentID) !== state.userMessageId) return { events: [] }
  state.userSeen = true
  const providerId = str(info.providerID)
  const modelId = str(info.modelID)
  if (providerId && modelId) state.model = `${providerId}/${modelId}`
  const events: ProviderEvent[] = []
  // The model OpenCode actually answers with (its config's default when Shepherd names none).
  if (state.model && state.model !== state.modelReported) {
    state.modelReported = state.model
    events.push({ kind: 'cli_session', cliSessionId: state.sessionId, model: state.model })
  }
  const time = isObj(info.time) ? info.time : {}
  const a: AssistantInfo = { completed: num(time.completed) !== null, finish: str(info.finish), error: isObj(info.error) ? info.error : null }
  state.assistants.set(id, a)
  if (!a.completed) return { events }
  if (a.error || (a.finish !== null && a.finish !== 'tool-calls')) {
    if (state.settled) return { events }
    state.settled = { error: a.error }
    return { events, settled: true }
  }
  return { events }
}

/** The turn ended: unfinished parts are flushed, then `turn idle` or `turn error`. */
function endTurn(state: OpenCodeParseState, error: Obj | null): ProviderEvent[] {
  const events = flushParts(state)
  const aborted = error?.name === ABORTED_ERROR || state.sessionError?.name === ABORTED_ERROR
  if (aborted || state.interruptRequested) {
    events.push(msg({ kind: 'system', text: INTERRUPTED_TEXT }))
    events.push({ kind: 'turn', state: 'idle' })
  } else if (error) {
    const reason = reasonOf(error)
    events.push(msg({ kind: 'error', text: reason.message ?? 'OpenCode reported an error', isError: true }))
    events.push({ kind: 'turn', state: 'error', reason })
  } else {
    events.push({ kind: 'turn', state: 'idle' })
  }
  resetTurn(state)
  return events
}

/**
 * The handle confirmed (GET /session/status) that OpenCode is idle after an idle hint, or gave up
 * waiting after an interrupt: end the turn with what is known.
 */
/** End the turn whose answer completed (after `settled`). */
export function endSettledTurn(state: OpenCodeParseState): ProviderEvent[] {
  if (!turnActive(state) || !state.settled) return []
  return endTurn(state, state.settled.error)
}

export function endTurnAfterIdle(state: OpenCodeParseState): ProviderEvent[] {
  if (!turnActive(state)) return []
  if (state.settled) return endTurn(state, state.settled.error)
  const last = [...state.assistants.values()].at(-1)
  const error = last?.error ?? (state.sessionError?.name !== ABORTED_ERROR ? state.sessionError : null)
  return endTurn(state, error ?? null)
}

function reasonOf(error: Obj): StatusReason {
  const data = isObj(error.data) ? error.data : {}
  const name = str(error.name)
  const message = str(data.message) ?? name ?? 'OpenCode reported an error'
  return { message: name && name !== 'UnknownError' && name !== 'APIError' ? `${name}: ${message}` : message, apiErrorStatus: num(data.statusCode) }
}

function ours(state: OpenCodeParseState, messageId: string | null): boolean {
  return messageId !== null && state.assistants.has(messageId)
}

function partDelta(p: Obj, state: OpenCodeParseState): ProviderEvent[] {
  const partId = str(p.partID)
  if (!partId || p.field !== 'text') return []
  // Only parts already known (ours, or a sub-agent's nested under its call) stream.
  const part = state.parts.get(partId)
  const delta = str(p.delta)
  if (!part || part.done || !delta) return []
  part.text += delta
  return draftOf(part)
}

/** A text or reasoning part still streaming, shown live until it ends as a message. */
function draftOf(progress: PartProgress): ProviderEvent[] {
  // A draft has no parent: a sub-agent's text shows once it is complete, nested under its call.
  if ((progress.type !== 'text' && progress.type !== 'reasoning') || progress.parentId) return []
  return [{ kind: 'draft', draft: { kind: progress.type === 'reasoning' ? 'thinking' : 'assistant', text: progress.text } }]
}

const TOOL_PATH_KEYS = ['command', 'filePath', 'filepath', 'path', 'pattern', 'url']

const toolPathOf = (input: unknown): string | null => firstStringOf(input, TOOL_PATH_KEYS)

function partUpdated(p: Obj, state: OpenCodeParseState, child: boolean): ProviderEvent[] {
  const part = isObj(p.part) ? p.part : null
  if (!part) return []
  const partId = str(part.id)
  const messageId = str(part.messageID)
  if (!partId || !messageId) return []
  // A sub-agent's cost is this session's, whenever it is reported.
  if (child && part.type === 'step-finish') return stepUsage(part, partId, state)
  if (!turnActive(state)) return []
  // Sub-agent parts (any of its messages) nest under the `task` call that started the sub-agent.
  const parentId = child ? (state.childCalls.get(str(part.sessionID) ?? '') ?? null) : null
  if (!child && !ours(state, messageId)) return []
  if (child && (!parentId || state.childPrompts.has(messageId))) return []
  const type = str(part.type) ?? 'unknown'
  let progress = state.parts.get(partId)
  const events: ProviderEvent[] = []
  if (!progress) {
    // A new part starts: text/thinking before it in the same message is complete (the model
    // streams parts one after another), so show it now, in transcript order before a tool call
    // (OpenCode closes a text part only after the tool call that follows it has started).
    if (type !== 'step-finish') events.push(...flushParts(state, messageId))
    progress = { type, messageId, text: '', done: false, callShown: false, resultShown: false, parentId, tool: str(part.tool), callId: str(part.callID) }
    state.parts.set(partId, progress)
  }
  return [...events, ...partEvents(part, type, partId, progress, state)]
}

/** Tool calls shown whose result has not arrived (the handle waits a moment for them before a turn ends). */
export function openToolCalls(state: OpenCodeParseState): number {
  let n = 0
  for (const q of state.parts.values()) if (q.callShown && !q.resultShown) n++
  return n
}

function partEvents(part: Obj, type: string, partId: string, progress: PartProgress, state: OpenCodeParseState): ProviderEvent[] {
  switch (type) {
    case 'text':
    case 'reasoning': {
      if (progress.done || part.ignored === true) return []
      progress.text = str(part.text) || progress.text
      const time = isObj(part.time) ? part.time : {}
      if (num(time.end) === null) return progress.text ? draftOf(progress) : []
      progress.done = true
      return textEvents(progress)
    }
    case 'tool': {
      const events = toolEvents(part, progress)
      // The sub-agent session a `task` call started is named in its metadata once it runs.
      const st = isObj(part.state) ? part.state : {}
      const child = isObj(st.metadata) ? str(st.metadata.sessionId) : null
      if (progress.tool === 'task' && child && progress.callId) state.childCalls.set(child, progress.callId)
      return events
    }
    case 'step-finish':
      return stepUsage(part, partId, state)
    case 'compaction':
      if (progress.done) return []
      progress.done = true
      return [msg({ kind: 'system', text: 'Conversation compacted' })]
    default:
      return [] // step-start, patch, snapshot, file, agent, subtask, retry: nothing to show
  }
}

function textEvents(progress: PartProgress): ProviderEvent[] {
  const text = progress.text
  if (!text.trim()) return []
  return [msg({ kind: progress.type === 'reasoning' ? 'thinking' : 'assistant', text, parentId: progress.parentId })]
}

function toolEvents(part: Obj, progress: PartProgress): ProviderEvent[] {
  const st = isObj(part.state) ? part.state : {}
  const status = str(st.status)
  const name = str(part.tool) ?? 'tool'
  const callId = str(part.callID)
  const events: ProviderEvent[] = []
  if (status === 'pending' || status === null) return events
  if (!progress.callShown) {
    progress.callShown = true
    const input = isObj(st.input) ? st.input : {}
    const toolPath = toolPathOf(input)
    // A tool the model may not use (denied by the permission mode) runs as `invalid`.
    const shownName = name === 'invalid' && str(input.tool) ? `invalid (${str(input.tool)})` : name
    const about = toolPath ?? (name === 'task' ? str(input.description) : null)
    events.push(
      msg({
        kind: 'tool_call',
        text: about ? `${shownName}: ${about}` : shownName,
        toolName: name,
        toolInput: JSON.stringify(input),
        toolPath,
        toolUseId: callId,
        parentId: progress.parentId
      })
    )
  }
  if (progress.resultShown) return events
  if (status === 'completed') {
    progress.resultShown = true
    const metadata = isObj(st.metadata) ? st.metadata : {}
    const exit = num(metadata.exit)
    events.push(
      msg({
        kind: 'tool_result',
        text: cleanToolOutput(name, str(st.output) ?? ''),
        toolName: name,
        toolUseId: callId,
        parentId: progress.parentId,
        isError: exit !== null && exit !== 0
      })
    )
  } else if (status === 'error') {
    progress.resultShown = true
    events.push(
      msg({
        kind: 'tool_result',
        text: cleanToolOutput(name, str(st.error) ?? 'tool failed'),
        toolName: name,
        toolUseId: callId,
        parentId: progress.parentId,
        isError: true
      })
    )
  }
  return events
}

function stepUsage(part: Obj, partId: string, state: OpenCodeParseState): ProviderEvent[] {
  if (state.countedSteps.has(partId)) return []
  state.countedSteps.add(partId)
  const tokens = isObj(part.tokens) ? part.tokens : {}
  const cache = isObj(tokens.cache) ? tokens.cache : {}
  const input = num(tokens.input) ?? 0
  const cacheRead = num(cache.read) ?? 0
  const cacheWrite = num(cache.write) ?? 0
  const own = part.sessionID === state.sessionId
  if (own) state.contextTokens = input + cacheRead + cacheWrite
  const usage: ProviderUsage = {
    costUsdDelta: num(part.cost) ?? 0,
    inputTokens: input,
    outputTokens: (num(tokens.output) ?? 0) + (num(tokens.reasoning) ?? 0),
    cacheReadTokens: cacheRead,
    cacheWriteTokens: cacheWrite,
    contextTokens: state.contextTokens,
    contextWindow: state.model ? (state.contextWindows.get(state.model) ?? null) : null,
    costKnown: true
  }
  return [{ kind: 'usage', usage }]
}

const SHELL_METADATA_RE = /\n*<shell_metadata>\n?([\s\S]*?)\n?<\/shell_metadata>\s*$/
const TASK_RESULT_RE = /^<task id="[^"]*" state="[^"]*">\n(?:<summary>[\s\S]*?<\/summary>\n)?<(task_result|task_error)>\n([\s\S]*?)\n?<\/\1>\n<\/task>\s*$/

/**
 * What OpenCode wraps for the model, shown as text: the `<shell_metadata>` note a shell output ends
 * with (e.g. "User aborted the command", a timeout) as a `[…]` line, and a `task` result's
 * `<task><task_result>` envelope as the sub-agent's answer.
 */
export function cleanToolOutput(tool: string, text: string): string {
  let out = text.replace(SHELL_METADATA_RE, (_m, note: string) => `\n\n[${note.trim()}]`)
  if (out !== text && out.startsWith('\n\n')) out = out.slice(2)
  if (tool === 'task') {
    const m = TASK_RESULT_RE.exec(out)
    if (m) out = m[2] as string
  }
  return out
}

/** Text/reasoning parts still open (of one message, or all when the turn ends) become rows with what arrived. */
function flushParts(state: OpenCodeParseState, messageId?: string): ProviderEvent[] {
  const events: ProviderEvent[] = []
  for (const progress of state.parts.values()) {
    if (messageId !== undefined && (progress.messageId !== messageId || !progress.text.trim())) continue
    if ((progress.type === 'text' || progress.type === 'reasoning') && !progress.done) {
      progress.done = true
      events.push(...textEvents(progress))
    }
  }
  return events
}

/**
 * Messages fetched with `GET /session/{id}/message` (after the event stream reconnected) as the
 * events that would have announced them, so a missed completion or part is recovered through the
 * same code path (everything is idempotent per message/part id).
 */
export function eventsFromMessages(messages: unknown): unknown[] {
  if (!Array.isArray(messages)) return []
  const out: unknown[] = []
  for (const m of messages) {
    if (!isObj(m) || !isObj(m.info)) continue
    const parts = Array.isArray(m.parts) ? m.parts : []
    const info = m.info
    const completed = isObj(info.time) && num(info.time.completed) !== null
    // Parts first with the message still open, then the (possibly completing) message itself.
    out.push({
      type: 'message.updated',
      properties: { sessionID: info.sessionID, info: completed ? { ...info, time: { ...(info.time as Obj), completed: undefined } } : info }
    })
    for (const part of parts) out.push({ type: 'message.part.updated', properties: { sessionID: info.sessionID, part } })
    if (completed) out.push({ type: 'message.updated', properties: { sessionID: info.sessionID, info } })
  }
  return out
}
