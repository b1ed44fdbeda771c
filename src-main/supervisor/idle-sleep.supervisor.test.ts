/**
 * The idle-sleep policy as the supervisor applies it (in-memory agent): who sleeps, what never does,
 * and that budgets, model/mode changes, stop and quit keep working on an asleep session.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { memoryCore } from '../../test/support/memory-core'
import type { ProviderEvent } from '../providers/types'

const cleanups: (() => unknown)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})
const tick = (ms = 40) => new Promise((r) => setTimeout(r, ms))

async function setup(keep: number) {
  const t = await memoryCore(cleanups)
  await t.caller.settings.update({ idleAgentsKept: keep, sleepAfterIdleMs: 60_000 })
  return t
}
type T = Awaited<ReturnType<typeof setup>>

/** Start a session and finish its first turn: idle, with a CLI conversation id. */
async function idleSession(t: T, prompt: string) {
  const s = await t.caller.sessions.start({ projectId: t.project.id, prompt })
  const h = t.provider.last
  const turn: ProviderEvent[] = [
    { kind: 'cli_session', cliSessionId: `cli-${prompt}` },
    { kind: 'turn', state: 'running' },
    { kind: 'message', message: { kind: 'assistant', text: `re ${prompt}` } },
    { kind: 'turn', state: 'idle' }
  ]
  h.emit(...turn)
  await tick()
  return { id: s.id, h }
}
const reasonOf = async (t: T, id: string) => (await t.caller.sessions.get({ id })).statusReason?.code
const later = () => Date.now() + 120_000

describe('idle sleep in the supervisor', () => {
  it('keeps the most recently used idle processes and puts the others to sleep (idle, asleep, process stopped)', async () => {
    const t = await setup(1)
    const a = await idleSession(t, 'a')
    await tick(5)
    const b = await idleSession(t, 'b')
    await tick(5)
    const c = await idleSession(t, 'c')
    // Not yet idle long enough: nothing sleeps.
    expect(t.core.supervisor.sleepIdle()).toEqual([])
    expect(t.core.supervisor.sleepIdle(later())).toEqual([a.id, b.id])
    await tick()
    for (const x of [a, b]) {
      expect(x.h.controls).toContain('stop')
      const s = await t.caller.sessions.get({ id: x.id })
      expect(s.status).toBe('idle')
      expect(s.statusReason?.code).toBe('asleep')
      expect(t.core.store.getSession(x.id)?.pid).toBeNull()
    }
    expect(c.h.controls).not.toContain('stop')
    expect(t.core.supervisor.liveCount).toBe(1)
  })

  it('wakes an asleep session with the next prompt: resumed by the CLI id with the model changed while asleep, the prompt delivered', async () => {
    const t = await setup(0)
    const a = await idleSession(t, 'a')
    t.core.supervisor.sleepIdle(later())
    await tick()
    await t.caller.sessions.setModel({ id: a.id, model: 'claude-other' })
    expect(await t.caller.sessions.send({ id: a.id, prompt: 'again' })).toEqual({ delivery: 'sent' })
    const woke = t.provider.last
    expect(woke).not.toBe(a.h)
    expect(woke.opts.resumeCliSessionId).toBe('cli-a')
    expect(woke.opts.model).toBe('claude-other')
    expect(woke.sent).toEqual(['again'])
    const statuses = t.core.store.messagesAfter(a.id, 0, 100).map((m) => m.text)
    expect(statuses).toContain('again')
  })

  it('never puts to sleep an agent that cannot resume, one without a conversation id, or one with an approval pending', async () => {
    const t = await setup(0)
    const pending = await idleSession(t, 'p')
    pending.h.emit({ kind: 'approval_request', request: { requestId: 'r1', toolName: 'Bash', input: {} } })
    await tick()
    const noId = await t.caller.sessions.start({ projectId: t.project.id, prompt: 'x' })
    const noIdHandle = t.provider.last
    noIdHandle.emit({ kind: 'turn', state: 'running' }, { kind: 'turn', state: 'idle' })
    await tick()
    expect(t.core.supervisor.sleepIdle(later())).toEqual([])
    Object.defineProperty(t.provider, 'capabilities', { value: { ...t.provider.capabilities, resume: false } })
    const cannot = await idleSession(t, 'c')
    expect(t.core.supervisor.sleepIdle(later())).toEqual([])
    expect(cannot.h.controls).not.toContain('stop')
    expect(noId.id).toBeTruthy()
  })

  it('a budget-held session sleeps with its hold; a prompt stays queued until release wakes it', async () => {
    const t = await setup(0)
    const a = await idleSession(t, 'a')
    t.core.supervisor.holdForBudget(a.id)
    expect(t.core.supervisor.sleepIdle(later())).toEqual([a.id])
    await tick()
    expect(await t.caller.sessions.send({ id: a.id, prompt: 'held prompt' })).toEqual({ delivery: 'queued' })
    expect(t.provider.handles.length).toBe(1)
    t.core.supervisor.release(a.id)
    await tick()
    expect(t.provider.handles.length).toBe(2)
    expect(t.provider.last.sent).toEqual(['held prompt'])
    expect(t.provider.last.opts.resumeCliSessionId).toBe('cli-a')
  })

  it('Stop on an asleep session ends it (interrupted by you); quitting leaves it asleep', async () => {
    const t = await setup(0)
    const a = await idleSession(t, 'a')
    const b = await idleSession(t, 'b')
    t.core.supervisor.sleepIdle(later())
    await tick()
    expect(await reasonOf(t, a.id)).toBe('asleep')
    const stopped = await t.caller.sessions.stop({ id: a.id })
    expect(stopped.status).toBe('interrupted')
    expect(stopped.statusReason?.code).toBe('stopped_by_user')
    await t.core.supervisor.shutdown(1000)
    expect(t.core.store.getSession(b.id)?.status).toBe('idle')
    expect(await reasonOf(t, b.id)).toBe('asleep')
  })

  it('retention never removes an asleep session (it is idle, not ended)', async () => {
    const t = await setup(0)
    const a = await idleSession(t, 'a')
    t.core.supervisor.sleepIdle(later())
    await tick()
    expect(await reasonOf(t, a.id)).toBe('asleep')
    await t.caller.projects.updateSettings({ id: t.project.id, retentionCount: 1, retentionDays: 1 })
    const b = await idleSession(t, 'b')
    await t.caller.sessions.stop({ id: b.id })
    // Two sessions, keep 1: the newest (b, stopped) is kept by count, and a — older, asleep — is kept too.
    expect(t.core.supervisor.prune(t.project.id)).toEqual([])
    expect(t.core.store.getSession(a.id)).toBeTruthy()
  })

  it('forking an asleep session copies its conversation; the source stays asleep', async () => {
    const t = await setup(0)
    const a = await idleSession(t, 'a')
    t.core.supervisor.sleepIdle(later())
    await tick()
    const f = await t.caller.sessions.fork({ id: a.id, prompt: 'forked prompt' })
    const h = t.provider.last
    expect(h.opts.resumeCliSessionId).toBe('cli-a')
    expect(h.opts.fork).toBe(true)
    expect(h.sent).toEqual(['forked prompt'])
    expect(f.id).not.toBe(a.id)
    expect(await reasonOf(t, a.id)).toBe('asleep')
    expect(t.provider.handles.length).toBe(2)
  })
})
