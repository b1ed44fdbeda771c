/**
 * CI-sized bench part 3: the renderer's ProjectStore against a naive store that re-spreads the whole
 * array per batch, 40,000 messages in push-sized batches. Runs the bench's Vitest config in a child
 * process (the store is a `.svelte.ts` file compiled with Svelte's client runtime there). Bounds are
 * ratios measured in the same process, generous enough to catch a store that became quadratic.
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ROOT } from '../../bench/lib/paths'

interface StoreRun {
  ms: number
  retained: number
  heapPerMessageBytes: number
}

describe('bench (CI size): renderer store vs naive re-spread', () => {
  it('40k messages: the store is clearly faster than re-spreading', () => {
    const dir = mkdtempSync(join(tmpdir(), 'shepherd-store-bench-'))
    try {
      const out = join(dir, 'store.json')
      const r = spawnSync(process.execPath, [join(ROOT, 'node_modules/vitest/vitest.mjs'), 'run', '--config', 'bench/store/vitest.config.mts'], {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 170_000,
        env: { ...process.env, BENCH_OUT: out, BENCH_MESSAGES: '40000', BENCH_REPEAT: '1', BENCH_ONLY: 'naive,storeFollowing' }
      })
      expect(r.status, r.stdout + r.stderr).toBe(0)
      const res = JSON.parse(readFileSync(out, 'utf8')) as { naive: StoreRun; storeFollowing: StoreRun }
      // Measured ~8× at 40k on 2 cores (and ~20× at 100k); a quadratic store would be ~1×.
      expect(res.naive.ms / res.storeFollowing.ms, `store ${Math.round(res.storeFollowing.ms)} ms vs naive ${Math.round(res.naive.ms)} ms`).toBeGreaterThan(2)
      expect(res.storeFollowing.retained).toBeGreaterThan(0)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }, 180_000)
})
