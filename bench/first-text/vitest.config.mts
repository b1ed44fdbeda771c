// Bench part 11 (first streamed text) runs under Vitest: it drives the real agent CLIs with the test
// sandboxes of test/support (paths from their own location, which a bundled harness would lose).
// Not part of `npm test`: scripts/bench.mjs runs it with BENCH_OUT=<file>.
import { defineConfig } from 'vitest/config'
import { fileURLToPath } from 'node:url'

export default defineConfig({
  root: fileURLToPath(new URL('../..', import.meta.url)),
  test: {
    name: 'bench-first-text',
    environment: 'node',
    include: ['bench/first-text/*.bench-run.ts'],
    testTimeout: 900_000,
    pool: 'forks',
    maxWorkers: 1
  }
})
