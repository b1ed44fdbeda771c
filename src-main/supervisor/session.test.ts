/**
 * The session object's rules: every push follows the commit of what it carries (checked against a
 * second SQLite connection, which sees only committed data), one status change is one event, the
 * prompt queue keeps identical prompts apart, and status changes follow STATUS_TRANSITIONS.
 */
import { afterEach, describe, expect, it } from 'vitest'
import Database from 'better-sqlite3'
import { join } from 'node:path'
import { memoryCore } from '../../test/support/memory-core'
import { DB_FILE } from '../core'
import type { ShepherdEvent } from '../shared/events'
import { SESSION_STATUSES, STATUS_TRANSITIONS, canTransition, type SessionStatus } from '../shared/status'
import type { SessionPatch } from '../store/store'

const cleanups: (() => unknown)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

const tick = (ms = 40) => new Promise((r) => setTimeout(r, ms))
const text = (t: string) => ({ kind: 'message' as const, message: { kind: 'assistant' as const, text: t } })

async function setup() {
  const t = await memoryCore(cleanups)
  // Every publish, as it happens (synchronously, not when a subscriber gets round to it).
  const events: ShepherdEvent[] = []
  const hub = t.core.hub
  const publish = hub.publish.bind(hub)
  const observers: ((e: ShepherdEvent) => void)[] = []
  hub.publish = (e) => {
    events.push(e)
    for (const o of observers) o(e)
    publish(e)
  }
  return { ...t, events, observers }
}

describe('Session: push only what is committed', () => {
  it('a failing status write pushes nothing; once the retry commits, ONE agent.status follows with the committed row (bug 1)', async () => {
    const { caller, core, provider, project, events } = await setup()
    const s = await caller.sessions.start({ projectId: project.id, prompt: 'x' })
    const h = provider.last
    h.emit({ kind: 'turn', state: 'running' })
    await tick()
    const store = core.store as unknown as { updateSession: (id: string, p: SessionPatch) => void }
    const real = store.updateSession.bind(store)
    let failing = true
    store.updateSession = (id, p) => {
      if (failing && p.status) throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' })
      real(id, p)
    }
    const from = events.length
    h.emit({ kind: 'turn', state: 'idle' })
    await tick(60)
    const during = events.slice(from).filter((e) => e.type === 'agent.status' || e.type === 'session.changed')
    expect(during).toEqual([])
    expect((await caller.sessions.get({ id: s.id })).status).toBe('running')
    failing = false
    await tick(800) // the writer retries after RETRY_DELAY_MS
    expect((await caller.sessions.get({ id: s.id })).status).toBe('idle')
    const after = events.slice(from).filter((e) => e.type === 'agent.status' || e.type === 'session.changed')
    expect(after.map((e) => e.type)).toEqual(['agent.status'])
    const ev = after[0] as Extract<ShepherdEvent, { type: 'agent.status' }>
    expect(ev.status).toBe('idle')
    expect(ev.session?.status).toBe('idle')
  })

  it('every pushed event (message, status, cost, approval, session row) is already committed when it is published (bug 3)', async () => {
    const { caller, provider, project, observers, dataDir } = await setup()
    // A second connection sees only committed data: what a push carries must already be there.
    const reader = new Database(join(dataDir, DB_FILE), { readonly: true, fileMustExist: true })
    cleanups.push(() => reader.close())
    const problems: string[] = []
    const checked = new Set<string>()
    observers.push((e) => {
      checked.add(e.type)
      switch (e.type) {
        case 'agent.message':
          for (const m of e.messages) {
            const row = reader.prepare('SELECT text FROM messages WHERE session_id = ? AND seq = ?').get(m.sessionId, m.seq) as { text: string } | undefined
            if (row?.text !== m.text) problems.push(`message ${m.seq} pushed before its commit`)
          }
          return
        case 'agent.status': {
          const row = reader.prepare('SELECT status FROM sessions WHERE id = ?').get(e.sessionId) as { status: string } | undefined
          if (row?.status !== e.status) problems.push(`status ${e.status} pushed while the database says ${row?.status}`)
          return
        }
        case 'agent.cost': {
          const row = reader.prepare('SELECT cost_usd FROM sessions WHERE id = ?').get(e.sessionId) as { cost_usd: number }
          if (Math.abs(row.cost_usd - e.totals.costUsd) > 1e-9) problems.push(`cost ${e.totals.costUsd} pushed while the database says ${row.cost_usd}`)
          return
        }
        case 'agent.approval': {
          const row = reader.prepare('SELECT status FROM approvals WHERE id = ?').get(e.approval.id) as { status: string } | undefined
          if (row?.status !== e.approval.status) problems.push(`approval ${e.approval.status} pushed while the database says ${row?.status}`)
          return
        }
        case 'session.changed': {
          const row = reader.prepare('SELECT status, title, pinned, model FROM sessions WHERE id = ?').get(e.session.id) as
            { status: string; title: string; pinned: number; model: string | null } | undefined
          if (
            !row ||
            row.status !== e.session.status ||
            row.title !== e.session.title ||
            (row.pinned === 1) !== e.session.pinned ||
            row.model !== e.session.model
          ) {
            problems.push(`session row pushed before its commit (${JSON.stringify(row)} vs ${e.session.status}/${e.session.title})`)
          }
          return
        }
      }
    })
    const s = await caller.sessions.start({ projectId: project.id, prompt: 'go' })
    const h = provider.last
    h.emit({ kind: 'cli_session', cliSessionId: 'cli-1' }, { kind: 'turn', state: 'running' }, text('one'))
    h.emit({ kind: 'usage', usage: { costUsdSessionTotal: 0.25, inputTokens: 3, outputTokens: 2, cacheReadTokens: 0, cacheWriteTokens: 0, costKnown: true } })
    h.emit({ kind: 'approval_request', request: { requestId: 'r1', toolName: 'Bash', input: { command: 'ls' } } })
    await tick()
    const [a] = await caller.sessions.approvals({ projectId: project.id })
    await caller.sessions.answerApproval({ approvalId: a!.id, decision: { behavior: 'allow', scope: 'once' } })
    await caller.sessions.send({ id: s.id, prompt: 'queued behind the turn' })
    await caller.sessions.pin({ id: s.id, pinned: true })
    await caller.sessions.rename({ id: s.id, title: 'renamed' })
    h.emit(text('two'), { kind: 'turn', state: 'idle' })
    await tick()
    await caller.sessions.setModel({ id: s.id, model: 'other' })
    h.exit()
    await tick()
    expect(problems).toEqual([])
    for (const t of ['agent.message', 'agent.status', 'agent.cost', 'agent.approval', 'session.changed']) expect(checked).toContain(t)
  })
})

describe('Session: the prompt queue', () => {
  it('identical prompts sent while the session waits for a slot are each delivered, one per turn (bug 2)', async () => {
    const { caller, provider, project } = await setup()
    await caller.settings.update({ maxConcurrentSessions: 1 })
    const a = await caller.sessions.start({ projectId: project.id, prompt: 'a' })
    const b = await caller.sessions.start({ projectId: project.id, prompt: 'continue' })
    expect((await caller.sessions.send({ id: b.id, prompt: 'continue' })).delivery).toBe('queued')
    expect((await caller.sessions.send({ id: b.id, prompt: 'continue' })).delivery).toBe('queued')
    expect((await caller.sessions.get({ id: b.id })).queuedPrompts).toEqual(['continue', 'continue', 'continue'])
    provider.handles[0]!.emit({ kind: 'turn', state: 'idle' })
    await tick()
    const hb = provider.last
    expect(hb.sent).toEqual(['continue'])
    expect((await caller.sessions.get({ id: b.id })).queuedPrompts).toEqual(['continue', 'continue'])
    for (const n of [2, 3]) {
      hb.emit({ kind: 'turn', state: 'idle' })
      await tick()
      expect(hb.sent).toHaveLength(n)
    }
    expect((await caller.sessions.get({ id: b.id })).queuedPrompts).toEqual([])
    expect((await caller.sessions.get({ id: a.id })).status).toBe('idle')
  })

  it('a follow-up to a finished session that waits for a slot is not merged with an identical one', async () => {
    const { caller, provider, project } = await setup()
    await caller.settings.update({ maxConcurrentSessions: 1 })
    const b = await caller.sessions.start({ projectId: project.id, prompt: 'b' })
    provider.last.emit({ kind: 'cli_session', cliSessionId: 'cli-b' }, { kind: 'turn', state: 'idle' })
    provider.last.exit()
    await tick()
    await caller.sessions.start({ projectId: project.id, prompt: 'a' }) // takes the one slot
    const ha = provider.last
    await caller.sessions.send({ id: b.id, prompt: 'continue' })
    await caller.sessions.send({ id: b.id, prompt: 'continue' })
    ha.emit({ kind: 'turn', state: 'idle' })
    await tick()
    const hb = provider.last
    expect(hb).not.toBe(ha)
    hb.emit({ kind: 'turn', state: 'idle' })
    await tick()
    expect(hb.sent).toEqual(['continue', 'continue'])
  })

  it('two identical follow-ups sent while a turn runs are both delivered', async () => {
    const { caller, provider, project } = await setup()
    const s = await caller.sessions.start({ projectId: project.id, prompt: 'first' })
    const h = provider.last
    await caller.sessions.send({ id: s.id, prompt: 'again' })
    await caller.sessions.send({ id: s.id, prompt: 'again' })
    h.emit({ kind: 'turn', state: 'idle' })
    await tick()
    h.emit({ kind: 'turn', state: 'idle' })
    await tick()
    expect(h.sent).toEqual(['first', 'again', 'again'])
  })
})

describe('Session: status transitions', () => {
  it('the table names every status, and only statuses', () => {
    expect(Object.keys(STATUS_TRANSITIONS).sort()).toEqual([...SESSION_STATUSES].sort())
    for (const to of Object.values(STATUS_TRANSITIONS)) for (const s of to) expect(SESSION_STATUSES).toContain(s)
  })

  it('allows what a session does and refuses the rest', () => {
    const allowed: [SessionStatus, SessionStatus][] = [
      ['queued', 'starting'],
      ['starting', 'idle'],
      ['idle', 'running'],
      ['running', 'waiting_approval'],
      ['waiting_approval', 'running'],
      ['running', 'idle'],
      ['running', 'stopping'],
      ['stopping', 'interrupted'],
      ['idle', 'done'],
      ['done', 'starting'],
      ['done', 'queued'],
      ['error', 'running'],
      ['interrupted', 'starting'],
      ['idle', 'idle']
    ]
    for (const [from, to] of allowed) expect(canTransition(from, to), `${from} → ${to}`).toBe(true)
    const refused: [SessionStatus, SessionStatus][] = [
      ['stopping', 'idle'],
      ['stopping', 'running'],
      ['done', 'running'],
      ['interrupted', 'idle'],
      ['queued', 'running'],
      ['done', 'idle']
    ]
    for (const [from, to] of refused) expect(canTransition(from, to), `${from} → ${to}`).toBe(false)
  })

  it('a refused change is neither stored nor pushed: a stopping session does not go back to idle', async () => {
    const { caller, core, provider, project, events } = await setup()
    const s = await caller.sessions.start({ projectId: project.id, prompt: 'x' })
    const h = provider.last
    h.stop = async () => {
      h.controls.push('stop')
      return { code: null, signal: 'SIGTERM', stderrTail: '' }
    } // exits later
    const stopped = caller.sessions.stop({ id: s.id })
    await tick()
    expect(core.store.getSession(s.id)?.status).toBe('stopping')
    const from = events.length
    h.emit({ kind: 'turn', state: 'idle' })
    await tick()
    expect(core.store.getSession(s.id)?.status).toBe('stopping')
    expect(events.slice(from).filter((e) => e.type === 'agent.status')).toEqual([])
    h.exit({ code: null, signal: 'SIGTERM', stderrTail: '' })
    expect((await stopped).status).toBe('interrupted')
  })
})

describe('Session: reasons carry a code', () => {
  it('an interrupt, a stop and the slot wait each say what happened as a code, beside the text', async () => {
    const { caller, provider, project } = await setup()
    await caller.settings.update({ maxConcurrentSessions: 1 })
    const s = await caller.sessions.start({ projectId: project.id, prompt: 'x' })
    const waiting = await caller.sessions.start({ projectId: project.id, prompt: 'y' })
    expect((await caller.sessions.get({ id: waiting.id })).statusReason?.code).toBe('waiting_for_slot')
    const h = provider.last
    await caller.sessions.interrupt({ id: s.id })
    h.emit({ kind: 'turn', state: 'idle' })
    await tick()
    const idle = await caller.sessions.get({ id: s.id })
    expect(idle.statusReason).toMatchObject({ code: 'turn_interrupted', message: 'turn interrupted' })
    await caller.sessions.stop({ id: waiting.id })
    expect((await caller.sessions.get({ id: waiting.id })).statusReason?.code).toBe('stopped_by_user')
    h.emit({ kind: 'turn', state: 'error', reason: { message: 'API Error: 500' } })
    await tick()
    expect((await caller.sessions.get({ id: s.id })).statusReason).toMatchObject({ code: 'turn_failed', message: 'API Error: 500' })
  })
})
