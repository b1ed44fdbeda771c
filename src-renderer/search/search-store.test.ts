import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { DEBOUNCE_MS, SearchStore, type SearchApi, type SearchInput, type SearchResult } from './search-store.svelte'

const session = (id: string, title: string) => ({
  id,
  projectId: 'p1',
  projectName: 'P',
  provider: 'claude' as const,
  title,
  createdAt: 1,
  lastActivityAt: 2,
  archived: false,
  status: 'done'
})
const idle = { building: false, done: 0, total: 0, startedAt: 0, finishedAt: 1 }

function fakeApi(answer: (input: SearchInput) => SearchResult | Promise<SearchResult>) {
  const calls: SearchInput[] = []
  const api: SearchApi = {
    async query(input) {
      calls.push(input)
      return answer(input)
    },
    async status() {
      return idle
    }
  }
  return { api, calls }
}

beforeEach(() => {
  vi.useFakeTimers()
})
afterEach(() => {
  vi.useRealTimers()
})

describe('SearchStore', () => {
  it('debounces typing into one query and groups hits by session in order of their newest hit', async () => {
    const { api, calls } = fakeApi(() => ({
      hits: [
        { sessionId: 'a', seq: 9, kind: 'assistant', createdAt: 9, snippet: 'x' },
        { sessionId: 'b', seq: 5, kind: 'user', createdAt: 8, snippet: 'y' },
        { sessionId: 'a', seq: 2, kind: 'tool_result', createdAt: 2, snippet: 'z' }
      ],
      sessions: [session('a', 'A'), session('b', 'B')],
      next: 2,
      index: idle
    }))
    const s = new SearchStore(api)
    for (const q of ['r', 're', 'ref']) {
      s.query = q
      s.changed()
      await vi.advanceTimersByTimeAsync(DEBOUNCE_MS / 2)
    }
    await vi.advanceTimersByTimeAsync(DEBOUNCE_MS)
    expect(calls.map((c) => c.query)).toEqual(['ref'])
    expect(s.groups.map((g) => [g.session.id, g.hits.map((h) => h.seq)])).toEqual([
      ['a', [9, 2]],
      ['b', [5]]
    ])
    expect(s.next).toBe(2)
    s.dispose()
  })

  it('drops a slower, older response; empty query clears', async () => {
    let release!: (r: SearchResult) => void
    const { api } = fakeApi((input) =>
      input.query === 'slow'
        ? new Promise<SearchResult>((r) => {
            release = r
          })
        : { hits: [{ sessionId: 'a', seq: 1, kind: 'user', createdAt: 1, snippet: 'fast' }], sessions: [session('a', 'A')], next: null, index: idle }
    )
    const s = new SearchStore(api)
    s.query = 'slow'
    const first = s.run()
    s.query = 'fast'
    await s.run()
    release({ hits: [{ sessionId: 'a', seq: 99, kind: 'user', createdAt: 1, snippet: 'slow' }], sessions: [session('a', 'A')], next: null, index: idle })
    await first
    expect(s.hits.map((h) => h.snippet)).toEqual(['fast'])
    s.query = '  '
    await s.run()
    expect(s.hits).toEqual([])
    s.dispose()
  })

  it('sends filters: project, agent, kinds and a whole-day date range', async () => {
    const { api, calls } = fakeApi(() => ({ hits: [], sessions: [], next: null, index: idle }))
    const s = new SearchStore(api)
    s.query = 'x'
    s.filters.projectId = 'p1'
    s.filters.provider = 'codex'
    s.toggleKind('errors')
    s.toggleKind('commands')
    s.toggleKind('errors')
    s.filters.from = '2026-01-02'
    s.filters.to = '2026-01-02'
    await s.run()
    const c = calls.at(-1)!
    expect(c).toMatchObject({ query: 'x', projectId: 'p1', provider: 'codex', kinds: ['commands'] })
    expect(c.to! - c.from!).toBe(24 * 3600_000 - 1)
    s.dispose()
  })
})
