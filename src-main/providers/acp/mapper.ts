/**
 * ACP `session/update` notifications → Shepherd's normalized transcript messages, and ACP usage
 * reports → per-turn usage. Pure (no I/O) so it can be tested from recorded updates.
 *
 * - `agent_message_chunk` / `agent_thought_chunk`: chunks are joined into one `assistant` /
 *   `thinking` message per run (a run ends when the kind or the agent's `messageId` changes, at a
 *   tool call, a plan, a permission request or the end of the turn); the run so far is a draft.
 * - `tool_call`: one `tool_call` message. A call announced as `pending` (its input still streaming)
 *   is held until the next update, so an immediate `tool_call_update` with the real input and title
 *   is merged in (OpenCode announces `bash` with no command, then sends the command).
 * - `tool_call_update` with status `completed` / `failed`: one `tool_result` message.
 * - `plan`: a `system` message with the checklist (only when it changed).
 */
import type { ProviderEvent, ProviderMessage, ProviderUsage } from '../types'
import { isObj, type Obj } from '../scaffold/values'

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null)
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null)

/** Tool output kept in one transcript row; the rest is cut (the agent keeps the full output). */
export const TOOL_RESULT_MAX_CHARS = 1024 * 1024
const IDENT_RE = /^[A-Za-z_][A-Za-z0-9_.:-]{0,63}$/
const PATH_KEYS = ['file_path', 'filePath', 'filepath', 'path', 'notebook_path', 'pattern', 'url', 'query']

interface ToolState {
  id: string
  /** The title of the first announcement: often the tool's name (`bash`, `write`). */
  firstTitle: string | null
  title: string | null
  name: string | null
  kind: string | null
  status: string | null
  locations: { path: string; line?: number | null }[]
  rawInput: unknown
  content: unknown[] | null
  rawOutput: unknown
  callEmitted: boolean
  resultEmitted: boolean
}

export interface MapperOptions {
  /** Output of a client-side terminal embedded in a tool result (`{type:"terminal", terminalId}`). */
  terminalOutput?: (terminalId: string) => string | null
}

export interface ApprovalInfo {
  toolName: string
  input: unknown
  description: string | null
  toolUseId: string | null
}

export class AcpUpdateMapper {
  private run: { kind: 'assistant' | 'thinking'; messageId: string | null; text: string } | null = null
  private readonly tools = new Map<string, ToolState>()
  /** A pending `tool_call` waiting one update for its input. */
  private held: string | null = null
  private lastPlan: string | null = null

  constructor(
    private readonly emit: (event: ProviderEvent) => void,
    private readonly opts: MapperOptions = {}
  ) {}

  /** One `session/update` payload (`params.update`). Returns false for update kinds it does not know. */
  handleUpdate(update: unknown): boolean {
    if (!isObj(update)) return false
    const kind = str(update.sessionUpdate)
    switch (kind) {
      case 'agent_message_chunk':
      case 'agent_thought_chunk':
        this.flushHeld()
        this.chunk(kind === 'agent_message_chunk' ? 'assistant' : 'thinking', str(update.messageId), update.content)
        return true
      case 'user_message_chunk':
        // The agent echoing our prompt (or replaying history): Shepherd already shows it.
        return true
      case 'tool_call':
        this.flushHeld()
        this.flushRun()
        this.toolCall(update)
        return true
      case 'tool_call_update':
        this.toolCallUpdate(update)
        return true
      case 'plan':
        this.flushHeld()
        this.flushRun()
        this.plan(update.entries)
        return true
      default:
        return false
    }
  }

  /**
   * A permission request is about to be shown: everything before it is emitted first (the tool
   * call it is about included). Returns what the approval card shows.
   */
  permissionRequested(toolCall: unknown): ApprovalInfo {
    const tc = isObj(toolCall) ? toolCall : {}
    const id = str(tc.toolCallId)
    if (id && !this.tools.has(id)) this.tools.set(id, this.newState(id, tc))
    this.flushRun()
    if (id && this.held === id) this.merge(this.tools.get(id) as ToolState, tc)
    this.flushHeld()
    const state = id ? this.tools.get(id) : undefined
    if (state && !state.callEmitted) this.emitCall(state)
    const title = str(tc.title) ?? state?.title ?? null
    let input: unknown = tc.rawInput !== undefined && tc.rawInput !== null ? tc.rawInput : (state?.rawInput ?? {})
    // The files the call touches (ACP `locations`) go with the input, so the approval card can show
    // and flag every path even when the agent's raw input names none.
    const named = new Set(isObj(input) ? Object.values(input).filter((v) => typeof v === 'string') : [])
    const locations = Array.isArray(tc.locations) ? tc.locations.filter(isObj).filter((l) => typeof l.path === 'string' && !named.has(l.path)) : []
    if (locations.length > 0 && isObj(input) && !('locations' in input)) input = { ...input, locations: locations.map((l) => ({ path: l.path })) }
    return {
      toolName: state ? toolNameOf(state) : (str(tc.kind) ?? 'tool'),
      input,
      description: title,
      toolUseId: id
    }
  }

  /** End of a turn (or of the process): emit the text run and any held call. */
  endTurn(): void {
    this.flushHeld()
    this.flushRun()
    for (const state of this.tools.values()) if (!state.callEmitted) this.emitCall(state)
    this.tools.clear()
  }

  // ---- text ----------------------------------------------------------------------------------

  private chunk(kind: 'assistant' | 'thinking', messageId: string | null, content: unknown): void {
    const text = contentText(content)
    if (this.run && (this.run.kind !== kind || this.run.messageId !== messageId)) this.flushRun()
    this.run ??= { kind, messageId, text: '' }
    this.run.text += text
    // Shown live until the run ends as one message.
    if (text) this.emit({ kind: 'draft', draft: { kind, text: this.run.text } })
  }

  private flushRun(): void {
    const run = this.run
    this.run = null
    if (!run) return
    const text = run.text
    if (text.trim().length === 0) {
      if (text) this.emit({ kind: 'draft', draft: null }) // it showed as a draft; nothing to keep
      return
    }
    this.message({ kind: run.kind, text })
  }

  // ---- tools ---------------------------------------------------------------------------------

  private newState(id: string, v: Obj): ToolState {
    const state: ToolState = {
      id,
      firstTitle: str(v.title),
      title: null,
      name: null,
      kind: null,
      status: null,
      locations: [],
      rawInput: undefined,
      content: null,
      rawOutput: undefined,
      callEmitted: false,
      resultEmitted: false
    }
    this.merge(state, v)
    return state
  }

  private merge(state: ToolState, v: Obj): void {
    if (str(v.title)) state.title = v.title as string
    if (str(v.name)) state.name = v.name as string
    if (str(v.kind)) state.kind = v.kind as string
    if (str(v.status)) state.status = v.status as string
    if (Array.isArray(v.locations) && v.locations.length > 0) {
      state.locations = v.locations.filter(isObj).filter((l) => typeof l.path === 'string') as ToolState['locations']
    }
    if (v.rawInput !== undefined && v.rawInput !== null && !(isObj(v.rawInput) && isObj(state.rawInput) && Object.keys(v.rawInput).length === 0)) {
      state.rawInput = v.rawInput
    }
    if (Array.isArray(v.content)) state.content = v.content
    if (v.rawOutput !== undefined && v.rawOutput !== null) state.rawOutput = v.rawOutput
  }

  private toolCall(v: Obj): void {
    const id = str(v.toolCallId)
    if (!id) return
    const existing = this.tools.get(id)
    if (existing) {
      // A repeated announcement (some agents re-send the call): just merge.
      this.merge(existing, v)
    } else {
      this.tools.set(id, this.newState(id, v))
    }
    const state = this.tools.get(id) as ToolState
    if (state.callEmitted) return this.maybeResult(state)
    if (!state.status || state.status === 'pending') {
      this.held = id
      return
    }
    this.emitCall(state)
    this.maybeResult(state)
  }

  private toolCallUpdate(v: Obj): void {
    const id = str(v.toolCallId)
    if (!id) return
    if (this.held && this.held !== id) this.flushHeld()
    let state = this.tools.get(id)
    if (!state) {
      // An update for a call we never saw announced (or from an earlier turn).
      state = this.newState(id, v)
      this.tools.set(id, state)
    } else {
      this.merge(state, v)
    }
    if (!state.callEmitted) {
      if (state.status === 'pending' && this.held === id) return // still streaming its input
      this.flushRun()
      if (this.held === id) this.held = null
      this.emitCall(state)
    }
    this.maybeResult(state)
  }

  private flushHeld(): void {
    const id = this.held
    this.held = null
    if (!id) return
    const state = this.tools.get(id)
    if (state && !state.callEmitted) {
      this.flushRun()
      this.emitCall(state)
    }
  }

  private emitCall(state: ToolState): void {
    state.callEmitted = true
    const toolName = toolNameOf(state)
    const toolPath = toolPathOf(state)
    const detail = toolPath ?? (state.title && state.title !== toolName ? state.title : null)
    this.message({
      kind: 'tool_call',
      text: detail ? `${toolName}: ${detail}` : toolName,
      toolName,
      toolInput: JSON.stringify(state.rawInput ?? {}),
      toolPath,
      toolUseId: state.id
    })
  }

  private maybeResult(state: ToolState): void {
    if (state.resultEmitted || (state.status !== 'completed' && state.status !== 'failed')) return
    state.resultEmitted = true
    const failed = state.status === 'failed'
    let text = this.resultText(state) || (failed ? 'The tool failed.' : '')
    if (text.length > TOOL_RESULT_MAX_CHARS) text = `${text.slice(0, TOOL_RESULT_MAX_CHARS)}\n… (output cut at ${TOOL_RESULT_MAX_CHARS} characters)`
    this.message({ kind: 'tool_result', text, toolName: toolNameOf(state), toolUseId: state.id, isError: failed })
  }

  private resultText(state: ToolState): string {
    const parts: string[] = []
    for (const c of state.content ?? []) {
      if (!isObj(c)) continue
      if (c.type === 'content') parts.push(contentText(c.content))
      else if (c.type === 'diff') {
        const p = str(c.path) ?? 'a file'
        parts.push(c.oldText === null || c.oldText === undefined || c.oldText === '' ? `Wrote ${p}` : `Edited ${p}`)
      } else if (c.type === 'terminal') {
        const tid = str(c.terminalId)
        parts.push((tid && this.opts.terminalOutput?.(tid)) ?? `[terminal ${tid ?? '?'}]`)
      }
    }
    const text = parts.filter((p) => p.length > 0).join('\n')
    if (text) return text
    const out = state.rawOutput
    if (out === undefined) return ''
    if (typeof out === 'string') return out
    if (isObj(out)) {
      const o = str(out.output) ?? str(out.error) ?? str(out.stdout)
      if (o !== null) return o
    }
    return JSON.stringify(out)
  }

  // ---- plan ----------------------------------------------------------------------------------

  private plan(entries: unknown): void {
    if (!Array.isArray(entries)) return
    const lines = entries.filter(isObj).map((e) => {
      const mark = e.status === 'completed' ? '[x]' : e.status === 'in_progress' ? '[~]' : '[ ]'
      return `${mark} ${str(e.content) ?? ''}`
    })
    const text = lines.length > 0 ? `Plan:\n${lines.join('\n')}` : 'Plan cleared'
    if (text === this.lastPlan) return
    this.lastPlan = text
    this.message({ kind: 'system', text })
  }

  private message(message: ProviderMessage): void {
    this.emit({ kind: 'message', message })
  }
}

/** Text of an ACP content block (text; resources and media as short placeholders). */
export function contentText(content: unknown): string {
  if (!isObj(content)) return ''
  switch (content.type) {
    case 'text':
      return str(content.text) ?? ''
    case 'resource_link':
      return `[${str(content.name) ?? 'link'}: ${str(content.uri) ?? ''}]`
    case 'resource': {
      const r = isObj(content.resource) ? content.resource : {}
      return str(r.text) ?? `[resource ${str(r.uri) ?? ''}]`
    }
    case 'image':
      return '[image]'
    case 'audio':
      return '[audio]'
    default:
      return ''
  }
}

function toolNameOf(state: ToolState): string {
  if (state.name) return state.name
  if (state.firstTitle && IDENT_RE.test(state.firstTitle)) return state.firstTitle
  return state.kind ?? 'tool'
}

function commandOf(input: unknown): string | null {
  if (!isObj(input)) return null
  const c = input.command ?? input.cmd
  if (typeof c === 'string') return c
  if (Array.isArray(c) && c.every((x) => typeof x === 'string')) return c.join(' ')
  return null
}

/** What the tool works on: the command for `execute`, else the first location or path-like input. */
export function toolPathOf(state: Pick<ToolState, 'kind' | 'locations' | 'rawInput' | 'title'>): string | null {
  if (state.kind === 'execute') return commandOf(state.rawInput) ?? null
  const loc = state.locations[0]?.path
  if (loc) return loc
  if (isObj(state.rawInput)) {
    for (const k of PATH_KEYS) {
      const v = str(state.rawInput[k])
      if (v) return v
    }
  }
  return commandOf(state.rawInput)
}

// ---- usage ------------------------------------------------------------------------------------

/**
 * Usage for one turn from ACP's reports: `usage_update` (context `used`/`size`, cumulative session
 * `cost`) and the `session/prompt` response's `usage` (this turn's tokens, unstable ACP).
 *
 * The cost is cumulative for the agent's session, also across processes (a loaded session goes on
 * counting from its history). `baseline` is the amount already counted (0 for a new session); when
 * unknown (null: a session resumed or forked in a new app run), the first report only sets it, so
 * that turn's cost is not counted rather than the whole history counted twice.
 */
export class AcpUsageTracker {
  private lastCost: number | null
  private pendingDelta = 0
  private costSeen = false
  private contextUsed: number | null = null
  private contextSize: number | null = null
  private sawUpdate = false

  constructor(baseline: number | null) {
    this.lastCost = baseline
  }

  /** The latest cumulative cost seen (for the next process of this session). */
  get cumulativeCost(): number | null {
    return this.lastCost
  }

  get costKnown(): boolean {
    return this.costSeen
  }

  onUsageUpdate(u: unknown): void {
    if (!isObj(u)) return
    this.sawUpdate = true
    const used = num(u.used)
    const size = num(u.size)
    // A cancelled turn reports used 0: not a real context size.
    if (used !== null && used > 0) this.contextUsed = used
    if (size !== null && size > 0) this.contextSize = size
    const cost = isObj(u.cost) ? u.cost : null
    const amount = cost ? num(cost.amount) : null
    if (amount === null || str(cost?.currency)?.toUpperCase() !== 'USD') return
    this.costSeen = true
    if (this.lastCost === null) {
      this.lastCost = amount
      return
    }
    this.pendingDelta += amount >= this.lastCost ? amount - this.lastCost : amount
    this.lastCost = amount
  }

  /** The turn ended; `promptUsage` is the `session/prompt` response's `usage`. Null when nothing was reported. */
  takeTurn(promptUsage: unknown): ProviderUsage | null {
    const u = isObj(promptUsage) ? promptUsage : null
    if (!u && !this.sawUpdate) return null
    const usage: ProviderUsage = {
      inputTokens: num(u?.inputTokens) ?? 0,
      outputTokens: num(u?.outputTokens) ?? 0,
      cacheReadTokens: num(u?.cachedReadTokens) ?? 0,
      cacheWriteTokens: num(u?.cachedWriteTokens) ?? 0,
      contextTokens: this.contextUsed,
      contextWindow: this.contextSize,
      costKnown: this.costSeen
    }
    if (this.costSeen) usage.costUsdDelta = this.pendingDelta
    this.pendingDelta = 0
    this.sawUpdate = false
    return usage
  }
}
