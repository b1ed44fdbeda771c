/**
 * The session supervisor: owns every SessionRunner, starts/resumes/forks/stops sessions, enforces
 * the concurrency cap and the double-start guard, and joins app shutdown with a deadline.
 */
import { randomUUID } from 'node:crypto'
import type { ControlId } from '../shared/controls'
import type { ApprovalDTO, ProviderInfoDTO, SessionDTO } from '../shared/dto'
import { ShepherdError } from '../shared/errors'
import { ACTIVE_STATUSES, type PermissionMode, type ProviderId } from '../shared/status'
import type { AgentProvider, ApprovalDecision, ProviderExit } from '../providers/types'
import { hostKey, isRemoteLocation, parseRemoteLocation } from '../remote/location'
import { DEFAULT_REMOTE_GRACE_S, type RemoteSpawn } from '../remote/spawn'
import type { SshHosts } from '../remote/ssh'
import { buildChildEnv } from '../providers/child-env'
import { approvalToDTO, extraEnvOf, sessionToDTO, type SessionRow } from '../store/rows'
import { questionToDTO } from '../store/questions-store'
import type { QuestionAnswer, QuestionDTO } from '../shared/questions'
import { checkQuestionValues, maskedAnswer } from './question-values'
import type { Store } from '../store/store'
import type { GroupCommitWriter } from '../store/writer'
import type { SettingsService } from '../services/settings'
import type { EventHub } from './event-hub'
import { processStartTime, sweepOrphans } from './orphans'
import { Session } from './session'
import { SessionRunner } from './session-runner'
import { pruneProject } from './retention'
import { nextSleepDue, pickSleepers, type IdleProcess } from './idle-sleep'

export interface StartInput {
  projectId: string
  prompt: string
  provider?: ProviderId
  model?: string | null
  permissionMode?: PermissionMode
  systemPrompt?: string | null
  extraEnv?: Record<string, string>
  /** Working folder other than the project's (a session worktree). */
  cwd?: string
  /**
   * Runs before the first launch without blocking the caller (e.g. creating the session's worktree);
   * the session shows `starting` with "preparing worktree…" meanwhile, `progress` adds system rows.
   * When it throws, the session ends in `error` with the message and keeps its prompt queued, so
   * `resume` can start the agent anyway.
   */
  prepare?: (sessionId: string, progress: (text: string) => void) => Promise<void>
}

export interface SupervisorOptions {
  store: Store
  writer: GroupCommitWriter
  hub: EventHub
  settings: SettingsService
  providers: AgentProvider[]
  /** The host process environment (the child env is built from an allowlist of it). */
  hostEnv: NodeJS.ProcessEnv
  /** Retention never prunes a session this says to keep (e.g. its worktree may hold unmerged work). */
  keepOnPrune?: (sessionId: string) => boolean
  /** SSH hosts: a session whose cwd is `host:/path` runs its CLI there (src-main/remote/). */
  remoteHosts?: SshHosts
  /** Diagnostics (a refused status change). */
  log?: (msg: string) => void
}

interface LaunchPlan {
  prompt?: string
  resumeId?: string | null
  fork?: boolean
  freshNote?: string
  /** Resuming an asleep session: it shows "waking up…" (not "starting") until the agent is back. */
  waking?: boolean
}

/** The reason a woken session shows while its conversation is resumed. */
const WAKING = { code: 'waking', message: 'waking up…' } as const

/** Session titles come from the first prompt line, cut to fit a list row. */
const TITLE_CHARS = 80

export class Supervisor {
  /** Each session's state object (status, prompt queue, seq, commit-then-push), made on first use. */
  readonly #events = new Map<string, Session>()
  /** Sessions waiting for a free slot, oldest first, with what to run when their turn comes. */
  readonly #waiting: { id: string; plan: LaunchPlan }[] = []
  readonly #providers: Map<ProviderId, AgentProvider>
  #shuttingDown = false
  #outputPaused = false
  /** Sessions held at their budget cap: no turn starts until released (services/budgets.ts). */
  readonly #held = new Set<string>()
  /** Asked before any prompt starts a turn (the budgets' check point). */
  #turnGate: ((sessionId: string) => boolean) | null = null
  /** The next idle-sleep check (supervisor/idle-sleep.ts); unref'd, cleared at shutdown. */
  #sleepTimer: ReturnType<typeof setTimeout> | null = null

  constructor(private readonly o: SupervisorOptions) {
    this.#providers = new Map(o.providers.map((p) => [p.id, p]))
    // A host connected again: its sessions that lost the connection resume from the CLI's session id.
    o.remoteHosts?.onStatus((s) => {
      if (s.state === 'connected') this.#resumeReconnected(s.host)
    })
  }

  /** Sessions whose SSH host connection was lost, by session id → host (src-main/remote/). */
  readonly #disconnected = new Map<string, string>()

  #resumeReconnected(host: string): void {
    for (const [id, h] of [...this.#disconnected]) {
      if (h !== host || this.#shuttingDown) continue
      this.#disconnected.delete(id)
      const row = this.o.store.getSession(id)
      if (!row || !row.cli_session_id || this.#runnerOf(id)?.alive || this.#isLaunching(id)) continue
      this.resume(id).catch((err: unknown) => this.o.log?.(`resuming ${id} after the reconnect failed: ${String(err)}`))
    }
  }

  /** Startup: sessions left active by a crash are marked interrupted, leftover process groups killed. */
  recoverOrphans() {
    return sweepOrphans(this.o.store)
  }

  // ---- queries ----------------------------------------------------------------------------

  listSessions(projectId: string): SessionDTO[] {
    return this.o.store.listSessions(projectId).map(sessionToDTO)
  }

  getSession(id: string): SessionDTO {
    return sessionToDTO(this.#row(id))
  }

  pendingApprovals(projectId?: string): ApprovalDTO[] {
    return this.o.store.pendingApprovals().flatMap((a) => {
      const s = this.o.store.getSession(a.session_id)
      if (!s || (projectId && s.project_id !== projectId)) return []
      return [approvalToDTO(a, s.project_id)]
    })
  }

  pendingQuestions(projectId?: string): QuestionDTO[] {
    return this.o.store.pendingQuestions().flatMap((q) => {
      const s = this.o.store.getSession(q.session_id)
      if (!s || (projectId && s.project_id !== projectId)) return []
      return [questionToDTO(q, s.project_id)]
    })
  }

  /** Each provider: its binary (path, version) or how to install it, and what it supports. */
  async detectProviders(): Promise<ProviderInfoDTO[]> {
    const settings = this.o.settings.get()
    return Promise.all(
      [...this.#providers.values()].map(async (p) => {
        const found = await p.detect(settings.providers[p.id].cliPath, this.o.hostEnv.PATH ?? '')
        // Read after detect: a generic (ACP) agent's answers come from the probe detect runs.
        return { id: p.id, displayName: p.displayName, ...found, capabilities: p.capabilities, controls: p.controls, permissionModes: p.permissionModes }
      })
    )
  }

  /**
   * Get `provider` ready for a session in this project (the new-session form has it chosen, or a
   * project with its sessions was opened): OpenCode starts the project's server now, so the first
   * prompt does not wait for its boot. Returns at once; `warming: false` when the agent has nothing
   * to prepare. The server is the one a session started the same way would use (project folder,
   * binary, environment); a session in a worktree or with its own variables gets its own.
   */
  async prewarm(projectId: string, providerId: ProviderId): Promise<{ warming: boolean }> {
    const project = this.o.store.getProject(projectId)
    if (!project) throw new ShepherdError('NOT_FOUND', `no project with id ${projectId}`)
    const provider = this.#provider(providerId)
    if (!provider.prewarm || this.#shuttingDown) return { warming: false }
    const binaryPath = await this.#binary(provider)
    const env = this.#agentEnv(provider, {})
    void provider.prewarm({ cwd: project.path, env, binaryPath }).catch((err) => console.error(`[supervisor] ${provider.id} warm-up failed`, err))
    return { warming: true }
  }

  // ---- lifecycle ----------------------------------------------------------------------------

  async start(input: StartInput): Promise<SessionDTO> {
    const project = this.o.store.getProject(input.projectId)
    if (!project) throw new ShepherdError('NOT_FOUND', `no project with id ${input.projectId}`)
    const settings = this.o.settings.get()
    const providerId = input.provider ?? settings.defaultProvider
    const provider = this.#provider(providerId)
    // A missing CLI is reported before anything is created (on an SSH host: by the host check and the wrapper).
    if (!isRemoteLocation(input.cwd ?? project.path)) await this.#binary(provider)
    // On an SSH host a worktree is made there too (src-main/git/remote-git.ts).
    else this.#remoteCli(provider)
    const id = randomUUID()
    const defaults = settings.providers[providerId]
    this.o.store.insertSession({
      id,
      projectId: project.id,
      provider: providerId,
      model: input.model !== undefined ? input.model : defaults.model,
      permissionMode: input.permissionMode ?? defaults.permissionMode,
      cwd: input.cwd ?? project.path,
      title: titleOf(input.prompt),
      systemPrompt: input.systemPrompt ?? (settings.systemPromptTemplate || null),
      extraEnv: input.extraEnv ?? {},
      status: 'queued',
      now: Date.now(),
      costKnown: provider.capabilities.costKnown
    })
    this.#ev(id).publishSession()
    if (input.prepare) {
      this.#prepareThenLaunch(id, input.prompt, input.prepare)
      return this.getSession(id)
    }
    await this.#launchOrQueue(id, { prompt: input.prompt })
    return this.getSession(id)
  }

  /** A system row in a session's transcript (e.g. worktree setup output). */
  note(id: string, text: string, kind: 'system' | 'error' = 'system'): void {
    this.#row(id)
    this.#ev(id).message({ kind, text })
  }

  #prepareThenLaunch(id: string, prompt: string, prepare: NonNullable<StartInput['prepare']>): void {
    const ev = this.#ev(id)
    ev.launching = true
    ev.status('starting', { message: 'preparing worktree…' })
    prepare(id, (text) => ev.message({ kind: 'system', text }))
      .then(
        () => {
          ev.launching = false
          return this.#launchOrQueue(id, { prompt })
        },
        (err: unknown) => {
          ev.launching = false
          const message = err instanceof Error ? err.message : String(err)
          // The prompt stays queued: "Start anyway" (or a retry) delivers it.
          ev.enqueuePrompt(prompt)
          ev.status('error', { code: 'launch_failed', message })
          this.#drainWaiting()
        }
      )
      .catch(() => {
        /* status already says error */
      })
  }

  /** Follow-up prompt: to the live process (queued while a turn runs), else resume the conversation. */
  async send(id: string, prompt: string): Promise<{ delivery: 'sent' | 'queued' }> {
    this.#row(id)
    // Sent while it is being put to sleep: wait until that process is gone, then wake it (never beside it).
    const runner = await this.#awakeRunner(id)
    const row = this.#row(id)
    if (runner?.alive && row.status === 'stopping') {
      // Sent while a stop is under way: resume the conversation once the old process is gone, never beside it.
      await runner.exited
      return this.send(id, prompt)
    }
    if (runner?.alive) return { delivery: await runner.send(prompt) }
    if (this.#held.has(id)) {
      // Over budget: kept queued (persisted) until the user raises the cap or allows a turn.
      this.#ev(id).enqueuePrompt(prompt)
      return { delivery: 'queued' }
    }
    const waiting = this.#waiting.find((w) => w.id === id)
    if (waiting || this.#isLaunching(id)) {
      this.#ev(id).enqueuePrompt(prompt)
      return { delivery: 'queued' }
    }
    await this.#launchOrQueue(id, { prompt, resumeId: row.cli_session_id, fork: this.#takeForkPending(id), waking: isAsleep(row) })
    return { delivery: this.#runnerOf(id)?.alive ? 'sent' : 'queued' }
  }

  async interrupt(id: string): Promise<void> {
    this.#supports(this.#row(id), 'interrupt')
    await this.#runnerOf(id)?.interrupt()
  }

  /** Stop: persist "stopping", signal the group, escalate, verify it is gone. Idempotent. */
  async stop(id: string): Promise<SessionDTO> {
    const row = this.#row(id)
    const w = this.#waiting.findIndex((x) => x.id === id)
    if (w >= 0) {
      this.#waiting.splice(w, 1)
      this.#ev(id).status('interrupted', { code: 'stopped_by_user', message: 'stopped by you before it started' }, {}, false, true)
    } else {
      const runner = this.#runnerOf(id)
      if (runner?.alive) await runner.stop()
      else if (ACTIVE_STATUSES.includes(row.status as never) && !this.#isLaunching(id)) {
        this.#ev(id).status('interrupted', { code: 'stopped_by_user', message: 'stopped by you' }, {}, false, true)
      }
    }
    return this.getSession(id)
  }

  /** Bring a finished session back: same CLI conversation (its own id), process alive and idle. */
  async resume(id: string, prompt?: string): Promise<SessionDTO> {
    this.#row(id)
    const awake = await this.#awakeRunner(id)
    const row = this.#row(id)
    if (awake?.alive || this.#isLaunching(id)) throw new ShepherdError('CONFLICT', 'this session is already running')
    await this.#launchOrQueue(id, { prompt, resumeId: row.cli_session_id, fork: this.#takeForkPending(id), waking: isAsleep(row) })
    return this.getSession(id)
  }

  /** A new session that continues a copy of this one's conversation. */
  async fork(id: string, prompt?: string, opts: { cwd?: string; onCreated?: (newId: string) => void } = {}): Promise<SessionDTO> {
    const src = this.#row(id)
    this.#supports(src, 'fork')
    if (!src.cli_session_id) throw new ShepherdError('CONFLICT', 'this session has no agent conversation to fork yet')
    const newId = randomUUID()
    const now = Date.now()
    this.o.store.transaction(() => {
      this.o.store.insertSession({
        id: newId,
        projectId: src.project_id,
        provider: src.provider,
        model: src.model,
        permissionMode: src.permission_mode,
        cwd: opts.cwd ?? src.cwd,
        title: `Fork of ${src.title}`.slice(0, TITLE_CHARS),
        systemPrompt: src.system_prompt,
        extraEnv: extraEnvOf(src),
        status: 'idle',
        now,
        costKnown: src.cost_known === 1
      })
      this.o.store.updateSession(newId, { cli_session_id: src.cli_session_id, status: 'done' })
      opts.onCreated?.(newId)
    })
    const ev = this.#ev(newId)
    ev.message({ kind: 'system', text: `Forked from “${src.title}”. The agent continues from a copy of that conversation.` })
    this.o.writer.flush()
    ev.publishSession()
    if (prompt) await this.#launchOrQueue(newId, { prompt, resumeId: src.cli_session_id, fork: true })
    else ev.forkPending = true
    return this.getSession(newId)
  }

  async setModel(id: string, model: string | null): Promise<SessionDTO> {
    this.#supports(this.#row(id), 'model')
    // Asleep: the row changes and the next wake starts the agent with it.
    const runner = await this.#awakeRunner(id)
    if (runner?.alive) await runner.setModel(model)
    this.#ev(id).patch({ model })
    this.#ev(id).message({ kind: 'system', text: `Model set to ${model ?? 'the default'}.` })
    return this.getSession(id)
  }

  async setPermissionMode(id: string, mode: PermissionMode): Promise<SessionDTO> {
    this.#supports(this.#row(id), 'permissionMode')
    const runner = await this.#awakeRunner(id)
    if (runner?.alive) await runner.setPermissionMode(mode)
    this.#ev(id).patch({ permission_mode: mode })
    this.#ev(id).message({ kind: 'system', text: `Permission mode set to ${mode}.` })
    return this.getSession(id)
  }

  /** Restart the process with a changed config, continuing the same conversation. */
  async restart(id: string, cfg: { model?: string | null; permissionMode?: PermissionMode; systemPrompt?: string | null }): Promise<SessionDTO> {
    const runner = await this.#awakeRunner(id)
    if (runner?.alive) await runner.stop()
    const patch: Record<string, unknown> = {}
    if (cfg.model !== undefined) patch.model = cfg.model
    if (cfg.permissionMode !== undefined) patch.permission_mode = cfg.permissionMode
    if (cfg.systemPrompt !== undefined) patch.system_prompt = cfg.systemPrompt
    this.#ev(id).patch(patch)
    return this.resume(id)
  }

  /**
   * Answer a question or form (pane or inbox): the values are checked against its fields first; two
   * answers at once give the agent one, the other is told it was already answered.
   */
  async answerQuestion(questionId: string, answer: QuestionAnswer): Promise<QuestionDTO> {
    const q = this.o.store.getQuestion(questionId)
    if (!q) throw new ShepherdError('NOT_FOUND', `no question ${questionId}`)
    if (q.status !== 'pending') throw new ShepherdError('CONFLICT', `this question was already ${q.status}`)
    const s0 = this.#row(q.session_id)
    const dto = questionToDTO(q, s0.project_id)
    if (answer.action === 'decline' && !dto.canDecline)
      throw new ShepherdError('BAD_REQUEST', 'this question cannot be declined: answer it, or interrupt the turn')
    let masked: Record<string, unknown> | null = null
    let checked = answer
    if (answer.action === 'accept') {
      const values = checkQuestionValues(dto.fields, answer.values)
      checked = { action: 'accept', values }
      masked = maskedAnswer(dto.fields, values)
    }
    const runner = this.#runnerOf(q.session_id)
    if (!runner?.alive) throw new ShepherdError('CONFLICT', 'the agent is no longer waiting for this answer')
    if (!(await runner.answerQuestion(questionId, checked, masked))) throw new ShepherdError('CONFLICT', 'this question was already answered')
    this.o.writer.flush()
    return questionToDTO(this.o.store.getQuestion(questionId)!, s0.project_id)
  }

  async answerApproval(approvalId: string, decision: ApprovalDecision): Promise<ApprovalDTO> {
    const a = this.o.store.getApproval(approvalId)
    if (!a) throw new ShepherdError('NOT_FOUND', `no approval ${approvalId}`)
    if (a.status !== 'pending') throw new ShepherdError('CONFLICT', `this approval was already ${a.status}`)
    const runner = this.#runnerOf(a.session_id)
    if (!runner?.alive) throw new ShepherdError('CONFLICT', 'the agent is no longer waiting for this approval')
    // Answered from two places at once (inbox and pane): the first takes it, the other is told.
    if (!(await runner.answerApproval(approvalId, decision))) throw new ShepherdError('CONFLICT', 'this approval was already answered')
    this.o.writer.flush()
    const s = this.#row(a.session_id)
    return approvalToDTO(this.o.store.getApproval(approvalId)!, s.project_id)
  }

  /** The check point asked before a prompt starts a turn (queued, follow-up, resumed). */
  setTurnGate(gate: ((sessionId: string) => boolean) | null): void {
    this.#turnGate = gate
  }

  /**
   * Budget cap reached: hold the session. The running turn is interrupted (or allowed to finish its
   * current tool call), queued prompts stay queued, no new turn starts. The process is not killed.
   */
  holdForBudget(id: string, opts: { finishToolCall: boolean; interrupt: boolean } = { finishToolCall: false, interrupt: true }): void {
    this.#held.add(id)
    this.#runnerOf(id)?.hold(opts)
  }

  /** Lift a budget hold: the next queued prompt starts (resuming the conversation if its process ended). */
  release(id: string): void {
    if (!this.#held.delete(id)) return
    const runner = this.#runnerOf(id)
    if (runner?.sleeping) {
      // Let the sleep finish, then wake it for what is queued (if anything).
      void runner.exited.then(() => {
        this.#held.add(id)
        this.release(id)
      })
      return
    }
    if (runner?.alive) return runner.release()
    const row = this.o.store.getSession(id)
    if (!row || this.#isLaunching(id) || this.#waiting.some((w) => w.id === id)) return
    if (this.#ev(id).queue.items.length === 0) return
    this.#launchOrQueue(id, { resumeId: row.cli_session_id, fork: this.#takeForkPending(id) }).catch(() => {
      /* status says error */
    })
  }

  pin(id: string, pinned: boolean): SessionDTO {
    this.#row(id)
    this.#ev(id).patch({ pinned: pinned ? 1 : 0 })
    return this.getSession(id)
  }

  rename(id: string, title: string): SessionDTO {
    this.#row(id)
    this.#ev(id).patch({ title: title.slice(0, 200) })
    return this.getSession(id)
  }

  async deleteSession(id: string): Promise<void> {
    const row = this.#row(id)
    await this.stop(id)
    this.o.writer.flush()
    this.o.store.deleteSession(id)
    this.#events.delete(id)
    this.o.hub.publish({ type: 'session.removed', sessionId: id, projectId: row.project_id })
  }

  /** Retention: keep the newest N and none older than D days; pinned and active sessions stay. */
  prune(projectId: string): string[] {
    const project = this.o.store.getProject(projectId)
    if (!project) throw new ShepherdError('NOT_FOUND', `no project with id ${projectId}`)
    const s = this.o.settings.get()
    const rows = this.o.store.listSessions(projectId)
    // An asleep session is an idle one whose process was stopped to save memory: kept like a live one.
    const asleep = new Set(rows.filter(isAsleep).map((r) => r.id))
    const removed = pruneProject(rows, {
      keep: project.retention_count ?? s.retentionCount,
      maxAgeDays: project.retention_days ?? s.retentionDays,
      isBusy: (id) => this.#runnerOf(id)?.alive === true || this.#isLaunching(id) || asleep.has(id) || this.o.keepOnPrune?.(id) === true
    })
    this.o.writer.flush()
    for (const id of removed) {
      this.o.store.deleteSession(id)
      this.#events.delete(id)
      this.o.hub.publish({ type: 'session.removed', sessionId: id, projectId })
    }
    return removed
  }

  async stopProject(projectId: string): Promise<void> {
    const ids = this.#allRunners()
      .filter((r) => r.projectId === projectId)
      .map((r) => r.sessionId)
    for (const w of [...this.#waiting]) if (this.o.store.getSession(w.id)?.project_id === projectId) ids.push(w.id)
    await Promise.all(ids.map((id) => this.stop(id)))
  }

  /** App quit: stop everything in parallel; resolves by the deadline even if a process hangs. */
  async shutdown(deadlineMs = 6000): Promise<void> {
    this.#shuttingDown = true
    if (this.#sleepTimer) clearTimeout(this.#sleepTimer)
    this.#sleepTimer = null
    for (const w of this.#waiting.splice(0)) this.#ev(w.id).status('interrupted', { code: 'app_closed', message: 'Shepherd was closed before it started' })
    // A process being put to sleep is let finish (the session stays asleep, resumable after the restart).
    const all = Promise.all(this.#allRunners().map((r) => (r.sleeping ? r.exited : r.stop())))
    let timer: ReturnType<typeof setTimeout> | undefined
    await Promise.race([
      all,
      new Promise((r) => {
        timer = setTimeout(r, deadlineMs)
      })
    ])
    clearTimeout(timer)
    this.o.writer.flush()
  }

  /**
   * Back-pressure from the database: while commits fail (disk full, locked) or lag, stop reading
   * agents' stdout — the OS pipe then blocks the agent — instead of queueing without bound.
   */
  setOutputPaused(paused: boolean): void {
    if (paused === this.#outputPaused) return
    this.#outputPaused = paused
    for (const r of this.#allRunners()) r.setOutputPaused(paused)
  }

  get liveCount(): number {
    return this.#allRunners().filter((r) => r.alive).length
  }

  // ---- internals ----------------------------------------------------------------------------

  #row(id: string): SessionRow {
    const row = this.o.store.getSession(id)
    if (!row) throw new ShepherdError('NOT_FOUND', `no session with id ${id}`)
    return row
  }

  #ev(id: string): Session {
    let ev = this.#events.get(id)
    if (!ev) {
      const row = this.#row(id)
      ev = new Session(id, row.project_id, this.o.store, this.o.writer, this.o.hub, (from, to) =>
        this.o.log?.(`session ${id}: refused status change ${from} → ${to}`)
      )
      this.#events.set(id, ev)
    }
    return ev
  }

  /** The live process of a session, if any (the session object owns it). */
  #runnerOf(id: string): SessionRunner | undefined {
    return this.#events.get(id)?.runner ?? undefined
  }

  #allRunners(): SessionRunner[] {
    const out: SessionRunner[] = []
    for (const s of this.#events.values()) if (s.runner) out.push(s.runner)
    return out
  }

  #isLaunching(id: string): boolean {
    return this.#events.get(id)?.launching === true
  }

  /** A fork made without a prompt forks (not resumes) on its first launch: read and clear the mark. */
  #takeForkPending(id: string): boolean {
    const s = this.#events.get(id)
    if (!s?.forkPending) return false
    s.forkPending = false
    return true
  }

  #provider(id: ProviderId): AgentProvider {
    const p = this.#providers.get(id)
    if (!p) throw new ShepherdError('BAD_REQUEST', `the ${id} provider is not available in this build`)
    return p
  }

  /**
   * Refuse a control the session's agent cannot do, with the agent's reason (its controls table).
   * Only a definite `no`: `depends` (a generic agent not asked yet) goes on to the agent, which
   * refuses with its own reason when it must.
   */
  #supports(row: SessionRow, control: ControlId): void {
    const p = this.#provider(row.provider as ProviderId)
    const c = p.controls[control]
    if (c.level === 'no') throw new ShepherdError('UNSUPPORTED', `${p.displayName}: ${c.note.replaceAll('`', '')}`)
  }

  /** The CLI's name on an SSH host's PATH; Claude Code and Codex run there so far. */
  #remoteCli(p: AgentProvider): string {
    if (p.id === 'claude') return 'claude'
    if (p.id === 'codex') return 'codex'
    // An ACP agent (e.g. `opencode acp`): the configured command's program, found on the host's PATH.
    const acp = p.id === 'acp' ? this.o.settings.get().providers.acp.command : undefined
    const program = acp?.[0]
    // A local absolute path means nothing on the host: its file name, looked up on the host's PATH.
    if (program) return program.startsWith('/') ? (program.split('/').pop() as string) : program
    throw new ShepherdError('UNSUPPORTED', `${p.displayName} does not run on SSH hosts yet (Claude Code, Codex and ACP agents such as \`opencode acp\` do).`)
  }

  #remoteSpawn(cwd: string): RemoteSpawn {
    if (!this.o.remoteHosts) throw new ShepherdError('UNAVAILABLE', 'SSH hosts are not available in this host')
    return { hosts: this.o.remoteHosts, location: parseRemoteLocation(cwd), graceS: this.o.settings.get().remoteGraceSeconds ?? DEFAULT_REMOTE_GRACE_S }
  }

  /** The agent's environment: allowlisted host variables, the provider's own, the user's extra ones (settings, then the session's). */
  #agentEnv(provider: AgentProvider, sessionExtra: Record<string, string>): Record<string, string> {
    const providerEnv: Record<string, string> = {}
    for (const k of provider.envPassthrough ?? []) {
      const v = this.o.hostEnv[k]
      if (typeof v === 'string') providerEnv[k] = v
    }
    return buildChildEnv({ parentEnv: this.o.hostEnv, providerEnv, extraEnv: { ...this.o.settings.get().extraEnv, ...sessionExtra } })
  }

  async #binary(p: AgentProvider): Promise<string> {
    // Starting needs only the path: running `--version` on every start would cost a process spawn.
    const d = await p.detect(this.o.settings.get().providers[p.id].cliPath, this.o.hostEnv.PATH ?? '', { version: false })
    if (!d.found || !d.path) throw new ShepherdError('AGENT_NOT_FOUND', `${p.displayName} was not found. ${d.installHint}`)
    return d.path
  }

  #busyTurns(): number {
    let n = 0
    for (const s of this.#events.values()) if (s.launching || (s.runner?.alive && s.runner.turnRunning)) n++
    return n
  }

  async #launchOrQueue(id: string, plan: LaunchPlan): Promise<void> {
    if (this.#shuttingDown) throw new ShepherdError('UNAVAILABLE', 'Shepherd is shutting down')
    if (this.#isLaunching(id) || this.#runnerOf(id)?.alive) throw new ShepherdError('CONFLICT', 'this session is already starting or running')
    if (this.#busyTurns() >= this.o.settings.get().maxConcurrentSessions) {
      // The prompt waits in the session's queue with any follow-ups; the launch delivers the oldest.
      const ev = this.#ev(id)
      if (plan.prompt !== undefined) ev.enqueuePrompt(plan.prompt)
      this.#waiting.push({ id, plan: { ...plan, prompt: undefined } })
      const max = this.o.settings.get().maxConcurrentSessions
      ev.status('queued', { code: 'waiting_for_slot', message: `waiting for a free slot (${max} agents already running)` })
      if (plan.waking) this.#waiting[this.#waiting.length - 1]!.plan.waking = true
      return
    }
    await this.#launch(id, plan)
  }

  async #launch(id: string, plan: LaunchPlan): Promise<void> {
    const ev = this.#ev(id)
    ev.launching = true
    let row = this.#row(id)
    try {
      ev.status('starting', plan.waking ? WAKING : null, { ended_at: null })
      const provider = this.#provider(row.provider as ProviderId)
      const remote = isRemoteLocation(row.cwd) ? this.#remoteSpawn(row.cwd) : null
      const binaryPath = remote ? this.#remoteCli(provider) : await this.#binary(provider)
      const env = this.#agentEnv(provider, extraEnvOf(row))
      if (plan.freshNote) ev.message({ kind: 'system', text: plan.freshNote })
      const handle = await provider.start({
        sessionId: id,
        cwd: remote ? remote.location.path : row.cwd,
        remote,
        model: row.model,
        permissionMode: row.permission_mode as PermissionMode,
        systemPrompt: row.system_prompt,
        env,
        binaryPath,
        resumeCliSessionId: plan.resumeId ?? null,
        fork: plan.fork ?? false
      })
      row = this.#row(id)
      const runner = new SessionRunner(id, row.project_id, row.provider, handle, ev, {
        onGone: (r) => this.#onGone(r),
        onTurn: () => {
          this.#drainWaiting()
          // After the turn's end status is set (the runner sets it right after this call).
          queueMicrotask(() => this.#scheduleSleep())
        },
        onCost: (r, delta, inT, outT) => {
          const p = this.o.store.getSession(r.sessionId)
          if (p) this.o.store.addDailyCost(new Date().toISOString().slice(0, 10), p.project_id, r.provider, delta, inT, outT)
        },
        beforeTurn: (r) => !this.#held.has(r.sessionId) && (this.#turnGate?.(r.sessionId) ?? true)
      })
      if (this.#held.has(id)) runner.hold({ finishToolCall: false, interrupt: false })
      // What this launch delivers first: its own prompt, or the oldest one that waited for the slot.
      const first = plan.prompt !== undefined ? plan.prompt : ev.nextPrompt()?.text
      if (plan.resumeId) runner.onEarlyExit = (exit) => this.#resumeFailed(id, { ...plan, prompt: first }, exit)
      ev.runner = runner
      if (this.#outputPaused) runner.setOutputPaused(true)
      const pid = handle.pid
      ev.patch({ pid, pid_start_time: pid ? processStartTime(pid) : null })
      ev.launching = false
      const waking = plan.waking && first !== undefined ? WAKING : null
      ev.status('idle', waking)
      runner.waking = waking
      this.#scheduleSleep()
      // Prompts queued behind it stay in the session's queue, one delivered per finished turn.
      if (first !== undefined && (await runner.send(first)) === 'queued' && waking) {
        // Held back (budget): awake and idle, the prompt waits in the queue.
        runner.waking = null
        ev.status('idle', null)
      }
    } catch (err) {
      ev.launching = false
      const message = err instanceof Error ? err.message : String(err)
      ev.status('error', { code: 'launch_failed', message }, {}, false, true)
      this.#drainWaiting()
      throw err
    }
  }

  /** A resume that died before the CLI started: the id is stale. Start fresh, say so, keep the prompt. */
  #resumeFailed(id: string, plan: LaunchPlan, exit: ProviderExit): boolean {
    const note = `Could not resume the agent's previous conversation${exit.stderrTail ? ` (${exit.stderrTail.trim().split('\n').pop()?.slice(0, 200)})` : ''}. Started a new conversation; the transcript above is kept here, but the agent does not remember it.`
    this.#ev(id).runner = null
    this.#ev(id).patch({ cli_session_id: null })
    queueMicrotask(() => {
      this.#launch(id, { prompt: plan.prompt, freshNote: note }).catch(() => {
        /* status already says error */
      })
    })
    return true
  }

  /**
   * The live process of a session, once any sleep under way is over: a sleeping runner's exit is
   * awaited and nothing is returned (the caller then wakes the session or only changes its row).
   */
  async #awakeRunner(id: string): Promise<SessionRunner | undefined> {
    const r = this.#runnerOf(id)
    if (!r?.sleeping) return r
    await r.exited
    const next = this.#runnerOf(id)
    return next === r ? undefined : next
  }

  /** Idle processes as the sleep policy sees them. */
  #idleProcesses(): IdleProcess[] {
    const out: IdleProcess[] = []
    for (const s of this.#events.values()) {
      const r = s.runner
      if (!r?.alive || r.sleeping || r.turnRunning || s.launching || s.current !== 'idle') continue
      const row = this.o.store.getSession(s.sessionId)
      if (!row) continue
      const provider = this.#providers.get(row.provider as ProviderId)
      // Sleeping must never lose anything: a conversation to resume, nothing pending, nothing queued.
      const canSleep = provider?.capabilities.resume === true && !!row.cli_session_id && !s.forkPending && s.pendingApprovalCount === 0 && s.queue.length === 0
      out.push({ id: s.sessionId, idleSince: s.since, canSleep })
    }
    return out
  }

  /** Put to sleep what the policy picks now, then plan the next check. Public for tests and the bench. */
  sleepIdle(now = Date.now()): string[] {
    if (this.#shuttingDown) return []
    const s = this.o.settings.get()
    const policy = { keep: s.idleAgentsKept, sleepAfterMs: s.sleepAfterIdleMs }
    const slept = pickSleepers(this.#idleProcesses(), now, policy).filter((id) => this.#runnerOf(id)?.sleep())
    this.#scheduleSleep()
    return slept
  }

  /**
   * One timer, for the next due sleep only: nothing polls (bench part 6). Re-planned when a turn ends,
   * a process starts, and when settings change (api/routers/settings.ts).
   */
  #scheduleSleep(): void {
    if (this.#shuttingDown) return
    if (this.#sleepTimer) clearTimeout(this.#sleepTimer)
    this.#sleepTimer = null
    const idle = this.#idleProcesses()
    if (idle.length === 0) return
    const s = this.o.settings.get()
    const due = nextSleepDue(idle, { keep: s.idleAgentsKept, sleepAfterMs: s.sleepAfterIdleMs })
    if (due === null) return
    const wait = Math.max(50, due - Date.now())
    this.#sleepTimer = setTimeout(() => {
      this.#sleepTimer = null
      this.sleepIdle()
    }, wait)
    this.#sleepTimer.unref?.()
  }

  #onGone(r: SessionRunner) {
    const s = this.#events.get(r.sessionId)
    if (s?.runner === r) s.runner = null
    const row = this.o.store.getSession(r.sessionId)
    if (row && r.lastExit?.disconnected && isRemoteLocation(row.cwd) && this.o.remoteHosts) {
      const loc = parseRemoteLocation(row.cwd)
      this.#disconnected.set(r.sessionId, hostKey(loc))
      // Reconnect now (the host's own backoff takes over when it fails); a live master resumes at once.
      this.o.remoteHosts.connect(loc).then(
        () => this.#resumeReconnected(hostKey(loc)),
        () => {}
      )
    }
    this.#drainWaiting()
  }

  #drainWaiting() {
    if (this.#shuttingDown) return
    while (this.#waiting.length && this.#busyTurns() < this.o.settings.get().maxConcurrentSessions) {
      const next = this.#waiting.shift()!
      this.#launch(next.id, next.plan).catch(() => {
        /* status already says error */
      })
    }
  }
}

/** Idle with its process stopped to save memory (the next prompt or resume wakes it). */
function isAsleep(row: SessionRow): boolean {
  if (row.status !== 'idle' || !row.status_reason) return false
  try {
    return (JSON.parse(row.status_reason) as { code?: string }).code === 'asleep'
  } catch {
    return false
  }
}

export function titleOf(prompt: string): string {
  const line = prompt.trim().split('\n')[0] ?? ''
  return line.length > TITLE_CHARS ? line.slice(0, TITLE_CHARS - 1) + '…' : line || 'New session'
}
