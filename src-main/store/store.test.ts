import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { basename, dirname, join } from 'node:path'
import { existsSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs'
import { inUseMarker, markClosed, openDatabase } from './open'
import { SqliteStore } from './sqlite-store'
import { LATEST_VERSION, runMigrations, type Migration } from './migrations'
import { GroupCommitWriter } from './writer'
import { sessionToDTO } from './rows'
import { tempDir } from '../../test/support/temp'

const dirs: { cleanup(): void }[] = []
function dbFile() {
  const t = tempDir()
  dirs.push(t)
  return join(t.dir, 'shepherd.db')
}
afterEach(() => {
  for (const d of dirs.splice(0)) d.cleanup()
})

function seedProject(store: SqliteStore, id = 'p1') {
  store.insertProject({
    id,
    name: 'P',
    path: `/tmp/${id}`,
    created_at: 1,
    updated_at: 1,
    stall_threshold_ms: null,
    retention_count: null,
    retention_days: null
  })
  store.insertSession({
    id: `s-${id}`,
    projectId: id,
    provider: 'claude',
    model: null,
    permissionMode: 'default',
    cwd: '/tmp',
    title: 't',
    systemPrompt: null,
    extraEnv: {},
    status: 'idle',
    now: 1
  })
}
const msg = (seq: number, text = `m${seq}`) => ({
  session_id: 's-p1',
  seq,
  kind: 'assistant',
  text,
  tool_name: null,
  tool_input: null,
  tool_path: null,
  tool_use_id: null,
  parent_id: null,
  is_error: 0,
  created_at: seq
})

describe('SqliteStore: open and pragmas (DB-8)', () => {
  it('reads back WAL, synchronous=FULL, foreign keys and the busy timeout', () => {
    const store = new SqliteStore(dbFile())
    expect(store.pragmas).toEqual({ journalMode: 'wal', synchronous: 2, foreignKeys: 1, busyTimeout: 5000 })
    store.close()
  })

  it('migrates a new database to the latest user_version', () => {
    const file = dbFile()
    new SqliteStore(file).close()
    const db = new Database(file)
    expect(db.pragma('user_version', { simple: true })).toBe(LATEST_VERSION)
    db.close()
  })

  it('refuses a database newer than it knows and writes nothing (DB-6)', () => {
    const file = dbFile()
    const db = new Database(file)
    db.pragma(`user_version = ${LATEST_VERSION + 5}`)
    db.close()
    expect(() => new SqliteStore(file)).toThrow(/newer than this Shepherd/)
    const after = new Database(file)
    expect(after.pragma('user_version', { simple: true })).toBe(LATEST_VERSION + 5)
    expect(after.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type='table'").get()).toEqual({ n: 0 })
    after.close()
  })

  it('rolls back a migration that throws halfway, user_version unchanged (DB-7)', () => {
    const file = dbFile()
    const db = new Database(file)
    const ok: Migration = { version: 1, name: 'ok', up: (d) => d.exec('CREATE TABLE a (x INTEGER) STRICT') }
    const bad: Migration = {
      version: 2,
      name: 'bad',
      up: (d) => {
        d.exec('CREATE TABLE b (x INTEGER) STRICT')
        throw new Error('boom')
      }
    }
    runMigrations(db, file, [ok])
    expect(() => runMigrations(db, file, [ok, bad])).toThrow('boom')
    expect(db.pragma('user_version', { simple: true })).toBe(1)
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name='b'").get()).toBeUndefined()
    db.close()
  })
})

describe('SqliteStore: another process holds the write lock (DB-4)', () => {
  it('a write waits up to busy_timeout, then fails as DB_BUSY while reads go on; once released, writes go through', async () => {
    const file = dbFile()
    const store = new SqliteStore(file)
    const other = new Database(file)
    other.exec('BEGIN IMMEDIATE') // like the sqlite3 CLI holding a write transaction
    const t0 = Date.now()
    expect(() => store.transaction(() => seedProject(store))).toThrow(expect.objectContaining({ code: 'DB_BUSY' }))
    expect(Date.now() - t0).toBeGreaterThanOrEqual(4_500)
    expect(store.listProjects()).toEqual([]) // reads still work meanwhile (WAL)
    other.exec('COMMIT')
    store.transaction(() => seedProject(store))
    expect(store.listProjects()).toHaveLength(1)
    other.close()
    store.close()
  }, 15_000)
})

describe('SqliteStore: a damaged database (DB-5) and when quick_check runs', () => {
  const corruptName = /^shepherd\.db\.corrupt-\d{4}-\d\d-\d\dT[\d-]+Z$/

  it('garbage bytes: moved aside (kept, not deleted), Shepherd starts with a fresh database and says so', () => {
    const file = dbFile()
    const garbage = Buffer.alloc(8192, 7)
    writeFileSync(file, garbage)
    const store = new SqliteStore(file)
    expect(store.recovery).toMatchObject({ restoredFrom: null })
    expect(store.recovery?.reason).toMatch(/not a database/)
    const moved = store.recovery!.movedTo
    expect(basename(moved)).toMatch(corruptName)
    expect(readFileSync(moved).equals(garbage)).toBe(true)
    seedProject(store) // the fresh database works
    expect(store.listProjects()).toHaveLength(1)
    store.close()
  })

  it('damaged pages (a sound header): quick_check finds them; the newest sound backup is restored', () => {
    const file = dbFile()
    const store = new SqliteStore(file)
    seedProject(store)
    store.transaction(() => store.insertMessages(Array.from({ length: 400 }, (_, i) => msg(i + 1, 'x'.repeat(2000)))))
    store.close()
    // A backup as a migration would have made, and an older, broken one.
    const backup = `${file}.pre-v${LATEST_VERSION}.bak`
    const db = new Database(file)
    db.prepare('VACUUM INTO ?').run(backup)
    db.close()
    writeFileSync(`${file}.pre-v0.bak`, Buffer.alloc(4096, 1))
    utimesSync(`${file}.pre-v0.bak`, new Date(0), new Date(0))
    // Scribble over the middle of the file, leaving page 1 (the header and schema) intact.
    const bytes = readFileSync(file)
    bytes.fill(0x5a, 16384 * 3, 16384 * 6)
    writeFileSync(file, bytes)

    const again = new SqliteStore(file)
    expect(again.recovery?.reason).toMatch(/quick_check|malformed/)
    expect(again.recovery?.restoredFrom).toBe(backup)
    expect(again.listProjects().map((p) => p.id)).toEqual(['p1'])
    expect(again.messagesAfter('s-p1', 0, 1000)).toHaveLength(400)
    again.close()
  })

  it('quick_check runs for small files, and for big ones only after an unclean exit', () => {
    const file = dbFile()
    const first = openDatabase(file, undefined, 0)
    expect(first.checked).toBe(false) // a new database
    expect(existsSync(inUseMarker(file))).toBe(true)
    first.db.close()
    markClosed(file)
    expect(existsSync(inUseMarker(file))).toBe(false)

    const clean = openDatabase(file, undefined, 0) // "big" (threshold 0) after a clean close: skipped
    expect(clean.checked).toBe(false)
    clean.db.close() // no markClosed: as if the app was killed
    const unclean = openDatabase(file, undefined, 0)
    expect(unclean.checked).toBe(true)
    unclean.db.close()
    markClosed(file)

    const small = openDatabase(file) // the default threshold: a small file is always checked
    expect(small.checked).toBe(true)
    small.db.close()
    markClosed(file)
  })

  it('other open errors are not mistaken for damage: a newer schema is refused and the file stays', () => {
    const file = dbFile()
    const db = new Database(file)
    db.pragma(`user_version = ${LATEST_VERSION + 1}`)
    db.close()
    expect(() => new SqliteStore(file)).toThrow(/newer/)
    expect(existsSync(file)).toBe(true)
    expect(readdirSync(dirname(file)).filter((n) => n.includes('corrupt'))).toEqual([])
  })
})

describe('SqliteStore: data', () => {
  it('seqAtTime: the first message at or after a moment (jump to a date), null after the last', () => {
    const store = new SqliteStore(dbFile())
    seedProject(store)
    store.transaction(() => store.insertMessages([1, 2, 3, 4, 5].map((s) => ({ ...msg(s), created_at: s * 1000 }))))
    expect(store.seqAtTime('s-p1', 0)).toBe(1)
    expect(store.seqAtTime('s-p1', 2500)).toBe(3)
    expect(store.seqAtTime('s-p1', 3000)).toBe(3)
    expect(store.seqAtTime('s-p1', 9000)).toBeNull()
    expect(store.seqAtTime('nope', 0)).toBeNull()
    store.close()
  })

  it('enforces unique (session, seq) and pages backwards from the tail in ascending order', () => {
    const store = new SqliteStore(dbFile())
    seedProject(store)
    store.transaction(() => store.insertMessages([1, 2, 3, 4, 5].map((s) => msg(s))))
    expect(() => store.insertMessages([msg(3)])).toThrow(/UNIQUE/)
    expect(store.pageMessages('s-p1', null, 2).map((m) => m.seq)).toEqual([4, 5])
    expect(store.pageMessages('s-p1', 4, 2).map((m) => m.seq)).toEqual([2, 3])
    expect(store.messagesAfter('s-p1', 3, 10).map((m) => m.seq)).toEqual([4, 5])
    expect(store.maxSeq('s-p1')).toBe(5)
    store.close()
  })

  it('deleting a project removes its sessions, messages and raw events (foreign keys)', () => {
    const store = new SqliteStore(dbFile())
    seedProject(store)
    store.insertMessages([msg(1)])
    store.insertRaw([{ sessionId: 's-p1', stream: 'stdout', data: '{}', createdAt: 1 }])
    store.deleteProject('p1')
    expect(store.getSession('s-p1')).toBeUndefined()
    expect(store.maxSeq('s-p1')).toBe(0)
    expect(store.countRaw('s-p1')).toBe(0)
    store.close()
  })

  it('stores NUL, lone surrogates and emoji losslessly (FR-7)', () => {
    const store = new SqliteStore(dbFile())
    seedProject(store)
    const text = 'a\u0000b \ud83d\ude00 中文 \u00e9'
    store.insertMessages([msg(1, text)])
    expect(store.getMessage('s-p1', 1)?.text).toBe(text)
    store.close()
  })
})

describe('SqliteStore: sessions', () => {
  it('a session of an agent that reports tokens only reads "cost n/a" from the start, not $0 (issue 11 #12)', () => {
    const store = new SqliteStore(dbFile())
    seedProject(store)
    store.insertSession({
      id: 'codex',
      projectId: 'p1',
      provider: 'codex',
      model: null,
      permissionMode: 'default',
      cwd: '/tmp',
      title: 't',
      systemPrompt: null,
      extraEnv: {},
      status: 'queued',
      now: 1,
      costKnown: false
    })
    expect(sessionToDTO(store.getSession('codex')!).totals.costKnown).toBe(false)
    expect(sessionToDTO(store.getSession('s-p1')!).totals.costKnown).toBe(true)
    store.close()
  })
})

describe('GroupCommitWriter', () => {
  it('commits many ops in one transaction and runs `after` only after the commit', async () => {
    const store = new SqliteStore(dbFile())
    seedProject(store)
    const commits: number[] = []
    const writer = new GroupCommitWriter(store, { debounceMs: 5, onCommit: (n) => commits.push(n) })
    const seenAtAfter: number[] = []
    for (let i = 1; i <= 50; i++)
      writer.enqueue(
        () => store.insertMessages([msg(i)]),
        () => seenAtAfter.push(store.maxSeq('s-p1'))
      )
    expect(store.maxSeq('s-p1')).toBe(0)
    await new Promise((r) => setTimeout(r, 30))
    expect(commits).toEqual([50])
    expect(seenAtAfter.every((s) => s === 50)).toBe(true)
    writer.close()
    store.close()
  })

  it('an idle writer commits on the next macrotask; a busy one waits out the window since its last commit', async () => {
    const store = new SqliteStore(dbFile())
    seedProject(store)
    const commits: number[] = []
    const writer = new GroupCommitWriter(store, { debounceMs: 300, onCommit: (n) => commits.push(n) })
    const nextMacrotask = () => new Promise((r) => setImmediate(r))
    // Idle: what one stdout chunk enqueues commits together, without waiting 300 ms.
    writer.enqueue(() => store.insertMessages([msg(1)]))
    writer.enqueue(() => store.insertMessages([msg(2)]))
    await nextMacrotask()
    await nextMacrotask()
    expect(commits).toEqual([2])
    // Busy: right after a commit, new writes batch until the window has passed.
    writer.enqueue(() => store.insertMessages([msg(3)]))
    await nextMacrotask()
    await nextMacrotask()
    expect(commits).toEqual([2])
    writer.enqueue(() => store.insertMessages([msg(4)]))
    await new Promise((r) => setTimeout(r, 400))
    expect(commits).toEqual([2, 2])
    expect(store.maxSeq('s-p1')).toBe(4)
    writer.close()
    store.close()
  })

  it('keeps a failed batch queued and commits it on retry (nothing dropped)', () => {
    const store = new SqliteStore(dbFile())
    seedProject(store)
    const errors: unknown[] = []
    const writer = new GroupCommitWriter(store, { debounceMs: 1000, onError: (e) => errors.push(e) })
    let fail = true
    writer.enqueue(() => {
      if (fail) throw Object.assign(new Error('disk full'), { code: 'SQLITE_FULL' })
      store.insertMessages([msg(1)])
    })
    expect(writer.flush()).toBe(false)
    expect(errors).toHaveLength(1)
    expect(writer.pending).toBe(1)
    fail = false
    expect(writer.flush()).toBe(true)
    expect(store.maxSeq('s-p1')).toBe(1)
    writer.close()
    store.close()
  })

  it('a throwing after-callback is reported apart from commit failures (the data is committed)', () => {
    const store = new SqliteStore(dbFile())
    seedProject(store)
    const errors: unknown[] = []
    const afterErrors: unknown[] = []
    const writer = new GroupCommitWriter(store, { debounceMs: 1000, onError: (e) => errors.push(e), onAfterError: (e) => afterErrors.push(e) })
    writer.enqueue(
      () => store.insertMessages([msg(1)]),
      () => {
        throw new Error('push failed')
      }
    )
    expect(writer.flush()).toBe(true)
    expect(store.maxSeq('s-p1')).toBe(1)
    expect(errors).toEqual([])
    expect(afterErrors).toHaveLength(1)
    writer.close()
    store.close()
  })

  it('flushes at once past maxBatch', () => {
    const store = new SqliteStore(dbFile())
    seedProject(store)
    const writer = new GroupCommitWriter(store, { debounceMs: 10_000, maxBatch: 10 })
    for (let i = 1; i <= 10; i++) writer.enqueue(() => store.insertMessages([msg(i)]))
    expect(store.maxSeq('s-p1')).toBe(10)
    writer.close()
    store.close()
  })

  it('counts rows an already queued op took on (grew) toward maxBatch', () => {
    const store = new SqliteStore(dbFile())
    seedProject(store)
    const writer = new GroupCommitWriter(store, { debounceMs: 10_000, maxBatch: 10 })
    const rows: number[] = []
    writer.enqueue(() => store.insertMessages(rows.splice(0).map((s) => msg(s))))
    for (let i = 1; i <= 8; i++) {
      rows.push(i)
      writer.grew(1)
    }
    expect(store.maxSeq('s-p1')).toBe(0)
    rows.push(9)
    writer.grew(1) // 1 op + 9 grown rows = 10
    expect(store.maxSeq('s-p1')).toBe(9)
    writer.close()
    store.close()
  })
})
