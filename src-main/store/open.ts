/**
 * Opening the database: pragmas (read back and asserted), integrity check, migrations.
 */
import Database from 'better-sqlite3'
import { existsSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { ShepherdError } from '../shared/errors'
import { runMigrations } from './migrations'
import { ensurePrivateDir, precreatePrivate, tightenDatabaseFiles } from './private-files'
import { DatabaseCorruptError, isCorruption, moveAside, restoreNewestBackup, type DbRecovery } from './recovery'

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

/**
 * Databases up to this size get `quick_check` on every open (it reads the whole file: well under a
 * second here). Bigger ones only after an unclean exit: 1.7 GB took 12 s with a cold cache (bench
 * part 6), and with WAL + synchronous=FULL an app or OS crash cannot damage the file anyway; what
 * the check is for is a disk or a copy that went wrong, which a crash marker cannot see either.
 */
export const ALWAYS_CHECK_BYTES = 256 * 1024 * 1024

export interface OpenResult {
  db: Database.Database
  pragmas: PragmaReport
  /** Whether `quick_check` ran on this open. */
  checked: boolean
  /** Set when the database was damaged and set aside (DB-5). */
  recovery: DbRecovery | null
}

/** Present while a Shepherd has the database open; found at open = the last run did not close it. */
export const inUseMarker = (file: string) => `${file}.in-use`

/**
 * `nativeBinding`: an Electron-ABI build of better-sqlite3 (see scripts/native-abi.mjs); default = the Node build.
 * A damaged database is moved aside and replaced by the newest sound backup or a fresh one (see recovery.ts).
 */
export function openDatabase(file: string, nativeBinding?: string, alwaysCheckBytes = ALWAYS_CHECK_BYTES): OpenResult {
  if (file === ':memory:') return openOnce(file, nativeBinding, null)
  ensurePrivateDir(dirname(file))
  precreatePrivate(file)
  const marker = inUseMarker(file)
  const unclean = existsSync(marker)
  let result: OpenResult
  try {
    const size = existsSync(file) ? statSync(file).size : 0
    result = openOnce(file, nativeBinding, null, size > 0 && (unclean || size <= alwaysCheckBytes))
  } catch (err) {
    if (!isCorruption(err)) throw err
    const reason = err instanceof DatabaseCorruptError ? err.detail : err instanceof Error ? err.message : String(err)
    const movedTo = moveAside(file)
    const restoredFrom = restoreNewestBackup(file, nativeBinding)
    precreatePrivate(file)
    result = openOnce(file, nativeBinding, { reason, movedTo, restoredFrom, at: Date.now() })
  }
  try {
    writeFileSync(marker, `${process.pid}\n`, { mode: 0o600 })
  } catch {
    /* a read-only data dir fails later, with DB_READONLY, on the first write */
  }
  // Backups (VACUUM INTO), a restored copy and older files from before this rule: 0600 too.
  tightenDatabaseFiles(file)
  return result
}

/** The database was closed cleanly: the next open need not check it (see ALWAYS_CHECK_BYTES). */
export function markClosed(file: string): void {
  if (file !== ':memory:') rmSync(inUseMarker(file), { force: true })
}

function openOnce(file: string, nativeBinding: string | undefined, recovery: DbRecovery | null, check = false): OpenResult {
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
    if (check) {
      const result = String(db.pragma('quick_check', { simple: true }))
      if (result !== 'ok') throw new DatabaseCorruptError(`quick_check: ${result.slice(0, 500)}`)
    }
    runMigrations(db, file)
    return { db, pragmas, checked: check, recovery }
  } catch (err) {
    db.close()
    throw err instanceof ShepherdError || err instanceof DatabaseCorruptError ? err : mapSqliteError(err)
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
