/**
 * Opening the database: pragmas (read back and asserted), integrity check, migrations.
 */
import Database from 'better-sqlite3'
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { ShepherdError } from '../shared/errors'
import { runMigrations } from './migrations'

/** SQLite waits this long for a lock held by another connection before SQLITE_BUSY (better-sqlite3's default, made explicit). */
export const BUSY_TIMEOUT_MS = 5000
/** Page size of new databases (see openDatabase). */
export const PAGE_SIZE = 16384

export interface PragmaReport {
  journalMode: string
  synchronous: number
  foreignKeys: number
  busyTimeout: number
}

/** `nativeBinding`: an Electron-ABI build of better-sqlite3 (see scripts/native-abi.mjs); default = the Node build. */
export function openDatabase(file: string, nativeBinding?: string): { db: Database.Database; pragmas: PragmaReport } {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true })
  let db: Database.Database
  try {
    db = new Database(file, { timeout: BUSY_TIMEOUT_MS, ...(nativeBinding ? { nativeBinding } : {}) })
  } catch (err) {
    throw mapSqliteError(err)
  }
  try {
    // 16 KiB pages (a no-op for an existing database): transcript rows are large (tool results,
    // raw stdout lines average ~2 KB, often 10–100 KB), and with 4 KiB pages most of them spill into
    // overflow chains — one WAL frame, one write syscall and one checkpoint copy per 4 KiB. Bench part
    // 1 measured 2.5× the commit throughput with 16 KiB pages; reads of small rows are unaffected.
    db.pragma(`page_size = ${PAGE_SIZE}`)
    db.pragma('journal_mode = WAL')
    // FULL, not better-sqlite3's WAL default of NORMAL: NORMAL survives app crashes but may lose the
    // last commits on power loss / OS crash. Our writes are group-committed (one transaction per
    // ~15 ms debounce window), so FULL costs at most a few dozen fsyncs per second, and "no committed
    // event is ever lost" then holds even across an OS crash.
    db.pragma('synchronous = FULL')
    db.pragma('foreign_keys = ON')
    const pragmas: PragmaReport = {
      journalMode: String(db.pragma('journal_mode', { simple: true })),
      synchronous: Number(db.pragma('synchronous', { simple: true })),
      foreignKeys: Number(db.pragma('foreign_keys', { simple: true })),
      busyTimeout: Number(db.pragma('busy_timeout', { simple: true }))
    }
    if (file !== ':memory:' && pragmas.journalMode !== 'wal') throw new Error(`journal_mode is ${pragmas.journalMode}, expected wal`)
    if (pragmas.synchronous !== 2 || pragmas.foreignKeys !== 1 || pragmas.busyTimeout !== BUSY_TIMEOUT_MS) {
      throw new Error(`pragmas not applied: ${JSON.stringify(pragmas)}`)
    }
    const check = String(db.pragma('quick_check', { simple: true }))
    if (check !== 'ok') throw new ShepherdError('UNAVAILABLE', `database failed quick_check: ${check}`)
    runMigrations(db, file)
    return { db, pragmas }
  } catch (err) {
    db.close()
    throw err instanceof ShepherdError ? err : mapSqliteError(err)
  }
}

/** Map SQLite error codes to Shepherd's vocabulary so the UI can say what happened. */
export function mapSqliteError(err: unknown): Error {
  const code = (err as { code?: string } | null)?.code ?? ''
  const message = err instanceof Error ? err.message : String(err)
  if (code === 'SQLITE_FULL') return new ShepherdError('DB_FULL', `disk full: ${message}`)
  if (code.startsWith('SQLITE_READONLY') || code === 'SQLITE_CANTOPEN') return new ShepherdError('DB_READONLY', `database not writable: ${message}`)
  if (code.startsWith('SQLITE_BUSY')) return new ShepherdError('DB_BUSY', `database is locked by another process: ${message}`)
  return err instanceof Error ? err : new Error(message)
}
