/**
 * Entry of the bundled harness: `node .tmp/bench/dist/run-part.mjs <part> '<json options>'`.
 * Runs one benchmark part and prints one line `BENCH_RESULT <json>` (the orchestrator, scripts/bench.mjs,
 * parses it). Progress goes to stderr. Parts load lazily (the in-process ones need no browser code).
 */
type PartFn = (opts: never) => Promise<unknown>

const PARTS: Record<string, () => Promise<PartFn>> = {
  throughput: async () => (await import('./parts/throughput')).throughputRun as PartFn,
  baseline: async () => (await import('./parts/baseline')).baselineRun as PartFn,
  latency: async () => (await import('./parts/latency')).latencyRun as PartFn,
  'latency-core': async () => (await import('./parts/latency-core')).coreLatencyRun as PartFn,
  transcript: async () => (await import('./parts/transcript')).transcriptRun as PartFn,
  startup: async () => (await import('./parts/startup')).startupRun as PartFn,
  idle: async () => (await import('./parts/idle')).idleRun as PartFn,
  'idle-memory': async () => (await import('./parts/idle-memory')).idleMemoryRun as PartFn,
  soak: async () => (await import('./parts/soak')).soakRun as PartFn,
  search: async () => (await import('./parts/search')).searchRun as PartFn,
  worktrees: async () => (await import('./parts/worktrees')).worktreesRun as PartFn,
  usage: async () => (await import('./parts/usage')).usageRun as PartFn,
  'attention-overhead': async () => (await import('./parts/attention-overhead')).attentionOverheadRun as PartFn
}

async function main() {
  const [name, json] = process.argv.slice(2)
  const load = name ? PARTS[name] : undefined
  if (!load) throw new Error(`unknown part ${name}; known: ${Object.keys(PARTS).join(', ')}`)
  const result = await (await load())(JSON.parse(json ?? '{}') as never)
  process.stdout.write(`BENCH_RESULT ${JSON.stringify(result)}\n`)
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err instanceof Error ? err.stack : String(err))
    process.exit(1)
  }
)
