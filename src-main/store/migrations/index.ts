/**
 * Append-only migrations, one per file. Each runs in its own transaction together with the
 * `user_version` bump, so a migration that throws leaves the DB exactly as it was. A DB newer than
 * this build is refused (a downgrade must not write into a schema it does not know).
 */
import type Database from 'better-sqlite3'
import { existsSync } from 'node:fs'
import { ShepherdError } from '../../shared/errors'
import { m0001Initial } from './0001-initial'
import { m0003Worktrees } from './0003-worktrees'

export interface Migration {
  version: number
  name: string
  up(db: Database.Database): void
}

/** Versions are places in this list (a migration may leave `version` out and take its place). */
export const MIGRATIONS: readonly Migration[] = ([m0001Initial, m0003Worktrees] as (Omit<Migration, 'version'> & { version?: number })[])
  .map((m, i) => ({ version: i + 1, ...m }))
export const LATEST_VERSION = MIGRATIONS.length

export function runMigrations(db: Database.Database, file: string, migrations: readonly Migration[] = MIGRATIONS): void {
  const current = Number(db.pragma('user_version', { simple: true }))
  const latest = migrations.length
  if (current > latest) {
    throw new ShepherdError('DB_TOO_NEW', `database schema v${current} is newer than this Shepherd (v${latest}); refusing to open it`)
  }
  if (current === latest) return
  // Back up an existing database before changing its schema (skipped for new and in-memory DBs).
  if (current > 0 && file !== ':memory:' && existsSync(file)) backupSync(db, `${file}.pre-v${latest}.bak`)
  for (const m of migrations) {
    if (m.version <= current) continue
    if (m.version !== migrations.indexOf(m) + 1) throw new Error(`migration ${m.name} is out of order`)
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
