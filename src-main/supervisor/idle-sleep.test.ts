import { describe, expect, it } from 'vitest'
import { nextSleepDue, pickSleepers, type IdleProcess } from './idle-sleep'

const MIN = 60_000
const p = (id: string, idleSince: number, canSleep = true): IdleProcess => ({ id, idleSince, canSleep })

describe('idle sleep policy (LRU)', () => {
  it('keeps the N most recently used and puts the others to sleep once idle long enough, least recently used first', () => {
    const now = 100 * MIN
    const idle = [p('c', now - 30 * MIN), p('a', now - 50 * MIN), p('e', now - 1 * MIN), p('b', now - 40 * MIN), p('d', now - 20 * MIN)]
    expect(pickSleepers(idle, now, { keep: 2, sleepAfterMs: 10 * MIN })).toEqual(['a', 'b', 'c'])
    expect(pickSleepers(idle, now, { keep: 0, sleepAfterMs: 10 * MIN })).toEqual(['a', 'b', 'c', 'd'])
    expect(pickSleepers(idle, now, { keep: 5, sleepAfterMs: 10 * MIN })).toEqual([])
  })

  it('waits for the idle time: beyond the bound but recently used stays awake', () => {
    const now = 100 * MIN
    const idle = [p('old', now - 11 * MIN), p('fresh', now - 2 * MIN), p('newest', now - 1 * MIN)]
    expect(pickSleepers(idle, now, { keep: 1, sleepAfterMs: 10 * MIN })).toEqual(['old'])
    expect(pickSleepers(idle, now + 8 * MIN, { keep: 1, sleepAfterMs: 10 * MIN })).toEqual(['old', 'fresh'])
    // Exactly at the idle time counts as due.
    expect(pickSleepers(idle, now - 1 * MIN, { keep: 1, sleepAfterMs: 10 * MIN })).toEqual(['old'])
  })

  it('never picks a process that cannot resume; it takes a place of the bound first', () => {
    const now = 100 * MIN
    const idle = [p('acp-no-resume', now - 90 * MIN, false), p('x', now - 30 * MIN), p('y', now - 20 * MIN)]
    // keep 2: the one that cannot sleep holds a place, so only y stays among those that can.
    expect(pickSleepers(idle, now, { keep: 2, sleepAfterMs: MIN })).toEqual(['x'])
    expect(pickSleepers([p('z', 0, false)], now, { keep: 0, sleepAfterMs: 0 })).toEqual([])
  })

  it('does not depend on the order it is given (ties broken by id)', () => {
    const now = 10 * MIN
    const a = [p('b', 0), p('a', 0), p('c', 0)]
    const b = [p('c', 0), p('a', 0), p('b', 0)]
    expect(pickSleepers(a, now, { keep: 1, sleepAfterMs: MIN })).toEqual(pickSleepers(b, now, { keep: 1, sleepAfterMs: MIN }))
    expect(pickSleepers(a, now, { keep: 1, sleepAfterMs: MIN })).toEqual(['c', 'b'])
  })

  it('tells when the next sleep is due (null when the bound holds everyone)', () => {
    const idle = [p('a', 1000), p('b', 5000), p('c', 9000)]
    expect(nextSleepDue(idle, { keep: 1, sleepAfterMs: 100 })).toBe(1100)
    expect(nextSleepDue(idle, { keep: 3, sleepAfterMs: 100 })).toBeNull()
    expect(nextSleepDue([p('a', 1000, false)], { keep: 0, sleepAfterMs: 100 })).toBeNull()
  })
})
