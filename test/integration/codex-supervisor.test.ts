/**
 * The real Codex CLI (pinned, test-only install) as `codex app-server`, driven by the real
 * supervisor and store, against the project's fake model server (OpenAI Responses API), offline.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { existsSync } from 'node:fs'
import { delimiter, dirname, join } from 'node:path'
import { startFakeModelServer, type FakeModelServer } from '../support/fake-model-server.mjs'
import { codexBinaryPath, codexLauncherPath, makeCodexSandbox, pinnedCodexVersion, type CodexSandbox } from '../support/codex-sandbox'
import { testCore } from '../support/core'
import { draftsOf, groupGone, recordEvents, seqsOf, waitFor, waitForStatus } from '../support/live'
import { CodexProvider } from '../../src-main/providers/codex/provider'

let server: FakeModelServer
let sandbox: CodexSandbox
/** Per test: cores are disposed after each test so their app-server processes do not pile up. */
let cleanups: (() => unknown)[] = []

beforeAll(async () => {
  server = await startFakeModelServer()
  sandbox = makeCodexSandbox(server.url)
})
afterEach(async () => {
  for (const c of cleanups.reverse()) await c()
  cleanups = []
})
afterAll(async () => {
  sandbox?.cleanup()
  await server?.close()
})

async function core(dataDir?: string, cliPath = codexBinaryPath()) {
  const t = testCore({ providers: [new CodexProvider()], hostEnv: sandbox.env, dataDir })
  cleanups.push(t.cleanup)
  const s = await t.caller.settings.get()
  await t.caller.settings.update({ defaultProvider: 'codex', providers: { ...s.providers, codex: { ...s.providers.codex, cliPath } } })
  const rec = recordEvents(t.core)
  cleanups.push(rec.stop)
  const projects = await t.caller.projects.list()
  const project = projects[0] ?? (await t.caller.projects.add({ path: sandbox.projectDir }))
  return { ...t, project, events: rec.events }
}
type C = Awaited<ReturnType<typeof core>>

const texts = (c: C, id: string) => c.core.store.messagesAfter(id, 0, 1000)
const hasText = (c: C, id: string, text: string) => texts(c, id).some((m) => m.kind === 'assistant' && m.text.includes(text))
const idleWith = (c: C, id: string, text: string) => {
  const cur = c.core.supervisor.getSession(id)
  return cur.status === 'idle' && hasText(c, id, text) ? cur : null
}
const approval = (c: C) => waitFor('an approval', async () => (await c.caller.sessions.approvals({ projectId: c.project.id }))[0])
const sawRequest = (needle: string) => server.requests.some((r) => JSON.stringify(r.body ?? '').includes(needle))

describe('Codex through the supervisor (real `codex app-server`, fake model server)', () => {
  it('start → tool call → tool result → final text → idle, with tokens (cost n/a); then a second turn', async () => {
    const c = await core()
    const s = await c.caller.sessions.start({
      projectId: c.project.id,
      provider: 'codex',
      prompt: 'please [[bash:echo hello-shepherd]]',
      permissionMode: 'acceptEdits'
    })
    const done = await waitFor('turn to finish', () => idleWith(c, s.id, 'DONE. Tool output was:'))
    const msgs = texts(c, s.id)
    const call = msgs.find((m) => m.kind === 'tool_call')
    expect(call?.tool_name).toBe('Bash')
    expect(call?.tool_path).toBe('echo hello-shepherd')
    const result = msgs.find((m) => m.kind === 'tool_result')
    expect(result?.text).toContain('hello-shepherd')
    expect(result?.is_error).toBeFalsy()
    expect(result?.tool_use_id).toBe(call?.tool_use_id)
    expect(msgs.find((m) => m.kind === 'system')?.text).toMatch(new RegExp(`^Codex ${pinnedCodexVersion().replaceAll('.', '\\.')} · model gpt-5\\.5`))
    expect(done.cliSessionId).toMatch(/^[0-9a-f-]{36}$/)
    expect(done.model).toBe('gpt-5.5')
    expect(done.totals.inputTokens).toBeGreaterThan(0)
    expect(done.totals.outputTokens).toBeGreaterThan(0)
    expect(done.totals.contextWindow).toBeGreaterThan(0)
    expect(done.totals.costKnown).toBe(false)
    expect(done.totals.costUsd).toBe(0)
    const tokensAfterOne = done.totals.inputTokens + done.totals.outputTokens

    await c.caller.sessions.send({ id: s.id, prompt: '[[text:second answer]]' })
    const two = await waitFor('second turn', () => idleWith(c, s.id, 'second answer'))
    expect(two.totals.inputTokens + two.totals.outputTokens).toBeGreaterThan(tokensAfterOne)
    expect(two.cliSessionId).toBe(done.cliSessionId)
    expect(seqsOf(c.core, s.id)).toEqual(Array.from({ length: seqsOf(c.core, s.id).length }, (_, i) => i + 1))
    // Every pushed message was committed first.
    for (const e of c.events) if (e.type === 'agent.message') for (const m of e.messages) expect(c.core.store.getMessage(m.sessionId, m.seq)).toBeTruthy()
    expect(c.events.some((e) => e.type === 'agent.cost' && e.sessionId === s.id)).toBe(true)
  })

  it('interrupts a slow turn: the process stays, status idle, next prompt works', async () => {
    const c = await core()
    server.reset()
    const s = await c.caller.sessions.start({ projectId: c.project.id, provider: 'codex', prompt: '[[slow:20]]' })
    await waitFor('streaming to start', () => sawRequest('[[slow:20]]'))
    await waitFor('the answer to stream live', () => draftsOf(c.events, s.id).some((t) => t.startsWith('tick0 tick1')))
    const before = c.core.supervisor.getSession(s.id)
    const pid = c.core.store.getSession(s.id)?.pid
    await c.caller.sessions.interrupt({ id: s.id })
    const after = await waitForStatus(c.core, s.id, ['idle'], 10_000)
    expect(after.statusReason?.message).toMatch(/interrupted/)
    expect(texts(c, s.id).some((m) => m.kind === 'system' && m.text === 'Interrupted')).toBe(true)
    // What had streamed before the interrupt stays visible.
    expect(texts(c, s.id).some((m) => m.kind === 'assistant' && m.text.startsWith('tick0'))).toBe(true)
    await waitFor('the model server to see the disconnect', () => server.disconnects.length > 0, 5000)
    await c.caller.sessions.send({ id: s.id, prompt: '[[text:after interrupt]]' })
    await waitFor('turn after interrupt', () => idleWith(c, s.id, 'after interrupt'))
    expect(c.core.store.getSession(s.id)?.pid).toBe(pid)
    expect(c.core.supervisor.getSession(s.id).cliSessionId).toBe(before.cliSessionId)
  })

  it('asks for approval under `untrusted`: one allowed (command runs), one declined (the reason reaches the model)', async () => {
    const c = await core()
    server.reset()
    const s = await c.caller.sessions.start({ projectId: c.project.id, provider: 'codex', prompt: '[[bash:touch allowed.txt]]', permissionMode: 'default' })
    const a1 = await approval(c)
    expect(c.core.supervisor.getSession(s.id).status).toBe('waiting_approval')
    expect(a1.toolName).toBe('Bash')
    expect(JSON.stringify(a1.input)).toContain('touch allowed.txt')
    await c.caller.sessions.answerApproval({ approvalId: a1.id, decision: { behavior: 'allow', scope: 'once' } })
    await waitFor('allowed turn', () => idleWith(c, s.id, 'DONE. Tool output was:'))
    expect(existsSync(join(sandbox.projectDir, 'allowed.txt'))).toBe(true)

    await c.caller.sessions.send({ id: s.id, prompt: '[[bash:touch denied.txt]]' })
    const a2 = await approval(c)
    await c.caller.sessions.answerApproval({ approvalId: a2.id, decision: { behavior: 'deny', message: 'not this file' } })
    await waitForStatus(c.core, s.id, ['idle'])
    expect(existsSync(join(sandbox.projectDir, 'denied.txt'))).toBe(false)
    const declined = texts(c, s.id)
      .filter((m) => m.kind === 'tool_result')
      .at(-1)
    expect(declined?.is_error).toBeTruthy()
    expect(declined?.text).toMatch(/declined/)
    // Codex says only "rejected by user"; Shepherd adds the reason as input to the same turn.
    expect(sawRequest('rejected by user')).toBe(true)
    await waitFor('the reason to reach the model', () => sawRequest('not this file'), 5000)
    expect(await c.caller.sessions.approvals({ projectId: c.project.id })).toEqual([])
  })

  it('switches model and permission mode for the next turn', async () => {
    const c = await core()
    const s = await c.caller.sessions.start({ projectId: c.project.id, provider: 'codex', prompt: '[[text:ready]]', permissionMode: 'default' })
    await waitFor('first turn', () => idleWith(c, s.id, 'ready'))
    await c.caller.sessions.setModel({ id: s.id, model: 'gpt-5.4' })
    await c.caller.sessions.send({ id: s.id, prompt: '[[model]]' })
    await waitFor('model echo', () => idleWith(c, s.id, 'MODEL: gpt-5.4'))
    // The override sticks for later turns.
    await c.caller.sessions.send({ id: s.id, prompt: 'again [[model]]' })
    await waitFor('second model echo', () => texts(c, s.id).filter((m) => m.text === 'MODEL: gpt-5.4').length === 2 && idleWith(c, s.id, 'MODEL'))

    await c.caller.sessions.setPermissionMode({ id: s.id, mode: 'acceptEdits' })
    expect(c.core.supervisor.getSession(s.id).permissionMode).toBe('acceptEdits')
    await c.caller.sessions.send({ id: s.id, prompt: '[[bash:touch mode.txt]]' })
    await waitFor('write turn', () => idleWith(c, s.id, 'DONE. Tool output was:') && existsSync(join(sandbox.projectDir, 'mode.txt')))
    // on-request + workspace-write: no approval was needed.
    expect(await c.caller.sessions.approvals({ projectId: c.project.id })).toEqual([])
  })

  it('resumes after the core is disposed and rebuilt on the same data dir, then forks', async () => {
    const first = await core()
    const s = await first.caller.sessions.start({ projectId: first.project.id, provider: 'codex', prompt: 'remember PAPAYA [[text:ok]]' })
    await waitFor('first turn', () => idleWith(first, s.id, 'ok'))
    const { cliSessionId: threadId, totals: firstTotals } = first.core.supervisor.getSession(s.id)
    await first.core.dispose()

    const second = await core(first.dataDir)
    expect(second.core.supervisor.getSession(s.id).status).toBe('interrupted')
    server.reset()
    await second.caller.sessions.send({ id: s.id, prompt: '[[text:resumed]]' })
    const resumed = await waitFor('resumed turn', () => idleWith(second, s.id, 'resumed'))
    expect(resumed.cliSessionId).toBe(threadId)
    // The model server received the earlier conversation: it really is the same thread.
    expect(sawRequest('remember PAPAYA')).toBe(true)
    // The replayed token totals of the resumed thread are not counted twice.
    expect(resumed.totals.inputTokens).toBeLessThan(3 * firstTotals.inputTokens)

    server.reset()
    const fork = await second.caller.sessions.fork({ id: s.id, prompt: '[[text:forked]]' })
    const forked = await waitFor('forked turn', () => idleWith(second, fork.id, 'forked'))
    expect(forked.cliSessionId).toBeTruthy()
    expect(forked.cliSessionId).not.toBe(threadId)
    expect(sawRequest('remember PAPAYA')).toBe(true)
    expect(second.core.supervisor.getSession(s.id).cliSessionId).toBe(threadId)
  })

  it('a stale thread id starts a fresh conversation with a clear note instead of failing', async () => {
    const c = await core()
    const s = await c.caller.sessions.start({ projectId: c.project.id, provider: 'codex', prompt: '[[text:first]]' })
    await waitFor('first turn', () => idleWith(c, s.id, 'first'))
    await c.caller.sessions.stop({ id: s.id })
    c.core.store.updateSession(s.id, { cli_session_id: '00000000-0000-4000-8000-000000000000' })
    await c.caller.sessions.send({ id: s.id, prompt: '[[text:fresh start]]' })
    const after = await waitFor('fresh turn', () => idleWith(c, s.id, 'fresh start'), 20_000)
    const note = texts(c, s.id).find((m) => m.kind === 'system' && m.text.startsWith('Could not resume'))
    expect(note?.text).toContain('no rollout found')
    expect(after.cliSessionId).not.toBe('00000000-0000-4000-8000-000000000000')
  })

  it('an API error fails the turn with the error message; the next prompt works', async () => {
    const c = await core()
    const s = await c.caller.sessions.start({ projectId: c.project.id, provider: 'codex', prompt: '[[error:500]]' })
    const got = await waitForStatus(c.core, s.id, ['error'])
    expect(got.statusReason?.message).toBeTruthy()
    expect(texts(c, s.id).some((m) => m.kind === 'error')).toBe(true)
    await c.caller.sessions.send({ id: s.id, prompt: '[[text:recovered]]' })
    await waitFor('turn after the error', () => idleWith(c, s.id, 'recovered'))
  })

  it('an interrupt while an approval is pending cancels the approval and ends the turn idle', async () => {
    const c = await core()
    const s = await c.caller.sessions.start({ projectId: c.project.id, provider: 'codex', prompt: '[[bash:touch never.txt]]', permissionMode: 'default' })
    const a = await approval(c)
    await c.caller.sessions.interrupt({ id: s.id })
    const after = await waitForStatus(c.core, s.id, ['idle'], 10_000)
    expect(after.statusReason?.message).toMatch(/interrupted/)
    expect(await c.caller.sessions.approvals({ projectId: c.project.id })).toEqual([])
    expect(c.core.store.getApproval(a.id)?.status).toBe('cancelled')
    expect(existsSync(join(sandbox.projectDir, 'never.txt'))).toBe(false)
    await expect(c.caller.sessions.answerApproval({ approvalId: a.id, decision: { behavior: 'allow', scope: 'once' } })).rejects.toThrow()
  })

  it('detects the npm launcher on PATH, runs through it, and stop takes the native child along', async () => {
    const launcherDir = dirname(codexLauncherPath())
    const d = await new CodexProvider().detect(null, [launcherDir, sandbox.env.PATH].join(delimiter))
    expect(d).toMatchObject({ found: true, path: codexLauncherPath(), version: pinnedCodexVersion() })
    const c = await core(undefined, codexLauncherPath())
    const s = await c.caller.sessions.start({ projectId: c.project.id, provider: 'codex', prompt: '[[slow:20]]' })
    await waitFor('streaming', () => texts(c, s.id).some((m) => m.kind === 'system') && c.core.supervisor.getSession(s.id).status === 'running')
    const pid = c.core.store.getSession(s.id)?.pid
    const stopped = await c.caller.sessions.stop({ id: s.id })
    expect(stopped.status).toBe('interrupted')
    expect(groupGone(pid!)).toBe(true)
  })

  it('stops the process group and reports interrupted, not error', async () => {
    const c = await core()
    const s = await c.caller.sessions.start({ projectId: c.project.id, provider: 'codex', prompt: '[[slow:20]]' })
    await waitForStatus(c.core, s.id, ['running'])
    const pid = c.core.store.getSession(s.id)?.pid
    expect(pid).toBeGreaterThan(0)
    const stopped = await c.caller.sessions.stop({ id: s.id })
    expect(stopped.status).toBe('interrupted')
    expect(groupGone(pid!)).toBe(true)
  })
})
