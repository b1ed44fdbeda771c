/**
 * One live agent process for one session: forwards provider events into its `Session`, keeps the
 * status true (running / waiting_approval / idle / error; done or interrupted or error on exit),
 * queues prompts sent while a turn runs (in the session's queue) and delivers them one per turn,
 * and tells "the process died" from "we asked it to stop".
 */
import type { AgentHandle, ApprovalDecision, ProviderEvent, ProviderExit, ProviderUsage } from '../providers/types'
import type { PermissionMode, SessionStatus, StatusReason } from '../shared/status'
import type { QuestionAnswer } from '../shared/questions'
import { ShepherdError } from '../shared/errors'
import { DraftThrottle } from './draft-throttle'
import { OpenToolCalls } from './open-tool-calls'
import type { Session } from './session'

/** Stop: SIGTERM to the process group, SIGKILL after this grace (docs/fault-catalogue.md CP-3: stop() resolves in ≤ 6 s). */
export const STOP_GRACE_MS = 5000
/** The same activity text is pushed to the panes at most this often (a change at once). */
export const ACTIVITY_PUSH_MS = 2000
/** While background work runs, activity is pushed this often (below the smallest stall threshold, 30 s). */
export const BACKGROUND_BEAT_MS = 10_000

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
  /** Put to sleep (supervisor/idle-sleep.ts): the process is being stopped, the session stays idle. */
  #sleepRequested = false
  /**
   * Woken from sleep: the first turn's status carries this reason ("waking up…") until the agent shows
   * it has taken up the conversation (its first event), so the pane says what the wait is.
   */
  waking: StatusReason | null = null
  #interruptRequested = false
  #sawInit = false
  /** The last turn's error, so a clean exit afterwards does not turn an error into "done". */
  #lastTurnError: StatusReason | null = null
  #costReported = 0
  #gone = false
  #exitPromise: Promise<ProviderExit>
  #resolveExit!: (e: ProviderExit) => void
  /** Set when a resume failed before the CLI started the conversation (stale id). */
  onEarlyExit: ((exit: ProviderExit) => boolean) | null = null
  readonly #drafts: DraftThrottle
  /** Tool calls of the running turn without a result yet: closed as unfinished when the turn ends. */
  readonly #openCalls = new OpenToolCalls()
  /** Held at the budget cap: prompts stay queued, no turn starts (issue 16). */
  #held = false
  /** Held with "let the current tool call finish": interrupt after the next tool result. */
  #pauseAfterTool = false
  /** The agent refused this turn for a usage limit (rate_limit event), until this time (ms) or unknown. */
  #limitHit: { resetsAt: number | null } | null = null
  #lastPrompt: string | null = null
  /** The agent's last reported usage-limit windows (for the reset time of a refused turn). */
  #windows: { utilization: number | null; resetsAt: number | null }[] = []
  /** The agent answered and waits; only background work it started still runs: a prompt may be sent. */
  #backgroundOnly = false
  /** The last activity pushed (text, time), to push heartbeats at most every ACTIVITY_PUSH_MS. */
  #lastActivity: { text: string | null; at: number } = { text: null, at: 0 }
  /** CLI warnings already shown in this session (each once). */
  readonly #warningsShown = new Set<string>()
  /** Background work the agent reported (sub-agents, shells) and the timer that vouches for it. */
  #background: string[] = []
  #backgroundBeat: ReturnType<typeof setInterval> | null = null

  constructor(
    readonly sessionId: string,
    readonly projectId: string,
    readonly provider: string,
    private readonly handle: AgentHandle,
    private readonly session: Session,
    private readonly hooks: RunnerHooks
  ) {
    this.#exitPromise = new Promise((r) => (this.#resolveExit = r))
    this.#drafts = new DraftThrottle((d) => {
      if (!this.#gone) this.session.draft(d)
    })
    handle.onEvent((e) => this.#onEvent(e))
    handle.onExit((e) => this.#onExit(e))
  }

  get pid(): number | null {
    return this.handle.pid
  }
  get turnRunning(): boolean {
    return this.#turnRunning
  }
  get alive(): boolean {
    return !this.#gone
  }
  get queued(): readonly string[] {
    return this.session.queue.items.map((q) => q.text)
  }
  get exited(): Promise<ProviderExit> {
    return this.#exitPromise
  }

  /** Send now if no turn runs (or only background work does), else queue (persisted, visible as "queued"). */
  async send(prompt: string): Promise<'sent' | 'queued'> {
    if ((this.#turnRunning && !this.#backgroundOnly) || this.#held || !this.#mayStartTurn()) {
      this.session.enqueuePrompt(prompt)
      return 'queued'
    }
    await this.#deliver(prompt)
    return 'sent'
  }

  /** Deliver the oldest queued prompt now when no turn runs (a launch after waiting for a slot). */
  async sendQueued(): Promise<void> {
    if (this.#turnRunning || this.#held || !this.#mayStartTurn()) return
    const next = this.session.nextPrompt()
    if (next) await this.#deliver(next.text)
  }

  async interrupt(): Promise<void> {
    if (!this.#turnRunning) return
    this.#interruptRequested = true
    // Esc means "stop what you are doing": prompts queued behind this turn are dropped too.
    this.session.clearQueue()
    await this.handle.interrupt()
  }

  get held(): boolean {
    return this.#held
  }

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
    void this.handle.interrupt().catch(() => {
      /* the turn ends anyway; the status says so */
    })
  }

  #mayStartTurn(): boolean {
    return this.hooks.beforeTurn ? this.hooks.beforeTurn(this) : true
  }

  #next(): void {
    if (this.#held || this.session.queue.items.length === 0 || !this.#mayStartTurn()) return
    const next = this.session.nextPrompt()
    if (!next) return
    void this.#deliver(next.text).catch((err) =>
      this.session.message({ kind: 'error', text: `could not send the queued prompt: ${String(err)}`, isError: true })
    )
  }

  setOutputPaused(paused: boolean): void {
    if (paused) this.handle.pauseOutput?.()
    else this.handle.resumeOutput?.()
  }

  async setModel(model: string | null): Promise<void> {
    await this.handle.setModel(model)
  }
  async setPermissionMode(mode: PermissionMode): Promise<void> {
    await this.handle.setPermissionMode(mode)
  }

  async answerApproval(approvalId: string, decision: ApprovalDecision): Promise<boolean> {
    const requestId = this.session.takeApproval(approvalId)
    if (!requestId) return false
    await this.handle.answerApproval(requestId, decision)
    this.session.recordApproval(approvalId, decision.behavior === 'allow' ? 'allowed' : 'denied')
    if (this.session.nothingPending && this.#turnRunning) this.session.status('running', null)
    return true
  }

  /** Send the user's answer to a question or form; false when it is no longer pending (answered elsewhere). */
  async answerQuestion(questionId: string, answer: QuestionAnswer, masked: Record<string, unknown> | null): Promise<boolean> {
    if (!this.handle.answerQuestion) throw new ShepherdError('UNSUPPORTED', 'this agent does not ask questions')
    const requestId = this.session.takeQuestion(questionId)
    if (!requestId) return false
    await this.handle.answerQuestion(requestId, answer)
    this.session.recordQuestion(questionId, answer.action === 'accept' ? 'answered' : answer.action === 'decline' ? 'declined' : 'cancelled', masked)
    if (this.session.nothingPending && this.#turnRunning) this.session.status('running', null)
    return true
  }

  /** True from `sleep()` until the process is gone (a prompt then waits for `exited` and wakes it). */
  get sleeping(): boolean {
    return this.#sleepRequested && !this.#gone
  }

  /**
   * Put an idle process to sleep: stop it like `stop()` does (process group, grace, SIGKILL, watchdog
   * released), but the session stays `idle` — reason `asleep` — and keeps its queue; the next prompt
   * resumes the conversation in a new process. Refused (false) while a turn runs, an approval waits,
   * prompts are queued, or it is already stopping.
   */
  sleep(): boolean {
    if (this.#gone || this.#turnRunning || this.#stopRequested || this.#sleepRequested) return false
    if (this.session.pendingApprovalCount > 0 || this.session.queue.length > 0) return false
    this.#sleepRequested = true
    void this.handle.stop(STOP_GRACE_MS)
    return true
  }

  /** Graceful stop; resolves when the process group is gone. */
  async stop(): Promise<ProviderExit> {
    if (this.#gone) return this.#exitPromise
    if (!this.#stopRequested) {
      this.#stopRequested = true
      this.session.status('stopping', { code: 'stopping', message: 'stopping at your request' })
      void this.handle.stop(STOP_GRACE_MS)
    }
    return this.#exitPromise
  }

  async #deliver(prompt: string): Promise<void> {
    this.#backgroundOnly = false
    this.#lastPrompt = prompt
    this.#limitHit = null
    this.session.message({ kind: 'user', text: prompt })
    this.#setTurn(true)
    this.session.status('running', this.waking)
    await this.handle.send(prompt)
  }

  #setTurn(running: boolean) {
    if (this.#turnRunning === running) return
    this.#turnRunning = running
    this.hooks.onTurn(this, running)
  }

  #onEvent(e: ProviderEvent): void {
    if (this.#gone) return
    if (this.waking && e.kind !== 'raw') {
      // The agent is back: the turn goes on as any other.
      this.waking = null
      if (this.#turnRunning && this.session.current === 'running') this.session.status('running', null)
    }
    switch (e.kind) {
      case 'message':
        this.#drafts.cancel()
        this.#openCalls.note(e.message)
        this.session.message(e.message)
        if (this.#pauseAfterTool && e.message.kind === 'tool_result') {
          this.#pauseAfterTool = false
          this.#pauseTurn()
        }
        return
      case 'rate_limit': {
        if (e.limited) this.#limitHit = { resetsAt: e.resetsAt }
        if (e.windows.length) this.#windows = e.windows
        const prompt = this.#lastPrompt
        this.session.write(
          () => {},
          () => ({
            type: 'agent.ratelimit',
            sessionId: this.sessionId,
            projectId: this.projectId,
            provider: this.provider,
            windows: e.windows,
            limited: e.limited,
            resetsAt: e.resetsAt,
            prompt: e.limited ? prompt : null
          })
        )
        return
      }
      case 'draft':
        this.#drafts.offer(e.draft)
        return
      case 'activity': {
        if (e.background) this.#setBackground(e.background.map((t) => t.description))
        // Heartbeats can come several times a second: push a change at once, the same text at most every ACTIVITY_PUSH_MS.
        const now = Date.now()
        if (!e.background && e.text === this.#lastActivity.text && now - this.#lastActivity.at < ACTIVITY_PUSH_MS) return
        this.#lastActivity = { text: e.text, at: now }
        this.session.activity(e.text, e.background ? e.background.map((t) => t.description) : null, now)
        return
      }
      case 'cli_warning':
        if (this.#warningsShown.has(e.text)) return
        this.#warningsShown.add(e.text)
        this.session.message({ kind: 'system', text: e.text })
        return
      case 'raw':
        this.session.raw(e.stream, e.data)
        return
      case 'cli_session':
        this.#sawInit = true
        this.session.patch({ cli_session_id: e.cliSessionId, ...(e.model ? { model: e.model } : {}) })
        return
      case 'usage':
        this.#usage(e.usage)
        return
      case 'approval_request':
        this.session.openApproval(e.request.requestId, e.request.toolName, e.request.input, e.request.description ?? null, e.request.sessionScope ?? null)
        this.session.status('waiting_approval', { code: 'needs_approval', message: `${e.request.toolName} needs your approval` })
        return
      case 'approval_cancelled':
        this.session.cancelApprovalRequest(e.requestId)
        if (this.session.nothingPending && this.#turnRunning) this.session.status('running', null)
        return
      case 'question_request':
        this.session.openQuestion(e.request)
        this.session.status('waiting_approval', { code: 'needs_input', message: `${e.request.title}: your answer is needed` })
        return
      case 'question_cancelled':
        this.session.cancelQuestionRequest(e.requestId)
        if (this.session.nothingPending && this.#turnRunning) this.session.status('running', null)
        return
      case 'turn':
        this.#turn(e.state, e.reason, e.background)
        return
    }
  }

  /**
   * A sub-agent's own long command sends nothing at all (measured with 2.1.332: 37 s of silence
   * during a 40 s command), so while background work is listed the runner vouches for it: an
   * activity push every BACKGROUND_BEAT_MS, and a long sub-agent run is never flagged as stalled.
   */
  #setBackground(tasks: string[]): void {
    this.#background = tasks
    if (tasks.length === 0 || this.#gone) {
      if (this.#backgroundBeat) clearInterval(this.#backgroundBeat)
      this.#backgroundBeat = null
      return
    }
    this.#backgroundBeat ??= setInterval(() => {
      if (this.#gone || this.#background.length === 0) return
      this.session.activity(`still running: ${this.#background.join(', ')}`, null)
    }, BACKGROUND_BEAT_MS)
  }

  #turn(state: 'running' | 'idle' | 'error', reason?: StatusReason, background?: string[]) {
    if (state === 'running') {
      const wasBackgroundOnly = this.#backgroundOnly
      this.#backgroundOnly = !!background
      if (background) {
        // Not over: work the turn started still runs (shown; no "done" yet, and silence is no stall).
        this.#setTurn(true)
        const what = background.length === 1 ? `1 background task still running: ${background[0]}` : `${background.length} background tasks still running`
        if (this.session.pendingApprovalCount === 0) this.session.status('running', { code: 'background_work', message: what })
        this.#next()
      } else if (!this.#turnRunning || wasBackgroundOnly) {
        this.#setTurn(true)
        this.session.status('running', null)
      }
      return
    }
    this.#backgroundOnly = false
    this.#drafts.cancel()
    this.#closeOpenCalls()
    this.session.cancelAllApprovals()
    this.session.cancelAllQuestions()
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
      this.session.write(
        () => {},
        () => ({
          type: 'agent.ratelimit',
          sessionId: this.sessionId,
          projectId: this.projectId,
          provider: this.provider,
          windows: [],
          limited: true,
          resetsAt,
          prompt
        })
      )
    }
    this.#lastTurnError =
      state === 'error' && !interrupted && !limit ? { code: 'turn_failed', ...(reason ?? { message: 'the agent reported an error' }) } : null
    if (this.#lastTurnError) {
      this.session.status('error', this.#lastTurnError, {}, true)
    } else if (limit) {
      // A usage limit is not a failure: the session waits for the reset (issue 16).
      const at = limit.resetsAt ? ` at ${new Date(limit.resetsAt).toTimeString().slice(0, 5)}` : ''
      this.session.status('idle', { code: 'usage_limit', message: `waiting for the usage limit to reset${at}` })
    } else if (interrupted) {
      this.session.status(
        'idle',
        this.#held ? { code: 'budget_hold', message: 'paused at the budget cap' } : { code: 'turn_interrupted', message: 'turn interrupted' }
      )
    } else {
      this.session.status('idle', null)
    }
    this.#next()
  }

  /** The turn ended (or the process is gone: `all`): tool calls without a result get one (see open-tool-calls.ts). */
  #closeOpenCalls(all = false): void {
    for (const m of this.#openCalls.close(all)) this.session.message(m)
  }

  #usage(u: ProviderUsage) {
    let delta = u.costUsdDelta ?? 0
    if (u.costUsdSessionTotal !== undefined) {
      // Claude reports a running total for this process; a lower value means a fresh count.
      delta = u.costUsdSessionTotal >= this.#costReported ? u.costUsdSessionTotal - this.#costReported : u.costUsdSessionTotal
      this.#costReported = u.costUsdSessionTotal
    }
    this.session.addUsage(delta, u, () => this.hooks.onCost(this, delta, u.inputTokens, u.outputTokens))
  }

  #onExit(exit: ProviderExit): void {
    if (this.#gone) return
    if (!this.#sawInit && !this.#stopRequested && !this.#sleepRequested && this.onEarlyExit?.(exit)) {
      // The supervisor took over (stale resume id → fresh start); this runner just ends.
      this.#finish(exit)
      return
    }
    this.#closeOpenCalls(true)
    this.session.cancelAllApprovals()
    this.session.cancelAllQuestions()
    const reason: StatusReason = { exitCode: exit.code, signal: exit.signal, stderrTail: exit.stderrTail.slice(-4000) }
    let status: SessionStatus
    if (this.#sleepRequested && !this.#stopRequested && !this.#turnRunning) {
      // Asleep, not ended: still idle, with no process (pid cleared so the startup sweep leaves it be).
      this.session.status(
        'idle',
        { code: 'asleep', message: 'asleep: its process was stopped to save memory; your next prompt wakes it' },
        { pid: null, pid_start_time: null }
      )
      this.#finish(exit)
      return
    }
    if (this.#stopRequested) {
      status = 'interrupted'
      reason.code = 'stopped_by_user'
      reason.message = 'stopped by you'
    } else if (exit.disconnected) {
      // The host's connection is gone (the agent there ends after the grace period): the supervisor resumes it.
      status = 'error'
      reason.code = 'disconnected'
      reason.message = 'disconnected from the host — reconnecting; the session resumes from the agent’s own session id'
      // In the transcript too: the status may move on quickly once the host is back.
      this.session.message({ kind: 'system', text: 'Disconnected from the host — reconnecting…' })
    } else if (exit.signal || (exit.code !== 0 && exit.code !== null) || this.#turnRunning) {
      status = 'error'
      reason.code = exit.signal ? 'killed' : exit.code !== 0 ? 'exited' : 'exited_mid_turn'
      reason.message = exit.signal
        ? `the agent was killed by ${exit.signal}`
        : exit.code !== 0
          ? `the agent exited with code ${exit.code}`
          : 'the agent exited in the middle of a turn'
    } else if (this.#lastTurnError) {
      status = 'error'
      Object.assign(reason, this.#lastTurnError)
    } else {
      status = 'done'
    }
    this.#setTurn(false)
    this.session.status(status, reason, {}, false, true)
    this.#finish(exit)
  }

  /** How the process ended (set once it is gone). */
  lastExit: ProviderExit | null = null

  #finish(exit: ProviderExit) {
    this.lastExit = exit
    this.#gone = true
    this.#setBackground([])
    this.#drafts.cancel()
    this.#setTurn(false)
    this.hooks.onGone(this)
    this.#resolveExit(exit)
  }
}
