/**
 * One long-lived `codex app-server` process per session, driven over stdio JSON-RPC: initialize,
 * then one thread (started, resumed or forked), then one `turn/start` per prompt. Approval
 * requests from the server wait in `approvals` until the UI answers; everything the server says
 * is normalized by `parser.ts`.
 *
 * The handshake runs after `spawn` returns, so a stale resume id ends the process before any
 * `cli_session` event and the supervisor's early-exit path starts a fresh conversation.
 */
import type { PermissionMode } from '../../shared/status'
import { ShepherdError } from '../../shared/errors'
import type { AgentHandle, ApprovalDecision, ProviderExit } from '../types'
import type { QuestionAnswer } from '../../shared/questions'
import { ProcessHandle } from '../scaffold/process-handle'
import type { RemoteSpawn } from '../../remote/spawn'
import { createParseState, INTERRUPTED_TEXT, parseApprovalRequest, parseNotification, runningCommands } from './parser'
import { codexPermission, sandboxPolicyFor } from './permissions'
import {
  RPC_METHOD_NOT_FOUND,
  type CodexApprovalRequest,
  type CodexApprovalResponse,
  type RequestId,
  type SandboxPolicy,
  type ThreadStartResponse,
  type TurnStartParamsOverrides
} from './protocol'
import { CodexRpc, DEFAULT_REQUEST_TIMEOUT_MS } from './rpc'
import {
  elicitationQuestion,
  elicitationResponse,
  mcpToolApproval,
  mcpToolApprovalResponse,
  permissionsApproval,
  permissionsResponse,
  userInputQuestion,
  userInputResponse,
  type McpServerElicitationRequestParams,
  type PermissionsRequestApprovalParams,
  type ToolRequestUserInputParams
} from './questions'

/** Notifications that carry one streamed chunk each (shown live as drafts, then as the completed item). */
const STREAMED_DELTAS = new Set(['item/agentMessage/delta', 'item/reasoning/summaryTextDelta', 'item/reasoning/textDelta', 'item/commandExecution/outputDelta'])

export const CODEX_DISPLAY_NAME = 'Codex'
export const CODEX_INSTALL_HINT = 'npm install -g @openai/codex'
/** Said in the pane when an interrupted command could not be ended (issue 11 #11). */
export const COMMAND_STILL_RUNNING = 'The interrupted command is still running; Stop ends it.'

/** `turn/interrupt` is answered in ~10 ms; 10 s flags a wedged server without hanging the UI. */
export const INTERRUPT_TIMEOUT_MS = 10_000
/** How long a process that failed its handshake gets to exit after we close it. */
const FAILED_STOP_GRACE_MS = 2_000

export const CODEX_CLIENT_INFO = { name: 'shepherd', title: 'Shepherd', version: '0.1.0' } as const

export interface CodexSessionOptions {
  cwd: string
  env: Record<string, string>
  model: string | null
  permissionMode: PermissionMode
  systemPrompt: string | null
  /** Resume (or, with `fork`, fork) this thread instead of starting one. */
  resumeThreadId?: string | null
  fork?: boolean
  /** Run on an SSH host (src-main/remote/). */
  remote?: RemoteSpawn | null
  /** Tests only: defaults to DEFAULT_REQUEST_TIMEOUT_MS. */
  requestTimeoutMs?: number
}

interface PendingApproval {
  rpcId: RequestId
  kind: 'command' | 'fileChange' | 'permissions' | 'mcpTool'
  turnId: string
  /** For `permissions`: what was asked (granted as asked on allow). */
  permissions?: PermissionsRequestApprovalParams
}

/** A question or form Codex waits on (request_user_input, or an MCP server's elicitation). */
interface PendingQuestion {
  rpcId: RequestId
  kind: 'userInput' | 'elicitation'
}

/** The `codex app-server` argv. Configuration comes from `$CODEX_HOME/config.toml` plus the thread/turn params. */
export const CODEX_APP_SERVER_ARGS: readonly string[] = ['app-server']

export class CodexHandle extends ProcessHandle implements AgentHandle {
  private readonly rpc: CodexRpc
  private readonly state = createParseState()
  /** Resolves true once the thread is ready, false when the handshake failed (the process is being stopped). */
  private ready: Promise<boolean> = Promise.resolve(false)
  private handshakeDone = false
  private handshakeError: string | null = null
  private readonly approvals = new Map<string, PendingApproval>()
  private readonly questions = new Map<string, PendingQuestion>()
  /** The prompt being turned into a turn: resolves with the new turn id (null if none started). */
  private turnStarting: Promise<string | null> | null = null
  /** Interrupt asked before the turn could even start: drop it. */
  private abortPendingTurn = false
  /** Turns already finished (a late turn/start reply must not revive one). */
  private readonly finishedTurns = new Set<string>()
  /** Applied on the next `turn/start` (Codex keeps them for later turns). */
  private overrides: { model?: string; mode?: PermissionMode } = {}
  /** The model Codex picked from its config when we started the thread without one. */
  private defaultModel: string | null = null
  /** Sandbox policies Codex reported, reused when switching modes (keeps config.toml tweaks). */
  private readonly knownPolicies = new Map<SandboxPolicy['type'], SandboxPolicy>()

  private constructor(private readonly opts: CodexSessionOptions) {
    super('codex')
    this.rpc = new CodexRpc((message) => this.write(message), opts.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS)
  }

  /**
   * Spawn `codex app-server` and begin the handshake; throws ShepherdError('AGENT_NOT_FOUND' |
   * 'SPAWN_FAILED'). `argv` is for tests (a stand-in server run by node).
   */
  static async spawn(binaryPath: string, opts: CodexSessionOptions, argv: readonly string[] = CODEX_APP_SERVER_ARGS): Promise<CodexHandle> {
    const handle = new CodexHandle(opts)
    await handle.launch(binaryPath, argv, {
      cwd: opts.cwd,
      env: opts.env,
      displayName: CODEX_DISPLAY_NAME,
      installHint: CODEX_INSTALL_HINT,
      remote: opts.remote
    })
    handle.ready = handle.handshake()
    return handle
  }

  /** The Codex thread id once the handshake finished (= the session's `cli_session` id). */
  get threadId(): string | null {
    return this.state.threadId
  }

  /**
   * Hands the prompt over and returns at once: the turn starts as soon as the thread is ready (the
   * first prompt waits for the handshake). Failures arrive as events (turn error) or as the exit.
   */
  async send(prompt: string): Promise<void> {
    if (!this.proc || this.exit) throw new ShepherdError('UNAVAILABLE', 'Codex is not running')
    this.abortPendingTurn = false
    // startTurn rejects only when the process is gone; its exit tells the runner.
    const starting = this.startTurn(prompt).catch(() => null)
    this.turnStarting = starting
    void starting.then(() => {
      if (this.turnStarting === starting) this.turnStarting = null
    })
  }

  async interrupt(): Promise<void> {
    const starting = this.turnStarting
    let turnId = this.state.turnId
    if (!turnId && !starting) return // nothing in flight: a stale flag would turn a later failure into idle
    if (!turnId && starting) {
      if (!this.handshakeDone) {
        this.abortPendingTurn = true // the turn has not reached Codex yet
        return
      }
      turnId = await starting.catch(() => null)
    }
    if (!turnId || this.finishedTurns.has(turnId) || !this.state.threadId) return
    // Set only now, for a turn that is really running: turn/completed clears it.
    this.state.interruptRequested = true
    const commands = runningCommands(this.state)
    await this.rpc.request('turn/interrupt', { threadId: this.state.threadId, turnId }, INTERRUPT_TIMEOUT_MS)
    await this.endCommands(commands)
  }

  /** Codex logs its configWarnings on stderr too: those already have their row. */
  protected override warningAlreadyShown(warning: string): boolean {
    // The note the configWarning handler drops as harmless ("will use the bundled bubblewrap").
    if (/bubblewrap/i.test(warning) && /bundled/i.test(warning)) return true
    for (const shown of this.state.shownWarnings) if (shown.includes(warning) || warning.includes(shown)) return true
    return false
  }

  /**
   * `turn/interrupt` leaves a running command running (measured with 0.171.0: it finished 6 s later
   * and reported so under the next prompt). The app-server can end it with
   * `thread/backgroundTerminals/terminate` (experimental API, asked for at initialize); a command
   * that could not be ended gets a note in the pane instead.
   */
  private async endCommands(commands: { itemId: string; processId: string }[]): Promise<void> {
    const threadId = this.state.threadId
    if (!threadId) return
    for (const c of commands) {
      let terminated: boolean
      try {
        terminated = (await this.rpc.request('thread/backgroundTerminals/terminate', { threadId, processId: c.processId }, INTERRUPT_TIMEOUT_MS)).terminated
      } catch {
        terminated = false // an older app-server without the method, or it refused: say so below
      }
      // `terminated: false` also means "already gone", which its item/completed (already handled) shows.
      const notFinished = this.state.items.has(c.itemId) || this.state.closedItems.has(c.itemId)
      if (!terminated && notFinished) {
        this.emit({ kind: 'message', message: { kind: 'system', text: COMMAND_STILL_RUNNING, toolUseId: c.itemId } })
      }
    }
  }

  async setModel(model: string | null): Promise<void> {
    const next = model ?? this.defaultModel
    // Without a model, `turn/start` keeps the current one; "default" is only known when we started the thread.
    if (next) this.overrides.model = next
  }

  async setPermissionMode(mode: PermissionMode): Promise<void> {
    this.overrides.mode = mode
  }

  async answerApproval(requestId: string, decision: ApprovalDecision): Promise<void> {
    const pending = this.approvals.get(requestId)
    if (!pending) throw new ShepherdError('NOT_FOUND', 'This approval request is no longer pending')
    if (pending.kind === 'permissions') {
      await this.rpc.respond(pending.rpcId, permissionsResponse(pending.permissions!, decision.behavior === 'allow' ? decision.scope : false))
      this.approvals.delete(requestId)
      return
    }
    if (pending.kind === 'mcpTool') {
      await this.rpc.respond(pending.rpcId, mcpToolApprovalResponse(decision.behavior === 'allow' ? decision.scope : false))
      this.approvals.delete(requestId)
      return
    }
    const response: CodexApprovalResponse = {
      decision: decision.behavior === 'deny' ? 'decline' : decision.scope === 'session' ? 'acceptForSession' : 'accept'
    }
    await this.rpc.respond(pending.rpcId, response)
    this.approvals.delete(requestId)
    const reason = decision.behavior === 'deny' ? decision.message.trim() : ''
    if (reason && this.state.threadId) {
      // Codex tells the model only "rejected by user"; the reason follows as input to the same turn.
      const what = pending.kind === 'command' ? 'command' : 'file change'
      this.rpc
        .request('turn/steer', {
          threadId: this.state.threadId,
          expectedTurnId: pending.turnId,
          input: [{ type: 'text', text: `I declined that ${what}: ${reason}`, text_elements: [] }]
        })
        .catch((err: Error) => this.emit({ kind: 'raw', stream: 'unknown', data: JSON.stringify({ steerFailed: err.message }) }))
    }
  }

  async answerQuestion(requestId: string, answer: QuestionAnswer): Promise<void> {
    const pending = this.questions.get(requestId)
    if (!pending) throw new ShepherdError('NOT_FOUND', 'This question is no longer pending')
    await this.rpc.respond(pending.rpcId, pending.kind === 'userInput' ? userInputResponse(answer) : elicitationResponse(answer))
    this.questions.delete(requestId)
  }

  async stop(graceMs: number): Promise<ProviderExit> {
    if (!this.proc) throw new ShepherdError('UNAVAILABLE', 'Codex was not started')
    await this.proc.stop(graceMs)
    // The reported exit (with any handshake error) is the one onExit listeners got.
    return this.exit ?? this.reportedExit(await this.proc.exited)
  }

  // ---- internals ----------------------------------------------------------------------------

  private async handshake(): Promise<boolean> {
    const o = this.opts
    const resumeId = o.resumeThreadId ?? null
    const verb = resumeId ? (o.fork ? 'fork' : 'resume') : 'start'
    try {
      const init = await this.rpc.request('initialize', {
        clientInfo: { ...CODEX_CLIENT_INFO },
        // experimentalApi: for `thread/backgroundTerminals/terminate`, which ends a command an interrupt left running.
        capabilities: { experimentalApi: true, requestAttestation: false }
      })
      await this.rpc.notify('initialized')
      const perm = codexPermission(o.permissionMode)
      const common = {
        cwd: o.cwd,
        approvalPolicy: perm.approvalPolicy,
        sandbox: perm.sandbox,
        ...(o.model ? { model: o.model } : {}),
        ...(o.systemPrompt ? { developerInstructions: o.systemPrompt } : {})
      }
      let r: ThreadStartResponse
      if (resumeId && o.fork) r = await this.rpc.request('thread/fork', { threadId: resumeId, ...common, excludeTurns: true })
      else if (resumeId) r = await this.rpc.request('thread/resume', { threadId: resumeId, ...common, excludeTurns: true })
      else r = await this.rpc.request('thread/start', common)
      if (this.exit) return false
      this.state.threadId = r.thread.id
      this.knownPolicies.set(r.sandbox.type, r.sandbox)
      if (!resumeId && !o.model) this.defaultModel = r.model
      this.handshakeDone = true
      this.emit({ kind: 'cli_session', cliSessionId: r.thread.id, model: r.model })
      const version = /\/(\d+\.\d+\.\d+\S*)/.exec(init.userAgent)?.[1]
      const summary = [
        `Codex${version ? ` ${version}` : ''}`,
        `model ${r.model}`,
        `cwd ${r.cwd}`,
        `sandbox ${perm.sandbox}`,
        `approvals ${typeof r.approvalPolicy === 'string' ? r.approvalPolicy : 'granular'}`
      ].join(' · ')
      this.emit({ kind: 'message', message: { kind: 'system', text: resumeId && o.fork ? `${summary} · forked from ${resumeId}` : summary } })
      return true
    } catch (err) {
      const message = `Codex could not ${verb} the conversation: ${err instanceof Error ? err.message : String(err)}`
      this.handshakeError = message
      if (!this.exit) {
        if (!resumeId) {
          // A resume that fails stays silent: the supervisor then starts a fresh conversation.
          this.emit({ kind: 'message', message: { kind: 'error', text: message, isError: true } })
          this.emit({ kind: 'turn', state: 'error', reason: { message } })
        }
        void this.proc?.stop(FAILED_STOP_GRACE_MS)
      }
      return false
    }
  }

  private async startTurn(prompt: string): Promise<string | null> {
    if (!(await this.ready)) return null // the handshake failed: the exit tells why
    const threadId = this.state.threadId as string
    if (this.abortPendingTurn) {
      this.abortPendingTurn = false
      this.emit({ kind: 'message', message: { kind: 'system', text: INTERRUPTED_TEXT } })
      this.emit({ kind: 'turn', state: 'idle', reason: { message: 'turn interrupted' } })
      return null
    }
    const overrides = this.overrides
    const params: TurnStartParamsOverrides = {}
    if (overrides.model) params.model = overrides.model
    if (overrides.mode) {
      const perm = codexPermission(overrides.mode)
      params.approvalPolicy = perm.approvalPolicy
      params.sandboxPolicy = sandboxPolicyFor(perm.sandbox, this.knownPolicies)
    }
    try {
      const r = await this.rpc.request('turn/start', { threadId, input: [{ type: 'text', text: prompt, text_elements: [] }], ...params })
      // Codex keeps turn overrides for later turns; clear only what was sent (a newer change may be waiting).
      if (this.overrides.model === overrides.model) delete this.overrides.model
      if (this.overrides.mode === overrides.mode) delete this.overrides.mode
      const turnId = r.turn.id
      this.state.ourTurns.add(turnId)
      if (!this.finishedTurns.has(turnId)) this.state.turnId = turnId
      return turnId
    } catch (err) {
      if (this.exit) throw new ShepherdError('UNAVAILABLE', 'Codex is not running')
      const message = `Codex refused the prompt: ${err instanceof Error ? err.message : String(err)}`
      this.emit({ kind: 'message', message: { kind: 'error', text: message, isError: true } })
      this.emit({ kind: 'turn', state: 'error', reason: { message } })
      return null
    }
  }

  protected onLine(line: string): void {
    let value: unknown
    try {
      value = JSON.parse(line)
    } catch {
      this.emit({ kind: 'raw', stream: 'stdout', data: line })
      this.emit({ kind: 'raw', stream: 'parse_error', data: line })
      return
    }
    // Streamed deltas (one line per model chunk) are not kept raw: the completed item holds the same text.
    const method = (value as { method?: unknown } | null)?.method
    if (typeof method !== 'string' || !STREAMED_DELTAS.has(method)) this.emit({ kind: 'raw', stream: 'stdout', data: line })
    const incoming = this.rpc.receive(value)
    switch (incoming.type) {
      case 'response':
        return
      case 'invalid':
        this.emit({ kind: 'raw', stream: incoming.reason, data: line })
        return
      case 'request':
        this.onServerRequest(incoming.id, incoming.method, incoming.params, line)
        return
      case 'notification': {
        if (incoming.method === 'turn/completed') this.noteTurnFinished(incoming.params)
        const parsed = parseNotification(incoming.method, incoming.params, this.state)
        if (parsed.resolvedRequestId !== undefined) {
          const requestId = String(parsed.resolvedRequestId)
          // Still pending here = we never answered: Codex gave up on it (turn interrupted or ended).
          if (this.approvals.delete(requestId)) parsed.events.push({ kind: 'approval_cancelled', requestId })
          if (this.questions.delete(requestId)) parsed.events.push({ kind: 'question_cancelled', requestId })
        }
        if (parsed.turnEnded) {
          // the runner cancels the rows itself at turn end
          this.approvals.clear()
          this.questions.clear()
        }
        for (const event of parsed.events) this.emit(event)
      }
    }
  }

  private noteTurnFinished(params: unknown): void {
    const turn = (params as { turn?: { id?: unknown } } | null)?.turn
    if (typeof turn?.id === 'string') this.finishedTurns.add(turn.id)
  }

  private onServerRequest(id: RequestId, method: string, params: unknown, line: string): void {
    if ((method === 'item/commandExecution/requestApproval' || method === 'item/fileChange/requestApproval') && params && typeof params === 'object') {
      let parsed: ReturnType<typeof parseApprovalRequest> | null = null
      try {
        parsed = parseApprovalRequest({ id, method, params } as CodexApprovalRequest, this.state)
      } catch {
        /* malformed: answered with an error below */
      }
      if (parsed) {
        const requestId = String(id)
        this.approvals.set(requestId, { rpcId: id, kind: parsed.kind, turnId: parsed.turnId })
        this.emit(parsed.event)
        return
      }
    }
    if (params && typeof params === 'object' && this.onQuestionRequest(id, method, params)) return
    // Codex waits for an answer to every request; never leave it hanging, and say so in the pane.
    this.emit({ kind: 'raw', stream: 'unknown', data: line })
    this.emit({
      kind: 'message',
      message: { kind: 'error', text: `Codex sent a request Shepherd does not support (${method}); it was refused.`, isError: true }
    })
    this.rpc.respondError(id, { code: RPC_METHOD_NOT_FOUND, message: `Shepherd does not support ${method}` }).catch(() => {})
  }

  /** Questions, MCP forms and permission escalations (issue 13); false for a request this is not. */
  private onQuestionRequest(id: RequestId, method: string, params: object): boolean {
    const requestId = String(id)
    try {
      if (method === 'item/tool/requestUserInput') {
        const q = userInputQuestion(requestId, params as ToolRequestUserInputParams)
        this.questions.set(requestId, { rpcId: id, kind: 'userInput' })
        this.emit({ kind: 'question_request', request: q })
        return true
      }
      if (method === 'mcpServer/elicitation/request') {
        const tool = mcpToolApproval(params as McpServerElicitationRequestParams)
        if (tool) {
          // Codex's own "may this MCP tool run?" (an elicitation with no fields): an approval card.
          this.approvals.set(requestId, { rpcId: id, kind: 'mcpTool', turnId: (params as McpServerElicitationRequestParams).turnId ?? '' })
          this.emit({ kind: 'approval_request', request: { requestId, ...tool } })
          return true
        }
        const q = elicitationQuestion(requestId, params as McpServerElicitationRequestParams)
        if ('unsupported' in q) {
          this.emit({ kind: 'message', message: { kind: 'error', text: q.unsupported, isError: true } })
          this.rpc.respond(id, elicitationResponse({ action: 'decline' })).catch(() => {})
          return true
        }
        this.questions.set(requestId, { rpcId: id, kind: 'elicitation' })
        this.emit({ kind: 'question_request', request: q })
        return true
      }
      if (method === 'item/permissions/requestApproval') {
        const p = params as PermissionsRequestApprovalParams
        const a = permissionsApproval(p)
        this.approvals.set(requestId, { rpcId: id, kind: 'permissions', turnId: p.turnId, permissions: p })
        this.emit({
          kind: 'approval_request',
          request: { requestId, toolName: a.toolName, input: a.input, description: a.description, sessionScope: a.sessionScope }
        })
        return true
      }
    } catch {
      /* malformed: refused with an error row by the caller */
    }
    return false
  }

  private async write(message: object): Promise<void> {
    if (!this.proc || this.exit) throw new ShepherdError('UNAVAILABLE', 'Codex is not running')
    try {
      await this.proc.writeLine(JSON.stringify(message))
    } catch (err) {
      throw new ShepherdError('UNAVAILABLE', `Cannot write to Codex: ${(err as Error).message}`)
    }
  }

  private reportedExit(exit: ProviderExit): ProviderExit {
    if (!this.handshakeError) return exit
    return { ...exit, stderrTail: [exit.stderrTail.trimEnd(), this.handshakeError].filter(Boolean).join('\n') }
  }

  protected finish(processExit: ProviderExit): void {
    this.splitter.end()
    this.rpc.close('Codex exited')
    for (const requestId of this.approvals.keys()) this.emit({ kind: 'approval_cancelled', requestId })
    this.approvals.clear()
    for (const requestId of this.questions.keys()) this.emit({ kind: 'question_cancelled', requestId })
    this.questions.clear()
    const exit = this.reportedExit(processExit)
    this.events.exited(exit)
  }
}
