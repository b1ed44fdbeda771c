/**
 * One ACP agent process for one Shepherd session. Shepherd is the ACP client: it calls
 * `initialize`, `session/new` (or `session/load` / `session/resume` / `session/fork`),
 * `session/prompt`, `session/cancel`, and answers the agent's `session/request_permission`,
 * `fs/*` and `terminal/*` requests (files and commands inside the project folder only).
 */
import type { RemoteSpawn } from '../../remote/spawn'
import type { PermissionMode } from '../../shared/status'
import { ShepherdError } from '../../shared/errors'
import type { AgentHandle, ApprovalDecision, ProviderExit } from '../types'
import { ProcessHandle } from '../scaffold/process-handle'
import { ACP_AUTH_REQUIRED, JsonRpcConnection, JsonRpcError, RPC_METHOD_NOT_FOUND, type RpcId } from './jsonrpc'
import { ACP_ELICITATION_CAPABILITY, acpElicitation, acpElicitationResponse } from './elicitation'
import type { QuestionAnswer } from '../../shared/questions'
import { AcpUpdateMapper, AcpUsageTracker } from './mapper'
import { readTextFile, writeTextFile } from './client-fs'
import { TerminalManager } from './terminals'
import { mapPermissionMode, parseSessionSetup, updateSelectorsFromConfig, type Selector } from './session-config'
import { isObj, type Obj, INTERRUPTED_TEXT } from '../scaffold/values'

export const ACP_DISPLAY_NAME = 'ACP agent'
export const ACP_INSTALL_HINT =
  'Set the command that starts your agent in ACP mode in Settings → ACP (for example “opencode acp”, “gemini --experimental-acp” or “goose acp”).'
export const ACP_PROTOCOL_VERSION = 1
/** Agents answer `initialize` in ~0.3–7 s (OpenCode on a busy machine); a program in the wrong mode never does. */
export const INITIALIZE_TIMEOUT_MS = 30_000
/** Creating a session takes ~1–3 s; loading a long one takes longer. */
export const START_TIMEOUT_MS = 60_000
/** set_mode / set_config_option answer in milliseconds; 10 s flags a wedged agent. */
export const CONTROL_TIMEOUT_MS = 10_000
export { INTERRUPTED_TEXT }
const CLIENT_VERSION = '0.1.0'

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null)

/** What an agent advertised (initialize) and offered (session setup). */
export interface AcpAgentInfo {
  name: string | null
  version: string | null
  loadSession: boolean
  resume: boolean
  fork: boolean
  /** Known after a session was set up; null when only `initialize` was seen. */
  canSetModel: boolean | null
  canSetMode: boolean | null
  costKnown: boolean
}

export interface AcpHandleOptions {
  binaryPath: string
  args: readonly string[]
  cwd: string
  env: Record<string, string>
  model: string | null
  permissionMode: PermissionMode
  systemPrompt: string | null
  resumeCliSessionId?: string | null
  fork?: boolean
  /** Cumulative cost already counted for a session id (see AcpUsageTracker); null when unknown. */
  costBaseline?: (cliSessionId: string) => number | null
  /** The agent's cumulative cost for a session id, after each turn. */
  onCumulativeCost?: (cliSessionId: string, amount: number) => void
  onAgentInfo?: (info: AcpAgentInfo) => void
  /**
   * Run on an SSH host (src-main/remote/). The client-side file system and terminals are then not
   * offered: they would act on this machine, not the host; the agent uses its own tools there.
   */
  remote?: RemoteSpawn | null
  /** Tests only. */
  startTimeoutMs?: number
  controlTimeoutMs?: number
}

interface PendingApproval {
  rpcId: RpcId
  options: { optionId: string; kind: string }[]
  answer: (outcome: object) => void
}

export class AcpHandle extends ProcessHandle implements AgentHandle {
  private readonly conn: JsonRpcConnection
  private readonly mapper: AcpUpdateMapper
  private usage: AcpUsageTracker = new AcpUsageTracker(0)
  private readonly terminals: TerminalManager
  private readonly approvals = new Map<string, PendingApproval>()
  /** Open `elicitation/create` forms: answered with the user's values (or cancel when the turn ends). */
  private readonly questions = new Map<string, (answer: QuestionAnswer) => void>()
  private nextApproval = 1

  private sessionId: string | null = null
  private agentName = ACP_DISPLAY_NAME
  private info: AcpAgentInfo = {
    name: null,
    version: null,
    loadSession: false,
    resume: false,
    fork: false,
    canSetModel: null,
    canSetMode: null,
    costKnown: false
  }
  private modeSel: Selector | null = null
  private modelSel: Selector | null = null
  /** Updates are dropped while a loaded/forked session replays its history. */
  private replaying = false
  private turnActive = false
  private interruptRequested = false
  private firstPrompt = true
  /** Set when the session could not be resumed: the process is being stopped, prompts are dropped. */
  private dyingReason: string | null = null

  private constructor(private readonly opts: AcpHandleOptions) {
    super('acp')
    this.conn = new JsonRpcConnection((line) => this.writeLine(line), {
      onRequest: (method, params, id) => this.onAgentRequest(method, params, id),
      onNotification: (method, params) => this.onNotification(method, params),
      onInvalid: (line, why) => this.emit({ kind: 'raw', stream: 'parse_error', data: JSON.stringify({ why, line: line.slice(0, 4096) }) })
    })
    this.terminals = new TerminalManager({ projectDir: opts.cwd, env: opts.env })
    this.mapper = new AcpUpdateMapper((e) => this.emit(e), { terminalOutput: (id) => this.terminals.outputOf(id) })
  }

  /**
   * Spawn the agent and set up its session. Throws ShepherdError('AGENT_NOT_FOUND' | 'SPAWN_FAILED').
   * A session that cannot be resumed does not throw: the handle stops the agent before it reports
   * a CLI session id, which the supervisor treats as a stale resume (fresh start with a note).
   */
  static async open(opts: AcpHandleOptions): Promise<AcpHandle> {
    const h = new AcpHandle(opts)
    const proc = await h.launch(opts.binaryPath, opts.args, {
      cwd: opts.cwd,
      env: opts.env,
      displayName: ACP_DISPLAY_NAME,
      installHint: ACP_INSTALL_HINT,
      remote: opts.remote
    })
    try {
      await h.setUp()
    } catch (err) {
      const exit = await proc.stop(2000)
      const tail = exit.stderrTail.trim().split('\n').slice(-3).join(' | ').slice(0, 600)
      const message =
        err instanceof ShepherdError && err.code === 'SPAWN_FAILED' ? err.message : `Cannot start the ACP agent (${opts.binaryPath}): ${(err as Error).message}`
      throw new ShepherdError('SPAWN_FAILED', tail ? `${message} (agent said: ${tail})` : message)
    }
    return h
  }

  /** The ACP session id (null before setup or when the resume failed). */
  get cliSessionId(): string | null {
    return this.sessionId
  }

  get agent(): AcpAgentInfo {
    return { ...this.info }
  }

  // ---- setup ---------------------------------------------------------------------------------

  /** Spawn the agent and `initialize` it, nothing more (provider detection). Stop it after use. */
  static async probe(opts: { binaryPath: string; args: readonly string[]; cwd: string; env: Record<string, string>; timeoutMs: number }): Promise<AcpHandle> {
    const h = new AcpHandle({ ...opts, model: null, permissionMode: 'default', systemPrompt: null, startTimeoutMs: opts.timeoutMs })
    const proc = await h.launch(opts.binaryPath, opts.args, { cwd: opts.cwd, env: opts.env, displayName: ACP_DISPLAY_NAME, installHint: ACP_INSTALL_HINT })
    try {
      await h.initializeAgent(opts.timeoutMs)
    } catch (err) {
      await proc.stop(1000)
      throw err
    }
    return h
  }

  /** `initialize`: protocol version, capabilities, agent name/version. Returns the auth methods. */
  private async initializeAgent(timeoutMs: number): Promise<Obj[]> {
    const init = await this.conn.request<unknown>(
      'initialize',
      {
        protocolVersion: ACP_PROTOCOL_VERSION,
        clientCapabilities: this.opts.remote
          ? // On an SSH host the agent's files and terminals are there, not here: only forms are offered.
            { fs: { readTextFile: false, writeTextFile: false }, terminal: false, elicitation: ACP_ELICITATION_CAPABILITY }
          : { fs: { readTextFile: true, writeTextFile: true }, terminal: true, elicitation: ACP_ELICITATION_CAPABILITY },
        clientInfo: { name: 'shepherd', title: 'Shepherd', version: CLIENT_VERSION }
      },
      timeoutMs
    )
    const r = isObj(init) ? init : {}
    if (typeof r.protocolVersion === 'number' && r.protocolVersion !== ACP_PROTOCOL_VERSION) {
      throw new ShepherdError('SPAWN_FAILED', `The agent speaks ACP version ${r.protocolVersion}; Shepherd speaks version ${ACP_PROTOCOL_VERSION}`)
    }
    const caps = isObj(r.agentCapabilities) ? r.agentCapabilities : {}
    const sessionCaps = isObj(caps.sessionCapabilities) ? caps.sessionCapabilities : {}
    const agentInfo = isObj(r.agentInfo) ? r.agentInfo : {}
    this.info = {
      ...this.info,
      name: str(agentInfo.title) ?? str(agentInfo.name),
      version: str(agentInfo.version),
      loadSession: caps.loadSession === true,
      resume: isObj(sessionCaps.resume),
      fork: isObj(sessionCaps.fork)
    }
    if (this.info.name) this.agentName = this.info.name
    return Array.isArray(r.authMethods) ? r.authMethods.filter(isObj) : []
  }

  private async setUp(): Promise<void> {
    const startTimeout = this.opts.startTimeoutMs ?? START_TIMEOUT_MS
    let authMethods: Obj[]
    try {
      authMethods = await this.initializeAgent(Math.min(startTimeout, INITIALIZE_TIMEOUT_MS))
    } catch (err) {
      if (err instanceof JsonRpcError || this.exit || this.conn.closed) throw err
      throw new Error(`${(err as Error).message}. Is the command right? It must start the agent in ACP mode (for example “opencode acp”).`, { cause: err })
    }

    const base = { cwd: this.opts.cwd, mcpServers: [] as unknown[] }
    const resumeId = this.opts.resumeCliSessionId ?? null
    let setup: unknown
    if (resumeId) {
      const method = this.opts.fork
        ? this.info.fork
          ? 'session/fork'
          : null
        : this.info.loadSession
          ? 'session/load'
          : this.info.resume
            ? 'session/resume'
            : null
      if (!method) {
        return this.die(
          this.opts.fork ? `${this.agentName} cannot fork conversations over ACP` : `${this.agentName} cannot resume conversations over ACP (no loadSession)`
        )
      }
      try {
        setup = await this.replayingRequest(method, { ...base, sessionId: resumeId }, startTimeout)
      } catch (err) {
        return this.die(`${this.agentName} could not ${this.opts.fork ? 'fork' : 'load'} conversation ${resumeId}: ${(err as Error).message}`)
      }
      const s = isObj(setup) ? setup : {}
      this.sessionId = this.opts.fork ? str(s.sessionId) : resumeId
      if (!this.sessionId) return this.die(`${this.agentName} answered ${method} without a session id`)
      this.firstPrompt = false
      const known = this.opts.costBaseline?.(this.opts.fork ? resumeId : this.sessionId) ?? null
      this.usage = new AcpUsageTracker(known)
    } else {
      try {
        setup = await this.conn.request('session/new', base, startTimeout)
      } catch (err) {
        if (err instanceof JsonRpcError && err.code === ACP_AUTH_REQUIRED) {
          const how = authMethods
            .map((m) => str(m.description) ?? str(m.name))
            .filter(Boolean)
            .join('; ')
          throw new ShepherdError('SPAWN_FAILED', `${this.agentName} needs you to sign in first${how ? `: ${how}` : ''}`)
        }
        throw err
      }
      const s = isObj(setup) ? setup : {}
      this.sessionId = str(s.sessionId)
      if (!this.sessionId) throw new Error('the agent answered session/new without a session id')
      this.usage = new AcpUsageTracker(0)
    }

    const sel = parseSessionSetup(setup)
    this.modeSel = sel.mode
    this.modelSel = sel.model
    this.info.canSetMode = this.modeSel !== null
    this.info.canSetModel = this.modelSel !== null
    await this.applyStartConfig()
    this.opts.onAgentInfo?.({ ...this.info })
    this.emit({ kind: 'cli_session', cliSessionId: this.sessionId, model: this.modelSel?.current ?? null })
  }

  /** A request during which the agent replays history (dropped: Shepherd has the transcript). */
  private replayingRequest(method: string, params: unknown, timeoutMs: number): Promise<unknown> {
    this.replaying = true
    return new Promise((resolve, reject) =>
      this.conn.requestCb(
        method,
        params,
        (err, result) => {
          this.replaying = false // synchronously, at the response line: later updates are live
          if (err) reject(err)
          else resolve(result)
        },
        timeoutMs
      )
    )
  }

  /** The session's model and permission mode as configured in Shepherd (failures become notes). */
  private async applyStartConfig(): Promise<void> {
    const model = this.opts.model
    if (model) {
      if (!this.modelSel) {
        this.system(
          `${this.agentName} does not let Shepherd choose its model over ACP, so “${model}” was not applied; it uses the model from its own configuration.`
        )
      } else if (model !== this.modelSel.current) {
        try {
          await this.selectModel(model)
        } catch (err) {
          this.system(`Could not switch to model “${model}”: ${(err as Error).message}. The agent uses “${this.modelSel.current ?? 'its default'}”.`)
        }
      }
    }
    const mode = this.opts.permissionMode
    if (mode !== 'default') {
      if (!this.modeSel) {
        this.system(`${this.agentName} offers no modes over ACP, so permission mode “${mode}” was not applied; its own permission rules apply.`)
        return
      }
      const id = mapPermissionMode(mode, this.modeSel)
      if (!id) {
        this.system(
          `${this.agentName} has no mode for “${mode}” (its modes: ${this.modeSel.values.map((v) => v.id).join(', ')}); it runs in “${this.modeSel.current ?? '?'}”.`
        )
      } else if (id !== this.modeSel.current) {
        try {
          await this.selectMode(id)
        } catch (err) {
          this.system(`Could not switch ${this.agentName} to mode “${id}”: ${(err as Error).message}.`)
        }
      }
    }
  }

  /** Resume impossible: stop the agent; its exit (before any session id) marks the resume stale. */
  private die(reason: string): void {
    this.dyingReason = reason
    void this.proc?.stop(2000)
  }

  // ---- AgentHandle ---------------------------------------------------------------------------

  async send(prompt: string): Promise<void> {
    if (this.dyingReason) return // the supervisor starts a fresh conversation with this prompt
    if (!this.sessionId || this.exit || this.conn.closed) throw new ShepherdError('UNAVAILABLE', `${this.agentName} is not running`)
    const blocks: object[] = []
    if (this.firstPrompt && this.opts.systemPrompt) blocks.push({ type: 'text', text: this.opts.systemPrompt })
    blocks.push({ type: 'text', text: prompt })
    this.firstPrompt = false
    this.turnActive = true
    this.conn.requestCb('session/prompt', { sessionId: this.sessionId, prompt: blocks }, (err, result) => this.turnEnded(err, result))
  }

  async interrupt(): Promise<void> {
    if (!this.turnActive || !this.sessionId) return
    this.interruptRequested = true
    // The spec: the client answers open permission requests with `cancelled`.
    for (const requestId of [...this.approvals.keys()]) this.settleApproval(requestId, { outcome: 'cancelled' }, true)
    this.cancelQuestions()
    try {
      await this.conn.notify('session/cancel', { sessionId: this.sessionId })
    } catch (err) {
      throw new ShepherdError('UNAVAILABLE', `Cannot reach ${this.agentName}: ${(err as Error).message}`)
    }
  }

  async setModel(model: string | null): Promise<void> {
    if (!this.modelSel) throw new ShepherdError('UNAVAILABLE', `${this.agentName} does not let Shepherd choose its model over ACP`)
    const value = model ?? this.modelSel.initial
    if (!value) throw new ShepherdError('BAD_REQUEST', 'Choose a model')
    await this.selectModel(value)
  }

  async setPermissionMode(mode: PermissionMode): Promise<void> {
    if (!this.modeSel) throw new ShepherdError('UNAVAILABLE', `${this.agentName} offers no permission modes over ACP`)
    const id = mapPermissionMode(mode, this.modeSel)
    if (!id) {
      throw new ShepherdError('UNAVAILABLE', `${this.agentName} has no mode for “${mode}” (its modes: ${this.modeSel.values.map((v) => v.id).join(', ')})`)
    }
    await this.selectMode(id)
  }

  async answerApproval(requestId: string, decision: ApprovalDecision): Promise<void> {
    const pending = this.approvals.get(requestId)
    if (!pending) throw new ShepherdError('NOT_FOUND', 'This approval request is no longer pending')
    const pick = (...kinds: string[]) => {
      for (const k of kinds) {
        const o = pending.options.find((x) => x.kind === k)
        if (o) return o.optionId
      }
      return null
    }
    let outcome: object
    if (decision.behavior === 'deny') {
      // ACP carries no reason text; rejecting once is the smallest refusal.
      const optionId = pick('reject_once', 'reject_always')
      outcome = optionId ? { outcome: 'selected', optionId } : { outcome: 'cancelled' }
    } else if (decision.scope === 'session') {
      // "Always" is the agent's own notion (OpenCode: for the rest of this session); once is the fallback.
      const optionId = pick('allow_always', 'allow_once')
      if (!optionId) throw new ShepherdError('CONFLICT', `${this.agentName} offered no way to allow this`)
      outcome = { outcome: 'selected', optionId }
    } else {
      const optionId = pick('allow_once')
      if (!optionId) throw new ShepherdError('CONFLICT', `${this.agentName} offers only “always allow” for this request`)
      outcome = { outcome: 'selected', optionId }
    }
    this.settleApproval(requestId, outcome, false)
  }

  async answerQuestion(requestId: string, answer: QuestionAnswer): Promise<void> {
    const settle = this.questions.get(requestId)
    if (!settle) throw new ShepherdError('NOT_FOUND', 'This form is no longer pending')
    this.questions.delete(requestId)
    settle(answer)
  }

  private cancelQuestions(): void {
    for (const [requestId, settle] of [...this.questions]) {
      this.questions.delete(requestId)
      settle({ action: 'cancel' })
      this.emit({ kind: 'question_cancelled', requestId })
    }
  }

  /** `elicitation/create`: a form becomes a question the user answers; anything else is declined with an error row. */
  private elicitationRequest(params: unknown): Promise<unknown> {
    if (this.interruptRequested || this.dyingReason) return Promise.resolve({ action: 'cancel' })
    const requestId = `acp-elicit-${this.nextApproval++}`
    const q = acpElicitation(requestId, params, this.agentName)
    if ('unsupported' in q) {
      this.emit({ kind: 'message', message: { kind: 'error', text: q.unsupported, isError: true } })
      return Promise.resolve(acpElicitationResponse({ action: 'decline' }))
    }
    return new Promise((resolve) => {
      this.questions.set(requestId, (answer) => resolve(acpElicitationResponse(answer)))
      this.emit({ kind: 'question_request', request: q })
    })
  }

  async stop(graceMs: number): Promise<ProviderExit> {
    if (!this.proc) throw new ShepherdError('UNAVAILABLE', `${this.agentName} was not started`)
    this.terminals.closeAll()
    return this.proc.stop(graceMs)
  }

  // ---- session config ------------------------------------------------------------------------

  private async selectModel(value: string): Promise<void> {
    const sel = this.modelSel as Selector
    const params =
      sel.configId !== null
        ? (['session/set_config_option', { sessionId: this.sessionId, configId: sel.configId, value }] as const)
        : (['session/set_model', { sessionId: this.sessionId, modelId: value }] as const)
    const result = await this.control(params[0], params[1])
    sel.current = value
    this.applyConfigResult(result)
  }

  private async selectMode(id: string): Promise<void> {
    const sel = this.modeSel as Selector
    const params =
      sel.configId !== null
        ? (['session/set_config_option', { sessionId: this.sessionId, configId: sel.configId, value: id }] as const)
        : (['session/set_mode', { sessionId: this.sessionId, modeId: id }] as const)
    const result = await this.control(params[0], params[1])
    sel.current = id
    this.applyConfigResult(result)
  }

  private applyConfigResult(result: unknown): void {
    if (isObj(result) && Array.isArray(result.configOptions)) updateSelectorsFromConfig(result.configOptions, this.modeSel, this.modelSel)
  }

  private async control(method: string, params: object): Promise<unknown> {
    if (this.exit || this.conn.closed) throw new ShepherdError('UNAVAILABLE', `${this.agentName} is not running`)
    try {
      return await this.conn.request(method, params, this.opts.controlTimeoutMs ?? CONTROL_TIMEOUT_MS)
    } catch (err) {
      if (err instanceof JsonRpcError) throw new ShepherdError('CONFLICT', `${this.agentName} refused ${method}: ${err.message}`)
      throw new ShepherdError('UNAVAILABLE', `${this.agentName}: ${(err as Error).message}`)
    }
  }

  // ---- agent → client ------------------------------------------------------------------------

  protected onLine(line: string): void {
    this.emit({ kind: 'raw', stream: 'stdout', data: line })
    this.conn.handleLine(line)
  }

  private onNotification(method: string, params: unknown): void {
    if (method !== 'session/update') {
      this.emit({ kind: 'raw', stream: 'unknown', data: JSON.stringify({ method, params }).slice(0, 4096) })
      return
    }
    const p = isObj(params) ? params : {}
    if (this.replaying || this.dyingReason) return
    if (this.sessionId && str(p.sessionId) && p.sessionId !== this.sessionId) return
    const update = isObj(p.update) ? p.update : {}
    switch (update.sessionUpdate) {
      case 'usage_update':
        this.usage.onUsageUpdate(update)
        return
      case 'config_option_update':
        if (Array.isArray(update.configOptions)) updateSelectorsFromConfig(update.configOptions, this.modeSel, this.modelSel)
        return
      case 'current_mode_update':
        if (this.modeSel && typeof update.currentModeId === 'string') this.modeSel.current = update.currentModeId
        return
      case 'available_commands_update':
      case 'session_info_update':
        return
      default:
        if (!this.mapper.handleUpdate(update)) this.emit({ kind: 'raw', stream: 'unknown', data: JSON.stringify(update).slice(0, 4096) })
        // Content outside a turn (late chunks after a cancel) is shown at once, not glued to the next turn.
        else if (!this.turnActive) this.mapper.endTurn()
    }
  }

  private onAgentRequest(method: string, params: unknown, id: RpcId): Promise<unknown> {
    const cwd = this.opts.cwd
    // On an SSH host these would touch this machine: not offered, and refused if asked anyway.
    if (this.opts.remote && (method.startsWith('fs/') || method.startsWith('terminal/'))) {
      return Promise.reject(new Error(`${method} is not available for an agent on an SSH host`))
    }
    switch (method) {
      case 'session/request_permission':
        return this.permissionRequest(params, id)
      case 'elicitation/create':
        return this.elicitationRequest(params)
      case 'fs/read_text_file':
        return readTextFile(cwd, params)
      case 'fs/write_text_file':
        return writeTextFile(cwd, params)
      case 'terminal/create':
        return this.terminals.create(params)
      case 'terminal/output':
        return Promise.resolve().then(() => this.terminals.output(params))
      case 'terminal/wait_for_exit':
        return this.terminals.waitForExit(params)
      case 'terminal/kill':
        return Promise.resolve().then(() => this.terminals.kill(params))
      case 'terminal/release':
        return Promise.resolve().then(() => this.terminals.release(params))
      default:
        // Refused, and said so in the transcript (never a silent refusal).
        this.emit({
          kind: 'message',
          message: { kind: 'error', text: `${this.agentName} sent a request Shepherd does not support (${method}); it was refused.`, isError: true }
        })
        return Promise.reject(new JsonRpcError(RPC_METHOD_NOT_FOUND, `Method not found: ${method}`))
    }
  }

  private permissionRequest(params: unknown, rpcId: RpcId): Promise<unknown> {
    const p = isObj(params) ? params : {}
    // Nobody can answer while the turn is being cancelled or the agent is going away.
    if (this.interruptRequested || this.dyingReason) return Promise.resolve({ outcome: { outcome: 'cancelled' } })
    const options = (Array.isArray(p.options) ? p.options : [])
      .filter(isObj)
      .flatMap((o) => (typeof o.optionId === 'string' && typeof o.kind === 'string' ? [{ optionId: o.optionId, kind: o.kind }] : []))
    const info = this.mapper.permissionRequested(p.toolCall)
    const requestId = `acp-perm-${this.nextApproval++}`
    // "Allow for this session" picks the agent's allow_always option when offered (see answer()).
    const always = (Array.isArray(p.options) ? p.options : []).filter(isObj).find((o) => o.kind === 'allow_always')
    const alwaysName = always && typeof always.name === 'string' ? always.name : null
    const sessionScope = always
      ? `Answers with ${this.agentName}’s own option${alwaysName ? ` “${alwaysName}”` : ' “always allow”'}: the agent decides what it stops asking for.`
      : `${this.agentName} offers no “always allow” for this request: it is allowed this once only.`
    return new Promise((resolve) => {
      this.approvals.set(requestId, { rpcId, options, answer: (outcome) => resolve({ outcome }) })
      this.emit({
        kind: 'approval_request',
        request: { requestId, toolName: info.toolName, input: info.input, description: info.description, toolUseId: info.toolUseId, sessionScope }
      })
    })
  }

  private settleApproval(requestId: string, outcome: object, announce: boolean): void {
    const pending = this.approvals.get(requestId)
    if (!pending) return
    this.approvals.delete(requestId)
    pending.answer(outcome)
    if (announce) this.emit({ kind: 'approval_cancelled', requestId })
  }

  // ---- turns ---------------------------------------------------------------------------------

  private turnEnded(err: Error | null, result: unknown): void {
    const wasInterrupted = this.interruptRequested
    this.turnActive = false
    this.interruptRequested = false
    this.mapper.endTurn()
    // Still-open permission requests and forms belong to the finished turn.
    for (const requestId of [...this.approvals.keys()]) this.settleApproval(requestId, { outcome: 'cancelled' }, true)
    this.cancelQuestions()
    if (this.exit || this.conn.closed) return // the exit is reported by the runner
    const r = isObj(result) ? result : {}
    const usage = this.usage.takeTurn(r.usage)
    if (usage) {
      this.emit({ kind: 'usage', usage })
      if (usage.costKnown && !this.info.costKnown) {
        this.info.costKnown = true
        this.opts.onAgentInfo?.({ ...this.info })
      }
      const total = this.usage.cumulativeCost
      if (this.sessionId && total !== null) this.opts.onCumulativeCost?.(this.sessionId, total)
    }
    if (err) {
      if (wasInterrupted) {
        this.system(INTERRUPTED_TEXT)
        this.emit({ kind: 'turn', state: 'idle' })
        return
      }
      const message = err.message.replace(/^Internal error: /, '')
      this.emit({ kind: 'message', message: { kind: 'error', text: message, isError: true } })
      this.emit({ kind: 'turn', state: 'error', reason: { message } })
      return
    }
    const stopReason = str(r.stopReason)
    switch (stopReason) {
      case 'cancelled':
        this.system(INTERRUPTED_TEXT)
        this.emit({ kind: 'turn', state: 'idle' })
        return
      case 'max_tokens':
        this.system('The agent stopped: it reached its output token limit.')
        this.emit({ kind: 'turn', state: 'idle' })
        return
      case 'max_turn_requests':
        this.system('The agent stopped: it reached its limit of model requests for one turn.')
        this.emit({ kind: 'turn', state: 'idle' })
        return
      case 'refusal': {
        const message = 'The agent refused to continue; this prompt and what follows will not be part of its context.'
        this.emit({ kind: 'message', message: { kind: 'error', text: message, isError: true } })
        this.emit({ kind: 'turn', state: 'error', reason: { message: 'the agent refused to continue' } })
        return
      }
      default:
        if (stopReason !== 'end_turn') this.emit({ kind: 'raw', stream: 'unknown', data: JSON.stringify({ stopReason }) })
        this.emit({ kind: 'turn', state: 'idle' })
    }
  }

  // ---- plumbing ------------------------------------------------------------------------------

  private async writeLine(line: string): Promise<void> {
    if (!this.proc || this.exit) throw new ShepherdError('UNAVAILABLE', `${this.agentName} is not running`)
    try {
      await this.proc.writeLine(line)
    } catch (err) {
      throw new ShepherdError('UNAVAILABLE', `Cannot write to ${this.agentName}: ${(err as Error).message}`)
    }
  }

  private system(text: string): void {
    this.emit({ kind: 'message', message: { kind: 'system', text } })
  }

  protected finish(exit: ProviderExit): void {
    this.splitter.end()
    this.conn.close(new ShepherdError('UNAVAILABLE', `${this.agentName} exited`))
    this.terminals.closeAll()
    if (!this.dyingReason) this.mapper.endTurn() // partial output of an unfinished turn stays visible
    for (const requestId of [...this.approvals.keys()]) this.settleApproval(requestId, { outcome: 'cancelled' }, true)
    this.cancelQuestions()
    // The supervisor's stale-resume note quotes the last stderr line: make it say why.
    this.events.exited(this.dyingReason ? { ...exit, stderrTail: `${exit.stderrTail.trimEnd()}\n${this.dyingReason}`.trimStart() } : exit)
  }
}
