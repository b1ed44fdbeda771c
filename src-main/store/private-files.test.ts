/** Item 5 of issue 12: the data dir is 0700 and every database file 0600, whatever the umask. */
import { chmodSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { tempDir } from '../../test/support/temp'
import { SqliteStore } from './sqlite-store'
import { ensurePrivateDir } from './private-files'

const dirs: Array<{ cleanup(): void }> = []
afterEach(() => {
  for (const d of dirs.splice(0)) d.cleanup()
})

describe.runIf(process.platform !== 'win32')('private data files (POSIX)', () => {
  it('creates the data dir 0700 and the database, WAL, SHM and marker 0600 under a permissive umask', () => {
    const t = tempDir()
    dirs.push(t)
    const dataDir = join(t.dir, 'nested', 'data')
    const old = process.umask(0o000)
    let store: SqliteStore
    try {
      store = new SqliteStore(join(dataDir, 'shepherd.db'))
    } finally {
      process.umask(old)
    }
    try {
      expect(statSync(dataDir).mode & 0o777).toBe(0o700)
      const names = readdirSync(dataDir)
      expect(names).toEqual(expect.arrayContaining(['shepherd.db', 'shepherd.db-wal', 'shepherd.db-shm', 'shepherd.db.in-use']))
      for (const n of names) expect([n, statSync(join(dataDir, n)).mode & 0o777]).toEqual([n, 0o600])
    } finally {
      store!.close()
    }
  })

  it('tightens an existing dir and older files (backups, set-aside copies) left readable by others', () => {
    const t = tempDir()
    dirs.push(t)
    const dataDir = join(t.dir, 'data')
    mkdirSync(dataDir, { mode: 0o755 })
    chmodSync(dataDir, 0o755)
    // Left from before: a world-readable database and backups.
    new SqliteStore(join(dataDir, 'shepherd.db')).close()
    for (const n of readdirSync(dataDir)) chmodSync(join(dataDir, n), 0o644)
    chmodSync(dataDir, 0o755)
    writeFileSync(join(dataDir, 'shepherd.db.pre-v3.bak'), 'x', { mode: 0o644 })
    writeFileSync(join(dataDir, 'shepherd.db.corrupt-2026-01-01'), 'x', { mode: 0o644 })
    writeFileSync(join(dataDir, 'unrelated.txt'), 'x', { mode: 0o644 })
    const store = new SqliteStore(join(dataDir, 'shepherd.db'))
    try {
      expect(statSync(dataDir).mode & 0o777).toBe(0o700)
      for (const n of readdirSync(dataDir).filter((n) => n.startsWith('shepherd.db'))) {
        expect([n, statSync(join(dataDir, n)).mode & 0o777]).toEqual([n, 0o600])
      }
      // Only Shepherd's own files are changed.
      expect(statSync(join(dataDir, 'unrelated.txt')).mode & 0o777).toBe(0o644)
    } finally {
      store.close()
    }
  })

  it('ensurePrivateDir makes a missing dir 0700 even with umask 0', () => {
    const t = tempDir()
    dirs.push(t)
    const old = process.umask(0o000)
    try {
      ensurePrivateDir(join(t.dir, 'a', 'b'))
    } finally {
      process.umask(old)
    }
    expect(statSync(join(t.dir, 'a', 'b')).mode & 0o777).toBe(0o700)
  })
})
