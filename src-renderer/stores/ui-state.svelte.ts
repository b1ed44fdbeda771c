/**
 * Renderer-owned state that must survive reloads and restarts: composer drafts, pane layout,
 * scroll positions, expanded items, notified keys. Writes are debounced and flushed on unload.
 */
export interface UiStateApi {
  uiAll(): Promise<Record<string, unknown>>
  uiSet(key: string, value: unknown): Promise<unknown>
}

/** Typing a draft must not cost a database write per keystroke; 300 ms still loses nothing on reload (flush on unload). */
export const UI_DEBOUNCE_MS = 300

export class UiState {
  #values = $state.raw<Record<string, unknown>>({})
  #dirty = new Set<string>()
  #timer: ReturnType<typeof setTimeout> | null = null
  loaded = $state(false)

  constructor(private readonly api: UiStateApi) {}

  async load(): Promise<void> {
    try {
      this.#values = { ...(await this.api.uiAll()), ...this.#pendingValues() }
    } finally {
      this.loaded = true
    }
  }

  get<T>(key: string, fallback: T): T {
    const v = this.#values[key]
    return v === undefined || v === null ? fallback : (v as T)
  }

  set(key: string, value: unknown): void {
    this.#values = { ...this.#values, [key]: value }
    this.#dirty.add(key)
    if (!this.#timer) this.#timer = setTimeout(() => void this.flush(), UI_DEBOUNCE_MS)
  }

  /** Write every dirty key now (called on `beforeunload` / `pagehide`, and by the debounce). */
  async flush(): Promise<void> {
    if (this.#timer) {
      clearTimeout(this.#timer)
      this.#timer = null
    }
    const keys = [...this.#dirty]
    this.#dirty.clear()
    await Promise.all(keys.map((k) => this.api.uiSet(k, this.#values[k] ?? null).catch((err: unknown) => console.warn(`could not save ${k}`, err))))
  }

  dispose(): void {
    void this.flush()
  }

  #pendingValues(): Record<string, unknown> {
    const out: Record<string, unknown> = {}
    for (const k of this.#dirty) out[k] = this.#values[k]
    return out
  }
}
