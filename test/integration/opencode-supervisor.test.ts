/**
 * The real OpenCode CLI (pinned, test-only install) as `opencode serve`, driven by the real
 * supervisor and store, against the project's fake model server (Chat Completions), offline.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { startFakeModelServer, type FakeModelServer } from '../support/fake-model-server.mjs'
import { makeOpenCodeSandbox, opencodeBinaryPath, type OpenCodeSandbox } from '../support/opencode-sandbox'
import { testCore } from '../support/core'
import { draftsOf, groupGone, recordEvents, seqsOf, waitFor, waitForRaw, waitForStatus } from '../support/live'
import { OpenCodeProvider } from '../../src-main/providers/opencode/provider'

let server: FakeModelServer
let sandbox: OpenCodeSandbox
/** Per test: cores are disposed after each test so their `opencode serve` processes do not pile up. */
let cleanups: (() => unknown)[] = []

beforeAll(async () => {
  server = await startFakeModelServer()
  sandbox = makeOpenCodeSandbox(server.url)
})
afterEach(async () => {
  for (const c of cleanups.reverse()) await c()
  cleanups = []
})
afterAll(async () => {
  sandbox?.cleanup()
  await server?.close()
})

async function core(dataDir?: string) {
  const provider = new OpenCodeProvider()
  const t = testCore({ providers: [provider], hostEnv: sandbox.env, dataDir })
  cleanups.push(() => provider.shutdown())
  cleanups.push(t.cleanup)
  const s = await t.caller.settings.get()
  await t.caller.settings.update({
    defaultProvider: 'opencode',
    providers: { ...s.providers, opencode: { ...s.providers.opencode, cliPath: opencodeBinaryPath() } }
  })
  const rec = recordEvents(t.core)
  cleanups.push(rec.stop)
  const projects = await t.caller.projects.list()
  const project = projects[0] ?? (await t.caller.projects.add({ path: sandbox.projectDir }))
  return { ...t, provider, project, events: rec.events }
}
type C = Awaited<ReturnType<typeof core>>

const texts = (c: C, id: string) => c.core.store.messagesAfter(id, 0, 1000)
const hasText = (c: C, id: string, text: string) => texts(c, id).some((m) => m.kind === 'assistant' && m.text.includes(text))
const idleWith = (c: C, id: string, text: string) => {
  const cur = c.core.supervisor.getSession(id)
  return cur.status === 'idle' && hasText(c, id, text) ? cur : null
}
/** A raw `message.part.updated` of an assistant text part that has started (user parts have no `time`). */
const answerTextStarted = (line: string) => {
  let e: { type?: string; properties?: { part?: { type?: string; time?: { start?: number } } } }
  try {
    e = JSON.parse(line)
  } catch {
    return false // stderr lines
  }
  return e.type === 'message.part.updated' && e.properties?.part?.type === 'text' && e.properties.part.time?.start !== undefined
}
const approval = (c: C) => waitFor('an approval', async () => (await c.caller.sessions.approvals({ projectId: c.project.id }))[0])

// Generous per-test limit: a loaded 2-core machine slows `opencode serve` boots several-fold.
describe('OpenCode through the supervisor (real `opencode serve`, fake model server)', { timeout: 60_000 }, () => {
  it('start → tool call → tool result → final text → idle, with tokens and cost; then a second turn', async () => {
    const c = await core()
    const s = await c.caller.sessions.start({
      projectId: c.project.id,
      provider: 'opencode',
      prompt: 'please [[bash:echo hello-shepherd]]',
      permissionMode: 'bypassPermissions'
    })
    const done = await waitFor('turn to finish', () => idleWith(c, s.id, 'DONE. Tool output was: hello-shepherd'))
    const msgs = texts(c, s.id)
    const call = msgs.find((m) => m.kind === 'tool_call')
    expect(call?.tool_name).toBe('bash')
    expect(call?.tool_path).toBe('echo hello-shepherd')
    const result = msgs.find((m) => m.kind === 'tool_result')
    expect(result?.text).toContain('hello-shepherd')
    expect(result?.tool_use_id).toBe(call?.tool_use_id)
    expect(msgs.find((m) => m.kind === 'system')?.text).toMatch(/^OpenCode 1\.18\.33 · model fake\/fake-model \(from OpenCode’s config\)/)
    // Transcript order: text before the tool call it announces, the answer last.
    const order = msgs.filter((m) => m.kind !== 'system').map((m) => m.kind)
    expect(order).toEqual(['user', 'assistant', 'tool_call', 'tool_result', 'assistant'])
    expect(done.cliSessionId).toMatch(/^ses_/)
    expect(done.totals.inputTokens).toBeGreaterThan(0)
    expect(done.totals.outputTokens).toBeGreaterThan(0)
    expect(done.totals.costUsd).toBeGreaterThan(0)
    expect(done.totals.costKnown).toBe(true)
    expect(done.totals.contextTokens).toBeGreaterThan(0)
    expect(done.totals.contextWindow).toBe(200_000) // limit.context of fake-model in opencode.json
    expect(c.core.store.countRaw(s.id, 'stdout')).toBeGreaterThan(3)
    // Every request to the model server carried the prompt verbatim (not quoted as in `opencode run`).
    expect(server.requests.some((r) => JSON.stringify(r.body ?? '').includes('please [[bash:echo hello-shepherd]]'))).toBe(true)
    const costAfterOne = done.totals.costUsd

    await c.caller.sessions.send({ id: s.id, prompt: '[[text:second answer]]' })
    const two = await waitFor('second turn', () => idleWith(c, s.id, 'second answer'))
    expect(two.totals.costUsd).toBeGreaterThan(costAfterOne)
    expect(two.cliSessionId).toBe(done.cliSessionId)
    expect(texts(c, s.id).filter((m) => m.kind === 'assistant' && m.text === 'second answer')).toHaveLength(1)
    expect(seqsOf(c.core, s.id)).toEqual(Array.from({ length: seqsOf(c.core, s.id).length }, (_, i) => i + 1))
    for (const e of c.events) if (e.type === 'agent.message') for (const m of e.messages) expect(c.core.store.getMessage(m.sessionId, m.seq)).toBeTruthy()
    expect(c.events.some((e) => e.type === 'agent.cost' && e.sessionId === s.id)).toBe(true)
  })

  it('interrupts a slow turn (abort): status idle, the model stream is dropped, the next prompt works', async () => {
    const c = await core()
    const s = await c.caller.sessions.start({ projectId: c.project.id, provider: 'opencode', prompt: '[[slow:20]]' })
    // The agent's request (with tools), not OpenCode's title request, which carries the prompt too.
    const agentRequest = await waitFor('streaming to start', () => {
      const i = server.requests.findIndex((r) => Array.isArray(r.body?.tools) && r.body.tools.length > 0 && JSON.stringify(r.body).includes('[[slow:20]]'))
      return i >= 0 ? { index: i } : null
    })
    // OpenCode opens the answer's text part when the first chunk (tick0) arrives: interrupt after that.
    await waitForRaw(c.dataDir, s.id, 'the answer text to start', answerTextStarted)
    await waitFor('the answer to stream live', () => draftsOf(c.events, s.id).some((t) => t.startsWith('tick0 tick1')))
    const before = c.core.supervisor.getSession(s.id)
    await c.caller.sessions.interrupt({ id: s.id })
    const after = await waitForStatus(c.core, s.id, ['idle'], 10_000)
    expect(after.statusReason?.message).toMatch(/interrupted/)
    expect(texts(c, s.id).some((m) => m.kind === 'assistant' && m.text.startsWith('tick0 '))).toBe(true)
    await waitFor('the model server to see the disconnect', () => server.disconnects.some((d) => d.requestIndex === agentRequest.index), 5000)
    await c.caller.sessions.send({ id: s.id, prompt: '[[text:after interrupt]]' })
    await waitFor('turn after interrupt', () => idleWith(c, s.id, 'after interrupt'))
    expect(c.core.supervisor.getSession(s.id).cliSessionId).toBe(before.cliSessionId)
  })

  it('asks before bash in default mode: allowed once (runs), denied (reason reaches the model), allowed for the session', async () => {
    const c = await core()
    const s = await c.caller.sessions.start({
      projectId: c.project.id,
      provider: 'opencode',
      prompt: '[[bash:touch allowed-oc.txt]]',
      permissionMode: 'default'
    })
    const a1 = await approval(c)
    expect(c.core.supervisor.getSession(s.id).status).toBe('waiting_approval')
    expect(a1.toolName).toBe('bash')
    expect(a1.description).toContain('touch allowed-oc.txt')
    await c.caller.sessions.answerApproval({ approvalId: a1.id, decision: { behavior: 'allow', scope: 'once' } })
    await waitFor('allowed turn', () => idleWith(c, s.id, 'DONE. Tool output was'))
    expect(existsSync(join(sandbox.projectDir, 'allowed-oc.txt'))).toBe(true)

    await c.caller.sessions.send({ id: s.id, prompt: '[[bash:touch denied-oc.txt]]' })
    const a2 = await approval(c)
    await c.caller.sessions.answerApproval({ approvalId: a2.id, decision: { behavior: 'deny', message: 'not this file' } })
    await waitFor('denial to reach the model', () => idleWith(c, s.id, 'not this file'))
    expect(existsSync(join(sandbox.projectDir, 'denied-oc.txt'))).toBe(false)
    const denied = texts(c, s.id)
      .filter((m) => m.kind === 'tool_result')
      .at(-1)
    expect(denied?.is_error).toBe(1)

    // "Allow for this session" = OpenCode "always": the next `touch …` runs without asking.
    await c.caller.sessions.send({ id: s.id, prompt: '[[bash:touch always-1.txt]]' })
    const a3 = await approval(c)
    await c.caller.sessions.answerApproval({ approvalId: a3.id, decision: { behavior: 'allow', scope: 'session' } })
    await waitForStatus(c.core, s.id, ['idle'])
    await c.caller.sessions.send({ id: s.id, prompt: '[[bash:touch always-2.txt]]' })
    await waitFor(
      'second touch to run unasked',
      () => existsSync(join(sandbox.projectDir, 'always-2.txt')) && c.core.supervisor.getSession(s.id).status === 'idle'
    )
    expect(await c.caller.sessions.approvals({ projectId: c.project.id })).toEqual([])
    expect(c.core.store.pendingApprovals()).toEqual([])
  })

  it('switches model per message and permission mode live (acceptEdits, plan)', async () => {
    const c = await core()
    const s = await c.caller.sessions.start({ projectId: c.project.id, provider: 'opencode', prompt: '[[model]]' })
    await waitFor('default model echo', () => idleWith(c, s.id, 'MODEL: fake-model'))
    await c.caller.sessions.setModel({ id: s.id, model: 'fake/fake-model-2' })
    await c.caller.sessions.send({ id: s.id, prompt: 'again [[model]]' })
    await waitFor('model 2 echo', () => idleWith(c, s.id, 'MODEL: fake-model-2'))
    await expect(c.caller.sessions.setModel({ id: s.id, model: 'no-provider-prefix' })).rejects.toThrow(/provider\/model/)

    await c.caller.sessions.setPermissionMode({ id: s.id, mode: 'acceptEdits' })
    expect(c.core.supervisor.getSession(s.id).permissionMode).toBe('acceptEdits')
    await c.caller.sessions.send({ id: s.id, prompt: '[[write:mode-oc.txt|accepted]]' })
    await waitFor('write turn', () => idleWith(c, s.id, 'Wrote file successfully'))
    expect(readFileSync(join(sandbox.projectDir, 'mode-oc.txt'), 'utf8')).toBe('accepted')
    expect(await c.caller.sessions.approvals({ projectId: c.project.id })).toEqual([])

    await c.caller.sessions.setPermissionMode({ id: s.id, mode: 'plan' })
    await c.caller.sessions.send({ id: s.id, prompt: '[[bash:touch planned-oc.txt]]' })
    await waitFor('plan turn', () => idleWith(c, s.id, "unavailable tool 'bash'"))
    expect(existsSync(join(sandbox.projectDir, 'planned-oc.txt'))).toBe(false)
    expect(texts(c, s.id).some((m) => m.kind === 'tool_call' && m.tool_name === 'invalid')).toBe(true)
  })

  it('resumes after the core is torn down and rebuilt on the same data dir (a new server), then forks', async () => {
    const first = await core()
    const s = await first.caller.sessions.start({ projectId: first.project.id, provider: 'opencode', prompt: 'remember PAPAYA [[text:ok]]' })
    await waitFor('first turn', () => idleWith(first, s.id, 'ok'))
    const cliId = first.core.supervisor.getSession(s.id).cliSessionId
    const firstPid = first.core.store.getSession(s.id)?.pid
    await first.core.dispose()
    expect(first.provider.pool.size).toBe(0)
    expect(groupGone(firstPid!)).toBe(true)

    const second = await core(first.dataDir)
    expect(second.core.supervisor.getSession(s.id).status).toBe('interrupted')
    server.reset()
    await second.caller.sessions.send({ id: s.id, prompt: '[[text:resumed]]' })
    await waitFor('resumed turn', () => idleWith(second, s.id, 'resumed'))
    expect(second.core.supervisor.getSession(s.id).cliSessionId).toBe(cliId)
    expect(second.core.store.getSession(s.id)?.pid).not.toBe(firstPid)
    // The model server received the earlier conversation: it really is the same conversation.
    expect(server.requests.some((r) => JSON.stringify(r.body ?? '').includes('remember PAPAYA'))).toBe(true)
    // The copied history is not shown again.
    expect(texts(second, s.id).filter((m) => m.kind === 'assistant' && m.text === 'ok')).toHaveLength(1)

    const fork = await second.caller.sessions.fork({ id: s.id, prompt: '[[text:forked]]' })
    await waitFor('forked turn', () => idleWith(second, fork.id, 'forked'))
    const forked = second.core.supervisor.getSession(fork.id)
    expect(forked.cliSessionId).toMatch(/^ses_/)
    expect(forked.cliSessionId).not.toBe(cliId)
    // The fork's transcript has only its own turn, and only its own cost.
    expect(
      texts(second, fork.id)
        .filter((m) => m.kind === 'assistant')
        .map((m) => m.text)
    ).toEqual(['forked'])
    expect(forked.totals.costUsd).toBeLessThan(second.core.supervisor.getSession(s.id).totals.costUsd)
    // Both sessions of the project run on one server.
    expect(second.core.store.getSession(fork.id)?.pid).toBe(second.core.store.getSession(s.id)?.pid)
  })

  it('a stale OpenCode session id starts a fresh conversation with a clear note', async () => {
    const c = await core()
    const s = await c.caller.sessions.start({ projectId: c.project.id, provider: 'opencode', prompt: '[[text:first]]' })
    await waitFor('first turn', () => idleWith(c, s.id, 'first'))
    await c.caller.sessions.stop({ id: s.id })
    c.core.store.updateSession(s.id, { cli_session_id: 'ses_0000000000000000000000000' })
    await c.caller.sessions.send({ id: s.id, prompt: '[[text:fresh start]]' })
    await waitFor('fresh turn', () => idleWith(c, s.id, 'fresh start'), 20_000)
    expect(texts(c, s.id).some((m) => m.kind === 'system' && m.text.startsWith('Could not resume'))).toBe(true)
    const after = c.core.supervisor.getSession(s.id)
    expect(after.cliSessionId).toMatch(/^ses_/)
    expect(after.cliSessionId).not.toBe('ses_0000000000000000000000000')
  })

  it('shares one server between two sessions of a project and stops it after both ended', async () => {
    const c = await core()
    const a = await c.caller.sessions.start({ projectId: c.project.id, provider: 'opencode', prompt: '[[text:from a]]' })
    const b = await c.caller.sessions.start({ projectId: c.project.id, provider: 'opencode', prompt: '[[text:from b]]' })
    await waitFor('both turns', () => idleWith(c, a.id, 'from a') && idleWith(c, b.id, 'from b'))
    const pidA = c.core.store.getSession(a.id)?.pid
    expect(pidA).toBeGreaterThan(0)
    expect(c.core.store.getSession(b.id)?.pid).toBe(pidA)
    expect(c.provider.pool.size).toBe(1)
    // Each session sees only its own events.
    expect(hasText(c, a.id, 'from b')).toBe(false)
    expect(hasText(c, b.id, 'from a')).toBe(false)

    const stoppedA = await c.caller.sessions.stop({ id: a.id })
    expect(stoppedA.status).toBe('interrupted')
    expect(groupGone(pidA!)).toBe(false)
    await c.caller.sessions.send({ id: b.id, prompt: '[[text:b still works]]' })
    await waitFor('b after a stopped', () => idleWith(c, b.id, 'b still works'))

    const stoppedB = await c.caller.sessions.stop({ id: b.id })
    expect(stoppedB.status).toBe('interrupted')
    expect(c.provider.pool.size).toBe(0)
    expect(groupGone(pidA!)).toBe(true)
  })

  it('a crashed server ends its sessions with an error; the next prompt resumes on a new server', async () => {
    const c = await core()
    const s = await c.caller.sessions.start({ projectId: c.project.id, provider: 'opencode', prompt: '[[text:alive]]' })
    await waitFor('first turn', () => idleWith(c, s.id, 'alive'))
    const pid = c.core.store.getSession(s.id)!.pid!
    process.kill(-pid, 'SIGKILL')
    const dead = await waitForStatus(c.core, s.id, ['error'], 10_000)
    expect(dead.statusReason?.message).toMatch(/SIGKILL/)
    expect(c.provider.pool.size).toBe(0)
    await c.caller.sessions.send({ id: s.id, prompt: '[[text:back again]]' })
    await waitFor('resumed turn', () => idleWith(c, s.id, 'back again'))
    expect(c.core.store.getSession(s.id)?.pid).not.toBe(pid)
    expect(texts(c, s.id).some((m) => m.kind === 'system' && m.text.startsWith('Could not resume'))).toBe(false)
  })

  it('an API error fails the turn with its HTTP status; stopping mid-turn reports interrupted', async () => {
    const c = await core()
    const s = await c.caller.sessions.start({ projectId: c.project.id, provider: 'opencode', prompt: '[[error:400]]' })
    // Read now: a final status (error) clears the stored pid although the server lives on.
    const pid = c.core.store.getSession(s.id)?.pid
    expect(pid).toBeGreaterThan(0)
    const got = await waitForStatus(c.core, s.id, ['error'])
    expect(got.statusReason?.message).toContain('fake error 400')
    expect(got.statusReason?.apiErrorStatus).toBe(400)

    await c.caller.sessions.send({ id: s.id, prompt: '[[slow:20]]' })
    await waitFor('slow stream', () => texts(c, s.id).length > 0 && server.requests.some((r) => JSON.stringify(r.body ?? '').includes('[[slow:20]]')))
    await waitForStatus(c.core, s.id, ['running'])
    const stopped = await c.caller.sessions.stop({ id: s.id })
    expect(stopped.status).toBe('interrupted')
    expect(groupGone(pid!)).toBe(true)
  })
})
