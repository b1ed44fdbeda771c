/**
 * The event side of an AgentHandle, shared by every provider: events emitted before the supervisor
 * attached its listener are kept and replayed to the first listener; the exit is reported once
 * (late listeners get it on a microtask); a throwing listener is logged and never breaks the stream.
 */
import type { ProviderEvent, ProviderExit } from './types'

export class HandleEvents {
  readonly #listeners: ((event: ProviderEvent) => void)[] = []
  readonly #exitListeners: ((exit: ProviderExit) => void)[] = []
  /** Events produced before the first listener registered. */
  #backlog: ProviderEvent[] | null = []
  #exit: ProviderExit | null = null

  /** `label` prefixes log lines (e.g. "claude"). */
  constructor(private readonly label: string) {}

  /** The reported exit, or null while the process runs. */
  get exit(): ProviderExit | null {
    return this.#exit
  }

  onEvent(listener: (event: ProviderEvent) => void): void {
    this.#listeners.push(listener)
    const backlog = this.#backlog
    this.#backlog = null
    for (const event of backlog ?? []) this.#deliver(listener, event)
  }

  onExit(listener: (exit: ProviderExit) => void): void {
    const exit = this.#exit
    if (exit) queueMicrotask(() => listener(exit))
    else this.#exitListeners.push(listener)
  }

  emit(event: ProviderEvent): void {
    if (this.#backlog) {
      this.#backlog.push(event)
      return
    }
    for (const listener of this.#listeners) this.#deliver(listener, event)
  }

  /** Record the exit and tell every exit listener, once. */
  exited(exit: ProviderExit): void {
    this.#exit = exit
    for (const listener of this.#exitListeners.splice(0)) {
      try {
        listener(exit)
      } catch (err) {
        console.error(`[${this.label}] exit listener threw`, err)
      }
    }
  }

  #deliver(listener: (event: ProviderEvent) => void, event: ProviderEvent): void {
    try {
      listener(event)
    } catch (err) {
      // A buggy listener must not break framing for the others (or crash main from a stream callback).
      console.error(`[${this.label}] event listener threw`, err)
    }
  }
}
