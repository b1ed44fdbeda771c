import { afterEach, describe, expect, it } from 'vitest'
import { TRPCError } from '@trpc/server'
import { testCore } from '../../test/support/core'
import { tempDir } from '../../test/support/temp'
import { memoryCore } from '../../test/support/memory-core'
import { MemoryProvider } from '../../test/support/memory-provider'
import type { ShepherdEvent } from '../shared/events'

const cleanups: (() => unknown)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

const tick = (ms = 40) => new Promise((r) => setTimeout(r, ms))

async function setup(opts: { dataDir?: string } = {}) {
  const t = await memoryCore(cleanups, opts)
  const events: ShepherdEvent[] = []
  const ac = new AbortController()
  cleanups.push(() => ac.abort())
  void (async () => {
    for await (const item of t.core.hub.subscribe(null, ac.signal)) events.push(item.event)
  })()
  return { ...t, events }
}

const text = (t: string) => ({ kind: 'message' as const, message: { kind: 'assistant' as const, text: t } })
const usage = (total: number) => ({
  kind: 'usage' as const,
  usage: { costUsdSessionTotal: total, inputTokens: 10, outputTokens: 5, cacheReadTokens: 0, cacheWriteTokens: 0, costKnown: true }
})

describe('Supervisor', () => {
  it('persists every message before it is pushed, with gap-free seq, and reports idle then done truthfully', async () => {
    const { caller, core, provider, project, events } = await setup()
    const s = await caller.sessions.start({ projectId: project.id, prompt: 'hello there' })
    const h = provider.last
    expect(h.sent).toEqual(['hello there'])
    h.emit({ kind: 'cli_session', cliSessionId: 'cli-1' }, { kind: 'turn', state: 'running' }, text('one'), text('two'))
    await tick()
    for (const e of events) {
      if (e.type !== 'agent.message') continue
      for (const m of e.messages) expect(core.store.getMessage(s.id, m.seq)?.text).toBe(m.text)
    }
    h.emit(usage(0.5), { kind: 'turn', state: 'idle' })
    await tick()
    const mid = await caller.sessions.get({ id: s.id })
    expect(mid.status).toBe('idle')
    expect(mid.cliSessionId).toBe('cli-1')
    expect(mid.totals.costUsd).toBeCloseTo(0.5)
    h.exit({ code: 0, signal: null, stderrTail: '' })
    await tick()
    const end = await caller.sessions.get({ id: s.id })
    expect(end.status).toBe('done')
    const seqs = core.store.messagesAfter(s.id, 0, 100).map((m) => m.seq)
    expect(seqs).toEqual([1, 2, 3])
    const statuses = events.filter((e) => e.type === 'agent.status').map((e) => (e as { status: string }).status)
    expect(statuses).toEqual(['starting', 'idle', 'running', 'idle', 'done'])
  })

  it('drafts are pushed (throttled, newest only), never stored, after the messages before them; a message drops a waiting one', async () => {
    const { caller, core, provider, project, events } = await setup()
    const s = await caller.sessions.start({ projectId: project.id, prompt: 'write' })
    const h = provider.last
    const draft = (t: string) => ({ kind: 'draft' as const, draft: { kind: 'assistant' as const, text: t } })
    h.emit({ kind: 'turn', state: 'running' }, text('before'), draft('H'), draft('He'), draft('Hel'))
    await tick(200)
    const order = events.flatMap((e) => ((e.type === 'agent.message' || e.type === 'agent.draft') && e.sessionId === s.id ? [e] : []))
    const shown = order.map((e) => (e.type === 'agent.draft' ? `draft@${e.seq}:${e.draft?.text}` : `msg@${e.seq}`))
    // The first draft waits for the commit of "before", the last one comes at the end of the interval.
    expect(shown.slice(shown.indexOf('msg@2'))).toEqual(['msg@2', 'draft@2:H', 'draft@2:Hel'])
    const n = events.length
    h.emit(draft('Hello'), draft('Hello w'), text('Hello world'))
    await tick(200)
    expect(events.slice(n).filter((e) => e.type === 'agent.draft')).toEqual([])
    expect(core.store.messagesAfter(s.id, 0, 100).map((m) => m.text)).toEqual(['write', 'before', 'Hello world'])
    // Long drafts carry their end.
    h.emit(draft('x'.repeat(20_000) + 'END'))
    await tick(200)
    const long = events.filter((e) => e.type === 'agent.draft').at(-1)
    expect(long?.type === 'agent.draft' && long.draft?.text.endsWith('END') && long.draft.omitted).toBe(20_003 - 16_000)
  })

  it('stores cost deltas from a cumulative total, and the ledger per day', async () => {
    const { caller, core, provider, project } = await setup()
    const s = await caller.sessions.start({ projectId: project.id, prompt: 'a' })
    provider.last.emit(usage(0.25), { kind: 'turn', state: 'idle' })
    await caller.sessions.send({ id: s.id, prompt: 'b' })
    provider.last.emit(usage(0.75), { kind: 'turn', state: 'idle' })
    await tick()
    const got = await caller.sessions.get({ id: s.id })
    expect(got.totals.costUsd).toBeCloseTo(0.75)
    expect(got.totals.inputTokens).toBe(20)
    const day = new Date().toISOString().slice(0, 10)
    const ledger = core.store.dailyCost(day)
    expect(ledger[0]?.cost_usd).toBeCloseTo(0.75)
  })

  it('queues a follow-up sent while a turn runs and delivers it when the turn ends', async () => {
    const { caller, provider, project } = await setup()
    const s = await caller.sessions.start({ projectId: project.id, prompt: 'first' })
    const h = provider.last
    expect((await caller.sessions.send({ id: s.id, prompt: 'second' })).delivery).toBe('queued')
    expect((await caller.sessions.get({ id: s.id })).queuedPrompts).toEqual(['second'])
    h.emit({ kind: 'turn', state: 'idle' })
    await tick()
    expect(h.sent).toEqual(['first', 'second'])
    const got = await caller.sessions.get({ id: s.id })
    expect(got.queuedPrompts).toEqual([])
    expect(got.status).toBe('running')
  })

  it('an API error is an error; an interrupt is not', async () => {
    const { caller, provider, project } = await setup()
    const s = await caller.sessions.start({ projectId: project.id, prompt: 'x' })
    provider.last.emit({ kind: 'turn', state: 'error', reason: { message: 'API Error: 500', apiErrorStatus: 500 } })
    await tick()
    const got = await caller.sessions.get({ id: s.id })
    expect(got.status).toBe('error')
    expect(got.statusReason?.apiErrorStatus).toBe(500)
    expect(got.statusReason?.code).toBe('turn_failed')
    await caller.sessions.send({ id: s.id, prompt: 'again' })
    await caller.sessions.interrupt({ id: s.id })
    expect(provider.last.controls).toContain('interrupt')
    provider.last.emit({ kind: 'turn', state: 'error', reason: { message: 'aborted' } })
    await tick()
    const after = await caller.sessions.get({ id: s.id })
    expect(after.status).toBe('idle')
    // The renderer tells an interrupted turn from a finished one by this code, never by the words.
    expect(after.statusReason?.code).toBe('turn_interrupted')
  })

  it('stop persists stopping, then interrupted; a crash mid-turn is an error with the exit reason', async () => {
    const { caller, provider, project, events } = await setup()
    const a = await caller.sessions.start({ projectId: project.id, prompt: 'x' })
    const stopped = await caller.sessions.stop({ id: a.id })
    expect(stopped.status).toBe('interrupted')
    expect(stopped.statusReason?.code).toBe('stopped_by_user')
    const st = events.filter((e) => e.type === 'agent.status' && e.sessionId === a.id).map((e) => (e as { status: string }).status)
    expect(st.slice(-2)).toEqual(['stopping', 'interrupted'])
    const b = await caller.sessions.start({ projectId: project.id, prompt: 'y' })
    provider.last.exit({ code: null, signal: 'SIGKILL', stderrTail: 'boom' })
    await tick()
    const got = await caller.sessions.get({ id: b.id })
    expect(got.status).toBe('error')
    expect(got.statusReason?.signal).toBe('SIGKILL')
    expect(got.statusReason?.code).toBe('killed')
    expect(got.statusReason?.stderrTail).toBe('boom')
  })

  it('approvals: persisted, answered once, status back to running; a second answer is CONFLICT', async () => {
    const { caller, provider, project } = await setup()
    const s = await caller.sessions.start({ projectId: project.id, prompt: 'x' })
    provider.last.emit({ kind: 'approval_request', request: { requestId: 'r1', toolName: 'Bash', input: { command: 'touch a' } } })
    await tick()
    expect((await caller.sessions.get({ id: s.id })).status).toBe('waiting_approval')
    const [a] = await caller.sessions.approvals({ projectId: project.id })
    expect(a?.toolName).toBe('Bash')
    await caller.sessions.answerApproval({ approvalId: a!.id, decision: { behavior: 'deny', message: 'no' } })
    expect(provider.last.answers).toEqual([{ requestId: 'r1', decision: { behavior: 'deny', message: 'no' } }])
    expect((await caller.sessions.get({ id: s.id })).status).toBe('running')
    await expect(caller.sessions.answerApproval({ approvalId: a!.id, decision: { behavior: 'allow', scope: 'once' } })).rejects.toMatchObject({
      code: 'CONFLICT'
    })
  })

  it('caps concurrent running turns and starts queued sessions when a slot frees', async () => {
    const { caller, provider, project } = await setup()
    await caller.settings.update({ maxConcurrentSessions: 1 })
    const a = await caller.sessions.start({ projectId: project.id, prompt: 'a' })
    const b = await caller.sessions.start({ projectId: project.id, prompt: 'b' })
    expect((await caller.sessions.get({ id: b.id })).status).toBe('queued')
    expect(provider.handles).toHaveLength(1)
    provider.handles[0]!.emit({ kind: 'turn', state: 'idle' })
    await tick()
    expect(provider.handles).toHaveLength(2)
    expect(provider.handles[1]!.sent).toEqual(['b'])
    expect((await caller.sessions.get({ id: a.id })).status).toBe('idle')
  })

  it('guards against a double start of the same session', async () => {
    const { caller, project } = await setup()
    const s = await caller.sessions.start({ projectId: project.id, prompt: 'a' })
    await expect(caller.sessions.resume({ id: s.id })).rejects.toBeInstanceOf(TRPCError)
  })

  it('a missing CLI is AGENT_NOT_FOUND (PRECONDITION_FAILED) with the install command, and no session is created', async () => {
    const { caller, provider, project } = await setup()
    provider.found = false
    await expect(caller.sessions.start({ projectId: project.id, prompt: 'a' })).rejects.toMatchObject({
      code: 'PRECONDITION_FAILED',
      message: expect.stringContaining('npm install -g')
    })
    expect(await caller.sessions.list({ projectId: project.id })).toEqual([])
  })

  it('a control the agent cannot do is refused as UNSUPPORTED with its reason, and nothing changes', async () => {
    const { caller, core, provider, project } = await setup()
    const no = (note: string) => ({ level: 'no' as const, note })
    provider.controls = {
      ...provider.controls,
      model: no('picks its model itself'),
      permissionMode: no('has no modes'),
      fork: no('cannot fork'),
      interrupt: no('cannot stop a turn')
    }
    const s = await caller.sessions.start({ projectId: project.id, prompt: 'a', model: 'm1' })
    provider.last.emit({ kind: 'cli_session', cliSessionId: 'cli-1' }, { kind: 'turn', state: 'running' })
    await tick()
    const before = core.store.messagesAfter(s.id, 0, 100).length
    for (const [call, reason] of [
      [() => caller.sessions.setModel({ id: s.id, model: 'm2' }), 'picks its model itself'],
      [() => caller.sessions.setPermissionMode({ id: s.id, mode: 'plan' }), 'has no modes'],
      [() => caller.sessions.fork({ id: s.id }), 'cannot fork'],
      [() => caller.sessions.interrupt({ id: s.id }), 'cannot stop a turn']
    ] as const) {
      const err = await call().then(
        () => null,
        (e: unknown) => e
      )
      expect(err).toBeInstanceOf(TRPCError)
      expect(err).toMatchObject({ code: 'METHOD_NOT_SUPPORTED', message: `Memory agent: ${reason}` })
    }
    expect(provider.last.controls).toEqual([])
    const after = await caller.sessions.get({ id: s.id })
    expect(after).toMatchObject({ model: 'm1', permissionMode: 'default' })
    expect(core.store.messagesAfter(s.id, 0, 100)).toHaveLength(before)
    expect(await caller.sessions.list({ projectId: project.id })).toHaveLength(1)
  })

  it('settings.providers lists every provider with its binary, its controls and its permission modes', async () => {
    const { caller } = await setup()
    const [p] = await caller.settings.providers()
    expect(p).toMatchObject({ id: 'claude', found: true, path: '/bin/true', version: '1.0' })
    expect(Object.keys(p!.controls).sort()).toEqual([
      'approvals',
      'approveForSession',
      'cost',
      'denyReason',
      'fork',
      'interrupt',
      'model',
      'permissionMode',
      'questions',
      'queue',
      'resume',
      'stop',
      'tokens'
    ])
    expect(Object.keys(p!.permissionModes).sort()).toEqual(['acceptEdits', 'bypassPermissions', 'default', 'plan'])
  })

  it('a follow-up to a finished session resumes the CLI conversation by its own id', async () => {
    const { caller, provider, project } = await setup()
    const s = await caller.sessions.start({ projectId: project.id, prompt: 'a' })
    provider.last.emit({ kind: 'cli_session', cliSessionId: 'cli-9' }, { kind: 'turn', state: 'idle' })
    provider.last.exit()
    await tick()
    await caller.sessions.send({ id: s.id, prompt: 'b' })
    expect(provider.last.opts.resumeCliSessionId).toBe('cli-9')
    expect(provider.last.sent).toEqual(['b'])
  })

  it('a stale resume id starts fresh with a clear system message and keeps the prompt', async () => {
    const { caller, core, provider, project } = await setup()
    const s = await caller.sessions.start({ projectId: project.id, prompt: 'a' })
    provider.last.emit({ kind: 'cli_session', cliSessionId: 'gone' }, { kind: 'turn', state: 'idle' })
    provider.last.exit()
    await tick()
    await caller.sessions.send({ id: s.id, prompt: 'b' })
    provider.last.exit({ code: 1, signal: null, stderrTail: 'No conversation found with session ID: gone' })
    await tick()
    expect(provider.handles).toHaveLength(3)
    expect(provider.last.opts.resumeCliSessionId).toBeNull()
    expect(provider.last.sent).toEqual(['b'])
    const texts = core.store.messagesAfter(s.id, 0, 100).map((m) => m.text)
    expect(texts.some((t) => t.startsWith('Could not resume'))).toBe(true)
  })

  it('retention prunes the oldest unpinned sessions and keeps pinned ones', async () => {
    const { caller, provider, project } = await setup()
    await caller.projects.updateSettings({ id: project.id, retentionCount: 1 })
    const ids: string[] = []
    for (const p of ['a', 'b', 'c']) {
      const s = await caller.sessions.start({ projectId: project.id, prompt: p })
      provider.last.exit()
      await tick(5)
      ids.push(s.id)
    }
    await caller.sessions.pin({ id: ids[0]!, pinned: true })
    const { removed } = await caller.sessions.prune({ projectId: project.id })
    expect(removed).toEqual([ids[1]])
    const left = (await caller.sessions.list({ projectId: project.id })).map((s) => s.id).sort()
    expect(left).toEqual([ids[0]!, ids[2]!].sort())
  })

  it('on launch, sessions left active by a crash are marked interrupted', async () => {
    const t = tempDir()
    cleanups.push(t.cleanup)
    const first = await setup({ dataDir: t.dir })
    const s = await first.caller.sessions.start({ projectId: first.project.id, prompt: 'a' })
    // Simulate a crash: a second app instance opens the same data dir without the first shutting down.
    const second = testCore({ providers: [new MemoryProvider()], dataDir: t.dir })
    cleanups.push(second.cleanup)
    const got = await second.caller.sessions.get({ id: s.id })
    expect(got.status).toBe('interrupted')
    expect(got.statusReason?.message).toMatch(/exited unexpectedly/)
    expect(got.statusReason?.code).toBe('app_crashed')
  })
})

describe('Supervisor back-pressure (BP-6 / DB-2)', () => {
  it('pauses agent output while commits fail and resumes after a good commit; nothing is lost; the UI is told (DB-2)', async () => {
    const { caller, core, provider, project, events } = await setup()
    const s = await caller.sessions.start({ projectId: project.id, prompt: 'x' })
    const h = provider.last
    const calls: string[] = []
    h.pauseOutput = () => calls.push('pause')
    h.resumeOutput = () => calls.push('resume')
    const store = core.store as unknown as { insertMessages: (rows: unknown[]) => void }
    const real = store.insertMessages.bind(store)
    let full = true
    store.insertMessages = (rows) => {
      if (full) throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' })
      real(rows)
    }
    h.emit(text('during disk full'))
    await tick(60)
    expect(calls).toContain('pause')
    expect((await caller.app.health()).storageError).toBe('the disk is full')
    full = false
    await tick(700)
    expect(calls[calls.length - 1]).toBe('resume')
    expect(core.store.messagesAfter(s.id, 0, 10).map((m) => m.text)).toContain('during disk full')
    expect((await caller.app.health()).storageError).toBeNull()
    // Pushed once when writes start failing (not per retry), once when they work again.
    const storage = events.flatMap((e) => (e.type === 'app.storage' ? [e.error] : []))
    expect(storage).toEqual(['the disk is full', null])
  })
})

describe('Supervisor fork', () => {
  it('a fork made without a prompt forks (not resumes) the source conversation on its first send', async () => {
    const { caller, provider, project } = await setup()
    const s = await caller.sessions.start({ projectId: project.id, prompt: 'a' })
    provider.last.emit({ kind: 'cli_session', cliSessionId: 'cli-src' }, { kind: 'turn', state: 'idle' })
    const f = await caller.sessions.fork({ id: s.id })
    await caller.sessions.send({ id: f.id, prompt: 'b' })
    expect(provider.last.opts.resumeCliSessionId).toBe('cli-src')
    expect(provider.last.opts.fork).toBe(true)
    provider.last.exit()
    await tick()
    await caller.sessions.send({ id: f.id, prompt: 'c' })
    expect(provider.last.opts.fork).toBe(false)
  })
})
