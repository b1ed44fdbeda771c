/**
 * Claude Code 2.1.332's newer stream-json messages through the real supervisor and store (pinned real
 * CLI, fake model server): session state ends turns, background work keeps a turn open, heartbeats
 * and sub-agent progress are activity, and `/clear` moves the session to the CLI's new session id.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { startFakeModelServer, type FakeModelServer } from '../support/fake-model-server.mjs'
import { claudeBinaryPath, makeAgentSandbox, type AgentSandbox } from '../support/agents'
import { testCore } from '../support/core'
import { waitFor, waitForStatus } from '../support/live'
import { ClaudeProvider } from '../../src-main/providers/claude/provider'
import type { ShepherdEvent } from '../../src-main/shared/events'

let server: FakeModelServer
let sandbox: AgentSandbox
const cleanups: (() => unknown)[] = []

beforeAll(async () => {
  server = await startFakeModelServer()
  // As root (CI containers), bypassPermissions needs IS_SANDBOX (passed through, see CLAUDE_ENV_PASSTHROUGH).
  sandbox = makeAgentSandbox(server.url, { env: { IS_SANDBOX: '1' } })
})
afterAll(async () => {
  for (const c of cleanups.reverse()) await c()
  sandbox?.cleanup()
  await server?.close()
})

async function core(dataDir?: string) {
  const t = testCore({ providers: [new ClaudeProvider()], hostEnv: sandbox.env, dataDir })
  cleanups.push(t.cleanup)
  const s = await t.caller.settings.get()
  await t.caller.settings.update({ providers: { ...s.providers, claude: { ...s.providers.claude, cliPath: claudeBinaryPath() } } })
  // Every pushed event with the time it was pushed (the renderer's stall timer restarts on these).
  const events: { at: number; e: ShepherdEvent }[] = []
  const ac = new AbortController()
  void (async () => {
    for await (const item of t.core.hub.subscribe(null, ac.signal)) events.push({ at: Date.now(), e: item.event })
  })()
  cleanups.push(() => ac.abort())
  const projects = await t.caller.projects.list()
  const project = projects[0] ?? (await t.caller.projects.add({ path: sandbox.projectDir }))
  return { ...t, project, events }
}
type C = Awaited<ReturnType<typeof core>>
const rows = (c: C, id: string) => c.core.store.messagesAfter(id, 0, 1000)
/** What the pane counts as the agent being alive (project-store.svelte.ts `#touch`). */
const ACTIVITY = new Set(['agent.message', 'agent.draft', 'agent.activity', 'agent.cost'])
/** The smallest stall threshold a user can set (shared/settings.ts). */
const MIN_STALL_MS = 30_000

describe('Claude Code 2.1.332 session state through the supervisor (real CLI)', () => {
  it('a long sub-agent run is activity all along (never stalled) and the turn ends only when the sub-agent has', async () => {
    const c = await core()
    // The sub-agent's own command is silent for 40 s: the CLI sends nothing at all meanwhile.
    const s = await c.caller.sessions.start({
      projectId: c.project.id,
      permissionMode: 'bypassPermissions',
      prompt: 'delegate [[agent:<<bash:python3 -c "import time; time.sleep(40); print(2)">>]]'
    })
    await waitFor('the sub-agent to start', () => rows(c, s.id).some((m) => m.text.startsWith('Sub-agent running in the background')), 60_000)
    const startedAt = Date.now()
    const done = await waitFor(
      'the turn to end',
      () => {
        const cur = c.core.supervisor.getSession(s.id)
        return cur.status === 'idle' && rows(c, s.id).some((m) => m.text.startsWith('NOTED:')) ? cur : null
      },
      150_000,
      200
    )
    expect(Date.now() - startedAt).toBeGreaterThan(35_000)
    const all = rows(c, s.id)
    // The sub-agent's own text and its command sit under its Task call.
    const task = all.find((m) => m.kind === 'tool_call' && (m.tool_name === 'Task' || m.tool_name === 'Agent'))!
    expect(all.filter((m) => m.parent_id === task.tool_use_id).map((m) => m.kind)).toEqual(['assistant', 'tool_call', 'tool_result', 'assistant'])
    const ended = all.findIndex((m) => m.text === 'Sub-agent completed: Scripted sub-agent')
    expect(ended).toBeGreaterThan(0)
    // No "idle" once the sub-agent worked: the turn stayed running until after it ended.
    const statuses = c.events
      .filter((x) => x.e.type === 'agent.status' && x.e.sessionId === s.id)
      .map((x) => ({ at: x.at, status: (x.e as { status: string }).status }))
    // (The launch passes through idle on its way to running, before the sub-agent started.)
    const firstIdle = statuses.find((x) => x.status === 'idle' && x.at >= startedAt)!
    const endedRow = c.events.find((x) => x.e.type === 'agent.message' && x.e.messages.some((m) => m.text === 'Sub-agent completed: Scripted sub-agent'))!
    expect(firstIdle.at).toBeGreaterThanOrEqual(endedRow.at)
    // Activity never paused as long as the smallest stall threshold while the turn ran.
    const beats = c.events
      .filter((x) => ACTIVITY.has(x.e.type) && 'sessionId' in x.e && x.e.sessionId === s.id && x.at >= startedAt && x.at <= firstIdle.at)
      .map((x) => x.at)
    const gaps = beats.slice(1).map((t, i) => t - beats[i]!)
    expect(Math.max(...gaps)).toBeLessThan(MIN_STALL_MS)
    // The background list was shown while it ran.
    expect(c.events.some((x) => x.e.type === 'agent.activity' && x.e.background?.includes('Scripted sub-agent'))).toBe(true)
    expect(done.lastActivityAt).toBeGreaterThan(startedAt)
  }, 240_000)

  it('a background command keeps the turn open ("background_work"), a prompt still goes through, and the turn ends after it', async () => {
    const c = await core()
    const s = await c.caller.sessions.start({ projectId: c.project.id, permissionMode: 'bypassPermissions', prompt: 'bg [[bgbash:sleep 8; echo bg-done]]' })
    const waiting = await waitFor(
      'the answer with the command still running',
      () => {
        const cur = c.core.supervisor.getSession(s.id)
        return cur.status === 'running' && cur.statusReason?.code === 'background_work' ? cur : null
      },
      60_000
    )
    expect(waiting.statusReason?.message).toContain('Run scripted command')
    // The agent waits for input: a prompt is delivered, not queued behind the background work.
    const r = await c.caller.sessions.send({ id: s.id, prompt: '[[text:meanwhile]]' })
    expect(r).toEqual({ delivery: 'sent' })
    await waitFor('the answer to the prompt sent meanwhile', () => rows(c, s.id).some((m) => m.text === 'meanwhile'), 60_000)
    await waitFor(
      'the end',
      () => {
        const cur = c.core.supervisor.getSession(s.id)
        return cur.status === 'idle' && rows(c, s.id).some((m) => m.text.startsWith('NOTED:')) ? cur : null
      },
      60_000
    )
    expect(rows(c, s.id).some((m) => m.kind === 'system' && m.text.includes('"Run scripted command" completed'))).toBe(true)
  }, 180_000)

  it('Esc while only background work runs stops that work (stop_task) and ends the turn', async () => {
    const c = await core()
    const marker = join(sandbox.projectDir, 'bg-marker.txt')
    const s = await c.caller.sessions.start({
      projectId: c.project.id,
      permissionMode: 'bypassPermissions',
      prompt: `bg [[bgbash:sleep 6 && touch ${marker}]]`
    })
    await waitFor('the background wait', () => c.core.supervisor.getSession(s.id).statusReason?.code === 'background_work', 60_000)
    await c.caller.sessions.interrupt({ id: s.id })
    const after = await waitFor(
      'the turn to end',
      () => {
        const cur = c.core.supervisor.getSession(s.id)
        return cur.status === 'idle' ? cur : null
      },
      30_000
    )
    expect(after.statusReason?.code).toBe('turn_interrupted')
    expect(rows(c, s.id).some((m) => m.kind === 'system' && m.text === 'Command stopped: Run scripted command')).toBe(true)
    // Long enough for the command to have finished had it been left running.
    await new Promise((r) => setTimeout(r, 8000))
    expect(existsSync(marker)).toBe(false)
  }, 120_000)

  it('/clear moves the session to the CLI’s new session id, and a resume uses it', async () => {
    const first = await core()
    const s = await first.caller.sessions.start({ projectId: first.project.id, prompt: 'remember KIWI [[text:one]]' })
    await waitForStatus(first.core, s.id, ['idle'])
    const before = first.core.supervisor.getSession(s.id).cliSessionId
    await first.caller.sessions.send({ id: s.id, prompt: '/clear' })
    await waitFor('the reset row', () => rows(first, s.id).some((m) => m.text.startsWith('Conversation cleared')))
    const after = await waitFor('the new CLI session id', () => {
      const cur = first.core.supervisor.getSession(s.id)
      return cur.status === 'idle' && cur.cliSessionId && cur.cliSessionId !== before ? cur : null
    })
    await first.caller.sessions.send({ id: s.id, prompt: 'remember MANGO [[text:two]]' })
    await waitFor('a turn in the new conversation', () => rows(first, s.id).some((m) => m.text === 'two'))
    await waitForStatus(first.core, s.id, ['idle'])
    await first.core.dispose()

    const second = await core(first.dataDir)
    server.reset()
    await second.caller.sessions.send({ id: s.id, prompt: '[[text:resumed]]' })
    await waitFor('resumed turn', () => rows(second, s.id).some((m) => m.text === 'resumed'), 60_000)
    // The resumed conversation is the one after /clear: it has MANGO, not KIWI.
    const bodies = server.requests.map((r) => JSON.stringify(r.body ?? '')).filter((b) => b.includes('[[text:resumed]]'))
    expect(bodies.some((b) => b.includes('remember MANGO'))).toBe(true)
    expect(bodies.some((b) => b.includes('remember KIWI'))).toBe(false)
    expect(second.core.supervisor.getSession(s.id).cliSessionId).toBe(after.cliSessionId)
  }, 180_000)
})
