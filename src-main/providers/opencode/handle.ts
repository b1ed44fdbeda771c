/**
 * One Shepherd session on a (shared) `opencode serve`: an OpenCode session driven over HTTP, its
 * events read from the server's event stream (routed here by session id) and normalized by
 * `parser.ts`. "The process" of this handle is the server: `pid` is the server's, and the handle
 * "exits" when the session is stopped (the server stops when no session uses it any more) or when
 * the server dies.
 */
import type { PermissionMode } from '../../shared/status'
import { ShepherdError } from '../../shared/errors'
import type { AgentHandle, ApprovalDecision, ProviderEvent, ProviderExit, StartOptions } from '../types'
import type { QuestionAnswer } from '../../shared/questions'
import { openCodeQuestionReply } from './questions'
import { HandleEvents } from '../handle-events'
import { ascendingId } from './ids'
import { permissionRules, subagentAction } from './permissions'
import {
  beginTurn,
  createParseState,
  endSettledTurn,
  endTurnAfterIdle,
  eventsFromMessages,
  openToolCalls,
  parseOpenCodeEvent,
  resetTurn,
  turnActive,
  type OpenCodeParseState,
  type ParsedEvent
} from './parser'
import type { OpenCodeServer, OpenCodeServerPool, ServerLease } from './server-pool'

/** After an abort, how long to wait for OpenCode to end the turn before checking/forcing it. */
export const ABORT_SETTLE_MS = 3_000
const ABORT_SETTLE_TRIES = 3
/**
 * A turn that ends with a tool call still open waits this long for the call's last update: after an
 * abort OpenCode publishes `session.error` and `session.idle` a few ms BEFORE the aborted tool's
 * final update ("Tool execution aborted"), which would otherwise arrive after the turn ended.
 */
export const OPEN_TOOL_SETTLE_MS = 2_000
/** How long a handle for a stale resume keeps its server for the fresh start that follows. */
const STALE_LEASE_HOLD_MS = 5_000

export interface OpenCodeModelRef {
  providerID: string
  modelID: string
}

/** `provider/model` (the model id may itself contain slashes: `openrouter/anthropic/claude-x`). */
export function parseModel(model: string): OpenCodeModelRef | null {
  const slash = model.indexOf('/')
  if (slash <= 0 || slash === model.length - 1) return null
  return { providerID: model.slice(0, slash), modelID: model.slice(slash + 1) }
}

function modelOrThrow(model: string | null): OpenCodeModelRef | null {
  if (model === null || model === '') return null
  const ref = parseModel(model)
  if (!ref) throw new ShepherdError('BAD_REQUEST', `OpenCode models are written provider/model (e.g. anthropic/claude-sonnet-4-5), not “${model}”`)
  return ref
}

export class OpenCodeHandle implements AgentHandle {
  readonly #state: OpenCodeParseState
  readonly #events = new HandleEvents('opencode')
  get #exit(): ProviderExit | null {
    return this.#events.exit
  }
  #unsubscribe: (() => void) | null = null
  #stopping: Promise<ProviderExit> | null = null
  #model: OpenCodeModelRef | null
  #mode: PermissionMode
  #paused = false
  #checkingIdle = false
  /** The turn of the latest idle hint not checked yet. */
  #idleHintTurn: string | null = null
  /** Resume of a session OpenCode no longer has: the handle reports an early exit, send() is a no-op. */
  #stale = false

  private constructor(
    private readonly lease: ServerLease | null,
    readonly cliSessionId: string,
    private readonly systemPrompt: string | null,
    model: OpenCodeModelRef | null,
    mode: PermissionMode
  ) {
    this.#state = createParseState(cliSessionId)
    this.#model = model
    this.#mode = mode
  }

  private get server(): OpenCodeServer {
    if (!this.lease) throw new ShepherdError('UNAVAILABLE', 'OpenCode is not running')
    return this.lease.server
  }

  /** Start (or resume / fork) the OpenCode session on the project's server. */
  static async open(pool: OpenCodeServerPool, opts: StartOptions): Promise<OpenCodeHandle> {
    const model = modelOrThrow(opts.model)
    const lease = await pool.acquire({ binaryPath: opts.binaryPath, cwd: opts.cwd, env: opts.env })
    try {
      const client = lease.server.client
      const rules = permissionRules(opts.permissionMode)
      let sessionId: string
      if (opts.resumeCliSessionId) {
        const src = encodeURIComponent(opts.resumeCliSessionId)
        const res = opts.fork
          ? await client.request('POST', `/session/${src}/fork`, {}, { accept: [404, 400] })
          : await client.request('GET', `/session/${src}`, undefined, { accept: [404, 400] })
        if (res.status !== 200) {
          // The supervisor starts a fresh conversation right after this early exit: keep the
          // server a moment so that start does not boot a new one.
          setTimeout(() => void lease.release(), STALE_LEASE_HOLD_MS).unref()
          const handle = new OpenCodeHandle(null, opts.resumeCliSessionId, opts.systemPrompt, model, opts.permissionMode)
          handle.#stale = true
          handle.#finish({ code: 1, signal: null, stderrTail: `OpenCode has no session ${opts.resumeCliSessionId} (HTTP ${res.status})` })
          return handle
        }
        sessionId = idOf(res.body)
        // Mode may have changed since (and a fork copies no rules): set the current one.
        await client.request('PATCH', `/session/${encodeURIComponent(sessionId)}`, { permission: rules })
      } else {
        const res = await client.request('POST', '/session', { permission: rules })
        sessionId = idOf(res.body)
      }
      const handle = new OpenCodeHandle(lease, sessionId, opts.systemPrompt, model, opts.permissionMode)
      handle.#unsubscribe = lease.server.subscribe(sessionId, {
        event: (event, raw) => handle.#onServerEvent(event, raw),
        resync: () => void handle.#resync(),
        serverExit: (exit) => void handle.#onServerExit(exit)
      })
      const s = lease.server
      const stopWarnings = s.warnings.listen((w) => handle.#emit({ kind: 'cli_warning', text: `OpenCode warns: ${w}` }))
      const unsubscribe = handle.#unsubscribe
      handle.#unsubscribe = () => {
        stopWarnings()
        unsubscribe?.()
      }
      void s.contextWindows().then((map) => (handle.#state.contextWindows = map))
      // Without a model of its own the session uses OpenCode's configured one: name it, not "default".
      const configured = opts.model ? null : await s.configuredModel()
      const used = opts.model || configured
      handle.#state.modelReported = used
      const summary = [
        `OpenCode${s.version ? ` ${s.version}` : ''}`,
        `model ${used ? `${used}${configured ? ' (from OpenCode’s config)' : ''}` : 'default'}`,
        `cwd ${opts.cwd}`,
        `server ${s.url} (pid ${s.pid})`
      ]
      handle.#emit({ kind: 'message', message: { kind: 'system', text: summary.join(' · ') } })
      handle.#emit({ kind: 'cli_session', cliSessionId: sessionId, model: used })
      return handle
    } catch (err) {
      await lease.release().catch(() => null)
      throw err
    }
  }

  get pid(): number | null {
    return this.lease?.server.pid ?? null
  }

  async send(prompt: string): Promise<void> {
    if (this.#stale) return // the early exit is on its way; the supervisor starts afresh with this prompt
    if (this.#exit || this.#stopping) throw new ShepherdError('UNAVAILABLE', 'OpenCode is not running')
    const messageID = ascendingId('msg')
    beginTurn(this.#state, messageID)
    const body: Record<string, unknown> = { messageID, parts: [{ type: 'text', text: prompt }] }
    // Sent with every prompt: OpenCode otherwise reuses the model of the previous user message.
    if (this.#model) body.model = this.#model
    if (this.systemPrompt) body.system = this.systemPrompt
    try {
      await this.server.client.request('POST', `/session/${encodeURIComponent(this.cliSessionId)}/prompt_async`, body)
    } catch (err) {
      if (this.#state.userMessageId === messageID) {
        resetTurn(this.#state)
        this.#emit({ kind: 'turn', state: 'error', reason: { message: (err as Error).message } })
      }
      throw err
    }
  }

  async interrupt(): Promise<void> {
    if (this.#stale || this.#exit || !turnActive(this.#state)) return
    const turn = this.#state.userMessageId
    this.#state.interruptRequested = true
    await this.server.client.request('POST', `/session/${encodeURIComponent(this.cliSessionId)}/abort`)
    // A question the turn was waiting on is dismissed with it (OpenCode may already have; 404 then).
    for (const id of [...this.#state.questions.keys()]) {
      this.#state.questions.delete(id)
      this.#emit({ kind: 'question_cancelled', requestId: id })
      void this.server.client.request('POST', `/question/${encodeURIComponent(id)}/reject`, undefined, { accept: [404] }).catch(() => null)
    }
    void this.#settleAbort(turn)
  }

  async setModel(model: string | null): Promise<void> {
    // Applies from the next prompt (OpenCode takes the model per message).
    this.#model = modelOrThrow(model)
  }

  async setPermissionMode(mode: PermissionMode): Promise<void> {
    if (this.#stale) return
    if (this.#exit) throw new ShepherdError('UNAVAILABLE', 'OpenCode is not running')
    await this.server.client.request('PATCH', `/session/${encodeURIComponent(this.cliSessionId)}`, { permission: permissionRules(mode) })
    this.#mode = mode
  }

  get permissionMode(): PermissionMode {
    return this.#mode
  }

  async answerApproval(requestId: string, decision: ApprovalDecision): Promise<void> {
    if (!this.#state.approvals.has(requestId)) throw new ShepherdError('NOT_FOUND', 'This approval request is no longer pending')
    let body: { reply: 'once' | 'always' | 'reject'; message?: string }
    if (decision.behavior === 'deny') {
      // With a message the model reads it and goes on; without one OpenCode ends the turn.
      body = decision.message.trim() ? { reply: 'reject', message: decision.message } : { reply: 'reject' }
    } else {
      // "always" approves the request's `always` patterns for the whole project on this server.
      body = { reply: decision.scope === 'session' ? 'always' : 'once' }
    }
    this.#state.approvals.delete(requestId)
    try {
      await this.server.client.request('POST', `/permission/${encodeURIComponent(requestId)}/reply`, body)
    } catch (err) {
      this.#state.approvals.add(requestId)
      throw err
    }
  }

  /** Answer the question tool: the chosen labels in question order, or reject (declined / cancelled). */
  async answerQuestion(requestId: string, answer: QuestionAnswer): Promise<void> {
    const count = this.#state.questions.get(requestId)
    if (count === undefined) throw new ShepherdError('NOT_FOUND', 'This question is no longer pending')
    const reply = openCodeQuestionReply(answer, count)
    const id = encodeURIComponent(requestId)
    this.#state.questions.delete(requestId)
    try {
      if (reply) await this.server.client.request('POST', `/question/${id}/reply`, reply)
      else await this.server.client.request('POST', `/question/${id}/reject`)
    } catch (err) {
      this.#state.questions.set(requestId, count)
      throw err
    }
  }

  /** Abort a running turn, leave the server (stopping it when no other session uses it). */
  stop(graceMs: number): Promise<ProviderExit> {
    this.#stopping ??= (async () => {
      if (this.#exit) return this.#exit
      if (turnActive(this.#state) && this.lease?.server.alive) {
        await this.server.client.request('POST', `/session/${encodeURIComponent(this.cliSessionId)}/abort`, undefined, { timeoutMs: 2_000 }).catch(() => null)
      }
      this.#detach()
      const serverExit = await this.lease?.release(Math.max(1_000, graceMs))
      const exit: ProviderExit = serverExit ?? { code: 0, signal: null, stderrTail: '' }
      this.#finish(exit)
      return exit
    })()
    return this.#stopping
  }

  /** Backpressure: the server stops reading its (shared) event stream while any session is paused. */
  pauseOutput(): void {
    if (this.#paused || !this.lease) return
    this.#paused = true
    this.lease.server.pause()
  }

  resumeOutput(): void {
    if (!this.#paused || !this.lease) return
    this.#paused = false
    this.lease.server.resume()
  }

  onEvent(listener: (event: ProviderEvent) => void): void {
    this.#events.onEvent(listener)
  }

  onExit(listener: (exit: ProviderExit) => void): void {
    this.#events.onExit(listener)
  }

  // ---- internals -----------------------------------------------------------------------------

  #onServerEvent(event: unknown, raw: string): void {
    if (this.#exit) return
    const type = (event as { type?: unknown }).type
    if (type !== 'message.part.delta' && type !== 'server.heartbeat') this.#emit({ kind: 'raw', stream: 'stdout', data: raw })
    this.#apply(parseOpenCodeEvent(event, this.#state))
  }

  #apply(parsed: ParsedEvent): void {
    const answered = parsed.subagentAsk ? this.#answerSubagent(parsed.subagentAsk) : null
    for (const e of parsed.events) if (!(answered && e.kind === 'approval_request' && e.request.requestId === answered)) this.#emit(e)
    if (parsed.settled) void this.#finishTurn(this.#state.userMessageId, endSettledTurn)
    if (parsed.checkIdle) void this.#confirmIdle(this.#state.userMessageId)
  }

  /**
   * A sub-agent asks (OpenCode gives its session no rules of ours, and the server's config makes
   * it ask for every edit and command, see `permissions.ts`): answer it as this session's mode
   * would — allowed or refused without a card, or shown as a card like the parent's own request.
   * Returns the request id when it was answered here.
   */
  #answerSubagent(ask: { requestId: string; permission: string }): string | null {
    const action = subagentAction(this.#mode, ask.permission)
    if (action === 'ask') return null
    this.#state.approvals.delete(ask.requestId)
    const body =
      action === 'allow'
        ? { reply: 'once' }
        : { reply: 'reject', message: `This session's permission mode does not allow ${ask.permission} (the sub-agent may only read).` }
    this.server.client
      .request('POST', `/permission/${encodeURIComponent(ask.requestId)}/reply`, body)
      .catch((err) => console.error('[opencode] could not answer a sub-agent', err))
    return ask.requestId
  }

  /**
   * An idle hint for `turn`: end that turn only if the server confirms the session is not busy.
   * Hints arriving during a check are re-checked afterwards, but only for the turn they were
   * given for: a check must never end a later turn (its prompt may not have started yet).
   */
  async #confirmIdle(turn: string | null): Promise<void> {
    if (turn === null) return
    this.#idleHintTurn = turn
    if (this.#checkingIdle) return
    this.#checkingIdle = true
    try {
      while (this.#idleHintTurn !== null) {
        const t = this.#idleHintTurn
        this.#idleHintTurn = null
        if (this.#exit || this.#state.userMessageId !== t) continue
        if (await this.#serverIdle()) await this.#finishTurn(t, endTurnAfterIdle)
      }
    } catch {
      /* a failed check: the next idle hint or the abort watchdog tries again */
    } finally {
      this.#checkingIdle = false
    }
  }

  async #serverIdle(): Promise<boolean> {
    const res = await this.server.client.request('GET', '/session/status')
    const map = (res.body ?? {}) as Record<string, { type?: unknown } | undefined>
    const st = map[this.cliSessionId]
    return !st || st.type === 'idle'
  }

  /**
   * End `turn` (if still current) after catching up on its parts: OpenCode may publish a message's
   * completion before the last updates of its parts, so the turn's assistant messages are fetched
   * and their parts fed first (idempotent per part). A failed fetch still ends the turn.
   */
  async #finishTurn(turn: string | null, end: (state: OpenCodeParseState) => ProviderEvent[]): Promise<void> {
    if (this.#exit || turn === null || this.#state.userMessageId !== turn) return
    await this.#feedTurnParts(turn)
    if (this.#exit || this.#state.userMessageId !== turn) return
    if (openToolCalls(this.#state) > 0) {
      // A tool call's last update may still be on its way (after an abort it follows the idle):
      // give it a moment to land on its call, then fetch once more. What is still open after that
      // is closed as aborted by the supervisor when the turn ends.
      const until = Date.now() + OPEN_TOOL_SETTLE_MS
      while (openToolCalls(this.#state) > 0 && Date.now() < until && !this.#exit && this.#state.userMessageId === turn)
        await new Promise((r) => setTimeout(r, 50))
      if (this.#exit || this.#state.userMessageId !== turn) return
      if (openToolCalls(this.#state) > 0) await this.#feedTurnParts(turn)
      if (this.#exit || this.#state.userMessageId !== turn) return
    }
    for (const e of end(this.#state)) this.#emit(e)
  }

  /** Fetch the turn's assistant messages and feed their parts (idempotent per part; a failed fetch feeds nothing). */
  async #feedTurnParts(turn: string): Promise<void> {
    const sid = encodeURIComponent(this.cliSessionId)
    const ids = [...this.#state.assistants.keys()]
    const fetched = await Promise.all(
      ids.map((mid) =>
        this.server.client.request('GET', `/session/${sid}/message/${encodeURIComponent(mid)}`, undefined, { timeoutMs: 5_000 }).then(
          (res) => res.body as { parts?: unknown } | null,
          () => null
        )
      )
    )
    if (this.#exit || this.#state.userMessageId !== turn) return
    for (const message of fetched) {
      for (const part of Array.isArray(message?.parts) ? message.parts : []) {
        for (const e of parseOpenCodeEvent({ type: 'message.part.updated', properties: { sessionID: this.cliSessionId, part } }, this.#state).events)
          this.#emit(e)
      }
    }
  }

  /** After an abort OpenCode normally completes the message at once; make sure the turn ends. */
  async #settleAbort(turn: string | null): Promise<void> {
    for (let i = 0; i < ABORT_SETTLE_TRIES; i++) {
      await new Promise((r) => setTimeout(r, ABORT_SETTLE_MS))
      if (this.#exit || this.#state.userMessageId !== turn) return
      const idle = await this.#serverIdle().catch(() => false)
      if (idle) return this.#finishTurn(turn, endTurnAfterIdle)
    }
    await this.#finishTurn(turn, endTurnAfterIdle)
  }

  /** The event stream reconnected: replay what may have been missed from the server's records. */
  async #resync(): Promise<void> {
    if (this.#exit) return
    const sid = encodeURIComponent(this.cliSessionId)
    try {
      if (turnActive(this.#state)) {
        const turn = this.#state.userMessageId
        const res = await this.server.client.request('GET', `/session/${sid}/message`)
        for (const event of eventsFromMessages(res.body)) {
          if (this.#state.userMessageId !== turn) break
          this.#apply(parseOpenCodeEvent(event, this.#state))
        }
        if (turnActive(this.#state) && !this.#state.settled && this.#state.userSeen && (await this.#serverIdle()))
          await this.#finishTurn(turn, endTurnAfterIdle)
      }
      const pending = await this.server.client.request('GET', '/permission')
      for (const request of Array.isArray(pending.body) ? pending.body : []) {
        this.#apply(parseOpenCodeEvent({ type: 'permission.asked', properties: request }, this.#state))
      }
      const questions = await this.server.client.request('GET', '/question')
      for (const request of Array.isArray(questions.body) ? questions.body : []) {
        this.#apply(parseOpenCodeEvent({ type: 'question.asked', properties: request }, this.#state))
      }
    } catch (err) {
      console.error('[opencode] resync failed', err)
    }
  }

  async #onServerExit(exit: ProviderExit): Promise<void> {
    this.#detach()
    await this.lease?.release().catch(() => null)
    this.#finish(exit)
  }

  #detach(): void {
    this.#unsubscribe?.()
    this.#unsubscribe = null
    if (this.#paused) this.resumeOutput()
  }

  #finish(exit: ProviderExit): void {
    if (this.#exit) return
    for (const requestId of this.#state.approvals) this.#emit({ kind: 'approval_cancelled', requestId })
    this.#state.approvals.clear()
    for (const requestId of this.#state.questions.keys()) this.#emit({ kind: 'question_cancelled', requestId })
    this.#state.questions.clear()
    this.#events.exited(exit)
  }

  #emit(event: ProviderEvent): void {
    this.#events.emit(event)
  }
}

function idOf(body: unknown): string {
  const id = (body as { id?: unknown } | null)?.id
  if (typeof id !== 'string' || !id) throw new ShepherdError('UNAVAILABLE', 'OpenCode answered without a session id')
  return id
}
