/**
 * Which transcript items of one session the user opened or closed (thinking blocks, tool inputs,
 * full tool output, collapsed sub-agents), kept in UI state so it survives reloads.
 *
 * Keys: `t:<seq>` thinking open, `i:<seq>` tool input open, `r:<seq>` full output shown,
 * `c:<toolUseId>` sub-agent collapsed.
 */
import type { UiState } from '../stores/ui-state.svelte'

/** More than this and the oldest entries go: it is a convenience, not data. */
const MAX_KEYS = 400

export class Expansion {
  #keys = $state.raw<ReadonlySet<string>>(new Set())
  readonly #uiKey: string

  constructor(
    private readonly ui: UiState,
    sessionId: string
  ) {
    this.#uiKey = `expanded:${sessionId}`
    this.#keys = new Set(ui.get<string[]>(this.#uiKey, []))
  }

  has(key: string): boolean {
    return this.#keys.has(key)
  }

  /** The collapsed sub-agent ids (tool_use ids), for row building. */
  get collapsedCalls(): ReadonlySet<string> {
    const out = new Set<string>()
    for (const k of this.#keys) if (k.startsWith('c:')) out.add(k.slice(2))
    return out
  }

  set(key: string, on: boolean): void {
    if (this.#keys.has(key) === on) return
    const next = new Set(this.#keys)
    if (on) next.add(key)
    else next.delete(key)
    this.#keys = next
    this.ui.set(this.#uiKey, [...next].slice(-MAX_KEYS))
  }

  toggle(key: string): void {
    this.set(key, !this.#keys.has(key))
  }
}
