import { afterEach, describe, expect, it } from 'vitest'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { TRPCError } from '@trpc/server'
import { testCore } from '../../../test/support/core'
import { tempDir } from '../../../test/support/temp'
import type { MessageRow } from '../../store/rows'

const cleanups: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c()
})

async function setup() {
  const t = testCore()
  const folders = tempDir('shepherd-proj-')
  cleanups.push(t.cleanup, folders.cleanup)
  const path = join(folders.dir, 'alpha')
  mkdirSync(path)
  const project = await t.caller.projects.add({ path })
  const store = t.core.store
  store.insertSession({
    id: 's1',
    projectId: project.id,
    provider: 'codex',
    model: null,
    permissionMode: 'default',
    cwd: path,
    title: 'Fix the parser',
    systemPrompt: null,
    extraEnv: {},
    status: 'done',
    now: 1
  })
  const row = (seq: number, text: string, over: Partial<MessageRow> = {}): MessageRow => ({
    session_id: 's1',
    seq,
    kind: 'assistant',
    text,
    tool_name: null,
    tool_input: null,
    tool_path: null,
    tool_use_id: null,
    parent_id: null,
    is_error: 0,
    created_at: seq,
    ...over
  })
  const rows: MessageRow[] = []
  for (let seq = 1; seq <= 500; seq++) rows.push(row(seq, seq % 100 === 0 ? `the parse_config bug ${seq}` : `line ${seq}`))
  store.insertMessages(rows)
  return { ...t, project }
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p
  } catch (err) {
    return err instanceof TRPCError ? err.code : `not a TRPCError: ${String(err)}`
  }
  return 'no error'
}

describe('search router', () => {
  it('query: hits with their session, grouped data and index status; any text is a valid query', async () => {
    const { caller, project } = await setup()
    const r = await caller.search.query({ query: 'parse_config' })
    expect(r.hits.map((h) => h.seq)).toEqual([500, 400, 300, 200, 100])
    expect(r.sessions).toEqual([
      expect.objectContaining({ id: 's1', projectId: project.id, projectName: 'alpha', provider: 'codex', title: 'Fix the parser', archived: false })
    ])
    expect(r.index.building).toBe(false)
    const page = await caller.search.query({ query: 'parse_config', limit: 2 })
    expect(page.next).not.toBeNull()
    expect((await caller.search.query({ query: 'parse_config', limit: 2, before: page.next })).hits.map((h) => h.seq)).toEqual([300, 200])
    for (const q of ['NEAR(', '"', '***', 'x'.repeat(10_000), 'a OR b NOT c ^d']) expect((await caller.search.query({ query: q })).hits).toBeDefined()
  })

  it('bad input gets typed errors', async () => {
    const { caller } = await setup()
    expect(await codeOf(caller.search.query({ query: 'x'.repeat(10_001) }))).toBe('BAD_REQUEST')
    expect(await codeOf(caller.search.query({ query: 'x', kinds: ['nope' as never] }))).toBe('BAD_REQUEST')
    expect(await codeOf(caller.search.query({ query: 'x', limit: 0 }))).toBe('BAD_REQUEST')
    expect(await codeOf(caller.search.sessions({ projectId: 'missing' }))).toBe('NOT_FOUND')
    expect(await codeOf(caller.search.archive({ id: 'missing', archived: true }))).toBe('NOT_FOUND')
    expect(await codeOf(caller.messages.around({ sessionId: 's1', seq: -1 }))).toBe('BAD_REQUEST')
  })

  it('inSession and messages.around: every match of the session, the page around a deep seq', async () => {
    const { caller } = await setup()
    expect(await caller.search.inSession({ sessionId: 's1', query: 'parse_config' })).toEqual({ seqs: [100, 200, 300, 400, 500], truncated: false })
    const around = await caller.messages.around({ sessionId: 's1', seq: 300, before: 10, after: 5 })
    expect(around.messages.map((m) => m.seq)).toEqual(Array.from({ length: 16 }, (_, i) => 290 + i))
    expect(around).toMatchObject({ hasOlder: true, hasNewer: true, lastSeq: 500 })
    const tail = await caller.messages.around({ sessionId: 's1', seq: 498, before: 2, after: 100 })
    expect(tail.messages.map((m) => m.seq)).toEqual([496, 497, 498, 499, 500])
    expect(tail.hasNewer).toBe(false)
  })

  it('archive hides a session from the list, keeps it in search, and pushes the change', async () => {
    const { caller, core, project } = await setup()
    const events: string[] = []
    const publish = core.hub.publish.bind(core.hub)
    core.hub.publish = (e) => {
      if (e.type === 'session.changed') events.push(`${e.session.id}:${e.session.archived}`)
      return publish(e)
    }
    const s = await caller.search.archive({ id: 's1', archived: true })
    expect(s.archived).toBe(true)
    expect(events).toContain('s1:true')
    expect((await caller.search.sessions({ projectId: project.id })).total).toBe(0)
    expect((await caller.search.sessions({ projectId: project.id, archived: true })).sessions.map((x) => x.id)).toEqual(['s1'])
    expect((await caller.search.query({ query: 'parse_config' })).sessions[0]!.archived).toBe(true)
  })
})
