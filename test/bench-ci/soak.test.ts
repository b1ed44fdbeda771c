/**
 * CI-sized bench part 7: kill -9 of the web host while agents stream 1,000 events/s, three times.
 * After each restart: integrity_check ok, every message pushed to the WebSocket subscriber before the
 * kill is stored with the same content, seq has no gaps. Needs the built host: builds it when it is
 * missing or stale, and fails loudly when it cannot (never skips).
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { soakRun } from '../../bench/parts/soak'
import { ensureBuiltHost } from '../support/built-host'

describe('bench (CI size): durability under kill -9', () => {
  beforeAll(() => ensureBuiltHost(), 600_000)

  it('DB-1 (CI size): 3 kills while streaming: 0 lost, integrity ok, no seq gaps', async () => {
    const r = await soakRun({ cycles: 3, rate: 1000, sessions: 2, minStreamMs: 300, maxStreamMs: 900 })
    expect(r.cycles).toBe(3)
    expect(r.pushedTotal).toBeGreaterThan(0)
    expect(r.lostTotal).toBe(0)
    expect(r.contentMismatches).toBe(0)
    expect(r.seqGapsTotal).toBe(0)
    expect(r.integrityFailures).toBe(0)
    for (const c of r.perCycle) expect(c.pushed).toBeGreaterThan(0)
  }, 120_000)
})
