/**
 * A damaged database (docs/fault-catalogue.md DB-5): told apart from other open errors, moved aside with its
 * WAL and shared-memory files (never deleted: the user may want it back), and replaced by the newest
 * pre-migration backup that passes `quick_check`, or else by a fresh database.
 */
import Database from 'better-sqlite3'
import { copyFileSync, existsSync, readdirSync, renameSync, statSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'

/** What happened at startup, for the banner that tells the user. */
export interface DbRecovery {
  /** Why the database was set aside (the quick_check result or SQLite's error). */
  reason: string
  /** Where the damaged file now is. */
  movedTo: string
  /** The backup Shepherd continued from, or null for a fresh database. */
  restoredFrom: string | null
  at: number
}

export class DatabaseCorruptError extends Error {
  constructor(readonly detail: string) {
    super(`database is damaged: ${detail}`)
  }
}

/** SQLite's own words for "these bytes are not a sound database". */
export function isCorruption(err: unknown): boolean {
  if (err instanceof DatabaseCorruptError) return true
  const code = (err as { code?: string } | null)?.code ?? ''
  return code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB'
}

/** Rename `file` (and its -wal/-shm) to `<file>.corrupt-<ts>`; returns the new path of the main file. */
export function moveAside(file: string, now = Date.now()): string {
  const stamp = new Date(now).toISOString().replace(/[:.]/g, '-')
  const target = `${file}.corrupt-${stamp}`
  for (const suffix of ['', '-wal', '-shm']) {
    if (existsSync(file + suffix)) renameSync(file + suffix, target + suffix)
  }
  return target
}

/** Pre-migration backups (`<file>.pre-v<N>.bak`), newest first. */
export function backupsOf(file: string): string[] {
  const dir = dirname(file)
  const prefix = `${basename(file)}.pre-v`
  let names: string[]
  try {
    names = readdirSync(dir).filter((n) => n.startsWith(prefix) && n.endsWith('.bak'))
  } catch {
    return []
  }
  return names.map((n) => join(dir, n)).sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)
}

/** Copy the newest sound backup into place; returns its path, or null when none is usable. */
export function restoreNewestBackup(file: string, nativeBinding?: string): string | null {
  for (const backup of backupsOf(file)) {
    try {
      const db = new Database(backup, { readonly: true, fileMustExist: true, ...(nativeBinding ? { nativeBinding } : {}) })
      const ok = String(db.pragma('quick_check', { simple: true })) === 'ok'
      db.close()
      if (!ok) continue
      copyFileSync(backup, file)
      return backup
    } catch {
      /* unreadable too: try an older one */
    }
  }
  return null
}
