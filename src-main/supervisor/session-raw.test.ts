import Database from 'better-sqlite3'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { SqliteStore } from '../store/sqlite-store'
import { GroupCommitWriter } from '../store/writer'
import { tempDir } from '../../test/support/temp'
import { EventHub } from './event-hub'
import { Session } from './session'

const dirs: { cleanup(): void }[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) d.cleanup()
})

describe('Session: raw lines', () => {
  it('a raw line over 1,000,000 characters is stored whole, still valid JSON (issue 11 #14)', () => {
    const t = tempDir()
    dirs.push(t)
    const file = join(t.dir, 'shepherd.db')
    const store = new SqliteStore(file)
    store.insertProject({
      id: 'p',
      name: 'P',
      path: '/tmp/p',
      created_at: 1,
      updated_at: 1,
      stall_threshold_ms: null,
      retention_count: null,
      retention_days: null
    })
    store.insertSession({
      id: 's',
      projectId: 'p',
      provider: 'claude',
      model: null,
      permissionMode: 'default',
      cwd: '/tmp',
      title: 't',
      systemPrompt: null,
      extraEnv: {},
      status: 'running',
      now: 1
    })
    const writer = new GroupCommitWriter(store, { debounceMs: 1_000 })
    const events = new Session('s', 'p', store, writer, new EventHub())
    const line = JSON.stringify({ type: 'user', content: 'x'.repeat(3_000_000) })
    events.raw('unknown', line)
    writer.close()
    store.close()
    const db = new Database(file, { readonly: true })
    const stored = (db.prepare('SELECT data FROM raw_events WHERE session_id = ?').get('s') as { data: string }).data
    db.close()
    expect(stored.length).toBe(line.length)
    expect(JSON.parse(stored).content).toHaveLength(3_000_000)
  })
})
