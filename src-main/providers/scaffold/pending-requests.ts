/**
 * Requests we sent an agent and wait to have answered (Claude Code control requests, Codex
 * app-server JSON-RPC, ACP JSON-RPC): each is keyed by its id, fails after its timeout, fails at once
 * when its write fails, and fails when the process is gone. The answer settles it synchronously
 * while its line is handled, so whatever the agent printed before the answer is processed first.
 */

export type Settle = (err: Error | null, result: unknown) => void

export interface PendingRequest {
  label: string
  settle: Settle
}

interface Entry extends PendingRequest {
  timer: NodeJS.Timeout | null
}

export class PendingRequests<K extends string | number = string | number> {
  readonly #pending = new Map<K, Entry>()
  #closedWith: Error | null = null

  get size(): number {
    return this.#pending.size
  }
  /** Why new requests fail (the process is gone), or null. */
  get closedWith(): Error | null {
    return this.#closedWith
  }

  /**
   * Wait for the answer to request `id` (`label` names it in errors), sent by `send`. With a
   * timeout, `onTimeout` makes the error. `settle` is called exactly once.
   */
  open(id: K, label: string, settle: Settle, send: () => Promise<void>, timeoutMs: number | null, onTimeout: (label: string, ms: number) => Error): void {
    if (this.#closedWith) return settle(this.#closedWith, null)
    const timer = timeoutMs
      ? setTimeout(() => {
          if (this.#pending.get(id)?.timer !== timer) return
          this.#pending.delete(id)
          settle(onTimeout(label, timeoutMs), null)
        }, timeoutMs)
      : null
    this.#pending.set(id, { label, settle, timer })
    send().catch((err: Error) => this.take(id)?.settle(err, null))
  }

  /** `open` as a promise. */
  request<T = unknown>(id: K, label: string, send: () => Promise<void>, timeoutMs: number | null, onTimeout: (label: string, ms: number) => Error): Promise<T> {
    return new Promise<T>((resolve, reject) => this.open(id, label, (err, result) => (err ? reject(err) : resolve(result as T)), send, timeoutMs, onTimeout))
  }

  /** The request answered by `id`, no longer pending (its timer stopped); undefined when unknown. */
  take(id: K): PendingRequest | undefined {
    const e = this.#pending.get(id)
    if (!e) return undefined
    this.#pending.delete(id)
    if (e.timer) clearTimeout(e.timer)
    return e
  }

  /** The process is gone: fail every request still waiting; later ones fail at once with `reason`. */
  close(reason: Error, each: (label: string) => Error = () => reason): void {
    this.#closedWith ??= reason
    for (const id of [...this.#pending.keys()]) {
      const e = this.take(id)
      e?.settle(each(e.label), null)
    }
  }
}
