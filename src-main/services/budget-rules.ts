/**
 * Budget rules, pure (unit-tested without a database): which caps apply to a session, how close it
 * is to each, and whether it is over. Agents that report cost (Claude Code, OpenCode, ACP agents that
 * do) are held to the USD caps; agents that report tokens only (Codex) to the token caps — a USD cap
 * never applies to them (and a token cap never to an agent with a known cost).
 */
import { z } from 'zod'

/** Far above any real spend, low enough to catch a typo of three extra zeros. */
export const MAX_USD_CAP = 100_000
export const MAX_TOKEN_CAP = 10_000_000_000

const usdCap = (field: string) =>
  z
    .number({ error: `${field} must be a number of US dollars` })
    .refine((v) => Number.isFinite(v), `${field} must be a finite number`)
    .refine((v) => v > 0, `${field} must be more than 0 (leave it empty for no cap)`)
    .refine((v) => v <= MAX_USD_CAP, `${field} is too large (at most $${MAX_USD_CAP.toLocaleString('en-US')})`)
    .nullable()
const tokenCap = (field: string) =>
  z
    .number({ error: `${field} must be a whole number of tokens` })
    .refine((v) => Number.isInteger(v), `${field} must be a whole number of tokens`)
    .refine((v) => v > 0, `${field} must be more than 0 (leave it empty for no cap)`)
    .refine((v) => v <= MAX_TOKEN_CAP, `${field} is too large (at most ${MAX_TOKEN_CAP.toLocaleString('en-US')} tokens)`)
    .nullable()

/** Caps that a project may override (null = use the global setting). */
export const projectBudgetSchema = z
  .object({
    sessionUsd: usdCap('sessionUsd'),
    sessionTokens: tokenCap('sessionTokens'),
    projectDayUsd: usdCap('projectDayUsd'),
    projectDayTokens: tokenCap('projectDayTokens')
  })
  .strict()

export const globalBudgetSchema = projectBudgetSchema
  .extend({
    globalDayUsd: usdCap('globalDayUsd'),
    globalDayTokens: tokenCap('globalDayTokens'),
    warnPercent: z
      .number({ error: 'warnPercent must be a number' })
      .int('warnPercent must be a whole percentage')
      .min(1, 'warnPercent must be between 1 and 99')
      .max(99, 'warnPercent must be between 1 and 99'),
    /** At the cap: interrupt the running turn now, or let the current tool call finish first. */
    pauseAt: z.enum(['interrupt', 'after_tool'])
  })
  .strict()

export type ProjectBudget = z.infer<typeof projectBudgetSchema>
export type GlobalBudget = z.infer<typeof globalBudgetSchema>

export const DEFAULT_GLOBAL_BUDGET: GlobalBudget = {
  sessionUsd: null,
  sessionTokens: null,
  projectDayUsd: null,
  projectDayTokens: null,
  globalDayUsd: null,
  globalDayTokens: null,
  warnPercent: 80,
  pauseAt: 'interrupt'
}
export const EMPTY_PROJECT_BUDGET: ProjectBudget = { sessionUsd: null, sessionTokens: null, projectDayUsd: null, projectDayTokens: null }

export type CapScope = 'session' | 'project' | 'global'
export type CapUnit = 'usd' | 'tokens'

export interface Spend {
  /** This session's totals. */
  sessionUsd: number
  sessionTokens: number
  /** Today (local day) in the session's project / overall: USD, and tokens of agents without cost. */
  projectDayUsd: number
  projectDayTokens: number
  globalDayUsd: number
  globalDayTokens: number
  /** The session's agent reports cost (USD caps) or tokens only (token caps). */
  costKnown: boolean
}

export interface CapCheck {
  scope: CapScope
  unit: CapUnit
  spent: number
  cap: number
  ratio: number
}

export interface Verdict {
  /** Caps reached (spent ≥ cap, the session's raise included). */
  over: CapCheck[]
  /** Caps past the warning threshold but not reached. */
  warn: CapCheck[]
  /** Every cap that applies to this session. */
  applies: CapCheck[]
}

/** A project's override over the global caps, field by field. */
export function effectiveCaps(global: GlobalBudget, project: ProjectBudget | null): GlobalBudget {
  const p = project ?? EMPTY_PROJECT_BUDGET
  return {
    ...global,
    sessionUsd: p.sessionUsd ?? global.sessionUsd,
    sessionTokens: p.sessionTokens ?? global.sessionTokens,
    projectDayUsd: p.projectDayUsd ?? global.projectDayUsd,
    projectDayTokens: p.projectDayTokens ?? global.projectDayTokens
  }
}

/**
 * Check one session. `extra` is what the user raised this session's cap by: the session may spend
 * that much past each cap that applies to it (session, its project's day, the global day).
 */
export function evaluate(spend: Spend, caps: GlobalBudget, extra: { usd: number; tokens: number } = { usd: 0, tokens: 0 }): Verdict {
  const list: { scope: CapScope; unit: CapUnit; spent: number; cap: number | null }[] = spend.costKnown
    ? [
        { scope: 'session', unit: 'usd', spent: spend.sessionUsd, cap: caps.sessionUsd },
        { scope: 'project', unit: 'usd', spent: spend.projectDayUsd, cap: caps.projectDayUsd },
        { scope: 'global', unit: 'usd', spent: spend.globalDayUsd, cap: caps.globalDayUsd }
      ]
    : [
        { scope: 'session', unit: 'tokens', spent: spend.sessionTokens, cap: caps.sessionTokens },
        { scope: 'project', unit: 'tokens', spent: spend.projectDayTokens, cap: caps.projectDayTokens },
        { scope: 'global', unit: 'tokens', spent: spend.globalDayTokens, cap: caps.globalDayTokens }
      ]
  const applies: CapCheck[] = []
  for (const c of list) {
    if (c.cap === null) continue
    const cap = c.cap + (c.unit === 'usd' ? extra.usd : extra.tokens)
    applies.push({ scope: c.scope, unit: c.unit, spent: c.spent, cap, ratio: cap > 0 ? c.spent / cap : 1 })
  }
  const over = applies.filter((c) => c.spent >= c.cap)
  const warn = applies.filter((c) => c.spent < c.cap && c.ratio * 100 >= caps.warnPercent)
  return { over, warn, applies }
}

/**
 * Whether any cap that applies is at or past the warning threshold — the same test as `evaluate`,
 * without allocating: the event path runs this on every cost event and `evaluate` only when it says yes.
 */
export function nearAnyCap(spend: Spend, caps: GlobalBudget, extra: { usd: number; tokens: number }): boolean {
  // The same arithmetic as `evaluate` (ratio × 100 against the percentage), so both agree at the edge.
  const near = (spent: number, cap: number | null, add: number) => {
    if (cap === null) return false
    const c = cap + add
    return spent >= c || (c > 0 ? spent / c : 1) * 100 >= caps.warnPercent
  }
  if (spend.costKnown) {
    return (
      near(spend.sessionUsd, caps.sessionUsd, extra.usd) ||
      near(spend.projectDayUsd, caps.projectDayUsd, extra.usd) ||
      near(spend.globalDayUsd, caps.globalDayUsd, extra.usd)
    )
  }
  return (
    near(spend.sessionTokens, caps.sessionTokens, extra.tokens) ||
    near(spend.projectDayTokens, caps.projectDayTokens, extra.tokens) ||
    near(spend.globalDayTokens, caps.globalDayTokens, extra.tokens)
  )
}

/** The key a warning is given once for: per cap value, and per local day for the day caps. */
export function warningKey(c: CapCheck, day: string): string {
  return `${c.scope}:${c.unit}:${c.cap}${c.scope === 'session' ? '' : `:${day}`}`
}

export function describeCap(c: CapCheck): string {
  const fmt = (v: number) => (c.unit === 'usd' ? `$${v.toFixed(2)}` : `${Math.round(v).toLocaleString('en-US')} tokens`)
  const what = c.scope === 'session' ? "this session's cap" : c.scope === 'project' ? "the project's daily cap" : 'the daily cap for all projects'
  return `${fmt(c.spent)} of ${what} of ${fmt(c.cap)}`
}
