/**
 * The renderer's state has one home: AppState subscribes to the events stream exactly once and routes
 * each event to the stores it concerns (projects list → layout → project stores; unread marks see the
 * status from before the project store applies it). The tRPC client is replaced by an in-memory fake.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { ProjectDTO, SessionDTO } from '../../src-main/shared/dto'
import type { ShepherdEvent } from '../../src-main/shared/events'

const h = vi.hoisted(() => ({
  listeners: [] as ((e: unknown) => void)[],
  projects: [] as unknown[],
  sessions: [] as unknown[],
  ui: {} as Record<string, unknown>
}))

vi.mock('../lib/api/client', () => {
  const q = <T>(f: (input?: unknown) => T) => ({ query: async (input?: unknown) => f(input), mutate: async (input?: unknown) => f(input) })
  return {
    describeError: (err: unknown) => ({ message: String(err) }),
    events: {
      on(fn: (e: unknown) => void) {
        h.listeners.push(fn)
        return () => h.listeners.splice(h.listeners.indexOf(fn), 1)
      }
    },
    api: {
      projects: { list: q(() => h.projects), remove: q(() => ({ ok: true })) },
      sessions: { list: q(() => h.sessions), approvals: q(() => []), prune: q(() => ({ removed: [] })) },
      questions: { pending: q(() => []) },
      messages: { page: q(() => ({ messages: [], hasMore: false })), after: q(() => ({ messages: [], lastSeq: 0 })) },
      budgets: { holds: q(() => []) },
      usage: { limits: q(() => ({ waits: [] })) },
      inbox: { list: q(() => ({ items: [], snoozed: 0, nextWakeAt: null, hiddenKeys: [] })), seen: q(() => ({ ok: true })) },
      settings: { uiAll: q(() => h.ui), uiSet: q(() => ({ ok: true })), get: q(() => null), providers: q(() => []) },
      app: {
        info: q(() => ({ canPickFolder: false, canNotify: true, platform: 'linux', version: '0', host: 'web', dbRecovery: null })),
        health: q(() => ({ storageError: null }))
      }
    }
  }
})

const { AppState } = await import('./app.svelte')
const { UiState } = await import('./ui-state.svelte')

const project = (id: string): ProjectDTO => ({
  id,
  name: id,
  path: `/tmp/${id}`,
  createdAt: 1,
  updatedAt: 1,
  stallThresholdMs: null,
  retentionCount: null,
  retentionDays: null
})
const session = (over: Partial<SessionDTO>): SessionDTO => ({
  id: 's1',
  projectId: 'a',
  provider: 'claude',
  model: null,
  permissionMode: 'default',
  cwd: '/tmp/a',
  title: 'T',
  status: 'running',
  statusReason: null,
  cliSessionId: null,
  pinned: false,
  lastSeq: 0,
  lastActivityAt: Date.now(),
  createdAt: 1,
  updatedAt: 1,
  endedAt: null,
  totals: { costUsd: 0, inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, contextTokens: null, contextWindow: null, costKnown: true },
  queuedPrompts: [],
  archived: false,
  ...over
})
const emit = (e: ShepherdEvent) => h.listeners.forEach((l) => l(e))
const settle = () => new Promise((r) => setTimeout(r, 0))

function stubBrowser() {
  vi.stubGlobal('window', { matchMedia: () => ({ matches: false, addEventListener() {}, removeEventListener() {} }) })
  vi.stubGlobal('document', {
    documentElement: { dataset: {} },
    visibilityState: 'visible',
    addEventListener() {},
    removeEventListener() {},
    hasFocus: () => true,
    getElementById: () => null
  })
  vi.stubGlobal('navigator', { platform: 'Linux' })
  vi.stubGlobal('requestAnimationFrame', (f: () => void) => setTimeout(f, 0))
}

describe('AppState: one subscriber, stores named for what they hold', () => {
  let app: InstanceType<typeof AppState> | null = null
  beforeEach(() => {
    stubBrowser()
    h.listeners.length = 0
    h.projects = [project('a'), project('b')]
    h.sessions = []
    h.ui = { layout: { panes: ['b'], selectedId: 'b' } }
  })
  afterEach(() => {
    app?.dispose()
    app = null
    vi.unstubAllGlobals()
  })

  async function start() {
    const ui = new UiState({ uiAll: async () => h.ui, uiSet: async () => ({}) })
    await ui.load()
    app = new AppState(ui, null)
    await app.init()
    await settle()
    return app
  }

  it('subscribes to the events stream once, restores the saved layout and keeps one project store per project', async () => {
    const a = await start()
    expect(h.listeners).toHaveLength(1)
    expect(a.layout.selectedId).toBe('b')
    expect(a.layout.openProjects.map((p) => p.id)).toEqual(['b'])
    expect(a.projectStores.all()).toHaveLength(2)
    emit({ type: 'project.changed', project: project('c') })
    expect(a.projects.list.map((p) => p.id)).toEqual(['a', 'b', 'c'])
    expect(a.projectStores.get('c')).not.toBeNull()
    a.dispose()
    expect(h.listeners).toHaveLength(0)
  })

  it('a removed project leaves the list, its pane and its store; the focus moves on', async () => {
    const a = await start()
    a.layout.openBeside('a')
    expect(a.layout.openProjects.map((p) => p.id)).toEqual(['b', 'a'])
    emit({ type: 'project.removed', projectId: 'a' })
    expect(a.projects.list.map((p) => p.id)).toEqual(['b'])
    expect(a.layout.openProjects.map((p) => p.id)).toEqual(['b'])
    expect(a.layout.selectedId).toBe('b')
    expect(a.projectStores.get('a')).toBeNull()
  })

  it('a turn that ends while its session is not on screen is marked unread; looking at it or removing it clears the mark', async () => {
    h.sessions = [session({ id: 's1', projectId: 'a' })]
    const a = await start()
    await a.projectStores.get('a')?.load(null)
    // Project a has no pane (b is the open one): its session is not on screen.
    emit({ type: 'agent.status', sessionId: 's1', projectId: 'a', seq: 1, status: 'idle', reason: null, at: Date.now() })
    expect(a.unread.has('s1')).toBe(true)
    expect(a.unread.count('a')).toBe(1)
    emit({ type: 'session.removed', sessionId: 's1', projectId: 'a' })
    expect(a.unread.has('s1')).toBe(false)
  })

  it('ui.focus (a click on an OS notification) opens that project beside the others and focuses it', async () => {
    const a = await start()
    emit({ type: 'ui.focus', projectId: 'a', sessionId: null })
    expect(a.layout.selectedId).toBe('a')
    expect(a.layout.openProjects.map((p) => p.id)).toEqual(['b', 'a'])
  })

  it("the inbox and a shown view's store (usage) are fed by the same one subscriber; leaving the inbox view is leaving for projects", async () => {
    const a = await start()
    const inboxApply = vi.spyOn(a.inbox, 'apply')
    const seen: string[] = []
    const stop = a.follow((e) => seen.push(e.type))
    emit({ type: 'project.changed', project: project('c') })
    expect(h.listeners).toHaveLength(1)
    expect(inboxApply).toHaveBeenCalledTimes(1)
    expect(seen).toEqual(['project.changed'])
    stop()
    emit({ type: 'project.changed', project: project('d') })
    expect(seen).toEqual(['project.changed'])
    a.layout.showInbox()
    expect(a.layout.view).toBe('inbox')
    a.layout.showUsage()
    expect(a.layout.view).toBe('usage')
    a.layout.select('a')
    expect(a.layout.view).toBe('projects')
  })

  it('leaving Settings reads the settings again', async () => {
    const a = await start()
    const refresh = vi.spyOn(a.settings, 'refresh')
    a.layout.showSettings()
    expect(refresh).not.toHaveBeenCalled()
    a.layout.select('a')
    expect(refresh).toHaveBeenCalledTimes(1)
  })
})
