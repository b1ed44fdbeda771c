/**
 * Shepherd's data is private to the user (POSIX): the data dir is 0700 and the database, its WAL and
 * shared-memory files, backups, set-aside copies and the web host's token file are 0600, whatever the
 * umask. Every transcript, setting (the ACP agent's command line) and the web token live there.
 * No-ops on Windows, where the user profile's ACLs already do this.
 */
import { chmodSync, existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'

const posix = () => process.platform !== 'win32'

/** Create `dir` (and parents) with 0700; an existing one loses its group/other bits. */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  if (!posix()) return
  try {
    const mode = statSync(dir).mode & 0o777
    if (mode & 0o077) chmodSync(dir, mode & 0o700)
  } catch {
    /* not ours to change (e.g. owned by someone else): opening the database will say more */
  }
}

/**
 * Create the database file empty with 0600 before SQLite opens it, so it is never readable by
 * others, not even for a moment (SQLite creates `-wal` and `-shm` with the database file's mode).
 */
export function precreatePrivate(file: string): void {
  if (existsSync(file)) return
  try {
    writeFileSync(file, '', { flag: 'wx', mode: 0o600 })
  } catch {
    /* created meanwhile, or a read-only dir: SQLite reports it */
  }
}

/** chmod 0600 every file of this database: itself, -wal, -shm, .in-use, .pre-vN.bak, .corrupt-*. */
export function tightenDatabaseFiles(file: string): void {
  if (!posix()) return
  const dir = dirname(file)
  const base = basename(file)
  let names: string[]
  try {
    names = readdirSync(dir)
  } catch {
    return
  }
  for (const name of names) {
    if (name !== base && !name.startsWith(`${base}-`) && !name.startsWith(`${base}.`)) continue
    try {
      const p = join(dir, name)
      const st = statSync(p)
      if (st.isFile() && (st.mode & 0o077) !== 0) chmodSync(p, st.mode & 0o600)
    } catch {
      /* vanished or not ours */
    }
  }
}
