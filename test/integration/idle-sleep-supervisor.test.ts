/**
 * Idle agents sleep (issue 11 #17), with the real CLIs through the real supervisor: an idle session
 * beyond the bound is put to sleep after the idle time (its process group really gone, watchdog
 * included, no zombie), stays `idle` (reason `asleep`, never stopped/exited), and the next prompt
 * wakes it ("waking up…") in the SAME conversation — the fake model server's [[history]] echoes the
 * earlier prompts, which only a resumed conversation can know. Prompts sent while it sleeps or wakes
 * are all answered, in order.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { startFakeModelServer, type FakeModelServer } from '../support/fake-model-server.mjs'
import { claudeBinaryPath, makeAgentSandbox } from '../support/agents'
import { codexBinaryPath, makeCodexSandbox } from '../support/codex-sandbox'
import { makeOpenCodeSandbox, opencodeBinaryPath } from '../support/opencode-sandbox'
import { makeAcpSandbox, opencodeAcpBinary } from '../support/acp-sandbox'
import { AcpProvider } from '../../src-main/providers/acp/provider'
import { testCore } from '../support/core'
import { groupGone, recordEvents, waitFor, waitForStatus } from '../support/live'
import { ClaudeProvider } from '../../src-main/providers/claude/provider'
import { CodexProvider } from '../../src-main/providers/codex/provider'
import { OpenCodeProvider } from '../../src-main/providers/opencode/provider'
import type { AgentProvider } from '../../src-main/providers/types'
import type { ProviderId } from '../../src-main/shared/status'

let server: FakeModelServer
let cleanups: (() => unknown)[] = []

beforeAll(async () => {
  server = await startFakeModelServer()
})
afterEach(async () => {
  for (const c of cleanups.reverse()) await c()
  cleanups = []
})
afterAll(async () => {
  await server?.close()
})

/** Watchdogs (providers/watchdog.ts) still watching process group `pgid`. */
function watchdogsOf(pgid: number): number[] {
  const out: number[] = []
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue
    try {
      const argv = readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0')
      if (argv.includes('shepherd-watchdog') && argv.includes(String(pgid))) out.push(Number(d))
    } catch {
      /* gone meanwhile */
    }
  }
  return out
}

interface Agent {
  id: ProviderId
  sandbox: () => { env: NodeJS.ProcessEnv; projectDir: string; cleanup(): void }
  provider: () => AgentProvider & { shutdown?: () => Promise<void> }
  cliPath: () => string | null
  /** ACP: the agent's command line (`opencode acp`, which supports `session/load`). */
  command?: () => string[]
}

const AGENTS: Agent[] = [
  { id: 'claude', sandbox: () => makeAgentSandbox(server.url), provider: () => new ClaudeProvider(), cliPath: claudeBinaryPath },
  { id: 'codex', sandbox: () => makeCodexSandbox(server.url), provider: () => new CodexProvider(), cliPath: codexBinaryPath },
  { id: 'opencode', sandbox: () => makeOpenCodeSandbox(server.url), provider: () => new OpenCodeProvider(), cliPath: opencodeBinaryPath },
  {
    id: 'acp',
    sandbox: () => makeAcpSandbox(server.url),
    // The command is read at each start, as the app wires it: always `opencode acp` here.
    provider: () => new AcpProvider({ command: () => [opencodeAcpBinary(), 'acp'] }),
    cliPath: () => null,
    command: () => [opencodeAcpBinary(), 'acp']
  }
]

async function core(agent: Agent, reuse?: { sandbox: ReturnType<Agent['sandbox']>; dataDir: string }) {
  const sandbox = reuse?.sandbox ?? agent.sandbox()
  if (!reuse) cleanups.push(() => sandbox.cleanup())
  const provider = agent.provider()
  const t = testCore({ providers: [provider], hostEnv: sandbox.env, dataDir: reuse?.dataDir })
  if (provider.shutdown) cleanups.push(() => provider.shutdown?.())
  cleanups.push(t.cleanup)
  const s = await t.caller.settings.get()
  await t.caller.settings.update({
    defaultProvider: agent.id,
    providers: { ...s.providers, [agent.id]: { ...s.providers[agent.id], cliPath: agent.cliPath(), ...(agent.command ? { command: agent.command() } : {}) } },
    // Every idle process is beyond the bound, and sleeps after the shortest idle time allowed.
    idleAgentsKept: 0,
    sleepAfterIdleMs: 5_000
  })
  const rec = recordEvents(t.core)
  cleanups.push(rec.stop)
  const project = (await t.caller.projects.list())[0] ?? (await t.caller.projects.add({ path: sandbox.projectDir }))
  return { ...t, project, events: rec.events, sandbox }
}
type C = Awaited<ReturnType<typeof core>>

const answered = (c: C, id: string, text: string) => c.core.store.messagesAfter(id, 0, 1000).some((m) => m.kind === 'assistant' && m.text.includes(text))
const idleWith = (c: C, id: string, text: string) => {
  const cur = c.core.supervisor.getSession(id)
  return cur.status === 'idle' && answered(c, id, text) ? cur : null
}
const asleep = (c: C, id: string) => {
  const cur = c.core.supervisor.getSession(id)
  return cur.status === 'idle' && cur.statusReason?.code === 'asleep' ? cur : null
}

for (const agent of AGENTS) {
  describe(`${agent.id}: idle sessions sleep and wake in the same conversation`, { timeout: 120_000 }, () => {
    it('sleeps after the idle time (process, group and watchdog gone), wakes on the next prompt with its history', async () => {
      const c = await core(agent)
      const s = await c.caller.sessions.start({ projectId: c.project.id, prompt: '[[text:first answer]] remember apple' })
      const first = await waitFor('the first answer', () => idleWith(c, s.id, 'first answer'), 60_000)
      const pid = c.core.store.getSession(s.id)!.pid!
      expect(pid).toBeGreaterThan(1)
      expect(watchdogsOf(pid).length).toBe(1)
      expect(c.core.supervisor.liveCount).toBe(1)

      // Put to sleep by the timer alone (5 s idle).
      const slept = await waitFor('the session to fall asleep', () => asleep(c, s.id), 30_000)
      expect(slept.statusReason?.message).toMatch(/asleep/)
      await waitFor('the process group to be gone', () => groupGone(pid), 10_000)
      expect(existsSync(`/proc/${pid}`)).toBe(false) // reaped, no zombie
      await waitFor('its watchdog to be released', () => watchdogsOf(pid).length === 0, 10_000)
      expect(c.core.store.getSession(s.id)!.pid).toBeNull()
      expect(c.core.supervisor.liveCount).toBe(0)
      // Never shown as stopped or ended on the way.
      const statuses = c.events.filter((e) => e.type === 'agent.status' && e.sessionId === s.id).map((e) => (e.type === 'agent.status' ? e.status : ''))
      expect(statuses).not.toContain('stopping')
      expect(statuses).not.toContain('interrupted')
      expect(statuses).not.toContain('done')

      // The next prompt wakes it: "waking up…", then the reply knows the earlier prompt.
      const before = c.events.length
      expect((await c.caller.sessions.send({ id: s.id, prompt: '[[history]] what did I say?' })).delivery).toBe('sent')
      const woke = await waitFor('the resumed reply', () => idleWith(c, s.id, 'HISTORY: [[text:first answer]] remember apple'), 60_000)
      expect(woke.cliSessionId).toBe(first.cliSessionId)
      const waking = c.events.slice(before).find((e) => e.type === 'agent.status' && e.sessionId === s.id && e.status === 'starting')
      expect(waking?.type === 'agent.status' && waking.reason).toEqual({ code: 'waking', message: 'waking up…' })
      // The turn shows "waking up…" until the agent is back, then runs as any other.
      const running = c.events.slice(before).filter((e) => e.type === 'agent.status' && e.sessionId === s.id && e.status === 'running')
      expect(running.map((e) => (e.type === 'agent.status' ? (e.reason?.code ?? null) : '')).slice(0, 2)).toEqual(['waking', null])
      expect(c.core.store.getSession(s.id)!.pid).not.toBe(pid)
    })

    it('prompts sent while it is being put to sleep and while it wakes are all answered, in order', async () => {
      const c = await core(agent)
      const s = await c.caller.sessions.start({ projectId: c.project.id, prompt: '[[text:one]] first' })
      await waitFor('the first answer', () => idleWith(c, s.id, 'one'), 60_000)
      // Put to sleep now (the policy would at 5 s) and send at once, while the process is still going away.
      expect(c.core.supervisor.sleepIdle(Date.now() + 10_000)).toEqual([s.id])
      const a = c.caller.sessions.send({ id: s.id, prompt: '[[text:two]] second' })
      const b = c.caller.sessions.send({ id: s.id, prompt: '[[history]] third' })
      await Promise.all([a, b])
      await waitFor('both answers', () => idleWith(c, s.id, 'HISTORY: [[text:one]] first | [[text:two]] second'), 60_000)
      const users = c.core.store
        .messagesAfter(s.id, 0, 1000)
        .filter((m) => m.kind === 'user')
        .map((m) => m.text)
      expect(users).toEqual(['[[text:one]] first', '[[text:two]] second', '[[history]] third'])
      expect(answered(c, s.id, 'two')).toBe(true)
      await waitForStatus(c.core, s.id, ['idle'])
    })
  })
}

describe('claude: asleep across a restart of Shepherd', { timeout: 120_000 }, () => {
  it('stays asleep (not "crashed") after the core is rebuilt, and the next prompt wakes it in the same conversation', async () => {
    const agent = AGENTS[0]!
    const first = await core(agent)
    const s = await first.caller.sessions.start({ projectId: first.project.id, prompt: '[[text:before restart]] remember pear' })
    await waitFor('the first answer', () => idleWith(first, s.id, 'before restart'), 60_000)
    await waitFor('the session to fall asleep', () => asleep(first, s.id), 30_000)
    await first.core.dispose()
    const second = await core(agent, { sandbox: first.sandbox, dataDir: first.dataDir })
    const after = second.core.supervisor.getSession(s.id)
    expect(after.status).toBe('idle')
    expect(after.statusReason?.code).toBe('asleep')
    await second.caller.sessions.send({ id: s.id, prompt: '[[history]] and now?' })
    await waitFor('the resumed reply', () => idleWith(second, s.id, 'HISTORY: [[text:before restart]] remember pear'), 60_000)
    expect(second.core.store.messagesAfter(s.id, 0, 1000).some((m) => m.kind === 'error')).toBe(false)
  })
})
