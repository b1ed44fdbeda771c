import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { join } from 'node:path'
import { SqliteStore } from '../store/sqlite-store'
import { LATEST_VERSION, runMigrations } from '../store/migrations'
import { m0001Initial } from '../store/migrations/0001-initial'
import { GroupCommitWriter } from '../store/writer'
import type { MessageRow } from '../store/rows'
import { tempDir } from '../../test/support/temp'
import { startBackfill } from './backfill'
import { HL_END, HL_START } from './search-index'

const dirs: { cleanup(): void }[] = []
function dbFile() {
  const t = tempDir()
  dirs.push(t)
  return join(t.dir, 'shepherd.db')
}
afterEach(() => {
  for (const d of dirs.splice(0)) d.cleanup()
})

function project(store: SqliteStore, id: string, provider = 'claude', sessions = 1) {
  store.insertProject({
    id,
    name: `Project ${id}`,
    path: `/tmp/${id}`,
    created_at: 1,
    updated_at: 1,
    stall_threshold_ms: null,
    retention_count: null,
    retention_days: null
  })
  for (let i = 0; i < sessions; i++) {
    store.insertSession({
      id: `s-${id}-${i}`,
      projectId: id,
      provider,
      model: null,
      permissionMode: 'default',
      cwd: '/tmp',
      title: `Session ${i} of ${id}`,
      systemPrompt: null,
      extraEnv: {},
      status: 'idle',
      now: 1000 + i
    })
  }
}
const row = (session: string, seq: number, text: string, over: Partial<MessageRow> = {}): MessageRow => ({
  session_id: session,
  seq,
  kind: 'assistant',
  text,
  tool_name: null,
  tool_input: null,
  tool_path: null,
  tool_use_id: null,
  parent_id: null,
  is_error: 0,
  created_at: seq * 1000,
  ...over
})
function ftsOk(file: string) {
  const db = new Database(file)
  try {
    db.prepare("INSERT INTO messages_fts (messages_fts, rank) VALUES ('integrity-check', 1)").run()
    return true
  } finally {
    db.close()
  }
}

describe('search index (issue 15)', () => {
  it('a message is searchable exactly when its transaction commits, also through the group-commit writer', () => {
    const store = new SqliteStore(dbFile())
    project(store, 'p1')
    const writer = new GroupCommitWriter(store, { debounceMs: 10_000 })
    writer.enqueue(() => store.insertMessages([row('s-p1-0', 1, 'the refresh_token expired')]))
    expect(store.search.search('refresh_token').hits).toHaveLength(0)
    writer.flush()
    const page = store.search.search('refresh_token')
    expect(page.hits.map((h) => h.seq)).toEqual([1])
    expect(page.hits[0]!.snippet).toBe(`the ${HL_START}refresh_token${HL_END} expired`)
    expect(page.sessions[0]).toMatchObject({ id: 's-p1-0', project_name: 'Project p1', provider: 'claude', title: 'Session 0 of p1' })
    // A rolled-back transaction leaves nothing in the index.
    expect(() =>
      store.transaction(() => {
        store.insertMessages([row('s-p1-0', 2, 'rolledback word')])
        throw new Error('abort')
      })
    ).toThrow('abort')
    expect(store.search.search('rolledback').hits).toHaveLength(0)
    store.close()
  })

  it('filters by project, agent, kind and date; pages newest first', () => {
    const store = new SqliteStore(dbFile())
    project(store, 'p1', 'claude')
    project(store, 'p2', 'codex')
    store.insertMessages([
      row('s-p1-0', 1, 'deploy the thing', { kind: 'user' }),
      row('s-p1-0', 2, 'Running deploy', { kind: 'tool_call', tool_name: 'Bash', tool_input: '{"command":"npm run deploy"}' }),
      row('s-p1-0', 3, 'deploy failed: EACCES', { kind: 'tool_result', is_error: 1 }),
      row('s-p1-0', 4, 'Edit', { kind: 'tool_call', tool_name: 'Edit', tool_path: '/repo/src/deploy/config.ts' })
    ])
    store.insertMessages([row('s-p2-0', 1, 'deploy from codex', { created_at: 50_000 })])
    const seqs = (q: string, f = {}) => store.search.search(q, f).hits.map((h) => `${h.session_id}:${h.seq}`)
    expect(seqs('deploy')).toEqual(['s-p2-0:1', 's-p1-0:4', 's-p1-0:3', 's-p1-0:2', 's-p1-0:1'])
    expect(seqs('deploy', { projectId: 'p1', kinds: ['prompts'] })).toEqual(['s-p1-0:1'])
    expect(seqs('deploy', { provider: 'codex' })).toEqual(['s-p2-0:1'])
    expect(seqs('deploy', { kinds: ['errors'] })).toEqual(['s-p1-0:3'])
    expect(seqs('deploy', { kinds: ['commands'] })).toEqual(['s-p1-0:4', 's-p1-0:2'])
    expect(seqs('deploy', { kinds: ['paths'] })).toEqual(['s-p1-0:4'])
    expect(seqs('"npm run"')).toEqual(['s-p1-0:2'])
    expect(seqs('src/deploy/config')).toEqual(['s-p1-0:4'])
    expect(seqs('deploy', { from: 2000, to: 3000 })).toEqual(['s-p1-0:3', 's-p1-0:2'])
    const first = store.search.search('deploy', {}, 2)
    expect(first.hits).toHaveLength(2)
    const second = store.search.search('deploy', {}, 2, first.next)
    expect(second.hits.map((h) => h.seq)).toEqual([3, 2])
    expect(store.search.search('!!!').hits).toEqual([])
    expect(store.search.search('"deploy').hits).toHaveLength(5)
    store.close()
  })

  it('a project filter pages newest first exactly like the unfiltered order (windows over the project rowid range)', () => {
    const store = new SqliteStore(dbFile())
    project(store, 'p1')
    project(store, 'p2')
    const rows: MessageRow[] = []
    for (let i = 1; i <= 12_000; i++) rows.push(row(i % 5 === 0 ? 's-p2-0' : 's-p1-0', i, i % 3 === 0 ? `common word ${i}` : `other ${i}`))
    // p1's messages first, then a long run of p2's, then p1 again: the range holds both.
    store.transaction(() => {
      store.insertMessages(rows.filter((r) => r.session_id === 's-p1-0' && r.seq <= 6000))
      store.insertMessages(rows.filter((r) => r.session_id === 's-p2-0'))
      store.insertMessages(rows.filter((r) => r.session_id === 's-p1-0' && r.seq > 6000))
    })
    const expected = rows
      .filter((r) => r.session_id === 's-p1-0' && r.seq % 3 === 0)
      .map((r) => r.seq)
      .reverse()
    const got: number[] = []
    let before: number | null = null
    for (;;) {
      const page = store.search.search('common', { projectId: 'p1' }, 700, before)
      if (got.length > 20_000) throw new Error(`runaway: ${JSON.stringify(page.next)} ${got.slice(-5)}`)
      got.push(...page.hits.map((h) => h.seq))
      if (page.next === null) break
      before = page.next
    }
    expect(got).toEqual(expected)
    store.close()
  })

  it('in-session find returns every matching seq of that session only', () => {
    const store = new SqliteStore(dbFile())
    project(store, 'p1', 'claude', 2)
    const rows: MessageRow[] = []
    for (let seq = 1; seq <= 3000; seq++) rows.push(row('s-p1-0', seq, seq % 7 === 0 ? `needle ${seq}` : `hay ${seq}`))
    store.insertMessages(rows)
    store.insertMessages([row('s-p1-1', 1, 'needle elsewhere')])
    const r = store.search.findInSession('s-p1-0', 'needle')
    expect(r.seqs.length).toBe(Math.floor(3000 / 7))
    expect(r.seqs[0]).toBe(7)
    expect(r.seqs.at(-1)).toBe(2996)
    expect(r.truncated).toBe(false)
    expect(store.search.findInSession('s-p1-0', 'needle', 10)).toEqual({ seqs: [7, 14, 21, 28, 35, 42, 49, 56, 63, 70], truncated: true })
    expect(store.search.findInSession('nope', 'needle').seqs).toEqual([])
    store.close()
  })

  it('deleting a session or a project removes its entries (retention prunes through the same delete)', () => {
    const file = dbFile()
    const store = new SqliteStore(file)
    project(store, 'p1', 'claude', 2)
    project(store, 'p2')
    store.insertMessages([row('s-p1-0', 1, 'alpha'), row('s-p1-1', 1, 'alpha'), row('s-p2-0', 1, 'alpha')])
    store.deleteSession('s-p1-0')
    expect(store.search.search('alpha').hits.map((h) => h.session_id)).toEqual(['s-p2-0', 's-p1-1'])
    store.deleteProject('p2')
    expect(store.search.search('alpha').hits.map((h) => h.session_id)).toEqual(['s-p1-1'])
    store.close()
    expect(ftsOk(file)).toBe(true)
  })

  it('migration test: a database created by schema 0001 gets its index built in the background, in chunks', async () => {
    const file = dbFile()
    const old = new Database(file)
    old.pragma('journal_mode = WAL')
    runMigrations(old, file, [m0001Initial])
    old.prepare("INSERT INTO projects (id, name, path, created_at, updated_at) VALUES ('p1', 'Old', '/tmp/old', 1, 1)").run()
    old
      .prepare(
        `INSERT INTO sessions (id, project_id, provider, permission_mode, cwd, title, status, last_activity_at, created_at, updated_at)
      VALUES ('s1', 'p1', 'codex', 'default', '/tmp', 'Old session', 'done', 1, 1, 1), ('s2', 'p1', 'claude', 'default', '/tmp', 'Other', 'done', 1, 1, 1)`
      )
      .run()
    const ins = old.prepare("INSERT INTO messages (session_id, seq, kind, text, is_error, created_at) VALUES (?, ?, 'assistant', ?, 0, ?)")
    old.transaction(() => {
      for (let seq = 1; seq <= 2000; seq++) ins.run('s1', seq, `old message ${seq} ${seq === 1500 ? 'zanzibar_quux' : ''}`, seq)
      for (let seq = 1; seq <= 500; seq++) ins.run('s2', seq, `other ${seq}`, seq)
    })()
    old.close()

    const store = new SqliteStore(file)
    const before = store.search.status()
    expect(before).toMatchObject({ building: true, done: 0, total: 2500 })
    expect(store.search.search('zanzibar_quux').hits).toHaveLength(0)
    // New messages are indexed at once, while the old ones wait for the backfill.
    store.insertMessages([row('s1', 2001, 'fresh zanzibar_quux')])
    expect(store.search.search('zanzibar_quux').hits.map((h) => h.seq)).toEqual([2001])
    // Deleting a not-yet-indexed session must not touch the index (it never held those rows).
    store.deleteSession('s2')
    const progress: number[] = []
    const b = startBackfill(store.search, () => {}, 300, 0)
    const poll = setInterval(() => progress.push(store.search.status().done), 0)
    await b.done
    clearInterval(poll)
    expect(store.search.status()).toMatchObject({ building: false, done: 2500, total: 2500 })
    expect(new Set(progress).size).toBeGreaterThan(2) // it advanced in several chunks, the loop free in between
    expect(store.search.search('zanzibar_quux').hits.map((h) => h.seq)).toEqual([2001, 1500])
    expect(store.search.findInSession('s1', 'old').seqs).toHaveLength(2000)
    expect(store.search.search('other').hits).toHaveLength(0)
    store.deleteSession('s1')
    expect(store.search.search('zanzibar_quux').hits).toHaveLength(0)
    store.close()
    expect(ftsOk(file)).toBe(true)
    // A backup was made before the schema change.
    const bak = new Database(`${file}.pre-v${LATEST_VERSION}.bak`, { readonly: true })
    expect(bak.pragma('user_version', { simple: true })).toBe(1)
    bak.close()
  })

  it('session list: filters, pinned first then last activity, archived apart, paged', () => {
    const store = new SqliteStore(dbFile())
    project(store, 'p1', 'claude', 0)
    store.transaction(() => {
      for (let i = 0; i < 5000; i++) {
        store.insertSession({
          id: `s${i}`,
          projectId: 'p1',
          provider: i % 3 === 0 ? 'codex' : 'claude',
          model: null,
          permissionMode: 'default',
          cwd: '/tmp',
          title: i === 4321 ? 'Fix 100%_done bug' : `Task number ${i}`,
          systemPrompt: null,
          extraEnv: {},
          status: i % 2 ? 'done' : 'error',
          now: i
        })
      }
    })
    store.updateSession('s10', { pinned: 1 })
    store.updateSession('s4999', { archived: 1 })
    const page = store.search.listSessions({ projectId: 'p1', limit: 3 })
    expect(page.total).toBe(4999)
    expect(page.rows.map((r) => r.id)).toEqual(['s10', 's4998', 's4997'])
    expect(store.search.listSessions({ projectId: 'p1', limit: 10, text: '100%_' }).rows.map((r) => r.id)).toEqual(['s4321'])
    expect(store.search.listSessions({ projectId: 'p1', limit: 10, text: '%' }).rows.map((r) => r.id)).toEqual(['s4321'])
    expect(store.search.listSessions({ projectId: 'p1', limit: 1, providers: ['codex'], statuses: ['error'] }).total).toBe(834)
    expect(store.search.listSessions({ projectId: 'p1', limit: 10, archived: true }).rows.map((r) => r.id)).toEqual(['s4999'])
    expect(store.search.listSessions({ projectId: 'p1', limit: 2, offset: 1 }).rows.map((r) => r.id)).toEqual(['s4998', 's4997'])
    store.close()
  })
})
