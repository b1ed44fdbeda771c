import { describe, expect, it } from 'vitest'
import { DEFAULT_GLOBAL_BUDGET, effectiveCaps, evaluate, globalBudgetSchema, nearAnyCap, projectBudgetSchema, warningKey, type Spend } from './budget-rules'
import { dayMinus, localDay, nextLocalMidnight } from './day'

const spend = (p: Partial<Spend>): Spend => ({
  sessionUsd: 0,
  sessionTokens: 0,
  projectDayUsd: 0,
  projectDayTokens: 0,
  globalDayUsd: 0,
  globalDayTokens: 0,
  costKnown: true,
  ...p
})

describe('budget rules', () => {
  it('warns at the threshold (default 80 %) and is over at the cap', () => {
    const caps = { ...DEFAULT_GLOBAL_BUDGET, sessionUsd: 10 }
    expect(evaluate(spend({ sessionUsd: 7.99 }), caps)).toMatchObject({ over: [], warn: [] })
    expect(evaluate(spend({ sessionUsd: 8 }), caps).warn).toHaveLength(1)
    const v = evaluate(spend({ sessionUsd: 10 }), caps)
    expect(v.over).toEqual([{ scope: 'session', unit: 'usd', spent: 10, cap: 10, ratio: 1 }])
    expect(v.warn).toEqual([])
    expect(evaluate(spend({ sessionUsd: 6 }), { ...caps, warnPercent: 50 }).warn).toHaveLength(1)
  })

  it('holds cost-reporting agents to USD caps and token-only agents (Codex) to token caps', () => {
    const caps = { ...DEFAULT_GLOBAL_BUDGET, sessionUsd: 1, sessionTokens: 1000, globalDayTokens: 5000 }
    expect(evaluate(spend({ sessionUsd: 2, sessionTokens: 10 }), caps).over.map((c) => c.unit)).toEqual(['usd'])
    expect(evaluate(spend({ costKnown: false, sessionUsd: 0, sessionTokens: 1500 }), caps).over.map((c) => c.unit)).toEqual(['tokens'])
    // A USD cap alone never applies to a token-only agent.
    expect(evaluate(spend({ costKnown: false, sessionTokens: 10 ** 9 }), { ...DEFAULT_GLOBAL_BUDGET, sessionUsd: 1 }).applies).toEqual([])
    expect(evaluate(spend({ costKnown: false, globalDayTokens: 6000 }), caps).over.map((c) => c.scope)).toEqual(['global'])
  })

  it('per-project and global day caps count today only; a project overrides the global caps field by field', () => {
    const g = { ...DEFAULT_GLOBAL_BUDGET, sessionUsd: 5, projectDayUsd: 20, globalDayUsd: 50 }
    const caps = effectiveCaps(g, { sessionUsd: null, sessionTokens: null, projectDayUsd: 3, projectDayTokens: null })
    expect(caps.sessionUsd).toBe(5)
    expect(caps.projectDayUsd).toBe(3)
    expect(evaluate(spend({ sessionUsd: 1, projectDayUsd: 3.5, globalDayUsd: 3.5 }), caps).over.map((c) => c.scope)).toEqual(['project'])
    expect(evaluate(spend({ sessionUsd: 1, projectDayUsd: 1, globalDayUsd: 51 }), caps).over.map((c) => c.scope)).toEqual(['global'])
  })

  it('raising the cap lets the session spend that much more past each cap', () => {
    const caps = { ...DEFAULT_GLOBAL_BUDGET, sessionUsd: 1 }
    expect(evaluate(spend({ sessionUsd: 1.5 }), caps).over).toHaveLength(1)
    expect(evaluate(spend({ sessionUsd: 1.5 }), caps, { usd: 1, tokens: 0 }).over).toHaveLength(0)
    expect(evaluate(spend({ sessionUsd: 1.5 }), caps, { usd: 1, tokens: 0 }).warn).toHaveLength(0)
    expect(evaluate(spend({ sessionUsd: 1.7 }), caps, { usd: 1, tokens: 0 }).warn).toHaveLength(1)
  })

  it('the allocation-free pre-check agrees with the full rules', () => {
    const caps = { ...DEFAULT_GLOBAL_BUDGET, sessionUsd: 2, projectDayUsd: 5, globalDayTokens: 1000, sessionTokens: 300 }
    for (let i = 0; i < 500; i++) {
      const sp = spend({
        sessionUsd: (i % 37) / 10,
        projectDayUsd: (i % 71) / 10,
        sessionTokens: (i * 7) % 400,
        globalDayTokens: (i * 13) % 1300,
        costKnown: i % 3 !== 0
      })
      const extra = { usd: (i % 5) / 4, tokens: i % 50 }
      const v = evaluate(sp, caps, extra)
      expect(nearAnyCap(sp, caps, extra)).toBe(v.over.length + v.warn.length > 0)
    }
  })

  it('warns once per cap value, and once per local day for the day caps', () => {
    const c = { scope: 'project' as const, unit: 'usd' as const, spent: 8, cap: 10, ratio: 0.8 }
    expect(warningKey(c, '2026-12-06')).not.toBe(warningKey(c, '2026-12-07'))
    expect(warningKey({ ...c, scope: 'session' }, '2026-12-06')).toBe(warningKey({ ...c, scope: 'session' }, '2026-12-07'))
    expect(warningKey({ ...c, scope: 'session', cap: 20 }, 'x')).not.toBe(warningKey({ ...c, scope: 'session' }, 'x'))
  })

  it('refuses negative, zero, absurd and non-numeric caps with the field named; null means no cap', () => {
    const bad = (v: unknown, field = 'sessionUsd') => {
      const r = globalBudgetSchema.partial().safeParse({ [field]: v })
      expect(r.success).toBe(false)
      return r.success ? '' : `${r.error.issues[0]!.path.join('.')}: ${r.error.issues[0]!.message}`
    }
    expect(bad(-1)).toMatch(/^sessionUsd: sessionUsd must be more than 0/)
    expect(bad(0)).toMatch(/^sessionUsd: sessionUsd must be more than 0/)
    expect(bad(1e9)).toMatch(/^sessionUsd: sessionUsd is too large/)
    expect(bad('5')).toMatch(/^sessionUsd: sessionUsd must be a number/)
    expect(bad(Number.NaN)).toMatch(/^sessionUsd:/)
    expect(bad(Infinity)).toMatch(/^sessionUsd:/)
    expect(bad(1.5, 'globalDayTokens')).toMatch(/^globalDayTokens: globalDayTokens must be a whole number/)
    expect(bad(0, 'warnPercent')).toMatch(/^warnPercent:/)
    expect(bad(100, 'warnPercent')).toMatch(/^warnPercent:/)
    expect(projectBudgetSchema.partial().safeParse({ projectDayUsd: null, sessionTokens: 200_000 }).success).toBe(true)
    expect(projectBudgetSchema.partial().safeParse({ globalDayUsd: 1 }).success).toBe(false)
  })
})

describe('local day', () => {
  it('uses the local calendar day and the next local midnight, across month ends', () => {
    const t = new Date(2026, 11, 31, 23, 59, 59).getTime()
    expect(localDay(t)).toBe('2026-12-31')
    expect(localDay(t + 1000)).toBe('2027-01-01')
    expect(nextLocalMidnight(t)).toBe(new Date(2027, 0, 1).getTime())
    expect(dayMinus(new Date(2026, 2, 1, 0, 30).getTime(), 1)).toBe('2026-02-28')
    expect(dayMinus(t, 89)).toBe('2026-10-03')
  })
})
