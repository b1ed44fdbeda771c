import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushSync } from 'svelte'
import type { ApprovalDTO, MessageDTO, ProjectDTO, SessionDTO } from '../../src-main/shared/dto'
import type { ShepherdEvent } from '../../src-main/shared/events'
import type { Notice, ProjectApi } from './api'
import { PAGE_SIZE, ProjectStore, WINDOW_MAX } from './project-store.svelte'
import { SeqFeed } from './seq-feed'

const project: ProjectDTO = {
  id: 'p1',
  name: 'Proj',
  path: '/tmp/p',
  createdAt: 1,
  updatedAt: 1,
  stallThresholdMs: 60_000,
  retentionCount: null,
  retentionDays: null
}

function msg(seq: number, sessionId = 's1'): MessageDTO {
  return {
    sessionId,
    seq,
    kind: 'assistant',
    text: `m${seq}`,
    toolName: null,
    toolInput: null,
    toolPath: null,
    toolUseId: null,
    parentId: null,
    isError: false,
    createdAt: seq,
    fullLength: null
  }
}

function session(over: Partial<SessionDTO> = {}): SessionDTO {
  return {
    id: 's1',
    projectId: 'p1',
    provider: 'claude',
    model: null,
    permissionMode: 'default',
    cwd: '/tmp/p',
    title: 'Do things',
    status: 'running',
    statusReason: null,
    cliSessionId: null,
    pinned: false,
    lastSeq: 0,
    lastActivityAt: 0,
    createdAt: 1,
    updatedAt: 1,
    endedAt: null,
    totals: { costUsd: 0, inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, contextTokens: null, contextWindow: null, costKnown: true },
    queuedPrompts: [],
    archived: false,
    ...over
  }
}

/** A fake API over an in-memory "database" of messages. */
function fakeApi(db: { messages: MessageDTO[]; sessions: SessionDTO[]; approvals?: ApprovalDTO[] }) {
  const calls: string[] = []
  const api: ProjectApi = {
    async listSessions() {
      calls.push('list')
      return db.sessions
    },
    async pageMessages(_id, before, limit) {
      calls.push(`page:${before}`)
      const older = db.messages.filter((m) => before === null || m.seq < before)
      const page = older.slice(-limit)
      return { messages: page, hasMore: (page[0]?.seq ?? 1) > 1 }
    },
    async messagesAfter(_id, after, limit) {
      calls.push(`after:${after}`)
      return { messages: db.messages.filter((m) => m.seq > after).slice(0, limit), lastSeq: db.messages.at(-1)?.seq ?? 0 }
    },
    async messagesAround(_id, seq, before, after) {
      calls.push(`around:${seq}`)
      const i = db.messages.findIndex((m) => m.seq >= seq)
      const page = db.messages.slice(Math.max(0, i - before), i + after + 1)
      const lastSeq = db.messages.at(-1)?.seq ?? 0
      return { messages: page, hasOlder: (page[0]?.seq ?? 1) > 1, hasNewer: (page.at(-1)?.seq ?? lastSeq) < lastSeq, lastSeq }
    },
    async approvals() {
      return db.approvals ?? []
    },
    async prune() {
      calls.push('prune')
      return { removed: [] }
    },
    async prewarm(_projectId, provider) {
      calls.push(`prewarm:${provider}`)
    }
  }
  return { api, calls }
}

function makeStore(db: Parameters<typeof fakeApi>[0], now = () => Date.now(), quietBefore?: number, quietOlderThanMs?: number) {
  const { api, calls } = fakeApi(db)
  const notices: Notice[] = []
  const withdrawn: string[] = []
  const store = new ProjectStore(project, {
    api,
    clock: { now },
    notifier: { notify: (n) => notices.push(n), withdraw: (key) => withdrawn.push(key) },
    settings: { stallThresholdMs: (p) => p.stallThresholdMs ?? 900_000, wants: () => true },
    quietBefore,
    quietOlderThanMs
  })
  return { store, calls, notices, withdrawn }
}

const live = (...seqs: number[]): ShepherdEvent => ({
  type: 'agent.message',
  sessionId: 's1',
  projectId: 'p1',
  seq: Math.max(...seqs),
  messages: seqs.map((s) => msg(s))
})
const settle = async () => {
  for (let i = 0; i < 5; i++) await Promise.resolve()
  flushSync()
}

describe('SeqFeed', () => {
  it('applies each message once for every arrival order, duplicates included', () => {
    const seqs = [1, 2, 3, 4, 5]
    const perms = (a: number[]): number[][] => (a.length <= 1 ? [a] : a.flatMap((x, i) => perms([...a.slice(0, i), ...a.slice(i + 1)]).map((p) => [x, ...p])))
    for (const order of perms(seqs)) {
      const feed = new SeqFeed()
      const out: number[] = []
      for (const s of [...order, ...order.slice(0, 2)]) out.push(...feed.push([msg(s)]).appended.map((m) => m.seq))
      expect(out).toEqual(seqs)
    }
  })

  it('reports a gap after the last contiguous seq', () => {
    const feed = new SeqFeed(2)
    expect(feed.push([msg(5)])).toEqual({ appended: [], gapAfter: 2 })
    expect(feed.push([msg(3), msg(4)]).appended.map((m) => m.seq)).toEqual([3, 4, 5])
  })
})

describe('ProjectStore', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('opening a project warms up each agent its sessions use, once (OpenCode starts its server before the next prompt)', async () => {
    const db = {
      messages: [],
      sessions: [session({ id: 'a', provider: 'opencode' }), session({ id: 'b', provider: 'opencode' }), session({ id: 'c', provider: 'claude' })]
    }
    const { store, calls } = makeStore(db)
    await store.load()
    expect(calls.filter((c) => c.startsWith('prewarm:')).sort()).toEqual(['prewarm:claude', 'prewarm:opencode'])
  })

  it('ends identical to the DB whether live events come before, during or after the history page', async () => {
    const db = { messages: [1, 2, 3, 4, 5, 6].map((s) => msg(s)), sessions: [session()] }
    const { store } = makeStore(db)
    const loading = store.load()
    store.apply(live(5, 6)) // arrives while the page loads
    store.apply(live(2)) // a stale duplicate
    await loading
    await settle()
    db.messages.push(msg(7), msg(8))
    store.apply(live(8)) // ahead of a gap: 7 missing → fetched
    await settle()
    store.apply(live(7)) // the late original: ignored
    store.apply(live(1, 2, 3)) // a replay after reconnect: ignored
    await settle()
    expect(store.messages.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8])
    store.dispose()
  })

  it('fills a gap with messages.after and resumes from its last seq after a resync', async () => {
    const db = { messages: [1, 2].map((s) => msg(s)), sessions: [session()] }
    const { store, calls } = makeStore(db)
    await store.load()
    db.messages.push(...[3, 4, 5, 6].map((s) => msg(s)))
    store.apply({ type: 'resync', reason: 'test' })
    await settle()
    expect(calls).toContain('after:2')
    expect(store.messages.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5, 6])
    store.dispose()
  })

  it('loads older pages on demand', async () => {
    const db = { messages: Array.from({ length: 450 }, (_, i) => msg(i + 1)), sessions: [session()] }
    const { store } = makeStore(db)
    await store.load()
    expect(store.messages).toHaveLength(200)
    expect(store.hasOlder).toBe(true)
    await store.loadOlder()
    await store.loadOlder()
    expect(store.messages.map((m) => m.seq)).toEqual(Array.from({ length: 450 }, (_, i) => i + 1))
    expect(store.hasOlder).toBe(false)
    store.dispose()
  })

  it('scrolling back through 50,000 messages keeps the window bounded: the newest pages go, and come back on scroll-down', async () => {
    const db = { messages: Array.from({ length: 50_000 }, (_, i) => msg(i + 1)), sessions: [session()] }
    const { store } = makeStore(db)
    await store.load()
    const steps = Math.ceil(12_000 / PAGE_SIZE)
    for (let i = 0; i < steps; i++) await store.loadOlder()
    expect(store.messages.length).toBe(WINDOW_MAX)
    expect(store.messages[0]!.seq).toBe(50_000 - PAGE_SIZE * (steps + 1) + 1)
    expect(store.hasNewer).toBe(true)
    // Live messages wait while the tail is not loaded; nothing is lost.
    db.messages.push(msg(50_001))
    store.apply(live(50_001))
    expect(store.messages.some((m) => m.seq === 50_001)).toBe(false)
    for (let i = 0; i < 100 && store.hasNewer; i++) await store.loadNewer()
    await settle()
    expect(store.hasNewer).toBe(false)
    expect(store.messages.length).toBeLessThanOrEqual(WINDOW_MAX + 1)
    expect(store.messages.at(-1)!.seq).toBe(50_001)
    store.dispose()
  })

  it('stall timer: fires once after the threshold without activity, activity clears and re-arms it', async () => {
    const { store, notices } = makeStore({ messages: [], sessions: [session({ lastActivityAt: Date.now() })] })
    await store.load()
    vi.advanceTimersByTime(59_000)
    store.apply(live(1)) // activity at 59 s re-arms
    vi.advanceTimersByTime(30_000)
    expect(store.stalled.has('s1')).toBe(false)
    vi.advanceTimersByTime(31_000)
    expect(store.stalled.has('s1')).toBe(true)
    expect(store.displayStatus(store.sessions[0]!)).toBe('stalled')
    expect(store.needsYou).toBe(1)
    vi.advanceTimersByTime(600_000)
    expect(notices.filter((n) => n.kind === 'stalled')).toHaveLength(1)
    store.apply(live(2))
    expect(store.stalled.has('s1')).toBe(false)
    store.dispose()
  })

  it('drafts: shown while the turn runs, replaced by the message they become, stale ones ignored; streaming is activity', async () => {
    const { store } = makeStore({ messages: [msg(1)], sessions: [session({ lastActivityAt: Date.now() })] })
    await store.load()
    const draft = (seq: number, text: string | null): ShepherdEvent => ({
      type: 'agent.draft',
      sessionId: 's1',
      projectId: 'p1',
      seq,
      draft: text === null ? null : { kind: 'assistant', text, omitted: 0 }
    })
    const s = () => store.sessions[0]!
    store.apply(draft(1, 'Hel'))
    store.apply(draft(1, 'Hello wor'))
    expect(store.draftOf(s())?.text).toBe('Hello wor')
    // A long answer keeps streaming past the stall threshold: no stall.
    for (let i = 0; i < 7; i++) {
      vi.advanceTimersByTime(10_000)
      store.apply(draft(1, 'Hello world'.padEnd(12 + i, '.')))
    }
    expect(store.stalled.has('s1')).toBe(false)
    store.apply(live(2)) // the finished block
    expect(store.draftOf(s())).toBeNull()
    store.apply(draft(1, 'Hello world')) // a late (replayed) draft of the block that ended
    expect(store.draftOf(s())).toBeNull()
    store.apply(draft(2, 'Next'))
    expect(store.draftOf(s())?.text).toBe('Next')
    store.apply(draft(2, null)) // ended without a message
    expect(store.draftOf(s())).toBeNull()
    store.apply(draft(2, 'Again'))
    store.apply({ type: 'agent.status', sessionId: 's1', projectId: 'p1', seq: 2, status: 'idle', reason: null, at: Date.now() })
    expect(store.drafts.size).toBe(0)
    expect(store.draftOf(s())).toBeNull()
    store.dispose()
  })

  it('heartbeats and sub-agent progress (agent.activity) are activity: a long sub-agent run is no stall; background work is shown', async () => {
    const { store } = makeStore({ messages: [msg(1)], sessions: [session({ lastActivityAt: Date.now() })] })
    await store.load()
    const activity = (text: string | null, background: string[] | null): ShepherdEvent => ({
      type: 'agent.activity',
      sessionId: 's1',
      projectId: 'p1',
      text,
      background
    })
    store.apply(activity('Scripted sub-agent', ['Scripted sub-agent']))
    // Minutes of sub-agent work with nothing but heartbeats: never stalled (threshold 60 s).
    for (let i = 0; i < 12; i++) {
      vi.advanceTimersByTime(20_000)
      store.apply(activity(`still running: Scripted sub-agent`, null))
    }
    expect(store.stalled.has('s1')).toBe(false)
    // `background: null` keeps the list; the text follows the latest.
    expect(store.liveOf(store.sessions[0]!)).toEqual({ text: 'still running: Scripted sub-agent', background: ['Scripted sub-agent'] })
    // Without them, the same silence is a stall.
    vi.advanceTimersByTime(61_000)
    expect(store.stalled.has('s1')).toBe(true)
    store.apply({ type: 'agent.status', sessionId: 's1', projectId: 'p1', seq: 1, status: 'idle', reason: null, at: Date.now() })
    expect(store.live.size).toBe(0)
    store.dispose()
  })

  it('waiting only for background work (status reason background_work) is not a stall', async () => {
    const { store } = makeStore({
      messages: [],
      sessions: [session({ lastActivityAt: Date.now(), statusReason: { code: 'background_work', message: '1 background task still running: npm run dev' } })]
    })
    await store.load()
    vi.advanceTimersByTime(10 * 60_000)
    expect(store.stalled.size).toBe(0)
    store.dispose()
  })

  it('stall timer is re-armed from the persisted last activity after a reload', async () => {
    const t0 = Date.now()
    const { store, notices } = makeStore({ messages: [], sessions: [session({ lastActivityAt: t0 - 50_000 })] })
    await store.load()
    vi.advanceTimersByTime(9_000)
    expect(store.stalled.size).toBe(0)
    vi.advanceTimersByTime(2_000)
    expect(store.stalled.has('s1')).toBe(true)
    expect(notices).toHaveLength(1)
    store.dispose()
  })

  it('a session that stopped running clears its stall timer', async () => {
    const { store } = makeStore({ messages: [], sessions: [session({ lastActivityAt: Date.now() })] })
    await store.load()
    store.apply({ type: 'agent.status', sessionId: 's1', projectId: 'p1', seq: 0, status: 'idle', reason: null, at: Date.now() })
    expect(vi.getTimerCount()).toBe(0)
    store.dispose()
  })

  it('no toast for a turn that ended before the page loaded (issue 11 item 18); one for a turn that ends after', async () => {
    const { store, notices } = makeStore({ messages: [], sessions: [session({ lastActivityAt: Date.now() })] }, () => Date.now(), 5_000)
    await store.load()
    const old: ShepherdEvent = { type: 'agent.status', sessionId: 's1', projectId: 'p1', seq: 3, status: 'idle', reason: null, at: 1000 }
    store.apply({ ...old, status: 'running', at: 900 })
    store.apply(old)
    expect(notices).toHaveLength(0)
    store.apply({ ...old, status: 'running', at: 6000 })
    store.apply({ ...old, at: 7000 })
    expect(notices.map((n) => n.kind)).toEqual(['completed'])
    store.dispose()
  })

  it('no toast for a turn that ended long before its event arrived (replayed after a reconnect)', async () => {
    let now = 100_000
    const { store, notices } = makeStore({ messages: [], sessions: [session({ lastActivityAt: 0 })] }, () => now, 0, 60_000)
    await store.load()
    const ev: ShepherdEvent = { type: 'agent.status', sessionId: 's1', projectId: 'p1', seq: 3, status: 'running', reason: null, at: 10_000 }
    store.apply(ev)
    store.apply({ ...ev, status: 'idle', at: 20_000 })
    expect(notices.filter((n) => n.kind === 'completed')).toHaveLength(0)
    now = 200_000
    store.apply({ ...ev, at: 190_000 })
    store.apply({ ...ev, status: 'idle', at: 195_000 })
    expect(notices.filter((n) => n.kind === 'completed')).toHaveLength(1)
    store.dispose()
  })

  it('notices: completion once (also when replayed), none for a session the user stopped, approvals and errors', async () => {
    const { store, notices, calls, withdrawn } = makeStore({
      messages: [],
      sessions: [session({ lastActivityAt: Date.now() }), session({ id: 's2', status: 'running', lastActivityAt: Date.now() })]
    })
    await store.load()
    const done: ShepherdEvent = { type: 'agent.status', sessionId: 's1', projectId: 'p1', seq: 3, status: 'idle', reason: null, at: 1000 }
    store.apply(done)
    store.apply({ ...done, status: 'running', at: 1001 })
    store.apply({ ...done, at: 1000 }) // the same event replayed after a reconnect
    expect(notices.filter((n) => n.kind === 'completed')).toHaveLength(1)
    expect(calls.filter((c) => c === 'prune').length).toBeGreaterThanOrEqual(2) // at startup and on completion
    store.apply({
      type: 'agent.status',
      sessionId: 's2',
      projectId: 'p1',
      seq: 1,
      status: 'stopping',
      reason: { code: 'stopping', message: 'stopping at your request' },
      at: 2000
    })
    store.apply({
      type: 'agent.status',
      sessionId: 's2',
      projectId: 'p1',
      seq: 1,
      status: 'interrupted',
      reason: { code: 'stopped_by_user', message: 'stopped by you' },
      at: 2001
    })
    expect(notices.filter((n) => n.sessionId === 's2')).toHaveLength(0)
    store.apply({
      type: 'agent.approval',
      sessionId: 's1',
      projectId: 'p1',
      seq: 3,
      approval: {
        id: 'a1',
        sessionId: 's1',
        projectId: 'p1',
        toolName: 'Write',
        input: '{}',
        description: null,
        sessionScope: null,
        status: 'pending',
        createdAt: 1
      }
    })
    expect(store.approvals).toHaveLength(1)
    store.apply({
      type: 'agent.approval',
      sessionId: 's1',
      projectId: 'p1',
      seq: 3,
      approval: {
        id: 'a1',
        sessionId: 's1',
        projectId: 'p1',
        toolName: 'Write',
        input: '{}',
        description: null,
        sessionScope: null,
        status: 'allowed',
        createdAt: 1
      }
    })
    expect(store.approvals).toHaveLength(0)
    // Answered anywhere: its "needs your approval" notice is taken back.
    expect(withdrawn).toEqual([notices.find((n) => n.kind === 'approval')!.key])
    store.apply({ type: 'agent.status', sessionId: 's1', projectId: 'p1', seq: 4, status: 'error', reason: { message: 'API Error: 500' }, at: 3000 })
    expect(notices.map((n) => n.kind)).toEqual(['completed', 'approval', 'error'])
    store.dispose()
  })

  it('an interrupted turn (Esc) is not announced as done: the reason code says so, whatever its words', async () => {
    const { store, notices } = makeStore({ messages: [], sessions: [session({ status: 'running', lastActivityAt: Date.now() })] })
    await store.load()
    store.apply({
      type: 'agent.status',
      sessionId: 's1',
      projectId: 'p1',
      seq: 2,
      status: 'idle',
      reason: { code: 'turn_interrupted', message: 'Turn abgebrochen' },
      at: 1000
    })
    expect(notices).toHaveLength(0)
    store.apply({ type: 'agent.status', sessionId: 's1', projectId: 'p1', seq: 3, status: 'running', reason: null, at: 1001 })
    store.apply({ type: 'agent.status', sessionId: 's1', projectId: 'p1', seq: 4, status: 'idle', reason: { message: 'turn interrupted' }, at: 1002 })
    expect(notices.map((n) => n.kind)).toEqual(['completed']) // no code: a finished turn, the text is not read
    store.dispose()
  })

  it('retention: sessions removed by pruning leave the store', async () => {
    const { store } = makeStore({ messages: [], sessions: [session(), session({ id: 's2', status: 'done' })] })
    await store.load()
    store.apply({ type: 'session.removed', sessionId: 's2', projectId: 'p1' })
    expect(store.sessions.map((s) => s.id)).toEqual(['s1'])
    store.dispose()
  })

  it('leaves no timers behind after dispose', async () => {
    const { store } = makeStore({ messages: [], sessions: [session({ lastActivityAt: Date.now() }), session({ id: 's2', lastActivityAt: Date.now() })] })
    await store.load()
    expect(vi.getTimerCount()).toBe(2)
    store.dispose()
    expect(vi.getTimerCount()).toBe(0)
    store.apply(live(1)) // events after dispose are ignored
    expect(vi.getTimerCount()).toBe(0)
  })
})

describe('ProjectStore: opening at a message (search hits, issue 15)', () => {
  it('loads the page around a deep seq, stays detached from live messages, scrolls down to the tail and follows again', async () => {
    const db = { messages: Array.from({ length: 100_000 }, (_, i) => msg(i + 1)), sessions: [session({ status: 'idle' })] }
    const { store, calls } = makeStore(db)
    await store.load()
    await store.openAt('s1', 80_000)
    expect(calls).toContain('around:80000')
    expect(store.focus).toMatchObject({ sessionId: 's1', seq: 80_000 })
    expect(store.messages[0]!.seq).toBe(80_000 - PAGE_SIZE / 2)
    expect(store.messages.at(-1)!.seq).toBe(80_000 + PAGE_SIZE / 2)
    expect(store.hasOlder).toBe(true)
    expect(store.hasNewer).toBe(true)
    // A live message while detached is not appended (it would leave a hole); it marks "newer".
    db.messages.push(msg(100_001))
    store.apply(live(100_001))
    await settle()
    expect(store.messages.at(-1)!.seq).toBe(80_000 + PAGE_SIZE / 2)
    // Scroll up and down both work from there.
    await store.loadOlder()
    expect(store.messages[0]!.seq).toBe(80_000 - PAGE_SIZE / 2 - PAGE_SIZE)
    await store.loadNewer()
    expect(store.messages.at(-1)!.seq).toBe(80_000 + PAGE_SIZE / 2 + PAGE_SIZE)
    // Another hit in the same window only moves the focus.
    const before = calls.length
    await store.openAt('s1', 80_050)
    expect(calls.length).toBe(before)
    expect(store.focus!.seq).toBe(80_050)
    // Near the tail: the window reaches it, and live messages are appended again, gap-free.
    await store.openAt('s1', 99_990)
    expect(store.hasNewer).toBe(false)
    await settle()
    db.messages.push(msg(100_002))
    store.apply(live(100_002))
    await settle()
    expect(store.messages.at(-1)!.seq).toBe(100_002)
    const seqs = store.messages.map((m) => m.seq)
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => seqs[0]! + i))
    // Opening normally again shows the tail and drops the focus.
    await store.open('s1')
    expect(store.focus).toBeNull()
    expect(store.messages.at(-1)!.seq).toBe(100_002)
  })
})
