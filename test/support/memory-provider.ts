/** An in-memory provider for supervisor unit tests: the test drives what the "agent" emits. */
import type { QuestionAnswer } from '../../src-main/shared/questions'
import { CLAUDE_CONTROLS, CLAUDE_PERMISSION_MODES } from '../../src-main/providers/claude/controls'
import type { ProviderControls } from '../../src-main/shared/controls'
import type { AgentHandle, AgentProvider, ApprovalDecision, ProviderEvent, ProviderExit, StartOptions } from '../../src-main/providers/types'
import type { PermissionMode } from '../../src-main/shared/status'

export class MemoryHandle implements AgentHandle {
  pid: number | null = null
  sent: string[] = []
  controls: string[] = []
  answers: { requestId: string; decision: ApprovalDecision }[] = []
  questionAnswers: { requestId: string; answer: QuestionAnswer }[] = []
  pauseOutput?: () => void
  resumeOutput?: () => void
  #ev: ((e: ProviderEvent) => void)[] = []
  #exit: ((e: ProviderExit) => void)[] = []
  #exited = false
  constructor(readonly opts: StartOptions) {}
  async send(prompt: string) {
    this.sent.push(prompt)
  }
  async interrupt() {
    this.controls.push('interrupt')
  }
  async setModel(model: string | null) {
    this.controls.push(`model:${model}`)
  }
  async setPermissionMode(mode: PermissionMode) {
    this.controls.push(`mode:${mode}`)
  }
  async answerQuestion(requestId: string, answer: QuestionAnswer) {
    this.questionAnswers.push({ requestId, answer })
  }
  async answerApproval(requestId: string, decision: ApprovalDecision) {
    this.answers.push({ requestId, decision })
  }
  async stop(): Promise<ProviderExit> {
    this.controls.push('stop')
    const e = { code: null, signal: 'SIGTERM', stderrTail: '' }
    this.exit(e)
    return e
  }
  onEvent(l: (e: ProviderEvent) => void) {
    this.#ev.push(l)
  }
  onExit(l: (e: ProviderExit) => void) {
    this.#exit.push(l)
  }
  emit(...events: ProviderEvent[]) {
    for (const e of events) for (const l of this.#ev) l(e)
  }
  exit(e: ProviderExit = { code: 0, signal: null, stderrTail: '' }) {
    if (this.#exited) return
    this.#exited = true
    for (const l of this.#exit) l(e)
  }
}

export class MemoryProvider implements AgentProvider {
  readonly id = 'claude' as const
  readonly displayName = 'Memory agent'
  readonly capabilities = { interrupt: true, setModel: true, setPermissionMode: true, approvals: true, resume: true, fork: true, costKnown: true }
  controls: ProviderControls = CLAUDE_CONTROLS
  readonly permissionModes = CLAUDE_PERMISSION_MODES
  handles: MemoryHandle[] = []
  found = true
  async detect() {
    return { found: this.found, path: this.found ? '/bin/true' : null, version: '1.0', installHint: 'npm install -g memory-agent' }
  }
  async start(opts: StartOptions) {
    const h = new MemoryHandle(opts)
    this.handles.push(h)
    return h
  }
  get last(): MemoryHandle {
    const h = this.handles[this.handles.length - 1]
    if (!h) throw new Error('no handle started')
    return h
  }
}
