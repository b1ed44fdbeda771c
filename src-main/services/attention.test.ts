/**
 * Budgets, inbox and the usage ledger through the real core (SQLite, writer, hub, supervisor) with an
 * in-memory agent the test drives: pause at the cap, queued prompts held, raise / allow one more turn /
 * stop, a cap set below the spend, a cost after stop, marks across a restart, double answers.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { TRPCError } from '@trpc/server'
import { testCore } from '../../test/support/core'
import { tempDir } from '../../test/support/temp'
import { MemoryProvider } from '../../test/support/memory-provider'
import type { ShepherdEvent } from '../shared/events'
import { localDay } from './day'

const cleanups: (() => unknown)[] = []
afterEach(async () => {
  vi.useRealTimers()
  for (const c of cleanups.splice(0).reverse()) await c()
})

const tick = (ms = 40) => new Promise((r) => setTimeout(r, ms))

async function setup(opts: { dataDir?: string; folders?: ReturnType<typeof tempDir> } = {}) {
  const provider = new MemoryProvider()
  const t = testCore({ providers: [provider], dataDir: opts.dataDir })
  cleanups.push(t.cleanup)
  const folders = opts.folders ?? tempDir('shepherd-proj-')
  if (!opts.folders) cleanups.push(folders.cleanup)
  const mk = async (name: string) => {
    const path = join(folders.dir, name)
    mkdirSync(path, { recursive: true })
    return (await t.caller.projects.list()).find((p) => p.path === path) ?? t.caller.projects.add({ path })
  }
  const events: ShepherdEvent[] = []
  const ac = new AbortController()
  cleanups.push(() => ac.abort())
  void (async () => {
    for await (const item of t.core.hub.subscribe(null, ac.signal)) events.push(item.event)
  })()
  return { ...t, provider, mk, events, folders }
}

const usage = (total: number, tokens = 0) => ({
  kind: 'usage' as const,
  usage: { costUsdSessionTotal: total, inputTokens: tokens, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, costKnown: true }
})
const tokensOnly = (inT: number) => ({
  kind: 'usage' as const,
  usage: { inputTokens: inT, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, costKnown: false }
})
const running = { kind: 'turn' as const, state: 'running' as const }
const idle = { kind: 'turn' as const, state: 'idle' as const }

async function errorOf(p: Promise<unknown>) {
  try {
    await p
  } catch (err) {
    return err instanceof TRPCError ? { code: err.code, message: err.message, cause: err.cause } : { code: 'other', message: String(err) }
  }
  return null
}

describe('budgets', () => {
  it('warns once at 80 %, pauses at the cap (running turn interrupted, queued prompt held), raise resumes it', async () => {
    const { caller, provider, mk, events } = await setup()
    const p = await mk('a')
    await caller.budgets.setGlobal({ sessionUsd: 1 })
    const s = await caller.sessions.start({ projectId: p.id, prompt: 'go' })
    const h = provider.last
    h.emit(running, usage(0.85))
    await tick()
    expect(events.filter((e) => e.type === 'budget.alert').map((e) => (e as { level: string }).level)).toEqual(['warning'])
    h.emit(usage(0.9))
    await tick()
    expect(events.filter((e) => e.type === 'budget.alert')).toHaveLength(1)
    expect((await caller.inbox.list()).items.map((i) => i.kind)).toEqual(['budget_warning'])

    await caller.sessions.send({ id: s.id, prompt: 'queued one' })
    h.emit(usage(1.02))
    await tick()
    expect(h.controls).toEqual(['interrupt'])
    const holds = await caller.budgets.holds()
    expect(holds).toHaveLength(1)
    expect(holds[0]!.reason).toBe("$1.02 of this session's cap of $1.00")
    h.emit(idle)
    await tick()
    let now = await caller.sessions.get({ id: s.id })
    expect(now.status).toBe('idle')
    expect(now.statusReason?.message).toBe('paused at the budget cap')
    expect(now.queuedPrompts).toEqual(['queued one'])
    expect(h.sent).toEqual(['go'])
    // A follow-up while held is kept too; nothing starts a turn.
    expect(await caller.sessions.send({ id: s.id, prompt: 'and another' })).toEqual({ delivery: 'queued' })
    expect(h.sent).toEqual(['go'])
    expect((await caller.inbox.list()).items[0]).toMatchObject({ kind: 'over_budget', sessionId: s.id })

    // Raising by too little keeps it held; enough lets the queued prompts go, in order.
    await caller.budgets.raise({ sessionId: s.id, amount: 0.01 })
    expect(await caller.budgets.holds()).toHaveLength(1)
    await caller.budgets.raise({ sessionId: s.id, amount: 1 })
    await tick()
    expect(await caller.budgets.holds()).toEqual([])
    expect(h.sent).toEqual(['go', 'queued one'])
    now = await caller.sessions.get({ id: s.id })
    expect(now.queuedPrompts).toEqual(['and another'])
    expect((await caller.inbox.list()).items.map((i) => i.kind)).not.toContain('over_budget')
    expect(h.controls).toEqual(['interrupt'])
  })

  it('allow one more turn: the next turn runs past the cap, then the session is held again', async () => {
    const { caller, provider, mk } = await setup()
    const p = await mk('a')
    await caller.budgets.setGlobal({ sessionUsd: 1 })
    const s = await caller.sessions.start({ projectId: p.id, prompt: 'go' })
    const h = provider.last
    h.emit(running, usage(1.5), idle)
    await tick()
    expect(await caller.budgets.holds()).toHaveLength(1)
    await caller.sessions.send({ id: s.id, prompt: 'second' })
    await caller.sessions.send({ id: s.id, prompt: 'third' })
    expect(h.sent).toEqual(['go'])
    await caller.budgets.allowTurn({ sessionId: s.id })
    await tick()
    expect(h.sent).toEqual(['go', 'second'])
    h.emit(usage(1.8))
    await tick()
    expect(await caller.budgets.holds()).toEqual([])
    h.emit(idle)
    await tick()
    expect(await caller.budgets.holds()).toHaveLength(1)
    expect(h.sent).toEqual(['go', 'second'])
    expect((await caller.sessions.get({ id: s.id })).queuedPrompts).toEqual(['third'])
    // Stop from the over-budget actions: the process ends gracefully, the hold is gone.
    await caller.budgets.stop({ sessionId: s.id })
    expect((await caller.sessions.get({ id: s.id })).status).toBe('interrupted')
    expect(await caller.budgets.holds()).toEqual([])
  })

  it('a cap set below what was spent pauses at once; a token-only agent is held to the token cap', async () => {
    const { caller, provider, mk } = await setup()
    const p = await mk('a')
    const s = await caller.sessions.start({ projectId: p.id, prompt: 'go' })
    const h = provider.last
    h.emit(running, usage(3))
    await tick()
    expect(h.controls).toEqual([])
    await caller.budgets.setProject({ projectId: p.id, caps: { sessionUsd: 2 } })
    expect(h.controls).toEqual(['interrupt'])
    expect((await caller.budgets.holds()).map((x) => x.sessionId)).toEqual([s.id])
    // Lifting the cap lets it go again.
    await caller.budgets.setProject({ projectId: p.id, caps: { sessionUsd: null } })
    expect(await caller.budgets.holds()).toEqual([])

    const c = await caller.sessions.start({ projectId: p.id, prompt: 'codex-like' })
    const hc = provider.last
    await caller.budgets.setGlobal({ sessionUsd: 0.5, sessionTokens: 1000 })
    hc.emit(running, tokensOnly(900))
    await tick()
    expect((await caller.budgets.holds()).map((x) => x.sessionId)).toEqual([s.id])
    hc.emit(tokensOnly(1200))
    await tick()
    const held = (await caller.budgets.holds()).find((x) => x.sessionId === c.id)
    expect(held?.reason).toBe("2,100 tokens of this session's cap of 1,000 tokens")
    expect(held?.unit).toBe('tokens')
  })

  it('the per-project day cap counts every session of the project today; a cost after stop is still counted', async () => {
    const { caller, provider, mk, core } = await setup()
    const p = await mk('a')
    const q = await mk('b')
    await caller.budgets.setGlobal({ projectDayUsd: 2 })
    const s1 = await caller.sessions.start({ projectId: p.id, prompt: 'one' })
    const h1 = provider.last
    const other = await caller.sessions.start({ projectId: q.id, prompt: 'elsewhere' })
    provider.last.emit(running, usage(1.9), idle)
    h1.emit(running, usage(1.5), idle)
    await tick()
    const s2 = await caller.sessions.start({ projectId: p.id, prompt: 'two' })
    const h2 = provider.last
    h2.emit(running, usage(0.6))
    await tick()
    // Project a: 2.1 today ≥ 2 → the session that crossed it is held; project b is not.
    expect((await caller.budgets.holds()).map((x) => x.sessionId)).toEqual([s2.id])
    // s1 is idle: its next prompt is held at the turn gate.
    expect(await caller.sessions.send({ id: s1.id, prompt: 'more' })).toEqual({ delivery: 'queued' })
    expect(h1.sent).toEqual(['one'])
    expect((await caller.budgets.holds()).map((x) => x.sessionId).sort()).toEqual([s1.id, s2.id].sort())
    expect((await caller.budgets.holds()).map((x) => x.sessionId)).not.toContain(other.id)
    // Stopped, then a late cost line: counted in the ledger, nothing to interrupt.
    await caller.sessions.stop({ id: s2.id })
    const usageNow = (await caller.usage.daily({ days: 7 })).rows.filter((r) => r.projectId === p.id).reduce((n, r) => n + r.costUsd, 0)
    expect(usageNow).toBeCloseTo(2.1)
    core.hub.publish({
      type: 'agent.cost',
      sessionId: s2.id,
      projectId: p.id,
      seq: 99,
      totals: {
        costUsd: 0.9,
        inputTokens: 0,
        outputTokens: 0,
        cacheReadTokens: 0,
        cacheWriteTokens: 0,
        contextTokens: null,
        contextWindow: null,
        costKnown: true
      }
    })
    const after = (await caller.usage.daily({ days: 7 })).rows.filter((r) => r.projectId === p.id).reduce((n, r) => n + r.costUsd, 0)
    expect(after).toBeCloseTo(2.4)
    expect(h2.controls).toEqual(['interrupt', 'stop'])
  })

  it('day caps start again at local midnight (the host time zone); the ledger files cost under the local day', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(new Date(2026, 11, 6, 23, 59, 0))
    const { caller, provider, mk } = await setup()
    const p = await mk('a')
    await caller.budgets.setGlobal({ globalDayUsd: 1 })
    const s = await caller.sessions.start({ projectId: p.id, prompt: 'late' })
    const h = provider.last
    h.emit(running, usage(1.2), idle)
    await tick()
    expect(await caller.budgets.holds()).toHaveLength(1)
    vi.setSystemTime(new Date(2026, 11, 7, 0, 0, 5))
    // The new day's budget is empty: the same cap no longer holds it (what the midnight timer runs).
    await caller.budgets.setGlobal({ globalDayUsd: 1 })
    expect(await caller.budgets.holds()).toEqual([])
    await caller.sessions.send({ id: s.id, prompt: 'next day' })
    h.emit(running, usage(1.5), idle)
    await tick()
    const rows = (await caller.usage.daily({ days: 7 })).rows
    expect(rows.map((r) => [r.day, Number(r.costUsd.toFixed(2))])).toEqual([
      ['2026-12-06', 1.2],
      ['2026-12-07', 0.3]
    ])
    expect(localDay(Date.now())).toBe('2026-12-07')
  })

  it('refuses bad caps with the field named', async () => {
    const { caller } = await setup()
    for (const [input, field] of [
      [{ sessionUsd: -5 }, 'sessionUsd'],
      [{ globalDayUsd: 0 }, 'globalDayUsd'],
      [{ projectDayTokens: 1e15 }, 'projectDayTokens'],
      [{ sessionUsd: 'ten' }, 'sessionUsd']
    ] as const) {
      const err = await errorOf(caller.budgets.setGlobal(input as never))
      expect(err?.code).toBe('BAD_REQUEST')
      expect(err?.message).toContain(field)
    }
    expect((await caller.budgets.get()).global.sessionUsd).toBeNull()
  })
})

describe('inbox', () => {
  it('lists approvals across projects first; answering from two places at once gives the agent one answer and the other "already answered"', async () => {
    const { caller, provider, mk } = await setup()
    const a = await mk('a')
    const b = await mk('b')
    const sa = await caller.sessions.start({ projectId: a.id, prompt: 'a' })
    const ha = provider.last
    ha.emit(running, idle)
    await caller.sessions.start({ projectId: b.id, prompt: 'b' })
    const hb = provider.last
    hb.emit(running, { kind: 'approval_request', request: { requestId: 'r1', toolName: 'Bash', input: { command: 'ls' } } })
    await tick()
    const list = await caller.inbox.list()
    expect(list.items.map((i) => [i.kind, i.projectName])).toEqual([
      ['approval', 'b'],
      ['finished', 'a']
    ])
    const approvalId = list.items[0]!.approval!.id
    const [one, two] = await Promise.allSettled([
      caller.inbox.answer({ approvalId, decision: { behavior: 'allow', scope: 'once' } }),
      caller.sessions.answerApproval({ approvalId, decision: { behavior: 'allow', scope: 'once' } })
    ])
    expect(one.status).toBe('fulfilled')
    expect(two.status).toBe('rejected')
    expect(String((two as PromiseRejectedResult).reason.message)).toBe('this approval was already answered')
    expect(hb.answers).toHaveLength(1)
    await tick()
    expect((await caller.inbox.list()).items.map((i) => i.kind)).toEqual(['finished'])
    // Looking at the session clears its "finished" item; running again would too.
    await caller.inbox.seen({ sessionId: sa.id })
    expect((await caller.inbox.list()).items).toEqual([])
  })

  it('done and snooze marks survive a restart; a snooze that ended while closed shows the item again', async () => {
    const dir = tempDir('shepherd-data-')
    const folders = tempDir('shepherd-proj-')
    cleanups.push(dir.cleanup, folders.cleanup)
    const first = await setup({ dataDir: dir.dir, folders })
    const p = await first.mk('a')
    for (let i = 0; i < 3; i++) {
      await first.caller.sessions.start({ projectId: p.id, prompt: `s${i}` })
      first.provider.last.emit({ kind: 'turn', state: 'error', reason: { message: `boom ${i}` } })
    }
    await tick()
    const items = (await first.caller.inbox.list()).items
    expect(items.map((i) => i.kind)).toEqual(['failed', 'failed', 'failed'])
    await first.caller.inbox.done({ key: items[0]!.key })
    await first.caller.inbox.snooze({ key: items[1]!.key, until: Date.now() + 3_600_000 })
    await first.caller.inbox.snooze({ key: items[2]!.key, until: Date.now() + 300 })
    const after = await first.caller.inbox.list()
    expect(after.items).toEqual([])
    expect(after.snoozed).toBe(3)
    await first.core.dispose()
    await tick(400)
    const second = await setup({ dataDir: dir.dir, folders })
    const again = await second.caller.inbox.list()
    expect(again.items.map((i) => i.key)).toEqual([items[2]!.key])
    expect(again.nextWakeAt).toBeGreaterThan(Date.now())
    expect(await errorOf(second.caller.inbox.snooze({ key: items[2]!.key, until: Date.now() - 1000 }))).toMatchObject({ code: 'BAD_REQUEST' })
  })

  it('stays quick with 1,000 items', async () => {
    const { caller, provider, mk } = await setup()
    const p = await mk('a')
    const s = await caller.sessions.start({ projectId: p.id, prompt: 'x' })
    const h = provider.last
    h.emit(running)
    for (let i = 0; i < 1000; i++) h.emit({ kind: 'approval_request', request: { requestId: `r${i}`, toolName: 'Bash', input: { command: `echo ${i}` } } })
    await tick(100)
    const t0 = performance.now()
    const list = await caller.inbox.list()
    console.log(`inbox.list with 1,000 items: ${(performance.now() - t0).toFixed(1)} ms`)
    expect(list.items).toHaveLength(1000)
    expect(list.items.every((i) => i.sessionId === s.id && i.kind === 'approval')).toBe(true)
  })
})

describe('usage limits', () => {
  it('a refused turn waits for the reset (not failed); opting in to auto-resume re-sends its prompt at the reset', async () => {
    const { caller, provider, mk } = await setup()
    const p = await mk('a')
    const s = await caller.sessions.start({ projectId: p.id, prompt: 'big job' })
    const h = provider.last
    const resetsAt = Date.now() + 400
    h.emit(
      running,
      { kind: 'rate_limit', windows: [{ window: 'five_hour', status: 'rejected', utilization: 1, resetsAt }], limited: true, resetsAt },
      { kind: 'turn', state: 'error', reason: { message: 'usage limit reached' } }
    )
    await tick()
    const sess = await caller.sessions.get({ id: s.id })
    expect(sess.status).toBe('idle')
    expect(sess.statusReason?.message).toBe(`waiting for the usage limit to reset at ${new Date(resetsAt).toTimeString().slice(0, 5)}`)
    const lim = await caller.usage.limits()
    expect(lim.meters).toEqual([expect.objectContaining({ provider: 'claude', window: 'five_hour', status: 'rejected', utilization: 1 })])
    expect(lim.waits).toEqual([expect.objectContaining({ sessionId: s.id, autoResume: false, prompt: 'big job' })])
    expect((await caller.inbox.list()).items.map((i) => i.kind)).toEqual(['limit', 'finished'])
    await caller.usage.autoResume({ sessionId: s.id, on: true })
    await tick(1700)
    expect(h.sent).toEqual(['big job', 'big job'])
    expect((await caller.usage.limits()).waits).toEqual([])
  })
})
