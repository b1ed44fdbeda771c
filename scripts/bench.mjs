// `npm run bench`: Shepherd's benchmark suite (not part of `npm test`). Prints the machine, a table
// with pass/short per target, and writes bench/results.json. Every part runs in its own process
// (the bundled harness .tmp/bench/dist/run-part.mjs, or Vitest for the renderer store), several
// times; the table shows medians.
//
//   npm run bench                      all parts (about 6–8 minutes on 2 cores)
//   npm run bench -- --only=1,3,7      some parts
//   npm run bench -- --quick           small sizes (a smoke test of the harness, ~2 minutes)
//   npm run bench -- --profile         also write CPU profiles (part 1: main process; part 2: renderer)
//                                      to .tmp/bench/prof/ (summarize: node bench/profile-summary.mjs FILE)
//
// Parts: 1 throughput, 2 latency, 3 renderer store, 4 big transcript, 5 startup, 6 idle, 7 soak, 8 search, 9 worktrees, 10 usage view,
// 11 idle memory (20 idle real Claude Code sessions, with and without the idle bound; warm vs woken prompt).
// 12 first text (Enter → first streamed text per real agent CLI; OpenCode cold and warmed).
import { spawn } from 'node:child_process'
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, freemem, loadavg, release, totalmem } from 'node:os'
import { join } from 'node:path'
import { buildIfNeeded, ensureChromium, root } from './lib.mjs'
import { buildHarness } from '../bench/build.mjs'

const args = process.argv.slice(2)
const flag = (name) => args.includes(`--${name}`)
const value = (name) => args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1]
const QUICK = flag('quick')
const PROFILE = flag('profile')
const ONLY = new Set((value('only') ?? '1,2,3,4,5,6,7,8,9,10,11').split(',').map((s) => s.trim()))
const RESULTS = join(root, 'bench', 'results.json')
const PROF_DIR = join(root, '.tmp', 'bench', 'prof')

/** Sizes: the issue's (full) or a smoke test (quick). */
const CFG = QUICK
  ? {
      t1: { sessions: 1, eventsPerTurn: 5_000, turns: 2, runs: 3 },
      t20: { sessions: 20, eventsPerTurn: 500, turns: 2, runs: 3 },
      latency: { rate: 1000, seconds: 4, runs: 2 },
      store: { messages: 20_000, repeat: 2 },
      transcript: { messages: 100_000, runs: 2, scrollSteps: 30 },
      startup: { projects: 50, sessionsPerProject: 4, messages: 100_000, runs: 2, cold: true },
      idle: { sessions: 20, windowSeconds: 10, windows: 1 },
      soak: { cycles: 3, rate: 1000, sessions: 2, minStreamMs: 400, maxStreamMs: 1200 },
      search: { projects: 50, sessionsPerProject: 4, messages: 100_000, bigMessages: 100_000, reps: 3, paintRuns: 1, migrate: true },
      worktrees: { sessions: 20, idleSeconds: 10, files: 2_000, linesPerFile: 25, bigLines: 5_000, repoFiles: 5_000, runs: 2 },
      usage: { projects: 50, sessionsPerProject: 4, messages: 100_000, days: 90, runs: 2 },
      idleMemory: { sessions: 20, keep: 4, rounds: 2 }
    }
  : {
      t1: { sessions: 1, eventsPerTurn: 12_500, turns: 4, runs: 5 },
      t20: { sessions: 20, eventsPerTurn: 2_500, turns: 2, runs: 5 },
      latency: { rate: 1000, seconds: 10, runs: 3 },
      store: { messages: 100_000, repeat: 3 },
      transcript: { messages: 100_000, runs: 3, scrollSteps: 100 },
      startup: { projects: 50, sessionsPerProject: 4, messages: 1_000_000, runs: 3, cold: true },
      idle: { sessions: 20, windowSeconds: 30, windows: 3 },
      soak: { cycles: 20, rate: 1000, sessions: 2, minStreamMs: 500, maxStreamMs: 2000 },
      search: { projects: 50, sessionsPerProject: 4, messages: 1_000_000, bigMessages: 100_000, reps: 10, paintRuns: 3, migrate: true },
      worktrees: { sessions: 100, idleSeconds: 60, files: 2_000, linesPerFile: 25, bigLines: 5_000, repoFiles: 20_000, runs: 3 },
      usage: { projects: 50, sessionsPerProject: 4, messages: 1_000_000, days: 90, runs: 3 },
      idleMemory: { sessions: 20, keep: 4, rounds: 5 }
    }

const TARGETS = {
  t1: 50_000,
  t20: 20_000,
  p99: 50,
  storeRatio: 50,
  tailPaint: 300,
  idlePct: 1,
  lost: 0,
  searchP95: 50,
  deepHitPaint: 300,
  indexCostPct: 15,
  gitIdle: 0,
  /** git processes per visible pane when a project is opened (a Changes read is 2, plus the record). */
  gitPerPane: 4,
  changesPaint: 300,
  usageMs: 300,
  /** Memory of the idle agents with the bound, as a share of it without (4 kept of 20 → ~20 % plus the woken). */
  idleMemoryShare: 0.3,
  /** Scrolling back (issue 11 item 16): a page step (p95), and the page's JS heap at the end. */
  scrollStepMs: 30,
  scrollHeapMB: 100
}

// ---- helpers --------------------------------------------------------------------------------

const median = (xs) => {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b)
  if (s.length === 0) return NaN
  const m = Math.floor(s.length / 2)
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}
const fmt = (x, digits = 0) => (Number.isFinite(x) ? x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : 'n/a')
const log = (m) => process.stderr.write(`${m}\n`)

function machine() {
  let filesystem = 'unknown'
  try {
    const line =
      execFileSync('df', ['-T', join(root, '.tmp')], { encoding: 'utf8' })
        .trim()
        .split('\n')
        .pop() ?? ''
    const c = line.split(/\s+/)
    filesystem = `${c[1]} on ${c[0]}`
  } catch {
    /* not Linux */
  }
  let chromium = null
  for (const p of [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser']) {
    if (p && existsSync(p)) {
      try {
        chromium = execFileSync(p, ['--version'], { encoding: 'utf8', timeout: 10_000 }).trim()
      } catch {
        chromium = p
      }
      break
    }
  }
  let commit = null
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim()
  } catch {
    /* not a checkout */
  }
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: +(totalmem() / 2 ** 30).toFixed(1),
    freeMemoryGiB: +(freemem() / 2 ** 30).toFixed(1),
    loadAvgAtStart: loadavg().map((x) => +x.toFixed(2)),
    os: `${process.platform} ${release()}`,
    node: process.version,
    filesystem,
    chromium,
    commit
  }
}

/** Run one harness part in a fresh process; resolves with its BENCH_RESULT. */
function runPart(harness, part, opts, { cpuProf = false } = {}) {
  return new Promise((resolve, reject) => {
    const nodeArgs = cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${PROF_DIR}`] : []
    const child = spawn(process.execPath, [...nodeArgs, harness, part, JSON.stringify(opts)], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    child.stdout.setEncoding('utf8').on('data', (c) => {
      out += c
    })
    child.stderr.setEncoding('utf8').on('data', (c) => {
      err += c
    })
    child.on('error', reject)
    child.on('close', (code) => {
      const m = /^BENCH_RESULT (.*)$/m.exec(out)
      if (code === 0 && m) resolve(JSON.parse(m[1]))
      else reject(new Error(`part ${part} failed (exit ${code})\n${err.slice(-4000)}`))
    })
  })
}

/** Part 3 runs under Vitest (Svelte-compiled store); resolves with the JSON it wrote. */
function runStoreBench(opts) {
  const out = join(root, '.tmp', 'bench', 'store.json')
  rmSync(out, { force: true })
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, 'node_modules/vitest/vitest.mjs'), 'run', '--config', 'bench/store/vitest.config.mts'], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, BENCH_OUT: out, BENCH_MESSAGES: String(opts.messages), BENCH_REPEAT: String(opts.repeat) }
    })
    let err = ''
    child.stdout.setEncoding('utf8').on('data', (c) => {
      err += c
    })
    child.stderr.setEncoding('utf8').on('data', (c) => {
      err += c
    })
    child.on('close', (code) => {
      if (code === 0 && existsSync(out)) resolve(JSON.parse(readFileSync(out, 'utf8')))
      else reject(new Error(`store bench failed (exit ${code})\n${err.slice(-4000)}`))
    })
  })
}

/** Part 11 runs under Vitest (the real CLIs' test sandboxes); resolves with the JSON it wrote. */
function runFirstTextBench(runs) {
  const out = join(root, '.tmp', 'bench', 'first-text.json')
  rmSync(out, { force: true })
  mkdirSync(join(root, '.tmp', 'bench'), { recursive: true })
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, 'node_modules/vitest/vitest.mjs'), 'run', '--config', 'bench/first-text/vitest.config.mts'], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, BENCH_OUT: out, BENCH_RUNS: String(runs) }
    })
    let err = ''
    child.stdout.setEncoding('utf8').on('data', (c) => (err += c))
    child.stderr.setEncoding('utf8').on('data', (c) => (err += c))
    child.on('close', (code) => {
      if (code === 0 && existsSync(out)) resolve(JSON.parse(readFileSync(out, 'utf8')))
      else reject(new Error(`first-text bench failed (exit ${code})\n${err.slice(-4000)}`))
    })
  })
}

async function repeat(n, label, fn) {
  const runs = []
  for (let i = 0; i < n; i++) {
    log(`  ${label} run ${i + 1}/${n}`)
    runs.push(await fn(i))
  }
  return runs
}

// ---- the parts ------------------------------------------------------------------------------

const rows = []
const raw = {}
const verdict = (ok) => (ok ? 'pass' : 'short')
const row = (part, measure, result, target, status) => rows.push({ part, measure, result, target, status })

async function part1(h) {
  if (PROFILE) mkdirSync(PROF_DIR, { recursive: true })
  // The floor on this machine right now: spawn the same agent, frame and JSON.parse its lines, nothing else.
  const base = await repeat(3, 'bare read+parse baseline', () => runPart(h, 'baseline', { events: CFG.t1.eventsPerTurn * CFG.t1.turns }))
  raw.baseline = base
  const baseEps = median(base.map((r) => r.eventsPerSec))
  const baseCpu = median(base.map((r) => r.cpuUsPerEvent))
  for (const [, cfg, target] of [
    ['t1', CFG.t1, TARGETS.t1],
    ['t20', CFG.t20, TARGETS.t20]
  ]) {
    const { runs: n, ...opts } = cfg
    const runs = await repeat(n, `throughput ${cfg.sessions} session(s)`, (i) => runPart(h, 'throughput', opts, { cpuProf: PROFILE && i === 0 }))
    raw[`throughput_${cfg.sessions}`] = runs
    const eps = median(runs.map((r) => r.eventsPerSec))
    const cpu = median(runs.map((r) => r.cpuUsPerEvent))
    const agent = median(runs.map((r) => r.agentCpuUsPerEvent))
    const elu = median(runs.map((r) => r.eventLoopUtilization))
    const gaps = runs.reduce((a, r) => a + r.seqGaps, 0)
    if (cfg === CFG.t1) {
      // The same run without the search index's insert trigger, interleaved with more indexed runs (issue 15).
      const pairs = await repeat(n, 'throughput 1 session, without / with the search index', async () => ({
        without: await runPart(h, 'throughput', { ...opts, noSearchIndex: true }),
        with: await runPart(h, 'throughput', opts)
      }))
      raw.throughput_1_index = pairs
      const withEps = median([...runs, ...pairs.map((p) => p.with)].map((r) => r.eventsPerSec))
      const withoutEps = median(pairs.map((p) => p.without.eventsPerSec))
      const cost = (1 - withEps / withoutEps) * 100
      row(
        1,
        'Search index cost on part 1 (1 session; with vs without the FTS5 insert trigger, interleaved, same run)',
        `${fmt(withEps)} events/s with the index vs ${fmt(withoutEps)} without: ${fmt(cost, 1)} % (CPU ${fmt(median(pairs.map((p) => p.with.cpuUsPerEvent)), 1)} vs ${fmt(median(pairs.map((p) => p.without.cpuUsPerEvent)), 1)} µs/event)`,
        `≤ ${TARGETS.indexCostPct} %`,
        verdict(cost <= TARGETS.indexCostPct)
      )
    }
    row(
      1,
      `Throughput, ${cfg.sessions} session${cfg.sessions > 1 ? 's' : ''} (${fmt(runs[0].events)} events, ${fmt(median(runs.map((r) => r.bytesPerEvent)))} B text/event)`,
      `${fmt(eps)} events/s (range ${fmt(Math.min(...runs.map((r) => r.eventsPerSec)))}–${fmt(Math.max(...runs.map((r) => r.eventsPerSec)))}) = ${fmt((eps / baseEps) * 100)} % of bare read+parse (${fmt(baseEps)}/s); CPU ${fmt(cpu, 1)} µs/event in Shepherd (${fmt(cpu / baseCpu, 1)}× bare ${fmt(baseCpu, 1)} µs; = ${fmt(1e6 / cpu)} events per CPU-second) + ${fmt(agent, 1)} µs in the agents; main loop ${fmt(elu * 100)} % busy; ${fmt(median(runs.map((r) => r.messagesPerPush)))} msgs/push; seq gaps ${gaps}`,
      `≥ ${fmt(target)} events/s`,
      verdict(eps >= target && gaps === 0)
    )
  }
  // Issue 16: what the usage ledger and budget rules add per cost event (with/without, interleaved).
  const ov = await runPart(h, 'attention-overhead', { events: QUICK ? 20_000 : 100_000, rounds: QUICK ? 3 : 5 })
  raw.attentionOverhead = ov
  const withUs = median(ov.withUs)
  const withoutUs = median(ov.withoutUs)
  row(
    1,
    `Budget checks + usage ledger per agent.cost event (${fmt(ov.events)} events × ${ov.withUs.length}, 20 sessions, caps on every level)`,
    `${fmt(withUs - withoutUs, 2)} µs CPU per cost event (${fmt(withUs, 2)} with, ${fmt(withoutUs, 2)} without)`,
    '—',
    'info'
  )
}

async function part2(h) {
  if (PROFILE) mkdirSync(PROF_DIR, { recursive: true })
  const res = await runPart(h, 'latency', { ...CFG.latency, ...(PROFILE ? { rendererProfile: join(PROF_DIR, 'renderer-latency.cpuprofile') } : {}) })
  raw.latency = res
  const p50 = median(res.runs.map((r) => r.p50Ms))
  const p99 = median(res.runs.map((r) => r.p99Ms))
  row(
    2,
    `Latency at ${fmt(CFG.latency.rate)} events/s, agent line → renderer store (web host, Chromium; ${res.runs.length} × ${CFG.latency.seconds} s)`,
    `p50 ${fmt(p50, 1)} ms, p99 ${fmt(p99, 1)} ms (max ${fmt(median(res.runs.map((r) => r.maxMs)))} ms); host side alone (to a Node WebSocket subscriber): p50 ${fmt(median(res.runs.map((r) => r.hostP50Ms)), 1)} ms, p99 ${fmt(median(res.runs.map((r) => r.hostP99Ms)), 1)} ms${res.transcriptShown ? '' : '; transcript pane not shown'}`,
    `p99 ≤ ${TARGETS.p99} ms`,
    verdict(p99 <= TARGETS.p99)
  )
}

async function part3() {
  const res = await runStoreBench(CFG.store)
  raw.store = res
  const naive = res.naive
  const f = res.storeFollowing
  const r = res.storeReading
  const ratio = naive.ms / f.ms
  row(
    3,
    `Renderer store: ${fmt(res.messages)} messages in ${fmt(res.batches)} batches (avg ${fmt(res.avgBatch, 1)}) vs naive re-spread`,
    `${fmt(ratio, 1)}× faster (store ${fmt(f.ms)} ms vs naive ${fmt(naive.ms)} ms; following the tail, window ${fmt(f.retained)} messages); heap ${fmt(f.heapPerMessageBytes)} B per applied message vs ${fmt(naive.heapPerMessageBytes)} B naive; reading history (no window): ${fmt(naive.ms / r.ms, 1)}× (${fmt(r.ms)} ms, ${fmt(r.heapPerMessageBytes)} B/message)`,
    `≥ ${TARGETS.storeRatio}× naive`,
    verdict(ratio >= TARGETS.storeRatio)
  )
}

async function part4(h) {
  const res = await runPart(h, 'transcript', CFG.transcript)
  raw.transcript = res
  const ms = median(res.runs.map((r) => r.tailPaintMs))
  row(
    4,
    `Big transcript: open a session of ${fmt(res.messages)} stored messages (${fmt(res.dbMB)} MB DB)`,
    `tail painted ${fmt(ms)} ms after the click; page JS heap ${fmt(median(res.runs.map((r) => r.jsHeapAfterMB)), 1)} MB (+${fmt(median(res.runs.map((r) => r.jsHeapAfterMB - r.jsHeapBeforeMB)), 1)} MB), ${fmt(median(res.runs.map((r) => r.domNodesAfter)))} DOM nodes, ${fmt(median(res.runs.map((r) => r.rowsInDom)))} rows in the DOM`,
    `≤ ${TARGETS.tailPaint} ms`,
    verdict(ms <= TARGETS.tailPaint)
  )
  const sb = res.runs.map((r) => r.scrollBack).filter(Boolean)
  if (sb.length === 0) return
  const q = (xs, p) => {
    const s = [...xs].sort((a, b) => a - b)
    return s[Math.min(s.length - 1, Math.floor(p * s.length))]
  }
  const p50 = median(sb.map((s) => q(s.stepMs, 0.5)))
  const p95 = median(sb.map((s) => q(s.stepMs, 0.95)))
  const first = median(sb.map((s) => q(s.stepMs.slice(0, 10), 0.5)))
  const last = median(sb.map((s) => q(s.stepMs.slice(-10), 0.5)))
  const heap = (k) => median(sb.map((s) => s.heapMB[k]))
  row(
    '4b',
    `Scroll back ${sb[0].steps} pages (${fmt(sb[0].steps * 200)} messages) from the tail of the same session, then "First message"`,
    `page step p50 ${fmt(p50, 1)} ms, p95 ${fmt(p95, 1)} ms (first 10 steps ${fmt(first, 1)} ms, last 10 ${fmt(last, 1)} ms: ratio ${fmt(last / first, 2)}); JS heap ${fmt(heap('start'), 1)} → ${fmt(heap('mid'), 1)} → ${fmt(heap('end'), 1)} MB; ${fmt(median(sb.map((s) => s.rowsInDomEnd)))} rows in the DOM at the end; jump to the first message ${fmt(median(sb.map((s) => s.jumpFirstMs)))} ms`,
    `step ≤ ${TARGETS.scrollStepMs} ms, heap ≤ ${TARGETS.scrollHeapMB} MB`,
    verdict(p95 <= TARGETS.scrollStepMs && heap('end') <= TARGETS.scrollHeapMB)
  )
}

async function part5(h) {
  const res = await runPart(h, 'startup', CFG.startup)
  raw.startup = res
  const c = res.coldRun
  row(
    5,
    `Startup: ${res.projects} projects, ${fmt(res.messages)} stored messages (${fmt(res.dbMB / 1024, 2)} GB DB), new host process to first paint`,
    `${fmt(median(res.runs.map((r) => r.firstPaintMs)))} ms with the DB in the OS page cache (host ready ${fmt(median(res.runs.map((r) => r.hostReadyMs)))} ms, FCP ${fmt(median(res.runs.map((r) => r.fcpMs)))} ms, all projects listed ${fmt(median(res.runs.map((r) => r.projectsListedMs)))} ms, then the open session's tail)${c ? `; ${fmt(c.firstPaintMs)} ms with the DB file evicted from the cache first (host ready ${fmt(c.hostReadyMs)} ms)` : ''}`,
    '—',
    'info'
  )
}

async function part6(h) {
  const res = await runPart(h, 'idle', CFG.idle)
  raw.idle = res
  const pct = median(res.windows.map((w) => w.shepherdPct))
  row(
    6,
    `Idle: ${res.sessions} idle sessions, app open, ${res.windows.length} × ${res.windowSeconds} s`,
    `${fmt(pct, 2)} % of one core for Shepherd (host ${fmt(median(res.windows.map((w) => w.hostPct)), 2)} %, renderer ${fmt(median(res.windows.map((w) => w.rendererPct)), 2)} %); the ${res.sessions} idle agents ${fmt(median(res.windows.map((w) => w.agentsPct)), 2)} %`,
    `< ${TARGETS.idlePct} %`,
    verdict(pct < TARGETS.idlePct)
  )
}

async function part11(h) {
  // Issue 11 #17: idle agents sleep beyond the bound and wake on the next prompt.
  const res = await runPart(h, 'idle-memory', CFG.idleMemory)
  raw.idleMemory = res
  const gib = (mib) => fmt(mib / 1024, 2)
  const share = res.after.rssMiB / res.before.rssMiB
  const warm = median(res.warmMs)
  const wake = median(res.wakeMs)
  row(
    11,
    `Idle memory: ${res.sessions} idle Claude Code sessions (real CLI), every process under the host; then ${res.keep} kept, the others asleep after 5 s idle`,
    `RSS ${gib(res.before.rssMiB)} GiB in ${res.before.processes} processes before → ${gib(res.after.rssMiB)} GiB in ${res.after.processes} after (${res.asleep} asleep; PSS ${gib(res.before.pssMiB)} → ${gib(res.after.pssMiB)} GiB)`,
    `≤ ${TARGETS.idleMemoryShare * 100} % of before`,
    verdict(share <= TARGETS.idleMemoryShare)
  )
  row(
    11,
    `First prompt to an asleep session vs a warm one (send → reply stored and idle, ${res.warmMs.length} alternating pairs in one run)`,
    `${fmt(wake / warm, 1)}× (woken ${fmt(wake)} ms vs warm ${fmt(warm)} ms median: +${fmt(wake - warm)} ms to resume the CLI)`,
    '—',
    'info'
  )
}

async function part7(h) {
  const res = await runPart(h, 'soak', CFG.soak)
  raw.soak = res
  const ok = res.lostTotal === 0 && res.integrityFailures === 0 && res.seqGapsTotal === 0 && res.contentMismatches === 0
  row(
    7,
    `Durability: ${res.cycles} × kill -9 of the host while agents stream ${fmt(CFG.soak.rate)} events/s`,
    `${res.lostTotal} lost of ${fmt(res.pushedTotal)} pushed; integrity_check ok ${res.cycles - res.integrityFailures}/${res.cycles}; seq gaps ${res.seqGapsTotal}; content mismatches ${res.contentMismatches}; restart ${fmt(res.restartMsMedian)} ms median (max ${fmt(res.restartMsMax)} ms), to first API answer ${fmt(res.restartToApiMsMedian)} ms`,
    `${TARGETS.lost} lost`,
    verdict(ok)
  )
}

async function part8(h) {
  const res = await runPart(h, 'search', CFG.search)
  raw.search = res
  row(
    8,
    `Search: ${res.queries.length} typical queries on ${fmt(res.messages)} messages (${fmt(res.dbMB / 1024, 2)} GB DB), first page of 50 hits, ${CFG.search.reps} runs each`,
    `p50 ${fmt(res.p50Ms, 1)} ms, p95 ${fmt(res.p95Ms, 1)} ms (slowest query median: ${fmt(Math.max(...res.queries.map((q) => q.p50Ms)), 1)} ms, ${res.queries.reduce((a, q) => (q.p50Ms > a.p50Ms ? q : a)).query})`,
    `p95 ≤ ${TARGETS.searchP95} ms`,
    verdict(res.p95Ms <= TARGETS.searchP95)
  )
  const deep = median(res.deepHitPaintMs)
  row(
    8,
    `Search: open a hit at message 80,000 of a ${fmt(CFG.search.bigMessages)}-message session from the search view`,
    `painted around the hit ${fmt(deep)} ms after the click (runs: ${res.deepHitPaintMs.map((x) => fmt(x)).join(', ')} ms)`,
    `≤ ${TARGETS.deepHitPaint} ms`,
    verdict(deep <= TARGETS.deepHitPaint)
  )
  row(
    8,
    'Search index size',
    `${fmt(res.indexMB)} MB for ${fmt(res.textMB)} MB of message text (text + tool input + path) = ${fmt(res.indexRatio, 2)}×`,
    '—',
    'info'
  )
  if (res.migration) {
    const m = res.migration
    row(
      8,
      `Search: migrating a ${fmt(m.rows)}-message database made before the index (schema 0001)`,
      `open ${fmt(m.openMs)} ms (migration + pre-migration backup), then the index builds in the background in ${fmt(m.backfillMs / 1000, 1)} s; longest event-loop stall meanwhile ${fmt(m.maxLoopStallMs)} ms`,
      '—',
      'info'
    )
  }
}

async function part9(h) {
  const res = await runPart(h, 'worktrees', CFG.worktrees)
  raw.worktrees = res
  row(
    9,
    `Worktrees, git processes: ${res.sessions} worktree sessions in one project`,
    `${res.idleSpawns} git processes over ${res.idleSeconds} s idle with the app open; opening the project (${res.visiblePanes} visible pane): ${res.openSpawns}; startup reconcile: ${res.startupSpawns} (per repository, not per session)`,
    `0 idle; ≤ ${TARGETS.gitPerPane} per visible pane`,
    verdict(res.idleSpawns === TARGETS.gitIdle && res.openSpawns <= TARGETS.gitPerPane * res.visiblePanes)
  )
  const list = median(res.listPaintMs)
  const diff = median(res.diffPaintMs)
  row(
    9,
    `Changes view: ${fmt(res.files)} changed files / ${fmt(res.changedLines)} changed lines; a ${fmt(res.bigLines)}-line file diff`,
    `file list painted ${fmt(list)} ms after the click; ${fmt(res.bigLines)}-line diff painted ${fmt(diff)} ms after the click (unified, syntax-coloured); scrolling it: ${fmt(median(res.scrollLongTasks))} long tasks (longest ${fmt(median(res.scrollLongestMs))} ms)`,
    `≤ ${TARGETS.changesPaint} ms each, no long tasks`,
    verdict(list <= TARGETS.changesPaint && diff <= TARGETS.changesPaint && median(res.scrollLongTasks) === 0)
  )
  row(
    9,
    `Worktree creation in a repository of ${fmt(res.repoFiles)} files`,
    `${fmt(median(res.createMs))} ms (git worktree add, off the UI thread: the pane shows "preparing worktree…")`,
    '—',
    'info'
  )
}

async function part10(h) {
  const res = await runPart(h, 'usage', CFG.usage)
  raw.usage = res
  const ms = median(res.runs.map((r) => r.clickToPaintMs))
  row(
    10,
    `Usage view: 90 days over ${fmt(res.messages)} stored messages (${fmt(res.dbMB / 1024, 2)} GB DB), ledger of ${fmt(res.ledgerRows)} rows`,
    `${fmt(ms)} ms from the click on "90 days" to the painted chart (${CFG.usage.projects} stacked projects) and its ${fmt(res.tableRows)}-day table (CPU used meanwhile: host ${fmt(median(res.runs.map((r) => r.hostCpuMs)))} ms, Chromium ${fmt(median(res.runs.map((r) => r.chromiumCpuMs)))} ms; page main-thread task time ${fmt(median(res.runs.map((r) => r.rendererCpuMs)))} ms; load average ${res.loadAvg.map((x) => x.toFixed(1)).join(' ')}); the ledger query alone ${fmt(median(res.queryMs), 1)} ms`,
    `≤ ${TARGETS.usageMs} ms`,
    verdict(ms <= TARGETS.usageMs)
  )
}

// ---- main -----------------------------------------------------------------------------------

async function part12() {
  const res = await runFirstTextBench(QUICK ? 1 : 3)
  raw.firstText = res
  for (const r of res.results)
    row(
      12,
      `First text: Enter → first streamed text, ${r.agent} (real CLI, fake model server answering at once)`,
      r.medianMs === null
        ? `not measured: ${r.error}`
        : `${fmt(r.medianMs)} ms (runs ${r.runsMs.map((x) => fmt(x)).join(', ')})${r.error ? `; ${r.error}` : ''}`,
      'report',
      r.medianMs === null ? 'error' : 'info'
    )
}

const t0 = Date.now()
const info = machine()
log(
  `Shepherd benchmark${QUICK ? ' (quick)' : ''}: ${info.cores} cores (${info.cpu}), ${info.memoryGiB} GiB memory, load ${info.loadAvgAtStart.join(' ')}, ${info.filesystem}, Node ${info.node}`
)
const needsHost = ['2', '4', '5', '6', '7', '8', '9', '10', '11', '12'].some((p) => ONLY.has(p))
// The parts with a browser or a separate host process need the built app (quiet: the table goes to stdout).
if (needsHost) {
  log('building the app if sources changed (electron-vite build)…')
  if (!buildIfNeeded({ quiet: true })) {
    log('build failed')
    process.exit(1)
  }
  // Parts 2, 4, 5 and 6 drive a real page: set Chromium up the way `npm test` does (apt, as root).
  const chromiumPath = ensureChromium()
  if (chromiumPath) process.env.CHROMIUM_PATH = chromiumPath
}
const harness = await buildHarness()
const failures = []
const parts = {
  1: () => part1(harness),
  2: () => part2(harness),
  3: () => part3(),
  4: () => part4(harness),
  5: () => part5(harness),
  6: () => part6(harness),
  7: () => part7(harness),
  8: () => part8(harness),
  9: () => part9(harness),
  10: () => part10(harness),
  11: () => part11(harness),
  12: () => part12()
}
for (const [id, fn] of Object.entries(parts)) {
  if (!ONLY.has(id)) continue
  log(`part ${id}…`)
  const started = Date.now()
  try {
    await fn()
  } catch (err) {
    failures.push(id)
    row(Number(id), `part ${id}`, `not measured: ${String(err instanceof Error ? err.message : err).split('\n')[0]}`, '', 'error')
    log(String(err instanceof Error ? err.stack : err))
  }
  log(`part ${id} took ${((Date.now() - started) / 1000).toFixed(0)} s`)
}
const durationS = Math.round((Date.now() - t0) / 1000)
info.loadAvgAtEnd = loadavg().map((x) => +x.toFixed(2))

console.log('')
console.log(
  `Machine: ${info.cores} cores (${info.cpu}), ${info.memoryGiB} GiB memory, ${info.os}, Node ${info.node}, ${info.filesystem}${info.chromium ? `, ${info.chromium}` : ''}`
)
console.log(
  `Load average (1/5/15 min) at start ${info.loadAvgAtStart.join(' / ')}, at end ${info.loadAvgAtEnd.join(' / ')}${info.commit ? `; commit ${info.commit}` : ''}; ${durationS} s in all`
)
console.log('')
console.log('| # | Measure | Result (median) | Target | |')
console.log('|---|---|---|---|---|')
for (const r of rows.sort((a, b) => a.part - b.part)) console.log(`| ${r.part} | ${r.measure} | ${r.result} | ${r.target} | ${r.status} |`)
writeFileSync(
  RESULTS,
  JSON.stringify({ date: new Date().toISOString(), quick: QUICK, machine: info, config: CFG, targets: TARGETS, durationS, table: rows, raw }, null, 2) + '\n'
)
console.log(`\nWrote ${RESULTS}`)
process.exit(failures.length ? 1 : 0)
