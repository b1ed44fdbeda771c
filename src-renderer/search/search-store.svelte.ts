/**
 * The "Search everywhere" view's state: query and filters, results as you type (debounced, stale
 * responses dropped), hits grouped by session in the order of their newest hit, "more" paging, and
 * the index build progress while an old database is still being indexed.
 */
import type { RouterInputs, RouterOutputs } from '../lib/api/client'

export type SearchInput = RouterInputs['search']['query']
export type SearchResult = RouterOutputs['search']['query']
export type SearchHit = SearchResult['hits'][number]
export type SearchSession = SearchResult['sessions'][number]
export type SearchKind = NonNullable<SearchInput['kinds']>[number]
export type IndexStatus = SearchResult['index']

export interface SearchApi {
  query(input: SearchInput): Promise<SearchResult>
  status(): Promise<IndexStatus>
}

export interface SearchGroup {
  session: SearchSession
  hits: SearchHit[]
}

/** Typing pauses this long before a query goes out. */
export const DEBOUNCE_MS = 120
export const PAGE = 50

export const KIND_LABELS: Record<SearchKind, string> = {
  prompts: 'Prompts',
  answers: 'Answers',
  thinking: 'Thinking',
  commands: 'Commands',
  paths: 'File paths',
  output: 'Output',
  errors: 'Errors'
}

export interface SearchFiltersState {
  projectId: string | null
  provider: SearchInput['provider'] | null
  kinds: SearchKind[]
  /** yyyy-mm-dd from date inputs, '' = open. */
  from: string
  to: string
}

export class SearchStore {
  query = $state('')
  filters = $state<SearchFiltersState>({ projectId: null, provider: null, kinds: [], from: '', to: '' })
  hits = $state.raw<SearchHit[]>([])
  sessions = $state.raw<Record<string, SearchSession>>({})
  next = $state<number | null>(null)
  loading = $state(false)
  error = $state<string | null>(null)
  index = $state.raw<IndexStatus | null>(null)
  /** The query the shown hits answer (empty before the first one). */
  shownQuery = $state('')

  readonly groups = $derived.by((): SearchGroup[] => {
    const by = new Map<string, SearchGroup>()
    for (const h of this.hits) {
      const session = this.sessions[h.sessionId]
      if (!session) continue
      let g = by.get(h.sessionId)
      if (!g) by.set(h.sessionId, (g = { session, hits: [] }))
      g.hits.push(h)
    }
    return [...by.values()]
  })

  #timer: ReturnType<typeof setTimeout> | null = null
  #generation = 0
  #statusTimer: ReturnType<typeof setTimeout> | null = null

  constructor(private readonly api: SearchApi) {}

  /** Call after any change of query or filters: runs the search after the debounce. */
  changed(): void {
    if (this.#timer) clearTimeout(this.#timer)
    this.#timer = setTimeout(() => {
      this.#timer = null
      void this.run()
    }, DEBOUNCE_MS)
  }

  toggleKind(k: SearchKind): void {
    this.filters.kinds = this.filters.kinds.includes(k) ? this.filters.kinds.filter((x) => x !== k) : [...this.filters.kinds, k]
    this.changed()
  }

  input(before: number | null = null): SearchInput {
    const f = this.filters
    const day = (s: string, end: boolean) => (s ? new Date(`${s}T${end ? '23:59:59.999' : '00:00:00'}`).getTime() : undefined)
    return {
      query: this.query,
      limit: PAGE,
      before,
      ...(f.projectId ? { projectId: f.projectId } : {}),
      ...(f.provider ? { provider: f.provider } : {}),
      ...(f.kinds.length ? { kinds: [...f.kinds] } : {}),
      ...(day(f.from, false) !== undefined ? { from: day(f.from, false) } : {}),
      ...(day(f.to, true) !== undefined ? { to: day(f.to, true) } : {})
    }
  }

  /** Search now (first page). An older response arriving late is dropped. */
  async run(): Promise<void> {
    const generation = ++this.#generation
    const q = this.query
    if (!q.trim()) {
      this.hits = []
      this.sessions = {}
      this.next = null
      this.error = null
      this.shownQuery = ''
      this.loading = false
      return
    }
    this.loading = true
    try {
      const r = await this.api.query(this.input())
      if (generation !== this.#generation) return
      this.hits = r.hits
      this.sessions = Object.fromEntries(r.sessions.map((s) => [s.id, s]))
      this.next = r.next
      this.error = null
      this.shownQuery = q
      this.#setIndex(r.index)
    } catch (err) {
      if (generation === this.#generation) this.error = err instanceof Error ? err.message : String(err)
    } finally {
      if (generation === this.#generation) this.loading = false
    }
  }

  /** The next page of hits for the same query and filters. */
  async more(): Promise<void> {
    if (this.next === null || this.loading) return
    const generation = this.#generation
    this.loading = true
    try {
      const r = await this.api.query(this.input(this.next))
      if (generation !== this.#generation) return
      this.hits = this.hits.concat(r.hits)
      this.sessions = { ...this.sessions, ...Object.fromEntries(r.sessions.map((s) => [s.id, s])) }
      this.next = r.next
    } finally {
      if (generation === this.#generation) this.loading = false
    }
  }

  /** Show the index build progress, polling until it is done. */
  async watchIndex(): Promise<void> {
    try {
      this.#setIndex(await this.api.status())
    } catch {
      /* shown on the next query */
    }
  }

  #setIndex(s: IndexStatus) {
    this.index = s
    if (this.#statusTimer) {
      clearTimeout(this.#statusTimer)
      this.#statusTimer = null
    }
    if (s.building) this.#statusTimer = setTimeout(() => void this.watchIndex(), 1000)
  }

  dispose(): void {
    this.#generation++
    if (this.#timer) clearTimeout(this.#timer)
    if (this.#statusTimer) clearTimeout(this.#statusTimer)
  }
}
