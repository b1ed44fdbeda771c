// Bench part 3 (renderer store) runs under Vitest so `.svelte.ts` stores compile exactly like in the
// renderer unit tests (Svelte plugin, client runtime via the `browser` condition). Not part of
// `npm test`: scripts/bench.mjs runs it with BENCH_OUT=<file> and node --expose-gc.
import { defineConfig } from 'vitest/config'
import { svelte } from '@sveltejs/vite-plugin-svelte'
import { fileURLToPath } from 'node:url'

export default defineConfig({
  root: fileURLToPath(new URL('../..', import.meta.url)),
  plugins: [svelte()],
  resolve: { conditions: ['browser'] },
  test: {
    name: 'bench-store',
    environment: 'node',
    include: ['bench/store/*.bench-run.ts'],
    testTimeout: 600_000,
    pool: 'forks',
    maxWorkers: 1,
    // BENCH_CPU_PROF=<dir>: a V8 CPU profile of the run (node --cpu-prof) for diagnosis.
    execArgv: ['--expose-gc', ...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [])]
  }
})
