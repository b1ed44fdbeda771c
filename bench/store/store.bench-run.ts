/**
 * Bench part 3 — renderer store: apply N messages in realistic batches (one `agent.message` event
 * per pushed frame, sizes from the commit batching: mostly 1–20, some up to 500) to the real
 * ProjectStore, and to a naive store that re-spreads the whole array per batch. Each batch is
 * applied like a WebSocket frame: apply, then the microtasks (the store flushes there), then the
 * effects of a consumer reading `messages`. Each frame is JSON-decoded just before it is applied, as
 * the tRPC client does (decoding is not timed: it is the same for every store). Output: time per
 * store and heap retained per message (after GC).
 */
import { writeFileSync } from 'node:fs'
import { it } from 'vitest'
import { flushSync } from 'svelte'
import type { MessageDTO, ProjectDTO, SessionDTO } from '../../src-main/shared/dto'
import type { ShepherdEvent } from '../../src-main/shared/events'
import { NaiveStore, NoopStore, watch } from './naive-store.svelte'
import { MessageMaker } from '../lib/messages'
import { ProjectStore } from '../../src-renderer/stores/project-store.svelte'

const N = Number(process.env.BENCH_MESSAGES ?? 100_000)
const SEED = 7

interface StoreUnderTest {
  messages: readonly MessageDTO[]
  apply(e: ShepherdEvent): void
}

/** `n` messages of one session in push-sized batches, as JSON frames (decoded per frame, like tRPC). */
function makeBatches(n: number): string[] {
  const maker = new MessageMaker(SEED)
  const batches: string[] = []
  let seq = 0
  while (seq < n) {
    const size = Math.min(n - seq, maker.batchSize())
    const messages: MessageDTO[] = []
    for (let i = 0; i < size; i++) {
      seq++
      messages.push(maker.make('s1', seq, 1_700_000_000_000 + seq))
    }
    batches.push(JSON.stringify({ type: 'agent.message', sessionId: 's1', projectId: 'p1', seq, messages }))
  }
  return batches
}

const gc = () => {
  for (let i = 0; i < 3; i++) (globalThis as { gc?: () => void }).gc?.()
}
const heap = () => {
  gc()
  return process.memoryUsage().heapUsed
}

/** Frame by frame: decode (not timed, same for every store), apply, microtasks, effects. */
async function drive(store: StoreUnderTest, frames: readonly string[]) {
  const stop = watch(() => store.messages.length)
  let ms = 0
  for (const frame of frames) {
    const ev = JSON.parse(frame) as ShepherdEvent
    const t = performance.now()
    store.apply(ev)
    await Promise.resolve() // the frame's microtasks (ProjectStore flushes its batch there)
    flushSync()
    ms += performance.now() - t
  }
  stop()
  return ms
}

const project: ProjectDTO = {
  id: 'p1',
  name: 'Bench',
  path: '/tmp/bench',
  createdAt: 1,
  updatedAt: 1,
  stallThresholdMs: null,
  retentionCount: null,
  retentionDays: null
}
const session: SessionDTO = {
  id: 's1',
  projectId: 'p1',
  provider: 'claude',
  model: null,
  permissionMode: 'default',
  cwd: '/tmp/bench',
  title: 'Bench',
  status: 'running',
  statusReason: null,
  cliSessionId: null,
  pinned: false,
  lastSeq: 0,
  lastActivityAt: Date.now(),
  createdAt: 1,
  updatedAt: 1,
  endedAt: null,
  totals: { costUsd: 0, inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, contextTokens: null, contextWindow: null, costKnown: true },
  queuedPrompts: [],
  archived: false
}

/** The app's ProjectStore with a fake API: one running session, an empty tail page. */
async function projectStore(followTail: boolean): Promise<StoreUnderTest & { dispose(): void }> {
  const store = new ProjectStore(project, {
    api: {
      listSessions: async () => [session],
      approvals: async () => [],
      prune: async () => ({ removed: [] }),
      pageMessages: async () => ({ messages: [], hasMore: false }),
      messagesAfter: async () => ({ messages: [], lastSeq: 0 }),
      messagesAround: async () => ({ messages: [], hasOlder: false, hasNewer: false, lastSeq: 0 })
    },
    notifier: { notify: () => {} },
    settings: { stallThresholdMs: () => 15 * 60_000, wants: () => false }
  })
  await store.load()
  store.setFollowTail(followTail)
  return store
}

it(`applies ${N} messages`, async () => {
  const batches = makeBatches(N)
  const repeat = Number(process.env.BENCH_REPEAT ?? 3)
  const only = process.env.BENCH_ONLY?.split(',')
  const runs: Record<string, { ms: number; retained: number; heapPerMessageBytes: number }[]> = {}
  const measure = async (name: string, make: () => Promise<StoreUnderTest & { dispose?(): void }>) => {
    if (only && !only.includes(name)) return
    const before = heap()
    const store = await make()
    const ms = await drive(store, batches)
    const retained = store.messages.length
    const heapPerMessageBytes = (heap() - before) / N
    ;(runs[name] ??= []).push({ ms, retained, heapPerMessageBytes })
    store.dispose?.()
  }
  // Warm-up (JIT) on a slice, then the stores in turn, `repeat` times (medians reported).
  await drive(new NaiveStore(), batches.slice(0, 200))
  for (let r = 0; r < repeat; r++) {
    await measure('naive', async () => new NaiveStore())
    await measure('storeFollowing', () => projectStore(true))
    await measure('storeReading', () => projectStore(false))
    await measure('floor', async () => new NoopStore())
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
  const out: Record<string, unknown> = { messages: N, batches: batches.length, avgBatch: N / batches.length, repeat }
  for (const name of ['naive', 'storeFollowing', 'storeReading', 'floor']) {
    const rs = runs[name]
    out[name] = rs
      ? {
          ms: median(rs.map((x) => x.ms)),
          msRuns: rs.map((x) => x.ms),
          retained: rs[0]!.retained,
          heapPerMessageBytes: median(rs.map((x) => x.heapPerMessageBytes))
        }
      : null
  }
  if (process.env.BENCH_OUT) writeFileSync(process.env.BENCH_OUT, JSON.stringify(out))
  else console.log(out)
})
