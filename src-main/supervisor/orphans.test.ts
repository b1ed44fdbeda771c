import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { SqliteStore } from '../store/sqlite-store'
import { tempDir } from '../../test/support/temp'
import { CUT_SHORT_TEXT, sweepOrphans } from './orphans'

const dirs: { cleanup(): void }[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) d.cleanup()
})

function store(): SqliteStore {
  const t = tempDir()
  dirs.push(t)
  const s = new SqliteStore(join(t.dir, 'shepherd.db'))
  s.insertProject({ id: 'p', name: 'P', path: '/tmp/p', created_at: 1, updated_at: 1, stall_threshold_ms: null, retention_count: null, retention_days: null })
  return s
}

function session(s: SqliteStore, id: string, status: 'running' | 'idle' | 'waiting_approval') {
  s.insertSession({
    id,
    projectId: 'p',
    provider: 'claude',
    model: null,
    permissionMode: 'default',
    cwd: '/tmp',
    title: id,
    systemPrompt: null,
    extraEnv: {},
    status,
    now: 1
  })
  s.insertMessages([
    {
      session_id: id,
      seq: 1,
      kind: 'user',
      text: 'go',
      tool_name: null,
      tool_input: null,
      tool_path: null,
      tool_use_id: null,
      parent_id: null,
      is_error: 0,
      created_at: 1
    }
  ])
}

describe('startup sweep after a crash (issue 11 #9)', () => {
  it('a turn that was running ends with a row saying it was cut short and what was lost', () => {
    const s = store()
    session(s, 'mid-turn', 'running')
    session(s, 'asking', 'waiting_approval')
    session(s, 'between-turns', 'idle')
    const result = sweepOrphans(s, 1_000)
    expect(result.interrupted.sort()).toEqual(['asking', 'between-turns', 'mid-turn'])
    for (const id of ['mid-turn', 'asking']) {
      const row = s.getMessage(id, 2)
      expect(row?.kind).toBe('error')
      expect(row?.text).toBe(CUT_SHORT_TEXT)
      expect(s.getSession(id)?.last_seq).toBe(2)
      expect(s.getSession(id)?.status).toBe('interrupted')
    }
    // Between turns nothing was cut short: no row, but the session is no longer "active".
    expect(s.maxSeq('between-turns')).toBe(1)
    expect(s.getSession('between-turns')?.status).toBe('interrupted')
    s.close()
  })

  it('an asleep session (idle, process stopped to save memory) stays asleep: nothing was running', () => {
    const s = store()
    session(s, 'asleep', 'idle')
    s.updateSession('asleep', { status_reason: { code: 'asleep', message: 'asleep' }, pid: null, queued_prompts: [] })
    session(s, 'awake-idle', 'idle')
    s.updateSession('awake-idle', { status_reason: { code: 'turn_interrupted' } })
    const result = sweepOrphans(s, 1_000)
    expect(result.interrupted).toEqual(['awake-idle'])
    expect(s.getSession('asleep')?.status).toBe('idle')
    expect(s.maxSeq('asleep')).toBe(1)
    s.close()
  })
})
