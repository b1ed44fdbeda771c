import { afterEach, describe, expect, it, vi } from 'vitest'
import type { ChangesDTO, WorktreeDTO } from '../../src-main/shared/worktrees'
import { ChangesStore, REFRESH_DEBOUNCE_MS, type ChangesApi } from './changes-store.svelte'

const wt: WorktreeDTO = {
  sessionId: 's1',
  projectId: 'p',
  path: '/w',
  branch: 'shepherd/x-1',
  baseBranch: 'main',
  baseCommit: 'abc',
  state: 'ready',
  note: null,
  mergedHead: null
}
const changes = (n: number): ChangesDTO => ({
  sessionId: 's1',
  files: Array.from({ length: n }, (_, i) => ({
    path: `f${i}`,
    oldPath: null,
    status: 'added',
    added: 1,
    removed: 0,
    binary: false,
    uncommitted: true,
    untracked: true
  })),
  added: n,
  removed: 0,
  uncommitted: n,
  missing: false,
  message: null
})

function fakeApi(record: WorktreeDTO | null) {
  let n = 0
  const api = {
    worktree: vi.fn(async () => record),
    changes: vi.fn(async () => changes(++n)),
    diff: vi.fn()
  } satisfies ChangesApi
  return api
}

afterEach(() => vi.useRealTimers())

describe('ChangesStore', () => {
  it('a session without a worktree never asks for changes (no git)', async () => {
    const api = fakeApi(null)
    const s = new ChangesStore('s1', api)
    await s.load()
    s.poke()
    expect(s.known).toBe(true)
    expect(api.changes).not.toHaveBeenCalled()
  })

  it('tool results in a burst cause one read after the quiet period', async () => {
    vi.useFakeTimers()
    const api = fakeApi(wt)
    const s = new ChangesStore('s1', api)
    await s.load()
    expect(api.changes).toHaveBeenCalledTimes(1)
    for (let i = 0; i < 20; i++) {
      s.poke()
      await vi.advanceTimersByTimeAsync(REFRESH_DEBOUNCE_MS / 4)
    }
    expect(api.changes).toHaveBeenCalledTimes(1)
    await vi.advanceTimersByTimeAsync(REFRESH_DEBOUNCE_MS)
    expect(api.changes).toHaveBeenCalledTimes(2)
    expect(s.fileCount).toBe(2)
  })

  it('refreshes while one runs queue exactly one more', async () => {
    const api = fakeApi(wt)
    const s = new ChangesStore('s1', api)
    await s.load()
    await Promise.all([s.refresh(), s.refresh(), s.refresh(), s.refresh()])
    expect(api.changes).toHaveBeenCalledTimes(3)
  })
})
