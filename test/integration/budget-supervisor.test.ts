/**
 * Budgets with the real CLIs (issue 16): the fake model server reports a chosen usage
 * (`[[usage:IN:OUT]]`), the real Claude Code turns it into a cost and the real Codex into tokens; the
 * session is paused at its cap (the follow-up stays queued, nothing reaches the model), then resumed by
 * raising the cap, and the conversation goes on in the same process.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startFakeModelServer, type FakeModelServer } from '../support/fake-model-server.mjs'
import { claudeBinaryPath, makeAgentSandbox, type AgentSandbox } from '../support/agents'
import { codexBinaryPath, makeCodexSandbox, type CodexSandbox } from '../support/codex-sandbox'
import { testCore } from '../support/core'
import { waitFor } from '../support/live'
import { ClaudeProvider } from '../../src-main/providers/claude/provider'
import { CodexProvider } from '../../src-main/providers/codex/provider'

let server: FakeModelServer
let claude: AgentSandbox
let codex: CodexSandbox
let cleanups: (() => unknown)[] = []

beforeAll(async () => {
  server = await startFakeModelServer()
  claude = makeAgentSandbox(server.url)
  codex = makeCodexSandbox(server.url)
})
afterEach(async () => {
  for (const c of cleanups.reverse()) await c()
  cleanups = []
})
afterAll(async () => {
  claude?.cleanup()
  codex?.cleanup()
  await server?.close()
})

async function core(kind: 'claude' | 'codex') {
  const t = testCore({ providers: [kind === 'claude' ? new ClaudeProvider() : new CodexProvider()], hostEnv: kind === 'claude' ? claude.env : codex.env })
  cleanups.push(t.cleanup)
  const s = await t.caller.settings.get()
  const cliPath = kind === 'claude' ? claudeBinaryPath() : codexBinaryPath()
  await t.caller.settings.update({ defaultProvider: kind, providers: { ...s.providers, [kind]: { ...s.providers[kind], cliPath } } })
  const project = await t.caller.projects.add({ path: kind === 'claude' ? claude.projectDir : codex.projectDir })
  return { ...t, project }
}

const modelRequestsWith = (text: string) => server.requests.filter((r) => JSON.stringify(r.body ?? '').includes(text)).length
const assistantText = (c: Awaited<ReturnType<typeof core>>, id: string) =>
  c.core.store
    .messagesAfter(id, 0, 1000)
    .filter((m) => m.kind === 'assistant')
    .map((m) => m.text)

describe('budgets with the real agent CLIs', () => {
  it('Claude Code: a turn that costs more than the session cap pauses the session; raising the cap resumes it', async () => {
    const c = await core('claude')
    await c.caller.budgets.setGlobal({ sessionUsd: 0.5 })
    const s = await c.caller.sessions.start({ projectId: c.project.id, prompt: '[[usage:2000000:1000]] [[text:an expensive answer]]' })
    const held = await waitFor('the cap to hold the session', async () => (await c.caller.budgets.holds()).find((h) => h.sessionId === s.id) ?? null, 90_000)
    expect(held.unit).toBe('usd')
    expect(held.over[0]!.spent).toBeGreaterThan(0.5)
    await waitFor('idle', () => c.core.supervisor.getSession(s.id).status === 'idle' || null, 60_000)
    const pid = c.core.supervisor.getSession(s.id)
    // The follow-up is held: queued in the session, never sent to the model; the process lives on.
    expect(await c.caller.sessions.send({ id: s.id, prompt: '[[text:after the raise]]' })).toEqual({ delivery: 'queued' })
    await new Promise((r) => setTimeout(r, 1500))
    expect(modelRequestsWith('after the raise')).toBe(0)
    expect(c.core.supervisor.getSession(s.id).queuedPrompts).toEqual(['[[text:after the raise]]'])
    expect((await c.caller.inbox.list()).items.map((i) => i.kind)).toContain('over_budget')

    await c.caller.budgets.raise({ sessionId: s.id, amount: 1000 })
    await waitFor('the held prompt to run', () => assistantText(c, s.id).includes('after the raise') || null, 90_000)
    expect(await c.caller.budgets.holds()).toEqual([])
    expect(c.core.supervisor.getSession(s.id).cliSessionId).toBe(pid.cliSessionId)
    expect(c.core.supervisor.getSession(s.id).queuedPrompts).toEqual([])
    // The ledger has the day's cost under this project.
    const rows = (await c.caller.usage.daily({ days: 7 })).rows.filter((r) => r.projectId === c.project.id)
    expect(rows.reduce((n, r) => n + r.costUsd, 0)).toBeCloseTo(c.core.supervisor.getSession(s.id).totals.costUsd, 6)
  }, 240_000)

  it('Codex (tokens only): the token cap pauses the session; allow one more turn lets exactly one turn run', async () => {
    const c = await core('codex')
    await c.caller.budgets.setGlobal({ sessionUsd: 0.01, sessionTokens: 50_000 })
    const s = await c.caller.sessions.start({ projectId: c.project.id, prompt: '[[usage:80000:100]] [[text:many tokens]]' })
    const held = await waitFor(
      'the token cap to hold the session',
      async () => (await c.caller.budgets.holds()).find((h) => h.sessionId === s.id) ?? null,
      90_000
    )
    expect(held.unit).toBe('tokens')
    await waitFor('idle', () => c.core.supervisor.getSession(s.id).status === 'idle' || null, 60_000)
    await c.caller.sessions.send({ id: s.id, prompt: '[[text:one more]]' })
    await c.caller.sessions.send({ id: s.id, prompt: '[[text:and another]]' })
    await new Promise((r) => setTimeout(r, 1500))
    expect(modelRequestsWith('one more')).toBe(0)

    await c.caller.budgets.allowTurn({ sessionId: s.id })
    await waitFor('the allowed turn', () => assistantText(c, s.id).includes('one more') || null, 90_000)
    await waitFor('held again after that turn', async () => (await c.caller.budgets.holds()).some((h) => h.sessionId === s.id) || null, 30_000)
    await new Promise((r) => setTimeout(r, 1500))
    expect(modelRequestsWith('and another')).toBe(0)
    expect(c.core.supervisor.getSession(s.id).queuedPrompts).toEqual(['[[text:and another]]'])
  }, 240_000)
})

describe('the pause interrupts a running turn', () => {
  it('Codex: tokens reported mid-turn cross the cap while a command runs; the turn is interrupted, the process stays', async () => {
    const c = await core('codex')
    await c.caller.budgets.setGlobal({ sessionTokens: 50_000 })
    const s = await c.caller.sessions.start({ projectId: c.project.id, prompt: '[[usage:80000:100]] [[bash:sleep 20]]', permissionMode: 'bypassPermissions' })
    const held = await waitFor(
      'the cap to hold the running session',
      async () => (await c.caller.budgets.holds()).find((h) => h.sessionId === s.id) ?? null,
      90_000
    )
    expect(held.unit).toBe('tokens')
    const paused = await waitFor(
      'the turn to end paused',
      () => {
        const cur = c.core.supervisor.getSession(s.id)
        return cur.status === 'idle' ? cur : null
      },
      30_000
    )
    expect(paused.statusReason?.message).toBe('paused at the budget cap')
    // Interrupted while the command ran: the model never got its result back, and the process is still there.
    expect(assistantText(c, s.id).some((t) => t.startsWith('DONE.'))).toBe(false)
    expect(c.core.supervisor.liveCount).toBe(1)
  }, 180_000)
})
