/**
 * The real Claude Code CLI (pinned, test-only install) driven by the real supervisor and store,
 * against the project's fake model server. Covers issue 3's lifecycle end to end.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { startFakeModelServer, type FakeModelServer } from '../support/fake-model-server.mjs'
import { claudeBinaryPath, makeAgentSandbox, type AgentSandbox } from '../support/agents'
import { testCore } from '../support/core'
import { draftsOf, recordEvents, seqsOf, waitFor, waitForStatus } from '../support/live'
import { ClaudeProvider } from '../../src-main/providers/claude/provider'

let server: FakeModelServer
let sandbox: AgentSandbox
const cleanups: (() => unknown)[] = []

beforeAll(async () => {
  server = await startFakeModelServer()
  sandbox = makeAgentSandbox(server.url)
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
  const rec = recordEvents(t.core)
  cleanups.push(rec.stop)
  const projects = await t.caller.projects.list()
  const project = projects[0] ?? (await t.caller.projects.add({ path: sandbox.projectDir }))
  return { ...t, project, events: rec.events }
}

const texts = (c: Awaited<ReturnType<typeof core>>, id: string) => c.core.store.messagesAfter(id, 0, 1000)

describe('Claude Code through the supervisor (real CLI, fake model server)', () => {
  it('start → tool call → tool result → final text → idle, with cost and tokens; then a second turn', async () => {
    const c = await core()
    const s = await c.caller.sessions.start({ projectId: c.project.id, prompt: 'please [[bash:echo hello-shepherd]]', permissionMode: 'acceptEdits' })
    // Bash may ask for approval depending on the CLI's read-only heuristics: allow whatever asks.
    const done = await waitFor('turn to finish', async () => {
      for (const a of await c.caller.sessions.approvals({ projectId: c.project.id })) {
        await c.caller.sessions.answerApproval({ approvalId: a.id, decision: { behavior: 'allow', scope: 'once' } })
      }
      const cur = c.core.supervisor.getSession(s.id)
      return cur.status === 'idle' && texts(c, s.id).some((m) => m.kind === 'assistant' && m.text.includes('DONE.')) ? cur : null
    })
    const msgs = texts(c, s.id)
    const call = msgs.find((m) => m.kind === 'tool_call')
    expect(call?.tool_name).toBe('Bash')
    expect(call?.tool_path).toContain('echo hello-shepherd')
    const result = msgs.find((m) => m.kind === 'tool_result')
    expect(result?.text).toContain('hello-shepherd')
    expect(msgs.find((m) => m.kind === 'system')?.text).toBeTruthy()
    expect(done.cliSessionId).toMatch(/[0-9a-f-]{36}/)
    expect(done.totals.inputTokens).toBeGreaterThan(0)
    expect(done.totals.outputTokens).toBeGreaterThan(0)
    expect(done.totals.costUsd).toBeGreaterThan(0)
    expect(c.core.store.countRaw(s.id, 'stdout')).toBeGreaterThan(3)
    const costAfterOne = done.totals.costUsd

    await c.caller.sessions.send({ id: s.id, prompt: '[[text:second answer]]' })
    const two = await waitFor('second turn', () => {
      const cur = c.core.supervisor.getSession(s.id)
      return cur.status === 'idle' && texts(c, s.id).some((m) => m.text === 'second answer') ? cur : null
    })
    expect(two.totals.costUsd).toBeGreaterThan(costAfterOne)
    expect(seqsOf(c.core, s.id)).toEqual(Array.from({ length: seqsOf(c.core, s.id).length }, (_, i) => i + 1))
    // Every pushed message was committed first.
    for (const e of c.events) if (e.type === 'agent.message') for (const m of e.messages) expect(c.core.store.getMessage(m.sessionId, m.seq)).toBeTruthy()
    expect(c.events.some((e) => e.type === 'agent.cost' && e.sessionId === s.id)).toBe(true)
  })

  it('interrupts a slow turn: the process stays, status idle, next prompt works', async () => {
    const c = await core()
    const s = await c.caller.sessions.start({ projectId: c.project.id, prompt: '[[slow:20]]' })
    await waitFor('streaming to start', () => server.requests.some((r) => JSON.stringify(r.body ?? '').includes('[[slow:20]]')))
    // The answer streams live (drafts) before it is stored: wait until it has visibly grown.
    await waitFor('the answer to stream', () => draftsOf(c.events, s.id).some((t) => t.startsWith('tick0 tick1')))
    const pid = c.core.supervisor.getSession(s.id)
    await c.caller.sessions.interrupt({ id: s.id })
    const after = await waitForStatus(c.core, s.id, ['idle'], 10_000)
    expect(after.statusReason?.message).toMatch(/interrupted/)
    await waitFor('the model server to see the disconnect', () => server.disconnects.length > 0, 5000)
    await c.caller.sessions.send({ id: s.id, prompt: '[[text:after interrupt]]' })
    await waitFor('turn after interrupt', () => texts(c, s.id).some((m) => m.text === 'after interrupt'))
    expect(c.core.supervisor.getSession(s.id).cliSessionId).toBe(pid.cliSessionId)
  })

  it('asks for approval of a file write: one allowed (file written), one denied (reason reaches the model)', async () => {
    const c = await core()
    const s = await c.caller.sessions.start({ projectId: c.project.id, prompt: '[[write:allowed.txt|yes]]', permissionMode: 'default' })
    const a1 = await waitFor('approval', async () => (await c.caller.sessions.approvals({ projectId: c.project.id }))[0])
    expect(c.core.supervisor.getSession(s.id).status).toBe('waiting_approval')
    expect(a1.toolName).toBe('Write')
    await c.caller.sessions.answerApproval({ approvalId: a1.id, decision: { behavior: 'allow', scope: 'once' } })
    await waitForStatus(c.core, s.id, ['idle'])
    expect(readFileSync(join(sandbox.projectDir, 'allowed.txt'), 'utf8')).toBe('yes')

    await c.caller.sessions.send({ id: s.id, prompt: '[[write:denied.txt|no]]' })
    const a2 = await waitFor('second approval', async () => (await c.caller.sessions.approvals({ projectId: c.project.id }))[0])
    await c.caller.sessions.answerApproval({ approvalId: a2.id, decision: { behavior: 'deny', message: 'not this file' } })
    await waitForStatus(c.core, s.id, ['idle'])
    expect(existsSync(join(sandbox.projectDir, 'denied.txt'))).toBe(false)
    await waitFor('denial to reach the model', () =>
      texts(c, s.id).some((m) => m.kind === 'assistant' && m.text.includes('Tool ERROR was') && m.text.includes('not this file'))
    )
  })

  it('switches model and permission mode live', async () => {
    const c = await core()
    const s = await c.caller.sessions.start({ projectId: c.project.id, prompt: '[[text:ready]]' })
    await waitForStatus(c.core, s.id, ['idle'])
    await c.caller.sessions.setModel({ id: s.id, model: 'claude-test-model-b' })
    await c.caller.sessions.send({ id: s.id, prompt: '[[model]]' })
    await waitFor('model echo', () => texts(c, s.id).some((m) => m.text.includes('MODEL: claude-test-model-b')))
    await waitForStatus(c.core, s.id, ['idle'])
    await c.caller.sessions.setPermissionMode({ id: s.id, mode: 'acceptEdits' })
    expect(c.core.supervisor.getSession(s.id).permissionMode).toBe('acceptEdits')
    await c.caller.sessions.send({ id: s.id, prompt: '[[write:mode.txt|accepted]]' })
    await waitForStatus(c.core, s.id, ['idle'])
    // acceptEdits: no approval was needed.
    expect(readFileSync(join(sandbox.projectDir, 'mode.txt'), 'utf8')).toBe('accepted')
    expect(await c.caller.sessions.approvals({ projectId: c.project.id })).toEqual([])
  })

  it('resumes after the supervisor is torn down and rebuilt, then forks', async () => {
    const first = await core()
    const s = await first.caller.sessions.start({ projectId: first.project.id, prompt: 'remember PAPAYA [[text:ok]]' })
    await waitForStatus(first.core, s.id, ['idle'])
    const cliId = first.core.supervisor.getSession(s.id).cliSessionId
    await first.core.dispose()
    expect(first.core.supervisor.getSession).toBeDefined()

    const second = await core(first.dataDir)
    expect(second.core.supervisor.getSession(s.id).status).toBe('interrupted')
    server.reset()
    await second.caller.sessions.send({ id: s.id, prompt: '[[text:resumed]]' })
    await waitFor('resumed turn', () => second.core.store.messagesAfter(s.id, 0, 1000).some((m) => m.text === 'resumed'))
    expect(second.core.supervisor.getSession(s.id).cliSessionId).toBe(cliId)
    // The model server received the earlier conversation: it really is the same conversation.
    expect(server.requests.some((r) => JSON.stringify(r.body ?? '').includes('remember PAPAYA'))).toBe(true)

    const fork = await second.caller.sessions.fork({ id: s.id, prompt: '[[text:forked]]' })
    await waitFor('forked turn', () => second.core.store.messagesAfter(fork.id, 0, 1000).some((m) => m.text === 'forked'))
    const forked = second.core.supervisor.getSession(fork.id)
    expect(forked.cliSessionId).toBeTruthy()
    expect(forked.cliSessionId).not.toBe(cliId)
  })

  it('a stale CLI session id starts a fresh conversation with a clear note instead of failing', async () => {
    const c = await core()
    const s = await c.caller.sessions.start({ projectId: c.project.id, prompt: '[[text:first]]' })
    await waitForStatus(c.core, s.id, ['idle'])
    await c.caller.sessions.stop({ id: s.id })
    // The CLI's own transcript is gone (cleaned up, moved machine…): its id is stale.
    c.core.store.updateSession(s.id, { cli_session_id: '00000000-0000-4000-8000-000000000000' })
    await c.caller.sessions.send({ id: s.id, prompt: '[[text:fresh start]]' })
    await waitFor('fresh turn', () => texts(c, s.id).some((m) => m.text === 'fresh start'), 20_000)
    expect(texts(c, s.id).some((m) => m.kind === 'system' && m.text.startsWith('Could not resume'))).toBe(true)
    const after = await waitForStatus(c.core, s.id, ['idle'])
    expect(after.cliSessionId).not.toBe('00000000-0000-4000-8000-000000000000')
  })

  it('an API error is shown as an error, even though the CLI says subtype success', async () => {
    const c = await core()
    const s = await c.caller.sessions.start({ projectId: c.project.id, prompt: '[[error:500]]' })
    const got = await waitForStatus(c.core, s.id, ['error'])
    expect(got.statusReason?.message).toBeTruthy()
    expect(got.statusReason?.apiErrorStatus).toBe(500)
  })

  it('stops the process group and reports interrupted, not error', async () => {
    const c = await core()
    const s = await c.caller.sessions.start({ projectId: c.project.id, prompt: '[[slow:20]]' })
    await waitForStatus(c.core, s.id, ['running'])
    const pid = c.core.store.getSession(s.id)?.pid
    expect(pid).toBeGreaterThan(0)
    const stopped = await c.caller.sessions.stop({ id: s.id })
    expect(stopped.status).toBe('interrupted')
    expect(() => process.kill(-pid!, 0)).toThrow()
  })
})
