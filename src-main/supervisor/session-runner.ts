/**
 * One live agent process for one session: forwards provider events into SessionEvents, keeps the
 * status true (running / waiting_approval / idle / error; done or interrupted or error on exit),
 * queues prompts sent while a turn runs, and tells "the process died" from "we asked it to stop".
 */
import { randomUUID } from 'node:crypto'
import type { AgentHandle, ApprovalDecision, ProviderEvent, ProviderExit, ProviderUsage } from '../providers/types'
import type { PermissionMode, SessionStatus, StatusReason } from '../shared/status'
import { approvalInputWithNote, approvalToDTO } from '../store/rows'
import type { Store } from '../store/store'
import { DraftThrottle } from './draft-throttle'
import type { SessionEvents } from './session-events'

/** Stop: SIGTERM to the process group, SIGKILL after this grace (RELIABILITY.md CP-3: stop() resolves in ≤ 6 s). */
export const STOP_GRACE_MS = 5000

export interface RunnerHooks {
  /** Called once when the process is gone (frees the concurrency slot). */
  onGone(runner: SessionRunner): void
  /** Called on turn start/end so the supervisor can account concurrent running turns. */
  onTurn(runner: SessionRunner, running: boolean): void
  /** Cost delta to add to the day/project ledger. */
  onCost(runner: SessionRunner, costDelta: number, inTokens: number, outTokens: number): void
  /** Asked before a prompt starts a turn (budgets): false = hold it queued. */
  beforeTurn?(runner: SessionRunner): boolean
}

export class SessionRunner {
  #turnRunning = false
  #stopRequested = false
  #interruptRequested = false
  #sawInit = false
  /** The last turn's error, so a clean exit afterwards does not turn an error into "done". */
  #lastTurnError: StatusReason | null = null
  #costReported = 0
  #pendingApprovals = new Map<string, string>() // approval id -> provider request id
  #queue: string[]
  #gone = false
  #exitPromise: Promise<ProviderExit>
  #resolveExit!: (e: ProviderExit) => void
  /** Set when a resume failed before the CLI started the conversation (stale id). */
  onEarlyExit: ((exit: ProviderExit) => boolean) | null = null
  readonly #drafts: DraftThrottle
  /** Held at the budget cap: prompts stay queued, no turn starts (issue 16). */
  #held = false
  /** Held with "let the current tool call finish": interrupt after the next tool result. */
  #pauseAfterTool = false
  /** The agent refused this turn for a usage limit (rate_limit event), until this time (ms) or unknown. */
  #limitHit: { resetsAt: number | null } | null = null
  #lastPrompt: string | null = null
  /** The agent's last reported usage-limit windows (for the reset time of a refused turn). */
  #windows: { utilization: number | null; resetsAt: number | null }[] = []

  constructor(
    readonly sessionId: string,
    readonly projectId: string,
    readonly provider: string,
    private readonly handle: AgentHandle,
    private readonly events: SessionEvents,
    private readonly store: Store,
    private readonly hooks: RunnerHooks,
    queued: string[]
  ) {
    this.#queue = [...queued]
    this.#exitPromise = new Promise((r) => (this.#resolveExit = r))
    this.#drafts = new DraftThrottle((d) => { if (!this.#gone) this.events.draft(d) })
    handle.onEvent((e) => this.#onEvent(e))
    handle.onExit((e) => this.#onExit(e))
  }

  get pid(): number | null { return this.handle.pid }
  get turnRunning(): boolean { return this.#turnRunning }
  get alive(): boolean { return !this.#gone }
  get queued(): readonly string[] { return this.#queue }
  get exited(): Promise<ProviderExit> { return this.#exitPromise }

  /** Send now if no turn runs, else queue (persisted, visible as "queued"). */
  async send(prompt: string): Promise<'sent' | 'queued'> {
    if (this.#turnRunning || this.#held || !this.#mayStartTurn()) {
      this.#queue.push(prompt)
      this.events.patch({ queued_prompts: JSON.stringify(this.#queue) })
      return 'queued'
    }
    await this.#deliver(prompt)
    return 'sent'
  }

  async interrupt(): Promise<void> {
    if (!this.#turnRunning) return
    this.#interruptRequested = true
    // Esc means "stop what you are doing": prompts queued behind this turn are dropped too.
    if (this.#queue.length) {
      this.#queue = []
      this.events.patch({ queued_prompts: '[]' })
    }
    await this.handle.interrupt()
  }

  get held(): boolean { return this.#held }

  /**
   * Budget cap reached: no new turn; the running one is interrupted now, or after its current tool
   * call (`finishToolCall`), or left alone (`interrupt: false`). Queued prompts are kept.
   */
  hold(opts: { finishToolCall: boolean; interrupt: boolean }): void {
    this.#held = true
    if (!this.#turnRunning || !opts.interrupt) return
    if (opts.finishToolCall) this.#pauseAfterTool = true
    else this.#pauseTurn()
  }

  /** Lift the hold: the next queued prompt (if any) starts a turn. */
  release(): void {
    this.#held = false
    this.#pauseAfterTool = false
    if (!this.#turnRunning) this.#next()
  }

  #pauseTurn(): void {
    this.#interruptRequested = true
    void this.handle.interrupt().catch(() => { /* the turn ends anyway; the status says so */ })
  }

  #mayStartTurn(): boolean {
    return this.hooks.beforeTurn ? this.hooks.beforeTurn(this) : true
  }

  #next(): void {
    if (this.#held || this.#queue.length === 0 || !this.#mayStartTurn()) return
    const next = this.#queue.shift()!
    this.events.patch({ queued_prompts: JSON.stringify(this.#queue) })
    void this.#deliver(next).catch((err) => this.events.message({ kind: 'error', text: `could not send the queued prompt: ${String(err)}`, isError: true }))
  }

  setOutputPaused(paused: boolean): void {
    if (paused) this.handle.pauseOutput?.()
    else this.handle.resumeOutput?.()
  }

  async setModel(model: string | null): Promise<void> { await this.handle.setModel(model) }
  async setPermissionMode(mode: PermissionMode): Promise<void> { await this.handle.setPermissionMode(mode) }

  async answerApproval(approvalId: string, decision: ApprovalDecision): Promise<boolean> {
    const requestId = this.#pendingApprovals.get(approvalId)
    if (!requestId) return false
    this.#pendingApprovals.delete(approvalId)
    await this.handle.answerApproval(requestId, decision)
    const status = decision.behavior === 'allow' ? 'allowed' : 'denied'
    this.events.write(() => this.store.updateApproval(approvalId, status, Date.now()), () => this.#approvalEvent(approvalId))
    if (this.#pendingApprovals.size === 0 && this.#turnRunning) this.events.status('running', null)
    return true
  }

  /** Graceful stop; resolves when the process group is gone. */
  async stop(): Promise<ProviderExit> {
    if (this.#gone) return this.#exitPromise
    if (!this.#stopRequested) {
      this.#stopRequested = true
      this.events.status('stopping', { code: 'stopped', message: 'stopping at your request' })
      void this.handle.stop(STOP_GRACE_MS)
    }
    return this.#exitPromise
  }

  async #deliver(prompt: string): Promise<void> {
    this.#lastPrompt = prompt
    this.#limitHit = null
    this.events.message({ kind: 'user', text: prompt })
    this.#setTurn(true)
    this.events.status('running', null)
    await this.handle.send(prompt)
  }

  #setTurn(running: boolean) {
    if (this.#turnRunning === running) return
    this.#turnRunning = running
    this.hooks.onTurn(this, running)
  }

  #onEvent(e: ProviderEvent): void {
    if (this.#gone) return
    switch (e.kind) {
      case 'message':
        this.#drafts.cancel()
        this.events.message(e.message)
        if (this.#pauseAfterTool && e.message.kind === 'tool_result') {
          this.#pauseAfterTool = false
          this.#pauseTurn()
        }
        return
      case 'rate_limit': {
        if (e.limited) this.#limitHit = { resetsAt: e.resetsAt }
        if (e.windows.length) this.#windows = e.windows
        const prompt = this.#lastPrompt
        this.events.write(() => {}, () => ({
          type: 'agent.ratelimit', sessionId: this.sessionId, projectId: this.projectId, provider: this.provider,
          windows: e.windows, limited: e.limited, resetsAt: e.resetsAt, prompt: e.limited ? prompt : null
        }))
        return
      }
      case 'draft':
        this.#drafts.offer(e.draft)
        return
      case 'raw':
        this.events.raw(e.stream, e.data)
        return
      case 'cli_session':
        this.#sawInit = true
        this.events.patch({ cli_session_id: e.cliSessionId, ...(e.model ? { model: e.model } : {}) })
        return
      case 'usage':
        this.#usage(e.usage)
        return
      case 'approval_request':
        this.#approvalRequest(e.request.requestId, e.request.toolName, e.request.input, e.request.description ?? null, e.request.sessionScope ?? null)
        return
      case 'approval_cancelled':
        this.#approvalCancelled(e.requestId)
        return
      case 'turn':
        this.#turn(e.state, e.reason)
        return
    }
  }

  #turn(state: 'running' | 'idle' | 'error', reason?: StatusReason) {
    if (state === 'running') {
      if (!this.#turnRunning) { this.#setTurn(true); this.events.status('running', null) }
      return
    }
    this.#drafts.cancel()
    this.#cancelAllApprovals()
    const interrupted = this.#interruptRequested
    this.#interruptRequested = false
    this.#setTurn(false)
    let limit = this.#limitHit
    this.#limitHit = null
    if (!limit && state === 'error' && !interrupted && reason?.apiErrorStatus === 429) {
      // Refused for a rate/usage limit (HTTP 429) without a limit event: the reset is that of the
      // fullest window the agent reported, when it reported any.
      const fullest = [...this.#windows].sort((a, b) => (b.utilization ?? 0) - (a.utilization ?? 0))[0]
      limit = { resetsAt: fullest?.resetsAt ?? null }
      const prompt = this.#lastPrompt
      const resetsAt = limit.resetsAt
      this.events.write(() => {}, () => ({
        type: 'agent.ratelimit', sessionId: this.sessionId, projectId: this.projectId, provider: this.provider,
        windows: [], limited: true, resetsAt, prompt
      }))
    }
    this.#lastTurnError = state === 'error' && !interrupted && !limit ? { code: 'agent_error', ...(reason ?? { message: 'the agent reported an error' }) } : null
    if (this.#lastTurnError) {
      this.events.status('error', this.#lastTurnError, {}, true)
    } else if (limit) {
      // A usage limit is not a failure: the session waits for the reset (issue 16).
      const at = limit.resetsAt ? ` at ${new Date(limit.resetsAt).toTimeString().slice(0, 5)}` : ''
      this.events.status('idle', { code: 'usage_limit', message: `waiting for the usage limit to reset${at}` })
    } else {
      this.events.status('idle', interrupted ? (this.#held ? { code: 'budget_paused', message: 'paused at the budget cap' } : { code: 'interrupted', message: 'turn interrupted' }) : null)
    }
    this.#next()
  }

  #usage(u: ProviderUsage) {
    let delta = u.costUsdDelta ?? 0
    if (u.costUsdSessionTotal !== undefined) {
      // Claude reports a running total for this process; a lower value means a fresh count.
      delta = u.costUsdSessionTotal >= this.#costReported ? u.costUsdSessionTotal - this.#costReported : u.costUsdSessionTotal
      this.#costReported = u.costUsdSessionTotal
    }
    const id = this.sessionId
    const now = Date.now()
    this.events.write(
      () => {
        const s = this.store.getSession(id)
        if (!s) return
        this.store.updateSession(id, {
          cost_usd: s.cost_usd + delta, cost_known: u.costKnown ? 1 : 0,
          input_tokens: s.input_tokens + u.inputTokens, output_tokens: s.output_tokens + u.outputTokens,
          cache_read_tokens: s.cache_read_tokens + u.cacheReadTokens, cache_write_tokens: s.cache_write_tokens + u.cacheWriteTokens,
          context_tokens: u.contextTokens ?? s.context_tokens, context_window: u.contextWindow ?? s.context_window,
          last_activity_at: now, updated_at: now
        })
        this.hooks.onCost(this, delta, u.inputTokens, u.outputTokens)
      },
      () => {
        const s = this.store.getSession(id)
        if (!s) return null
        return {
          type: 'agent.cost', sessionId: id, projectId: this.projectId, seq: this.events.seq,
          totals: {
            costUsd: s.cost_usd, inputTokens: s.input_tokens, outputTokens: s.output_tokens,
            cacheReadTokens: s.cache_read_tokens, cacheWriteTokens: s.cache_write_tokens,
            contextTokens: s.context_tokens, contextWindow: s.context_window, costKnown: s.cost_known === 1
          }
        }
      }
    )
  }

  #approvalRequest(requestId: string, toolName: string, input: unknown, description: string | null, sessionScope: string | null) {
    const id = randomUUID()
    this.#pendingApprovals.set(id, requestId)
    const row = {
      id, session_id: this.sessionId, request_id: requestId, tool_name: toolName,
      input: approvalInputWithNote(input, sessionScope), description, status: 'pending', created_at: Date.now(), decided_at: null
    }
    this.events.write(() => this.store.insertApproval(row), () => this.#approvalEvent(id))
    this.events.status('waiting_approval', { message: `${toolName} needs your approval` })
  }

  #approvalCancelled(requestId: string) {
    for (const [id, req] of this.#pendingApprovals) {
      if (req !== requestId) continue
      this.#pendingApprovals.delete(id)
      this.events.write(() => this.store.updateApproval(id, 'cancelled', Date.now()), () => this.#approvalEvent(id))
    }
    if (this.#pendingApprovals.size === 0 && this.#turnRunning) this.events.status('running', null)
  }

  #cancelAllApprovals() {
    for (const id of this.#pendingApprovals.keys()) {
      this.events.write(() => this.store.updateApproval(id, 'cancelled', Date.now()), () => this.#approvalEvent(id))
    }
    this.#pendingApprovals.clear()
  }

  #approvalEvent(id: string) {
    const row = this.store.getApproval(id)
    if (!row) return null
    return { type: 'agent.approval' as const, sessionId: this.sessionId, projectId: this.projectId, seq: this.events.seq, approval: approvalToDTO(row, this.projectId) }
  }

  #onExit(exit: ProviderExit): void {
    if (this.#gone) return
    if (!this.#sawInit && !this.#stopRequested && this.onEarlyExit?.(exit)) {
      // The supervisor took over (stale resume id → fresh start); this runner just ends.
      this.#finish(exit)
      return
    }
    this.#cancelAllApprovals()
    const reason: StatusReason = { exitCode: exit.code, signal: exit.signal, stderrTail: exit.stderrTail.slice(-4000) }
    let status: SessionStatus
    if (this.#stopRequested) {
      status = 'interrupted'
      reason.code = 'stopped'
      reason.message = 'stopped by you'
    } else if (exit.signal || (exit.code !== 0 && exit.code !== null) || this.#turnRunning) {
      status = 'error'
      reason.code = 'crashed'
      reason.message = exit.signal
        ? `the agent was killed by ${exit.signal}`
        : exit.code !== 0 ? `the agent exited with code ${exit.code}` : 'the agent exited in the middle of a turn'
    } else if (this.#lastTurnError) {
      status = 'error'
      Object.assign(reason, this.#lastTurnError)
    } else {
      status = 'done'
      reason.code = 'exited'
    }
    this.#setTurn(false)
    this.events.status(status, reason, { queued_prompts: '[]' })
    this.#finish(exit)
  }

  #finish(exit: ProviderExit) {
    this.#gone = true
    this.#drafts.cancel()
    this.#setTurn(false)
    this.hooks.onGone(this)
    this.#resolveExit(exit)
  }
}
