/**
 * One long-lived `claude -p --input-format stream-json` process: prompts and control requests go
 * in on stdin (one JSON object per line), normalized events come out of `parser.ts`.
 */
import type { PermissionMode } from '../../shared/status'
import { ShepherdError } from '../../shared/errors'
import type { AgentHandle, ApprovalDecision, ProviderExit } from '../types'
import type { QuestionAnswer } from '../../shared/questions'
import { claudeElicitation, claudeElicitationResponse } from './elicitation'
import { ASK_USER_QUESTION, askUserQuestion, askUserQuestionResponse, type PendingAsk } from './ask-user-question'
import { ProcessHandle } from '../scaffold/process-handle'
import type { RemoteSpawn } from '../../remote/spawn'
import { PendingRequests } from '../scaffold/pending-requests'
import { createParseState, parseClaudeLine, type ControlResponse } from './parser'
import { isObj } from '../scaffold/values'

export const CLAUDE_DISPLAY_NAME = 'Claude Code'
export const CLAUDE_INSTALL_HINT = 'npm install -g @anthropic-ai/claude-code'
/** The CLI answers controls in ~35–330 ms; 10 s flags a wedged CLI without hanging the UI. */
export const CONTROL_TIMEOUT_MS = 10_000

export interface ClaudeSpawnOptions {
  cwd: string
  env: Record<string, string>
  /** Run on an SSH host (src-main/remote/). */
  remote?: RemoteSpawn | null
  /** Tests only: defaults to CONTROL_TIMEOUT_MS. */
  controlTimeoutMs?: number
}

/**
 * After the last background task ends while the CLI is idle, it starts a turn of its own (to tell
 * the model) within a few ms; only when none comes within this long does the turn end.
 */
export const BACKGROUND_END_GRACE_MS = 1500

/** What Claude Code is told for a denial the user gave no reason for. */
export const DENIED_WITHOUT_REASON = 'The user denied this.'

export class ClaudeHandle extends ProcessHandle implements AgentHandle {
  private readonly state = createParseState()
  /** Control requests waiting for their `control_response`, by request id. */
  private readonly controls = new PendingRequests<string>()
  /** Open permission prompts: the original input and suggestions are needed to answer. */
  private readonly approvals = new Map<string, { input: unknown; suggestions: unknown[] }>()
  /** Open MCP elicitation forms (control request ids). */
  private readonly elicitations = new Set<string>()
  /** AskUserQuestion prompts shown as questions (./ask-user-question.ts), by control request id. */
  private readonly asks = new Map<string, PendingAsk>()
  private nextControlId = 1
  /** A turn end held back by BACKGROUND_END_GRACE_MS. */
  private deferredEnd: ReturnType<typeof setTimeout> | null = null

  private constructor(private readonly controlTimeoutMs: number) {
    super('claude')
  }

  /** Spawn the CLI; throws ShepherdError('AGENT_NOT_FOUND' | 'SPAWN_FAILED'). */
  static async spawn(binaryPath: string, argv: string[], opts: ClaudeSpawnOptions): Promise<ClaudeHandle> {
    const handle = new ClaudeHandle(opts.controlTimeoutMs ?? CONTROL_TIMEOUT_MS)
    await handle.launch(binaryPath, argv, {
      cwd: opts.cwd,
      env: opts.env,
      displayName: CLAUDE_DISPLAY_NAME,
      installHint: CLAUDE_INSTALL_HINT,
      remote: opts.remote
    })
    return handle
  }

  async send(prompt: string): Promise<void> {
    this.state.turnsInFlight++
    try {
      await this.write({ type: 'user', message: { role: 'user', content: prompt }, parent_tool_use_id: null, session_id: '' })
    } catch (err) {
      this.state.turnsInFlight = Math.max(0, this.state.turnsInFlight - 1)
      throw err
    }
  }

  async interrupt(): Promise<void> {
    // Only a turn in flight can end "interrupted"; a stale flag would turn a later failure into idle.
    if (this.state.turnsInFlight > 0) this.state.interruptRequested = true
    const background = this.state.background.map((t) => t.id)
    await this.control('interrupt', {})
    // Esc means "stop what you are doing": an interrupt spares background commands (measured with
    // 2.1.332, a `run_in_background` shell ran on), so each one still listed is stopped (`stop_task`).
    for (const id of background) await this.control('stop_task', { task_id: id }).catch(() => {})
  }

  async setModel(model: string | null): Promise<void> {
    await this.control('set_model', { model: model ?? 'default' })
  }

  async setPermissionMode(mode: PermissionMode): Promise<void> {
    await this.control('set_permission_mode', { mode })
  }

  async answerApproval(requestId: string, decision: ApprovalDecision): Promise<void> {
    const pending = this.approvals.get(requestId)
    if (!pending) throw new ShepherdError('NOT_FOUND', 'This approval request is no longer pending')
    let response: Record<string, unknown>
    if (decision.behavior === 'deny') {
      // The CLI wants a message; without a reason it gets one that says only that (and the
      // transcript's tool result shows it, so the user sees what the agent was told).
      response = { behavior: 'deny', message: decision.message.trim() || DENIED_WITHOUT_REASON, interrupt: false }
    } else {
      response = { behavior: 'allow', updatedInput: pending.input }
      // "Allow for this session": the CLI's own rule suggestions, kept in memory, never written to
      // the project's settings files (suggestions usually target `localSettings`).
      const rules = pending.suggestions.filter((s) => isObj(s) && s.type === 'addRules').map((s) => ({ ...(s as object), destination: 'session' }))
      if (decision.scope === 'session' && rules.length > 0) response.updatedPermissions = rules
    }
    await this.write({ type: 'control_response', response: { subtype: 'success', request_id: requestId, response } })
    this.approvals.delete(requestId)
  }

  async answerQuestion(requestId: string, answer: QuestionAnswer): Promise<void> {
    const ask = this.asks.get(requestId)
    if (ask) {
      const response = askUserQuestionResponse(ask, answer)
      await this.write({ type: 'control_response', response: { subtype: 'success', request_id: requestId, response } })
      this.asks.delete(requestId)
      return
    }
    if (!this.elicitations.has(requestId)) throw new ShepherdError('NOT_FOUND', 'This form is no longer pending')
    await this.write({ type: 'control_response', response: { subtype: 'success', request_id: requestId, response: claudeElicitationResponse(answer) } })
    this.elicitations.delete(requestId)
  }

  async stop(graceMs: number): Promise<ProviderExit> {
    if (!this.proc) throw new ShepherdError('UNAVAILABLE', 'Claude Code was not started')
    return this.proc.stop(graceMs)
  }

  protected onLine(line: string): void {
    const parsed = parseClaudeLine(line, this.state)
    if (!parsed.transient) this.emit({ kind: 'raw', stream: 'stdout', data: line })
    if (parsed.controlResponse) this.settleControl(parsed.controlResponse)
    if (parsed.approval) this.approvals.set(parsed.approval.requestId, parsed.approval)
    if (parsed.unsupportedControlRequest) this.onOtherControlRequest(parsed.unsupportedControlRequest)
    for (const event of parsed.events) {
      if (event.kind === 'approval_request' && event.request.toolName === ASK_USER_QUESTION) {
        // The model's questions: a question card, answered with the tool's input (not an approval).
        const ask = askUserQuestion(event.request.requestId, this.approvals.get(event.request.requestId)?.input)
        if (ask) {
          this.approvals.delete(event.request.requestId)
          this.asks.set(event.request.requestId, ask.pending)
          this.emit({ kind: 'question_request', request: ask.request })
          continue
        }
      }
      if (event.kind === 'approval_cancelled' && this.asks.delete(event.requestId)) {
        this.emit({ kind: 'question_cancelled', requestId: event.requestId })
        continue
      }
      if (event.kind === 'approval_cancelled' && this.elicitations.delete(event.requestId)) {
        // The CLI withdrew a form (control_cancel_request), not a permission prompt.
        this.emit({ kind: 'question_cancelled', requestId: event.requestId })
        continue
      }
      if (event.kind === 'approval_cancelled') this.approvals.delete(event.requestId)
      if (event.kind === 'turn' && this.deferredEnd) {
        clearTimeout(this.deferredEnd)
        this.deferredEnd = null
      }
      this.emit(event)
    }
    const ends = parsed.deferredEnd
    if (ends) {
      if (this.deferredEnd) clearTimeout(this.deferredEnd)
      this.deferredEnd = setTimeout(() => {
        this.deferredEnd = null
        if (!this.exit) for (const e of ends) this.emit(e)
      }, BACKGROUND_END_GRACE_MS)
    }
  }

  /** An MCP elicitation becomes a form for the user; anything else is refused, visibly. The CLI waits for an answer to every control request. */
  private onOtherControlRequest({ requestId, subtype, request }: { requestId: string; subtype: string; request: Record<string, unknown> }): void {
    if (subtype === 'elicitation') {
      const q = claudeElicitation(requestId, request)
      if (!('unsupported' in q)) {
        this.elicitations.add(requestId)
        this.emit({ kind: 'question_request', request: q })
        return
      }
      this.emit({ kind: 'message', message: { kind: 'error', text: q.unsupported, isError: true } })
      const response = { subtype: 'success', request_id: requestId, response: claudeElicitationResponse({ action: 'decline' }) }
      this.write({ type: 'control_response', response }).catch(() => {})
      return
    }
    this.emit({
      kind: 'message',
      message: { kind: 'error', text: `Claude Code sent a request Shepherd does not support (${subtype}); it was refused.`, isError: true }
    })
    const response = { subtype: 'error', request_id: requestId, error: `Shepherd does not support ${subtype}` }
    this.write({ type: 'control_response', response }).catch(() => {})
  }

  private settleControl(r: ControlResponse): void {
    const pending = this.controls.take(r.requestId)
    if (!pending) return
    if (r.ok) pending.settle(null, r.response)
    else {
      const code = r.errorCode ? ` (${r.errorCode})` : ''
      pending.settle(new ShepherdError('CONFLICT', `Claude Code refused ${pending.label}: ${r.error}${code}`), null)
    }
  }

  private control(subtype: string, fields: Record<string, unknown>): Promise<unknown> {
    const requestId = `shepherd_${this.nextControlId++}`
    return this.controls.request(
      requestId,
      subtype,
      () => this.write({ type: 'control_request', request_id: requestId, request: { subtype, ...fields } }),
      this.controlTimeoutMs,
      (label, ms) => new ShepherdError('UNAVAILABLE', `Claude Code did not answer ${label} within ${ms / 1000} s`)
    )
  }

  private async write(message: object): Promise<void> {
    if (!this.proc || this.exit) throw new ShepherdError('UNAVAILABLE', 'Claude Code is not running')
    try {
      await this.proc.writeLine(JSON.stringify(message))
    } catch (err) {
      throw new ShepherdError('UNAVAILABLE', `Cannot write to Claude Code: ${(err as Error).message}`)
    }
  }

  protected finish(exit: ProviderExit): void {
    if (this.deferredEnd) clearTimeout(this.deferredEnd)
    this.deferredEnd = null
    this.splitter.end() // the trailing partial line (CP-1) is parsed, usually into parse_error
    this.controls.close(
      new ShepherdError('UNAVAILABLE', 'Claude Code is not running'),
      (label) => new ShepherdError('UNAVAILABLE', `Claude Code exited before answering ${label}`)
    )
    for (const requestId of this.approvals.keys()) this.emit({ kind: 'approval_cancelled', requestId })
    this.approvals.clear()
    for (const requestId of this.elicitations) this.emit({ kind: 'question_cancelled', requestId })
    this.elicitations.clear()
    for (const requestId of this.asks.keys()) this.emit({ kind: 'question_cancelled', requestId })
    this.asks.clear()
    this.events.exited(exit)
  }
}
