import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { ProviderDraft } from '../providers/types'
import { DraftThrottle } from './draft-throttle'

const d = (text: string): ProviderDraft => ({ kind: 'assistant', text })

describe('DraftThrottle', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  it('pushes the first draft at once, then only the newest once per interval', () => {
    const pushed: (ProviderDraft | null)[] = []
    const t = new DraftThrottle(
      (x) => pushed.push(x),
      100,
      () => Date.now()
    )
    t.offer(d('a'))
    expect(pushed).toEqual([d('a')])
    for (const s of ['ab', 'abc', 'abcd']) t.offer(d(s))
    expect(pushed).toHaveLength(1)
    vi.advanceTimersByTime(100)
    expect(pushed).toEqual([d('a'), d('abcd')])
    // 1 000 chunks in one second: about ten pushes, the last one the whole text.
    for (let i = 0; i < 1000; i++) {
      t.offer(d('x'.repeat(i + 1)))
      vi.advanceTimersByTime(1)
    }
    vi.advanceTimersByTime(100)
    expect(pushed.length).toBeLessThanOrEqual(13)
    expect(pushed.at(-1)).toEqual(d('x'.repeat(1000)))
  })

  it('cancel drops the waiting draft (a message replaced it); a null draft is pushed like any other', () => {
    const pushed: (ProviderDraft | null)[] = []
    const t = new DraftThrottle(
      (x) => pushed.push(x),
      100,
      () => Date.now()
    )
    t.offer(d('a'))
    t.offer(d('ab'))
    t.cancel()
    vi.advanceTimersByTime(500)
    expect(pushed).toEqual([d('a')])
    t.offer(null)
    expect(pushed).toEqual([d('a'), null])
  })
})
