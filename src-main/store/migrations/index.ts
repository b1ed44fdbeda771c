/**
 * Append-only migrations, one per file. Each runs in its own transaction together with the
 * `user_version` bump, so a migration that throws leaves the DB exactly as it was. A DB newer than
 * this build is refused (a downgrade must not write into a schema it does not know).
 */
import type Database from 'better-sqlite3'
import { existsSync } from 'node:fs'
import { ShepherdError } from '../../shared/errors'
import { m0001Initial } from './0001-initial'
import { m0002Search } from './0002-search'
import { m0003Worktrees } from './0003-worktrees'
import { m0004Attention } from './0004-attention'
import { m0006Questions } from './0006-questions'

export interface Migration {
  version: number
  name: string
  up(db: Database.Database): void
}

/** One migration per schema version, in rising order (runMigrations refuses any other). */
export const MIGRATIONS: readonly Migration[] = [m0001Initial, m0002Search, { version: 3, ...m0003Worktrees }, m0004Attention, m0006Questions]
/** The newest schema version (numbers are assigned per branch, so the list may skip one). */
export const LATEST_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version

export function runMigrations(db: Database.Database, file: string, migrations: readonly Migration[] = MIGRATIONS): void {
  const current = Number(db.pragma('user_version', { simple: true }))
  const latest = migrations[migrations.length - 1]?.version ?? 0
  if (current > latest) {
    throw new ShepherdError('DB_TOO_NEW', `database schema v${current} is newer than this Shepherd (v${latest}); refusing to open it`)
  }
  if (current === latest) return
  // Back up an existing database before changing its schema (skipped for new and in-memory DBs).
  if (current > 0 && file !== ':memory:' && existsSync(file)) backupSync(db, `${file}.pre-v${latest}.bak`)
  let prev = 0
  for (const m of migrations) {
    if (m.version <= prev) throw new Error(`migration ${m.name} is out of order`)
    prev = m.version
    if (m.version <= current) continue
    db.transaction(() => {
      m.up(db)
      db.pragma(`user_version = ${m.version}`)
    })()
  }
}

/** A consistent copy via VACUUM INTO (synchronous, unlike db.backup()). */
function backupSync(db: Database.Database, target: string): void {
  if (existsSync(target)) return
  db.prepare('VACUUM INTO ?').run(target)
}
