/**
 * One Shepherd session on OpenCode 2.x: `opencode acp` (one process per session) driven by
 * Shepherd's ACP client (../../acp/handle.ts), plus what makes it behave like the 1.x provider:
 * permission modes answered by Shepherd (./permissions.ts), the start summary row, and cost carried
 * across resumes. Why ACP and not 2.x's HTTP server: docs/design-decisions.md.
 */
import type { PermissionMode } from '../../../shared/status'
import type { QuestionAnswer } from '../../../shared/questions'
import { AcpHandle } from '../../acp/handle'
import { HandleEvents } from '../../handle-events'
import type { AgentHandle, ApprovalDecision, ProviderApprovalRequest, ProviderEvent, ProviderExit, StartOptions } from '../../types'
import { acpAgentMode, autoDecision, configContent } from './permissions'
import { mergeCustomFields, notShownRow, splitCustomAnswer, type CustomMerges } from './questions'

/** Cumulative ACP costs per OpenCode session id, so a resumed session counts only what is new. */
export class OpenCode2Costs {
  static readonly MAX = 1000
  readonly #costs = new Map<string, number>()
  get(id: string): number | null {
    return this.#costs.get(id) ?? null
  }
  set(id: string, amount: number): void {
    this.#costs.delete(id)
    this.#costs.set(id, amount)
    if (this.#costs.size > OpenCode2Costs.MAX) this.#costs.delete(this.#costs.keys().next().value as string)
  }
}

export class OpenCode2Handle implements AgentHandle {
  readonly #events = new HandleEvents('opencode2')
  readonly #inner: AcpHandle
  #mode: PermissionMode
  /** Approvals shown to the user (not answered by the mode), by request id. */
  readonly #shown = new Map<string, ProviderApprovalRequest>()
  /** Questions whose "(other)" text field was merged into their choice (./questions.ts), by request id. */
  readonly #merges = new Map<string, CustomMerges>()

  private constructor(inner: AcpHandle, mode: PermissionMode) {
    this.#inner = inner
    this.#mode = mode
  }

  static async open(opts: StartOptions, version: string | null, costs: OpenCode2Costs): Promise<OpenCode2Handle> {
    const inner = await AcpHandle.open({
      binaryPath: opts.binaryPath,
      args: ['acp'],
      cwd: opts.cwd,
      env: { ...opts.env, OPENCODE_CONFIG_CONTENT: configContent(opts.env.OPENCODE_CONFIG_CONTENT) },
      model: opts.model,
      permissionMode: acpAgentMode(opts.permissionMode),
      systemPrompt: opts.systemPrompt,
      resumeCliSessionId: opts.resumeCliSessionId ?? null,
      fork: opts.fork ?? false,
      costBaseline: (id) => costs.get(id),
      onCumulativeCost: (id, amount) => costs.set(id, amount)
    })
    const h = new OpenCode2Handle(inner, opts.permissionMode)
    // The start row, with the model the session really uses (from the agent's `model` option).
    const summary = (model: string | null | undefined) =>
      [`OpenCode${version ? ` ${version}` : ' 2'} over ACP`, `model ${model ?? opts.model ?? 'default'}`, `cwd ${opts.cwd}`, `pid ${inner.pid ?? '?'}`].join(
        ' · '
      )
    let summarized = false
    inner.onEvent((e) => {
      if (!summarized && e.kind === 'cli_session') {
        summarized = true
        h.#events.emit({ kind: 'message', message: { kind: 'system', text: summary(e.model) } })
      }
      h.#onInner(e)
    })
    inner.onExit((exit) => h.#events.exited(exit))
    return h
  }

  get pid(): number | null {
    return this.#inner.pid
  }

  /** The OpenCode session id (null when a resume failed). */
  get cliSessionId(): string | null {
    return this.#inner.cliSessionId
  }

  get permissionMode(): PermissionMode {
    return this.#mode
  }

  send(prompt: string): Promise<void> {
    return this.#inner.send(prompt)
  }

  interrupt(): Promise<void> {
    return this.#inner.interrupt()
  }

  /** OpenCode 2's `model` session config option (`provider/model`): applies at once. */
  setModel(model: string | null): Promise<void> {
    return this.#inner.setModel(model)
  }

  /** At once: OpenCode's agent (build/plan) is switched, and waiting requests the new mode decides are answered. */
  async setPermissionMode(mode: PermissionMode): Promise<void> {
    if (acpAgentMode(mode) !== acpAgentMode(this.#mode)) await this.#inner.setPermissionMode(acpAgentMode(mode))
    this.#mode = mode
    for (const [requestId, request] of [...this.#shown]) {
      const decision = autoDecision(mode, request.toolName)
      if (!decision) continue
      this.#shown.delete(requestId)
      this.#events.emit({ kind: 'approval_cancelled', requestId })
      await this.#inner.answerApproval(requestId, decision).catch(() => {})
    }
  }

  async answerApproval(requestId: string, decision: ApprovalDecision): Promise<void> {
    await this.#inner.answerApproval(requestId, decision)
    this.#shown.delete(requestId)
  }

  /** The question tool's form (`elicitation/create`, see ../../acp/elicitation.ts), answered by the ACP client. */
  async answerQuestion(requestId: string, answer: QuestionAnswer): Promise<void> {
    await this.#inner.answerQuestion(requestId, splitCustomAnswer(answer, this.#merges.get(requestId)))
    this.#merges.delete(requestId)
  }

  stop(graceMs: number): Promise<ProviderExit> {
    return this.#inner.stop(graceMs)
  }

  pauseOutput(): void {
    this.#inner.pauseOutput()
  }

  resumeOutput(): void {
    this.#inner.resumeOutput()
  }

  onEvent(listener: (event: ProviderEvent) => void): void {
    this.#events.onEvent(listener)
  }

  onExit(listener: (exit: ProviderExit) => void): void {
    this.#events.onExit(listener)
  }

  #onInner(e: ProviderEvent): void {
    if (e.kind === 'approval_request') {
      const decision = autoDecision(this.#mode, e.request.toolName)
      if (decision) {
        // Answered by the session's mode, as 1.x's session rules would have: no card.
        this.#inner.answerApproval(e.request.requestId, decision).catch((err) => console.error('[opencode2] auto-answer failed', err))
        return
      }
      this.#shown.set(e.request.requestId, e.request)
    } else if (e.kind === 'approval_cancelled') {
      if (!this.#shown.delete(e.requestId)) return // one Shepherd answered itself
    } else if (e.kind === 'question_request') {
      const { request, merges } = mergeCustomFields(e.request)
      if (merges.size) this.#merges.set(request.requestId, merges)
      this.#events.emit({ kind: 'question_request', request })
      return
    } else if (e.kind === 'question_cancelled') {
      this.#merges.delete(e.requestId)
    } else if (e.kind === 'message') {
      const row = notShownRow(e.message)
      if (row) {
        this.#events.emit(e)
        this.#events.emit({ kind: 'message', message: row })
        return
      }
    }
    this.#events.emit(e)
  }
}
