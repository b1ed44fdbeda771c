/**
 * App-wide toasts (bottom-right). Anyone can call `toasts.push({ kind, title, body, action })`.
 * Info and success toasts dismiss themselves; warnings and errors stay until closed, so a failure is
 * never missed. Timers pause while the pointer or focus is on a toast.
 */

export type ToastKind = 'info' | 'success' | 'warning' | 'error'

export interface ToastAction {
  label: string
  run: () => void | Promise<void>
}

export interface ToastInput {
  kind: ToastKind
  title: string
  body?: string
  action?: ToastAction
  /** Override auto-dismiss (ms); 0 = stay until closed. */
  timeoutMs?: number
}

export interface Toast extends ToastInput {
  id: number
}

/** Long enough to read two lines; short enough not to pile up. */
const AUTO_DISMISS_MS = 5_000
/** More than this and the oldest go: a burst of failures should not cover the window. */
const MAX_TOASTS = 5

export class Toasts {
  #items = $state.raw<Toast[]>([])
  #nextId = 1
  #timers = new Map<number, { handle: ReturnType<typeof setTimeout> | null; remaining: number; startedAt: number }>()

  get items(): readonly Toast[] {
    return this.#items
  }

  /** Show a toast; returns its id (for {@link dismiss}). Identical open toasts are not repeated. */
  push(input: ToastInput): number {
    const same = this.#items.find((t) => t.kind === input.kind && t.title === input.title && t.body === input.body)
    if (same) return same.id
    const toast: Toast = { ...input, id: this.#nextId++ }
    let next = this.#items.concat(toast)
    while (next.length > MAX_TOASTS) {
      const [oldest, ...rest] = next
      if (oldest) this.#clearTimer(oldest.id)
      next = rest
    }
    this.#items = next
    const timeout = input.timeoutMs ?? (input.kind === 'info' || input.kind === 'success' ? AUTO_DISMISS_MS : 0)
    if (timeout > 0) this.#startTimer(toast.id, timeout)
    return toast.id
  }

  /** Shorthand for an error toast from a caught exception message. */
  error(title: string, body?: string): number {
    return this.push({ kind: 'error', title, body })
  }

  success(title: string, body?: string): number {
    return this.push({ kind: 'success', title, body })
  }

  dismiss(id: number): void {
    this.#clearTimer(id)
    this.#items = this.#items.filter((t) => t.id !== id)
  }

  clear(): void {
    for (const id of this.#timers.keys()) this.#clearTimer(id)
    this.#items = []
  }

  /** Stop the countdown while the user reads or interacts with the toast. */
  pause(id: number): void {
    const t = this.#timers.get(id)
    if (!t?.handle) return
    clearTimeout(t.handle)
    t.handle = null
    t.remaining = Math.max(0, t.remaining - (Date.now() - t.startedAt))
  }

  resume(id: number): void {
    const t = this.#timers.get(id)
    if (!t || t.handle) return
    this.#startTimer(id, Math.max(t.remaining, 1_500))
  }

  #startTimer(id: number, ms: number): void {
    const handle = setTimeout(() => this.dismiss(id), ms)
    this.#timers.set(id, { handle, remaining: ms, startedAt: Date.now() })
  }

  #clearTimer(id: number): void {
    const t = this.#timers.get(id)
    if (t?.handle) clearTimeout(t.handle)
    this.#timers.delete(id)
  }
}

export const toasts = new Toasts()
