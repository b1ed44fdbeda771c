/**
 * `codex app-server` notifications and approval requests → normalized events. Pure: one message
 * in, events out; the cross-message context (our thread and turns, items in progress, the token
 * baseline) lives in a `CodexParseState` owned by the handle. Never throws: unexpected input
 * becomes `raw` events. Protocol and pitfalls: docs/agent-cli.md §2 (recorded
 * exchanges with the real CLI in ./fixtures).
 */
import type { ProviderEvent, ProviderMessage, ProviderUsage, RateLimitWindow } from '../types'
import type { StatusReason } from '../../shared/status'
import type { CodexApprovalRequest, CodexErrorInfo, CodexNotification, RequestId, ThreadItem, ThreadTokenUsage, Turn } from './protocol'
import { isObj, INTERRUPTED_TEXT } from '../scaffold/values'

type TokenTotals = ThreadTokenUsage['total']

interface OpenItem {
  type: ThreadItem['type']
  /** Streamed text so far (agent message deltas, command output deltas). */
  text: string
  /**
   * A reasoning item's streamed parts, kept apart as the completed item keeps them: the summary's
   * parts and the raw reasoning's. Glued together, the live block read differently from the stored one.
   */
  summary?: string[]
  content?: string[]
  /** The tool_call row was emitted at item/started. */
  callEmitted: boolean
  /** The item as last seen (approval requests need the file list of a fileChange). */
  item: ThreadItem
}

export interface CodexParseState {
  /** Our thread; notifications about other threads (sub-agents) are kept raw. */
  threadId: string | null
  /** The turn in flight (from turn/start's reply or turn/started). */
  turnId: string | null
  /** Every turn this process started: usage for any other turn is a replay (resume/fork baseline). */
  ourTurns: Set<string>
  /** Set by the handle when it asks for an interrupt; cleared at turn/completed. */
  interruptRequested: boolean
  /** Thread token totals already accounted for (usage events carry the difference). */
  usageBaseline: TokenTotals | null
  /** Items started but not completed. */
  items: Map<string, OpenItem>
  /** The last non-retried `error` notification of the current turn. */
  turnError: { message: string; apiErrorStatus: number | null } | null
  /** Warnings already shown (the same config warning repeats on every start). */
  shownWarnings: Set<string>
  /**
   * Tool calls closed as "did not finish" when their turn ended: Codex may still report them later
   * (an interrupted command runs on), and that update belongs to the original call.
   */
  closedItems: Set<string>
}

/** Commands still running (their item started, not completed), with the app-server's process id. */
export function runningCommands(state: CodexParseState): { itemId: string; processId: string }[] {
  const out: { itemId: string; processId: string }[] = []
  for (const [itemId, open] of state.items) {
    if (open.item.type === 'commandExecution' && open.item.processId) out.push({ itemId, processId: open.item.processId })
  }
  return out
}

export function createParseState(): CodexParseState {
  return {
    threadId: null,
    turnId: null,
    ourTurns: new Set(),
    interruptRequested: false,
    usageBaseline: null,
    items: new Map(),
    turnError: null,
    shownWarnings: new Set(),
    closedItems: new Set()
  }
}

export interface ParsedNotification {
  events: ProviderEvent[]
  /** `serverRequest/resolved`: Codex no longer waits for this request (answered, or its turn ended). */
  resolvedRequestId?: RequestId
  /** `turn/completed` for our turn: the handle forgets its pending approvals. */
  turnEnded?: boolean
}

export { INTERRUPTED_TEXT }
export const COMMAND_TOOL = 'Bash'
export const FILE_CHANGE_TOOL = 'Edit'

/** Notifications that carry nothing for the transcript (every line is also kept as raw stdout). */
const IGNORED_METHODS = new Set([
  'thread/started',
  'thread/status/changed',
  'thread/goal/cleared',
  'thread/goal/updated',
  'thread/name/updated',
  'thread/settings/updated',
  'thread/compacted',
  'account/updated',
  'remoteControl/status/changed',
  'turn/diff/updated',
  'item/plan/delta',
  'item/reasoning/summaryPartAdded',
  'item/fileChange/outputDelta',
  'item/fileChange/patchUpdated',
  'item/commandExecution/terminalInteraction',
  'item/mcpToolCall/progress',
  'mcpServer/startupStatus/updated',
  'skills/changed',
  'hook/started',
  'hook/completed',
  'deprecationNotice'
])

const msg = (message: ProviderMessage): ProviderEvent => ({ kind: 'message', message })
const unknownRaw = (method: string, params: unknown): ProviderEvent => ({ kind: 'raw', stream: 'unknown', data: JSON.stringify({ method, params }) })

/** One server notification (`method` + `params`, no `id`). */
export function parseNotification(method: string, params: unknown, state: CodexParseState): ParsedNotification {
  try {
    return parseKnown(method, params, state)
  } catch {
    // Params that do not match the generated types (a newer or older Codex): keep them for debugging.
    return { events: [{ kind: 'raw', stream: 'parse_error', data: JSON.stringify({ method, params }) }] }
  }
}

function parseKnown(method: string, params: unknown, state: CodexParseState): ParsedNotification {
  if (IGNORED_METHODS.has(method)) return { events: [] }
  if (method === 'account/rateLimits/updated') return { events: parseRateLimits(params) }
  if (!isObj(params)) return { events: [unknownRaw(method, params)] }
  const n = { method, params } as CodexNotification
  // Sub-agent threads and other connections' threads: not ours to show.
  const threadId = typeof params.threadId === 'string' ? params.threadId : null
  if (threadId && state.threadId && threadId !== state.threadId) return { events: [unknownRaw(method, params)] }
  if (method === 'turn/plan/updated') return { events: planUpdated(params, state) }
  switch (n.method) {
    case 'turn/started':
      state.turnId = n.params.turn.id
      state.ourTurns.add(n.params.turn.id)
      return { events: [{ kind: 'turn', state: 'running' }] }
    case 'turn/completed':
      return { events: turnCompleted(n.params.turn, state), turnEnded: true }
    case 'item/started':
      return { events: itemStarted(n.params.item, state) }
    case 'item/completed':
      return { events: itemCompleted(n.params.item, state) }
    case 'item/reasoning/summaryTextDelta':
    case 'item/reasoning/textDelta': {
      const open = state.items.get(n.params.itemId)
      if (!open) return { events: [] }
      const [parts, index] =
        n.method === 'item/reasoning/summaryTextDelta' ? [(open.summary ??= []), n.params.summaryIndex] : [(open.content ??= []), n.params.contentIndex]
      const i = Number.isInteger(index) && index >= 0 && index < 1000 ? index : parts.length
      parts[i] = (parts[i] ?? '') + n.params.delta
      const text = reasoningText(open)
      return { events: text ? [{ kind: 'draft', draft: { kind: 'thinking', text } }] : [] }
    }
    case 'item/agentMessage/delta':
    case 'item/commandExecution/outputDelta': {
      const open = state.items.get(n.params.itemId)
      if (!open) return { events: [] }
      open.text += n.params.delta
      // The answer and the reasoning show live; command output appears with its result.
      const kind = open.type === 'agentMessage' ? 'assistant' : open.type === 'reasoning' ? 'thinking' : null
      return { events: kind ? [{ kind: 'draft', draft: { kind, text: open.text } }] : [] }
    }
    case 'thread/tokenUsage/updated':
      return { events: usageUpdated(n.params.turnId, n.params.tokenUsage, state) }
    case 'error': {
      const apiErrorStatus = httpStatusOf(n.params.error.codexErrorInfo)
      const message = errorText(n.params.error.message, n.params.error.additionalDetails)
      if (n.params.willRetry) return { events: [msg({ kind: 'system', text: `${message} (retrying)` })] }
      // The turn's completion repeats it as the failure reason; outside a turn, show it now.
      if (state.turnId) {
        state.turnError = { message, apiErrorStatus }
        return { events: [] }
      }
      return { events: [msg({ kind: 'error', text: message, isError: true })] }
    }
    case 'serverRequest/resolved':
      return { events: [], resolvedRequestId: n.params.requestId }
    case 'configWarning': {
      const text = [n.params.summary, n.params.details].filter(Boolean).join('\n')
      // "could not find bubblewrap on PATH … will use the bundled bubblewrap": repeats on every start, harmless.
      if (/bubblewrap/i.test(n.params.summary) && /bundled/i.test(n.params.summary)) return { events: [] }
      return { events: once(state, text, msg({ kind: 'system', text: `Codex configuration: ${text}` })) }
    }
    case 'warning':
      return { events: once(state, n.params.message, msg({ kind: 'system', text: `Codex: ${n.params.message}` })) }
    case 'model/rerouted':
      return { events: [msg({ kind: 'system', text: `Codex switched the model from ${n.params.fromModel} to ${n.params.toModel}.` })] }
    default:
      return { events: [unknownRaw(method, params)] }
  }
}

/** The last plan shown per parse state: Codex repeats the whole plan on every `update_plan` call. */
const lastPlans = new WeakMap<CodexParseState, string>()

/**
 * `turn/plan/updated` (Codex's `update_plan` tool: `{ explanation, plan: [{ step, status }] }`, status
 * pending | inProgress | completed) as the same `Plan:` checklist text ACP plans use (acp/mapper.ts),
 * which the pane renders as a checklist (issue 11 item 12). Unchanged plans are not repeated.
 */
function planUpdated(params: Record<string, unknown>, state: CodexParseState): ProviderEvent[] {
  const steps = Array.isArray(params.plan) ? params.plan.filter(isObj) : []
  const lines = steps.map((e) => {
    const mark = e.status === 'completed' ? '[x]' : e.status === 'inProgress' || e.status === 'in_progress' ? '[~]' : '[ ]'
    return `${mark} ${typeof e.step === 'string' ? e.step.replace(/\s*\n\s*/g, ' ') : ''}`
  })
  const explanation = typeof params.explanation === 'string' && params.explanation.trim() ? ` ${params.explanation.trim().replace(/\s*\n\s*/g, ' ')}` : ''
  const text = lines.length > 0 ? `Plan:${explanation}\n${lines.join('\n')}` : 'Plan cleared'
  if (lastPlans.get(state) === text) return []
  lastPlans.set(state, text)
  return [msg({ kind: 'system', text })]
}

function once(state: CodexParseState, key: string, event: ProviderEvent): ProviderEvent[] {
  if (state.shownWarnings.has(key)) return []
  state.shownWarnings.add(key)
  return [event]
}

function errorText(message: string, details: string | null | undefined): string {
  return details && !message.includes(details) ? `${message}\n${details}` : message
}

/** The upstream HTTP status some `CodexErrorInfo` variants carry. */
export function httpStatusOf(info: CodexErrorInfo | null | undefined): number | null {
  if (!isObj(info)) return null
  for (const v of Object.values(info)) {
    if (isObj(v) && typeof v.httpStatusCode === 'number') return v.httpStatusCode
  }
  return null
}

function turnCompleted(turn: Turn, state: CodexParseState): ProviderEvent[] {
  const events = flushOpenItems(state)
  const interruptRequested = state.interruptRequested
  const turnError = state.turnError
  state.turnId = null
  state.turnError = null
  state.interruptRequested = false
  state.items.clear()
  if (turn.status === 'completed' || turn.status === 'inProgress') {
    events.push({ kind: 'turn', state: 'idle' })
  } else if (turn.status === 'interrupted' || interruptRequested) {
    // A failure racing our own interrupt is still "you stopped it".
    events.push(msg({ kind: 'system', text: INTERRUPTED_TEXT }), { kind: 'turn', state: 'idle', reason: { message: 'turn interrupted' } })
  } else {
    const message = turn.error ? errorText(turn.error.message, turn.error.additionalDetails) : (turnError?.message ?? 'Codex reported a failed turn')
    const apiErrorStatus = turn.error ? httpStatusOf(turn.error.codexErrorInfo) : (turnError?.apiErrorStatus ?? null)
    const reason: StatusReason = { message, apiErrorStatus }
    events.push(msg({ kind: 'error', text: message, isError: true }), { kind: 'turn', state: 'error', reason })
  }
  return events
}

/** A reasoning item's text as the completed item gives it: the summary when there is one, else the raw reasoning. */
function reasoningText(open: OpenItem): string {
  const parts = open.summary?.some(Boolean) ? open.summary : (open.content ?? [])
  return parts.filter(Boolean).join('\n\n')
}

/** At the end of a turn (interrupt, failure), show what had streamed and close open tool calls. */
function flushOpenItems(state: CodexParseState): ProviderEvent[] {
  const events: ProviderEvent[] = []
  for (const [id, open] of state.items) {
    if (open.type === 'agentMessage' && open.text) events.push(msg({ kind: 'assistant', text: open.text }))
    else if (open.type === 'reasoning' && reasoningText(open)) events.push(msg({ kind: 'thinking', text: reasoningText(open) }))
    else if (open.callEmitted) {
      const text = [open.text, '(did not finish: the turn ended)'].filter(Boolean).join('\n')
      events.push(msg({ kind: 'tool_result', text, toolUseId: id, isError: true }))
      state.closedItems.add(id)
    }
  }
  return events
}

function usageUpdated(turnId: string, usage: ThreadTokenUsage, state: CodexParseState): ProviderEvent[] {
  const total = usage.total
  const base = state.usageBaseline
  state.usageBaseline = total
  // A resumed or forked thread first reports the totals it already had (tagged with an old turn).
  if (!state.ourTurns.has(turnId)) return []
  const d = (k: keyof TokenTotals) => total[k] - (base?.[k] ?? 0)
  if (d('totalTokens') <= 0 || d('inputTokens') < 0 || d('outputTokens') < 0) return [] // repeat, or a reset count
  const cached = Math.max(0, d('cachedInputTokens'))
  const result: ProviderUsage = {
    // OpenAI counts cached input inside input_tokens; Shepherd keeps them apart (like Claude's).
    inputTokens: Math.max(0, d('inputTokens') - cached),
    outputTokens: d('outputTokens'),
    cacheReadTokens: cached,
    cacheWriteTokens: Math.max(0, d('cacheWriteInputTokens')),
    contextTokens: usage.last.totalTokens,
    contextWindow: usage.modelContextWindow,
    costKnown: false
  }
  return [{ kind: 'usage', usage: result }]
}

// ---- items ---------------------------------------------------------------------------------

function itemStarted(item: ThreadItem, state: CodexParseState): ProviderEvent[] {
  const call = toolCallOf(item)
  state.items.set(item.id, { type: item.type, text: '', callEmitted: call !== null, item })
  return call ? [msg(call)] : []
}

function itemCompleted(item: ThreadItem, state: CodexParseState): ProviderEvent[] {
  if (state.closedItems.delete(item.id)) {
    // A late report of a call its turn already closed: it belongs to that call (no second tool call).
    const result = toolResultOf(item, '')
    return result ? [msg({ ...result, text: `(ended after its turn) ${result.text}` })] : []
  }
  const open = state.items.get(item.id)
  state.items.delete(item.id)
  const streamed = open?.text ?? ''
  switch (item.type) {
    case 'agentMessage': {
      const text = item.text || streamed
      return text ? [msg({ kind: 'assistant', text })] : []
    }
    case 'reasoning': {
      const text = (item.summary.length > 0 ? item.summary : item.content).join('\n\n') || (open ? reasoningText(open) : '')
      return text.trim() ? [msg({ kind: 'thinking', text })] : []
    }
    case 'plan':
      return item.text ? [msg({ kind: 'assistant', text: item.text })] : []
    case 'contextCompaction':
      return [msg({ kind: 'system', text: 'Conversation compacted' })]
    case 'userMessage':
    case 'hookPrompt':
      return [] // the prompt is already in the transcript (the supervisor writes it)
    default: {
      const call = open?.callEmitted ? null : toolCallOf(item)
      const result = toolResultOf(item, streamed)
      if (!result) return [{ kind: 'raw', stream: 'unknown', data: JSON.stringify({ method: 'item/completed', item }) }]
      return call ? [msg(call), msg(result)] : [msg(result)]
    }
  }
}

function toolCallOf(item: ThreadItem): ProviderMessage | null {
  switch (item.type) {
    case 'commandExecution': {
      const command = unwrapShellCommand(item.command)
      return {
        kind: 'tool_call',
        text: `${COMMAND_TOOL}: ${command}`,
        toolName: COMMAND_TOOL,
        toolInput: JSON.stringify({ command, cwd: item.cwd }),
        toolPath: command,
        toolUseId: item.id
      }
    }
    case 'fileChange': {
      const paths = item.changes.map((c) => c.path)
      const toolPath = paths.join(', ')
      return {
        kind: 'tool_call',
        text: `${FILE_CHANGE_TOOL}: ${toolPath || '(no files)'}`,
        toolName: FILE_CHANGE_TOOL,
        toolInput: JSON.stringify({ changes: item.changes }),
        toolPath: toolPath || null,
        toolUseId: item.id
      }
    }
    case 'mcpToolCall': {
      const name = `${item.server}.${item.tool}`
      return { kind: 'tool_call', text: name, toolName: name, toolInput: JSON.stringify(item.arguments ?? {}), toolPath: null, toolUseId: item.id }
    }
    case 'dynamicToolCall': {
      const name = item.namespace ? `${item.namespace}.${item.tool}` : item.tool
      return { kind: 'tool_call', text: name, toolName: name, toolInput: JSON.stringify(item.arguments ?? {}), toolPath: null, toolUseId: item.id }
    }
    case 'webSearch':
      return {
        kind: 'tool_call',
        text: `WebSearch: ${item.query}`,
        toolName: 'WebSearch',
        toolInput: JSON.stringify({ query: item.query }),
        toolPath: item.query || null,
        toolUseId: item.id
      }
    case 'imageView':
      return {
        kind: 'tool_call',
        text: `ViewImage: ${item.path}`,
        toolName: 'ViewImage',
        toolInput: JSON.stringify({ path: item.path }),
        toolPath: item.path,
        toolUseId: item.id
      }
    default:
      return null
  }
}

function toolResultOf(item: ThreadItem, streamed: string): ProviderMessage | null {
  const result = (text: string, isError: boolean): ProviderMessage => ({ kind: 'tool_result', text, toolUseId: item.id, isError })
  switch (item.type) {
    case 'commandExecution': {
      const output = item.aggregatedOutput ?? streamed
      if (item.status === 'declined') return result(output || 'The command was declined.', true)
      const failed = item.status === 'failed' || (item.exitCode !== null && item.exitCode !== 0)
      const exit = item.exitCode !== null && item.exitCode !== 0 ? `exit code ${item.exitCode}` : item.status === 'failed' ? 'the command failed' : ''
      const text = [output.replace(/\n$/, ''), exit].filter(Boolean).join('\n')
      return result(text || (item.status === 'completed' ? '(no output)' : ''), failed)
    }
    case 'fileChange': {
      const summary = item.changes
        .map((c) => `${c.kind.type === 'update' && c.kind.move_path ? `move → ${c.kind.move_path}` : c.kind.type} ${c.path}`)
        .join('\n')
      if (item.status === 'declined') return result(`The change was declined.\n${summary}`, true)
      if (item.status === 'failed') return result(`The change failed.${streamed ? `\n${streamed}` : ''}\n${summary}`, true)
      return result(summary || 'No changes', false)
    }
    case 'mcpToolCall': {
      if (item.error) return result(item.error.message, true)
      const content = item.result?.content ?? []
      const text = content.map((c) => (isObj(c) && typeof c.text === 'string' ? c.text : JSON.stringify(c))).join('\n')
      return result(text, item.status === 'failed')
    }
    case 'dynamicToolCall': {
      const text = (item.contentItems ?? []).map((c) => (c.type === 'inputText' ? c.text : c.type === 'inputImage' ? '[image]' : '[audio]')).join('\n')
      return result(text, item.success === false)
    }
    case 'webSearch':
      return result(item.query ? `Searched the web for “${item.query}”` : 'Searched the web', false)
    case 'imageView':
      return result('[image]', false)
    default:
      return null
  }
}

/** `/bin/bash -lc 'echo hi'` → `echo hi` (Codex wraps every command in a login shell). */
export function unwrapShellCommand(command: string): string {
  const m = /^(?:\S*\/)?(?:bash|zsh|sh)\s+-l?c\s+([\s\S]+)$/.exec(command.trim())
  if (!m) return command
  const word = parseShellWord(m[1] as string)
  return word ?? command
}

/** The single POSIX shell word `s` (quotes resolved), or null when `s` is not exactly one word. */
function parseShellWord(s: string): string | null {
  let out = ''
  let i = 0
  while (i < s.length) {
    const c = s[i] as string
    if (c === "'") {
      const end = s.indexOf("'", i + 1)
      if (end === -1) return null
      out += s.slice(i + 1, end)
      i = end + 1
    } else if (c === '"') {
      i++
      for (;;) {
        if (i >= s.length) return null
        const d = s[i] as string
        if (d === '"') break
        if (d === '\\' && i + 1 < s.length && '$`"\\\n'.includes(s[i + 1] as string)) {
          out += s[i + 1]
          i += 2
        } else {
          out += d
          i++
        }
      }
      i++
    } else if (c === '\\' && i + 1 < s.length) {
      out += s[i + 1]
      i += 2
    } else if (/\s/.test(c)) {
      return null
    } else {
      out += c
      i++
    }
  }
  return out
}

// ---- approvals -----------------------------------------------------------------------------

export interface ParsedApproval {
  event: ProviderEvent
  kind: 'command' | 'fileChange'
  turnId: string
}

/** An approval request → the event for the UI (Shepherd's requestId is the JSON-RPC id as text). */
export function parseApprovalRequest(req: CodexApprovalRequest, state: CodexParseState): ParsedApproval {
  const requestId = String(req.id)
  if (req.method === 'item/commandExecution/requestApproval') {
    const p = req.params
    const raw = p.command ?? (state.items.get(p.itemId)?.item as { command?: string } | undefined)?.command ?? ''
    const command = unwrapShellCommand(raw)
    const description = p.reason ?? (p.networkApprovalContext ? `Network access to ${JSON.stringify(p.networkApprovalContext)}` : null)
    return {
      kind: 'command',
      turnId: p.turnId,
      event: {
        kind: 'approval_request',
        request: {
          requestId,
          toolName: COMMAND_TOOL,
          input: { command, cwd: p.cwd ?? null },
          description,
          toolUseId: p.itemId,
          sessionScope: `Codex (acceptForSession) stops asking for this exact command for the rest of this session: ${command}`
        }
      }
    }
  }
  const p = req.params
  const open = state.items.get(p.itemId)?.item
  const changes = open?.type === 'fileChange' ? open.changes : []
  const description = p.reason ?? (p.grantRoot ? `Allow writes under ${p.grantRoot} for this session` : null)
  return {
    kind: 'fileChange',
    turnId: p.turnId,
    event: {
      kind: 'approval_request',
      request: {
        requestId,
        toolName: FILE_CHANGE_TOOL,
        input: { changes, grantRoot: p.grantRoot ?? null },
        description,
        toolUseId: p.itemId,
        sessionScope: p.grantRoot
          ? `Codex (acceptForSession) stops asking for file changes under ${p.grantRoot} for the rest of this session.`
          : 'Codex (acceptForSession) stops asking for these file changes for the rest of this session.'
      }
    }
  }
}

/**
 * `account/rateLimits/updated`: { rateLimits: { primary, secondary } }, each window
 * { usedPercent (0..100), windowDurationMins, resetsAt (epoch seconds) } or null.
 */
export function parseRateLimits(params: unknown): ProviderEvent[] {
  const rl = isObj(params) && isObj(params.rateLimits) ? params.rateLimits : null
  if (!rl) return []
  const windows: RateLimitWindow[] = []
  for (const name of ['primary', 'secondary'] as const) {
    const w = rl[name]
    if (!isObj(w)) continue
    const used = typeof w.usedPercent === 'number' && Number.isFinite(w.usedPercent) ? Math.max(0, Math.min(100, w.usedPercent)) : null
    const mins = typeof w.windowDurationMins === 'number' ? w.windowDurationMins : null
    const label = mins === 300 ? 'five_hour' : mins === 10080 ? 'seven_day' : mins ? `${mins}_min` : name
    const resetsAt = typeof w.resetsAt === 'number' && Number.isFinite(w.resetsAt) ? Math.round(w.resetsAt * 1000) : null
    windows.push({
      window: label,
      status: used !== null && used >= 100 ? 'rejected' : used !== null && used >= 80 ? 'warning' : 'allowed',
      utilization: used === null ? null : used / 100,
      resetsAt
    })
  }
  if (windows.length === 0) return []
  const hit = windows.filter((w) => w.status === 'rejected')
  const resetsAt = hit.length ? Math.max(...hit.map((w) => w.resetsAt ?? 0)) || null : null
  return [{ kind: 'rate_limit', windows, limited: hit.length > 0, resetsAt }]
}
