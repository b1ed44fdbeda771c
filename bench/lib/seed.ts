/**
 * Seeded databases for the renderer parts (big transcript, startup): the app's own schema (opened
 * through `openDatabase`, so migrations and pragmas are the real ones), filled with realistic
 * messages in bulk. Seeds are cached under .tmp/bench/seed/<name>/ and reused while the seed spec
 * and the schema version are unchanged; every run copies the cached file to a fresh data dir.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { randomUUID } from 'node:crypto'
import { markClosed, openDatabase } from '../../src-main/store/open'
import { LATEST_VERSION } from '../../src-main/store/migrations'
import { DB_FILE } from '../../src-main/core'
import { MessageMaker } from './messages'
import { SCRATCH } from './paths'

export interface SeedSession {
  title: string
  messages: number
  tailText: string
}
export interface SeedProject {
  name: string
  sessions: SeedSession[]
}
export interface SeedSpec {
  name: string
  projects: SeedProject[]
}

export interface SeededDb {
  /** The cached database file (copy it before opening it with the host). */
  file: string
  bytes: number
  messages: number
  seededNowMs: number | null
  /** Project and session ids in spec order. */
  ids: { projectId: string; sessionIds: string[] }[]
}

const SEED_FORMAT = 2

export function seedDatabase(spec: SeedSpec, log: (m: string) => void = () => {}): SeededDb {
  const dir = join(SCRATCH, 'seed', spec.name)
  const file = join(dir, DB_FILE)
  const metaFile = join(dir, 'seed.json')
  const key = JSON.stringify({ SEED_FORMAT, LATEST_VERSION, spec })
  if (existsSync(file) && existsSync(metaFile)) {
    const meta = JSON.parse(readFileSync(metaFile, 'utf8')) as { key: string; ids: SeededDb['ids']; messages: number }
    if (meta.key === key) return { file, bytes: statSync(file).size, messages: meta.messages, seededNowMs: null, ids: meta.ids }
  }
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  const t0 = performance.now()
  const { db } = openDatabase(file)
  // Bulk load: one writer, no fsync per transaction (the file is checkpointed and closed at the end).
  db.pragma('synchronous = OFF')
  const insProject = db.prepare('INSERT INTO projects (id, name, path, created_at, updated_at) VALUES (?, ?, ?, ?, ?)')
  const insSession =
    db.prepare(`INSERT INTO sessions (id, project_id, provider, model, permission_mode, cwd, title, status, last_seq, last_activity_at, created_at, updated_at, ended_at, cost_usd, input_tokens, output_tokens)
    VALUES (?, ?, 'claude', 'claude-opus-5-5', 'default', ?, ?, 'done', ?, ?, ?, ?, ?, ?, ?, ?)`)
  const insMessage = db.prepare(
    'INSERT INTO messages (session_id, seq, kind, text, tool_name, tool_input, tool_path, tool_use_id, parent_id, is_error, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)'
  )
  const maker = new MessageMaker(11)
  const ids: SeededDb['ids'] = []
  let total = 0
  let clock = Date.now() - 3 * 24 * 3600_000
  const chunk = db.transaction((from: number, to: number, id: string, created: number, s: SeedSession) => {
    for (let seq = from; seq <= to; seq++) {
      const m = maker.make(id, seq, created + seq, seq === s.messages ? s.tailText : undefined)
      insMessage.run(id, seq, m.kind, m.text, m.toolName, m.toolInput, m.toolPath, m.toolUseId, null, 0, m.createdAt)
    }
  })
  for (const [pi, p] of spec.projects.entries()) {
    const projectId = randomUUID()
    const path = join(SCRATCH, 'seed', spec.name, 'folders', `p${pi}`)
    mkdirSync(path, { recursive: true })
    insProject.run(projectId, p.name, path, clock, clock)
    const sessionIds: string[] = []
    for (const s of p.sessions) {
      const id = randomUUID()
      sessionIds.push(id)
      const created = (clock += 1000)
      insSession.run(id, projectId, path, s.title, s.messages, created + s.messages, created, created + s.messages, created + s.messages, 0.42, 100_000, 20_000)
      for (let from = 1; from <= s.messages; from += 20_000) {
        chunk(from, Math.min(s.messages, from + 19_999), id, created, s)
      }
      total += s.messages
      if (total % 100_000 < s.messages) log(`seeded ${total} messages`)
    }
    ids.push({ projectId, sessionIds })
  }
  db.pragma('wal_checkpoint(TRUNCATE)')
  db.close()
  markClosed(file) // closed cleanly: the first start is not treated as after a crash
  writeFileSync(metaFile, JSON.stringify({ key, ids, messages: total }))
  return { file, bytes: statSync(file).size, messages: total, seededNowMs: performance.now() - t0, ids }
}

/** A fresh data dir holding a copy of a seeded database. */
export function dataDirWith(seed: SeededDb, dataDir: string): string {
  mkdirSync(dataDir, { recursive: true })
  copyFileSync(seed.file, join(dataDir, DB_FILE))
  return dataDir
}
