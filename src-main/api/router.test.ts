import { afterEach, describe, expect, it } from 'vitest'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { TRPCError } from '@trpc/server'
import { appRouter } from './router'
import { createCallerFactory } from './trpc'
import { MAX_TRANSPORT_BACKLOG_BYTES } from './routers/events'
import { SUBSCRIBER_HIGH_WATER } from '../supervisor/event-hub'
import { testCore } from '../../test/support/core'
import { tempDir } from '../../test/support/temp'

const cleanups: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c()
})

function setup() {
  const t = testCore()
  const folders = tempDir('shepherd-proj-')
  cleanups.push(t.cleanup, folders.cleanup)
  const mk = (name: string) => {
    const p = join(folders.dir, name)
    mkdirSync(p)
    return p
  }
  return { ...t, mk, folders }
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p
  } catch (err) {
    return err instanceof TRPCError ? err.code : `not a TRPCError: ${String(err)}`
  }
  return 'no error'
}

describe('API surface', () => {
  it('matches the committed snapshot of every procedure path and kind', () => {
    const surface = Object.entries(appRouter._def.procedures as unknown as Record<string, { _def: { type: string } }>)
      .map(([path, p]) => `${path} ${p._def.type}`)
      .sort()
    expect(surface).toMatchSnapshot()
  })
})

describe('projects router', () => {
  it('adds, lists, renames and removes a project', async () => {
    const { caller, mk } = setup()
    const path = mk('alpha')
    const p = await caller.projects.add({ path })
    expect(p.name).toBe('alpha')
    expect(await caller.projects.list()).toHaveLength(1)
    expect((await caller.projects.rename({ id: p.id, name: '  Alpha app ' })).name).toBe('Alpha app')
    await caller.projects.remove({ id: p.id })
    expect(await caller.projects.list()).toEqual([])
  })

  it('gives typed errors: BAD_REQUEST for bad paths, CONFLICT for duplicates, NOT_FOUND for unknown ids', async () => {
    const { caller, mk, folders } = setup()
    const path = mk('beta')
    await caller.projects.add({ path })
    expect(await codeOf(caller.projects.add({ path }))).toBe('CONFLICT')
    expect(await codeOf(caller.projects.add({ path: 'relative/dir' }))).toBe('BAD_REQUEST')
    expect(await codeOf(caller.projects.add({ path: join(folders.dir, 'nope') }))).toBe('BAD_REQUEST')
    const file = join(folders.dir, 'file.txt')
    writeFileSync(file, 'x')
    expect(await codeOf(caller.projects.add({ path: file }))).toBe('BAD_REQUEST')
    expect(await codeOf(caller.projects.rename({ id: 'missing', name: 'x' }))).toBe('NOT_FOUND')
  })

  it('rejects hostile input with BAD_REQUEST and no side effects (SEC-5)', async () => {
    const { caller } = setup()
    const bad: unknown[] = [{}, { path: 42 }, { path: 'x'.repeat(10_000_000) }, { path: '/tmp', extra: 1 }, { path: '' }, null]
    for (const input of bad) expect(await codeOf(caller.projects.add(input as never))).toBe('BAD_REQUEST')
    expect(await codeOf(caller.messages.page({ sessionId: 'x', limit: -1 } as never))).toBe('BAD_REQUEST')
    expect(await codeOf(caller.messages.page({ sessionId: '../../etc', limit: 10 } as never))).toBe('BAD_REQUEST')
    expect(await codeOf(caller.messages.after({ sessionId: 'x', afterSeq: 1e300 } as never))).toBe('BAD_REQUEST')
    expect(await caller.projects.list()).toEqual([])
  })
})

describe('settings router', () => {
  it('returns defaults, validates updates and keeps them', async () => {
    const { caller } = setup()
    const s = await caller.settings.get()
    expect(s.stallThresholdMs).toBe(15 * 60_000)
    expect(s.retentionCount).toBe(5)
    expect(s.retentionDays).toBe(30)
    await caller.settings.update({ retentionCount: 7 })
    expect((await caller.settings.get()).retentionCount).toBe(7)
    expect(await codeOf(caller.settings.update({ retentionCount: 51 }))).toBe('BAD_REQUEST')
    expect(await codeOf(caller.settings.update({ stallThresholdMs: 1000 }))).toBe('BAD_REQUEST')
  })

  it('rejects forbidden extra env keys with a field error per key (SEC-8)', async () => {
    const { caller } = setup()
    try {
      await caller.settings.update({ extraEnv: { ANTHROPIC_API_KEY: 'x', FOO: 'ok', NODE_OPTIONS: '--inspect' } })
      expect.unreachable()
    } catch (err) {
      expect((err as TRPCError).code).toBe('BAD_REQUEST')
    }
    expect((await caller.settings.get()).extraEnv).toEqual({})
  })

  it('stores renderer UI state', async () => {
    const { caller } = setup()
    await caller.settings.uiSet({ key: 'draft:abc', value: { text: 'hello' } })
    expect(await caller.settings.uiAll()).toEqual({ 'draft:abc': { text: 'hello' } })
    expect(await codeOf(caller.settings.uiSet({ key: 'bad key!', value: 1 }))).toBe('BAD_REQUEST')
  })
})

describe('sessions and messages routers without an agent', () => {
  it('NOT_FOUND for unknown sessions; a missing CLI is PRECONDITION_FAILED (AGENT_NOT_FOUND) and creates nothing', async () => {
    const { caller, mk } = setup()
    const p = await caller.projects.add({ path: mk('gamma') })
    expect(await codeOf(caller.sessions.get({ id: 'nope' }))).toBe('NOT_FOUND')
    expect(await codeOf(caller.messages.full({ sessionId: 'nope', seq: 1 }))).toBe('NOT_FOUND')
    // This core has no providers at all.
    expect(await codeOf(caller.sessions.start({ projectId: p.id, prompt: 'hi' }))).toBe('BAD_REQUEST')
    expect(await caller.sessions.list({ projectId: p.id })).toEqual([])
  })
})

describe('events subscription', () => {
  it('streams project changes as tracked events and resumes from lastEventId', async () => {
    const { caller, core, mk } = setup()
    const ac = new AbortController()
    const sub = (signal: AbortSignal) => createCallerFactory(appRouter)(core.createContext(), { signal })
    const it1 = (await sub(ac.signal).events.stream(undefined))[Symbol.asyncIterator]()
    const pending = it1.next() // the generator subscribes on its first pull
    await new Promise((r) => setTimeout(r, 10))
    const p = await caller.projects.add({ path: mk('delta') })
    const first = (await pending).value as unknown as [string, { type: string }]
    ac.abort()
    expect(first[1].type).toBe('project.changed')
    await caller.projects.rename({ id: p.id, name: 'Delta' })
    const ac2 = new AbortController()
    const it2 = (await sub(ac2.signal).events.stream({ lastEventId: first[0] }))[Symbol.asyncIterator]()
    const replayed = (await it2.next()).value as unknown as [string, { type: string; project: { name: string } }]
    ac2.abort()
    expect(replayed[1].project.name).toBe('Delta')
    expect(core.hub.replayAfter('stale-1')).toBeNull()
  })

  it('BP-1: a connection that does not read gets no more events, and a resync once the hub gives up on it', async () => {
    const { core } = setup()
    let backlog = 0
    const ac = new AbortController()
    const caller = createCallerFactory(appRouter)({ ...core.createContext(), transportBacklog: () => backlog }, { signal: ac.signal })
    const it1 = (await caller.events.stream(undefined))[Symbol.asyncIterator]()
    const pending = it1.next()
    await new Promise((r) => setTimeout(r, 10))
    const event = (i: number) => ({ type: 'ui.focus' as const, projectId: `p${i}`, sessionId: null })
    core.hub.publish(event(0))
    expect(((await pending).value as unknown as [string, { projectId: string }])[1].projectId).toBe('p0')

    backlog = MAX_TRANSPORT_BACKLOG_BYTES + 1 // the page stopped reading
    const held = it1.next()
    let got: unknown = null
    void held.then((r) => (got = r.value))
    core.hub.publish(event(1))
    await new Promise((r) => setTimeout(r, 100)) // the stream has taken event 1 and waits for the transport
    for (let i = 2; i <= SUBSCRIBER_HIGH_WATER + 10; i++) core.hub.publish(event(i))
    await new Promise((r) => setTimeout(r, 200))
    expect(got).toBeNull() // nothing is handed to a transport that is not draining

    backlog = 0 // it reads again: the event it was holding, then one resync instead of thousands queued
    const first = ((await held).value as unknown as [string, { type: string; projectId?: string }])[1]
    expect(first.projectId).toBe('p1')
    const next = ((await it1.next()).value as unknown as [string, { type: string }])[1]
    expect(next.type).toBe('resync')
    ac.abort()
  })
})
