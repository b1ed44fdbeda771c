/** The colour theme: the user's choice (system, light, dark; saved in the UI state) and what it comes to now. */
import type { UiState } from './ui-state.svelte'

export type ThemePreference = 'system' | 'light' | 'dark'

const UI_THEME = 'theme'

function isTheme(v: unknown): v is ThemePreference {
  return v === 'system' || v === 'light' || v === 'dark'
}

export class Theme {
  #preference = $state<ThemePreference>('system')
  #systemDark = $state(false)
  #mq: MediaQueryList | null = null
  #onSystemChange = (e: MediaQueryListEvent) => (this.#systemDark = e.matches)

  readonly effective = $derived<'light' | 'dark'>(this.#preference === 'system' ? (this.#systemDark ? 'dark' : 'light') : this.#preference)

  constructor(private readonly ui: UiState) {}

  get preference(): ThemePreference {
    return this.#preference
  }

  /** Read the saved choice, apply it and follow the system's light/dark switch. */
  init(): void {
    this.#mq = window.matchMedia('(prefers-color-scheme: dark)')
    this.#systemDark = this.#mq.matches
    this.#mq.addEventListener('change', this.#onSystemChange)
    const saved = this.ui.get<unknown>(UI_THEME, null)
    if (isTheme(saved)) this.#preference = saved
    this.#apply()
  }

  set(theme: ThemePreference): void {
    this.#preference = theme
    this.#apply()
    this.ui.set(UI_THEME, theme)
    void this.ui.flush()
  }

  dispose(): void {
    this.#mq?.removeEventListener('change', this.#onSystemChange)
  }

  #apply(): void {
    const root = document.documentElement
    if (this.#preference === 'system') delete root.dataset.theme
    else root.dataset.theme = this.#preference
  }
}
