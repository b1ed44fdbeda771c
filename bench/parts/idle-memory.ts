/**
 * Part 11 — idle memory (issue 11 #17): N idle sessions of the REAL Claude Code CLI (test/agents,
 * pinned, offline against the fake model server), memory of every process under the host (the
 * agents and their watchdog shells) with no bound, then with the bound (`idleAgentsKept`, the
 * others asleep after `sleepAfterIdleMs`). Then, in the same run, prompt → reply time of a warm
 * session vs an asleep one (woken by that prompt, resumed with `--resume`), alternating, as a ratio.
 *
 * RSS counts pages shared between processes (the CLI's binary) once per process — that is the sum the
 * issue reports (3.6–3.9 GB for 20); PSS (/proc/<pid>/smaps_rollup) shares them out and is also given.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir, userInfo } from 'node:os'
import { join } from 'node:path'
import { startFakeModelServer } from '../../test/support/fake-model-server.mjs'
import { connectHost, startHost, type HostClient } from '../lib/host'
import { ROOT } from '../lib/paths'
import { processTree } from '../lib/proc'
import { wallNow } from '../lib/synthetic'

export interface IdleMemoryOptions {
  sessions: number
  /** Idle processes kept alive with the bound. */
  keep: number
  /** Warm/asleep prompt pairs for the latency ratio. */
  rounds: number
}

export interface MemorySample {
  processes: number
  rssMiB: number
  pssMiB: number
}

export interface IdleMemoryResult {
  sessions: number
  keep: number
  before: MemorySample
  after: MemorySample
  asleep: number
  /** ms from send to the reply stored and the session idle again. */
  warmMs: number[]
  wakeMs: number[]
  cli: string
}

/** The pinned native Claude Code binary (the bundled harness resolves paths from the repository root). */
function claudeBinary(): string {
  const nm = join(ROOT, 'test/agents/node_modules/@anthropic-ai')
  const suffix = `${process.platform}-${process.arch}`
  for (const c of [join(nm, `claude-code-${suffix}`, 'claude'), join(nm, 'claude-code', 'bin', 'claude.exe')]) {
    try {
      if (statSync(c).size > 1024 * 1024) return c
    } catch {
      /* next */
    }
  }
  throw new Error('the pinned Claude Code CLI is not installed (node scripts/install-test-agents.mjs)')
}

function kib(file: string, key: string): number {
  try {
    const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(readFileSync(file, 'utf8'))
    return m ? Number(m[1]) : 0
  } catch {
    return 0 // gone meanwhile
  }
}

function sample(hostPid: number): MemorySample {
  const pids = processTree(hostPid).filter((p) => p !== hostPid)
  let rss = 0
  let pss = 0
  for (const p of pids) {
    rss += kib(`/proc/${p}/status`, 'VmRSS')
    pss += kib(`/proc/${p}/smaps_rollup`, 'Pss')
  }
  return { processes: pids.length, rssMiB: rss / 1024, pssMiB: pss / 1024 }
}

async function until<T>(what: string, check: () => Promise<T | null | undefined | false>, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const v = await check()
    if (v) return v
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

/** Send and time until the reply is stored and the session is idle again. */
async function timedTurn(client: HostClient, id: string, text: string): Promise<number> {
  const t0 = wallNow()
  await client.sessions.send.mutate({ id, prompt: `[[text:${text}]]` })
  await until(`reply ${text}`, async () => {
    const s = await client.sessions.get.query({ id })
    if (s.status !== 'idle') return null
    const msgs = await client.messages.after.query({ sessionId: id, afterSeq: Math.max(0, s.lastSeq - 5) })
    return msgs.messages.some((m) => m.kind === 'assistant' && m.text === text)
  })
  return wallNow() - t0
}

export async function idleMemoryRun(o: IdleMemoryOptions): Promise<IdleMemoryResult> {
  const dir = mkdtempSync(join(tmpdir(), 'shepherd-idlemem-'))
  const server = await startFakeModelServer()
  const home = join(dir, 'home')
  const project = join(dir, 'project')
  for (const d of [join(home, '.claude'), project, join(dir, 'tmp')]) mkdirSync(d, { recursive: true })
  const env: Record<string, string> = {
    HOME: home,
    USER: userInfo().username,
    TMPDIR: join(dir, 'tmp'),
    CLAUDE_CONFIG_DIR: join(home, '.claude'),
    ANTHROPIC_BASE_URL: server.url.replace(/\/+$/, ''),
    ANTHROPIC_API_KEY: 'fake-key',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    DISABLE_TELEMETRY: '1',
    DISABLE_AUTOUPDATER: '1',
    DISABLE_ERROR_REPORTING: '1',
    CLAUDE_CODE_MAX_RETRIES: '0'
  }
  const host = await startHost(join(dir, 'data'), env)
  const conn = connectHost(host)
  const { client } = conn
  try {
    const cli = claudeBinary()
    const s = await client.settings.get.query()
    // No bound first: every idle agent keeps its process.
    await client.settings.update.mutate({
      maxConcurrentSessions: 32,
      idleAgentsKept: 32,
      sleepAfterIdleMs: 24 * 60 * 60_000,
      providers: { ...s.providers, claude: { ...s.providers.claude, cliPath: cli } }
    })
    const { id: projectId } = await client.projects.add.mutate({ path: project })
    const ids: string[] = []
    // Started a few at a time: 20 CLIs booting at once on 2 cores only measures the machine.
    for (let i = 0; i < o.sessions; i += 4) {
      const batch = []
      for (let j = i; j < Math.min(o.sessions, i + 4); j++) batch.push(client.sessions.start.mutate({ projectId, prompt: `[[text:ready ${j}]]` }))
      for (const x of await Promise.all(batch)) ids.push(x.id)
      for (const id of ids.slice(i))
        await until(
          `session ${id} idle`,
          async () => (await client.sessions.get.query({ id })).status === 'idle' && (await client.sessions.get.query({ id })).lastSeq >= 2
        )
    }
    await new Promise((r) => setTimeout(r, 5_000)) // let the CLIs finish their start-up work
    const before = sample(host.pid)

    // The bound: `keep` stay, the others sleep after the shortest idle time.
    await client.settings.update.mutate({ idleAgentsKept: o.keep, sleepAfterIdleMs: 5_000 })
    const asleepIds = async () => {
      const out: string[] = []
      for (const id of ids) if ((await client.sessions.get.query({ id })).statusReason?.code === 'asleep') out.push(id)
      return out
    }
    // The check runs at least every 30 s (a settings change is picked up at the next one).
    const asleep = await until('the sessions beyond the bound to sleep', async () => {
      const a = await asleepIds()
      return a.length >= o.sessions - o.keep ? a : null
    })
    await new Promise((r) => setTimeout(r, 2_000))
    const after = sample(host.pid)

    // Warm vs woken, alternating in one run: the warm one is the most recently used awake session.
    const awake = ids.filter((id) => !asleep.includes(id))
    const warm = awake[awake.length - 1]!
    const warmMs: number[] = []
    const wakeMs: number[] = []
    for (let r = 0; r < Math.min(o.rounds, asleep.length); r++) {
      warmMs.push(await timedTurn(client, warm, `warm ${r}`))
      wakeMs.push(await timedTurn(client, asleep[r]!, `woken ${r}`))
    }
    return { sessions: o.sessions, keep: o.keep, before, after, asleep: asleep.length, warmMs, wakeMs, cli }
  } finally {
    conn.close()
    await host.stop()
    await server.close()
    if (existsSync(dir)) rmSync(dir, { recursive: true, force: true, maxRetries: 3, retryDelay: 100 })
  }
}
