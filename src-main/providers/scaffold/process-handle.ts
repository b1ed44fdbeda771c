/**
 * The plumbing every handle of a spawned, line-speaking agent process shares: spawning it in its own
 * process group, framing its stdout into lines, pid and start time, stdout back-pressure (BP-6 in
 * docs/fault-catalogue.md: while commits fail, stop reading stdout and the pipe blocks the agent),
 * and the event side (`HandleEvents`). A provider's handle extends this and writes its protocol:
 * `onLine` / `finish`, send, interrupt, model / mode changes, approvals, stop.
 */
import { HandleEvents } from '../handle-events'
import { LineSplitter } from '../line-splitter'
import { spawnManaged, type ManagedProcess } from '../process'
import { spawnRemote, type RemoteSpawn } from '../../remote/spawn'
import type { ProviderEvent, ProviderExit } from '../types'
import { cliWarningOf } from '../stderr-warnings'

export abstract class ProcessHandle {
  protected proc: ManagedProcess | null = null
  protected readonly events: HandleEvents
  /** stdout, one line at a time, to `onLine` (an oversized line is reported, not buffered). */
  protected readonly splitter = new LineSplitter({
    onLine: (line) => this.onLine(line),
    onLineTooLarge: (bytes, head) => this.emit({ kind: 'raw', stream: 'line_too_large', data: JSON.stringify({ bytes, head }) })
  })

  /** stderr lines, for the warnings that matter to the user (`cliWarningOf`); long lines are skipped. */
  private readonly stderrLines = new LineSplitter({ onLine: (line) => this.onStderrLine(line), onLineTooLarge: () => {} })
  private displayName = 'The agent'
  /** Warnings already reported by this process (each once). */
  private readonly warned = new Set<string>()

  /** `label` prefixes log lines (e.g. "claude"). */
  constructor(label: string) {
    this.events = new HandleEvents(label)
  }

  /** One complete stdout line. */
  protected abstract onLine(line: string): void
  /** The process is gone (called once, after its last line). */
  protected abstract finish(exit: ProviderExit): void

  /**
   * Spawn the agent (throws ShepherdError 'AGENT_NOT_FOUND' | 'SPAWN_FAILED'); its stdout feeds `onLine`, its exit `finish`.
   * With `remote`, the CLI (`binaryPath` is then its name on the host's PATH) runs on an SSH host in `remote.location.path`.
   */
  protected async launch(
    binaryPath: string,
    argv: readonly string[],
    o: { cwd: string; env: Record<string, string>; displayName: string; installHint: string; remote?: RemoteSpawn | null }
  ): Promise<ManagedProcess> {
    this.displayName = o.displayName
    const onStdout = (chunk: Buffer) => this.splitter.push(chunk)
    const onStderr = (chunk: Buffer) => this.stderrLines.push(chunk)
    const { remote, ...local } = o
    const proc = remote
      ? await spawnRemote(remote, binaryPath, argv, { ...local, onStdout, onStderr })
      : await spawnManaged(binaryPath, [...argv], { ...local, onStdout, onStderr })
    this.proc = proc
    void proc.exited.then((exit) => this.finish(exit))
    return proc
  }

  get pid(): number | null {
    return this.proc?.pid ?? null
  }

  /** Linux process start time (see process.ts), for the orphan sweep. */
  get startTime(): number | null {
    return this.proc?.startTime ?? null
  }

  /** The reported exit, or null while the process runs. */
  protected get exit(): ProviderExit | null {
    return this.events.exit
  }

  pauseOutput(): void {
    this.proc?.pauseStdout()
  }

  resumeOutput(): void {
    this.proc?.resumeStdout()
  }

  onEvent(listener: (event: ProviderEvent) => void): void {
    this.events.onEvent(listener)
  }

  onExit(listener: (exit: ProviderExit) => void): void {
    this.events.onExit(listener)
  }

  /** A stderr line that says the agent runs degraded becomes a `cli_warning` (the runner shows each once). */
  protected onStderrLine(line: string): void {
    const warning = cliWarningOf(line)
    if (!warning || this.warned.has(warning) || this.warningAlreadyShown(warning)) return
    this.warned.add(warning)
    this.emit({ kind: 'cli_warning', text: `${this.displayName} warns: ${warning}` })
  }

  /** A provider that reports the same warning over its protocol too says so here (no second row). */
  protected warningAlreadyShown(_warning: string): boolean {
    return false
  }

  protected emit(event: ProviderEvent): void {
    this.events.emit(event)
  }
}
