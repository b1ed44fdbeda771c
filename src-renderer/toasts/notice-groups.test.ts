import { afterEach, describe, expect, it, vi } from 'vitest'
import type { Notice } from '../stores/api'
import { GROUP_MAX_MS, NoticeGroups, type GroupedNotice } from './notice-groups'

const notice = (i: number, kind: Notice['kind'] = 'completed'): Notice => ({
  kind,
  key: `s${i}:${kind}`,
  title: `Proj ${i}: done`,
  body: `task ${i}`,
  projectId: `p${i}`,
  sessionId: `s${i}`
})

afterEach(() => vi.useRealTimers())

describe('NoticeGroups', () => {
  it('ten notices of a kind within seconds → one group; a lone one stays itself; kinds apart', () => {
    vi.useFakeTimers()
    const out: GroupedNotice[] = []
    const g = new NoticeGroups((x) => out.push(x))
    for (let i = 0; i < 10; i++) {
      g.push(notice(i))
      vi.advanceTimersByTime(400)
    }
    g.push(notice(99, 'error'))
    vi.advanceTimersByTime(2000)
    expect(out.map((x) => [x.kind, x.title, x.notices.length, x.single === null])).toEqual([
      ['completed', '10 sessions finished', 10, true],
      ['error', 'Proj 99: done', 1, false]
    ])
    expect(out[0]!.body).toBe('Proj 0: task 0, Proj 1: task 1, Proj 2: task 2 and 7 more')
    g.push(notice(50))
    vi.advanceTimersByTime(1600)
    expect(out.at(-1)!.single?.key).toBe('s50:completed')
  })

  it('a notice withdrawn while it waits for its group never shows (an approval answered at once)', () => {
    vi.useFakeTimers()
    const out: GroupedNotice[] = []
    const g = new NoticeGroups((x) => out.push(x))
    g.push(notice(1, 'approval'))
    vi.advanceTimersByTime(300)
    expect(g.drop('s1:approval')).toBe(true)
    g.push(notice(2, 'approval'))
    g.push(notice(3, 'approval'))
    expect(g.drop('s3:approval')).toBe(true)
    vi.advanceTimersByTime(2000)
    expect(out.map((x) => x.key)).toEqual(['s2:approval'])
    expect(g.drop('s2:approval')).toBe(false)
  })

  it('a steady stream is still shown, at most GROUP_MAX_MS after its first notice', () => {
    vi.useFakeTimers()
    const out: GroupedNotice[] = []
    const g = new NoticeGroups((x) => out.push(x))
    for (let t = 0; t <= GROUP_MAX_MS + 1000; t += 1000) {
      g.push(notice(t))
      vi.advanceTimersByTime(1000)
    }
    expect(out.length).toBeGreaterThanOrEqual(1)
    expect(out[0]!.notices.length).toBeLessThanOrEqual(GROUP_MAX_MS / 1000 + 1)
  })
})
