/**
 * OpenCode 1.x and 2.x side by side: the real pinned binaries of both majors (test-only installs),
 * driven by the real supervisor and store through one `OpenCodeProvider`, against the fake model
 * server (Chat Completions), offline. 2.x runs as `opencode acp`, 1.x as `opencode serve`.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { existsSync, mkdtempSync, symlinkSync } from 'node:fs'
import { join } from 'node:path'
import { startFakeModelServer, type FakeModelServer } from '../support/fake-model-server.mjs'
import { makeOpenCodeSandbox, opencodeBinaryPath, pinnedOpenCodeVersion, type OpenCodeSandbox } from '../support/opencode-sandbox'
import { opencode2BinaryPath, pinnedOpenCode2Version } from '../support/opencode2-sandbox'
import { testCore } from '../support/core'
import { draftsOf, groupGone, recordEvents, waitFor, waitForStatus } from '../support/live'
import { OpenCodeProvider } from '../../src-main/providers/opencode/provider'
import { OpenCodeHandle } from '../../src-main/providers/opencode/handle'
import { OpenCode2Handle } from '../../src-main/providers/opencode/v2/handle'

let server: FakeModelServer
let sandbox: OpenCodeSandbox
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

async function core(binary = opencode2BinaryPath(), dataDir?: string) {
  const provider = new OpenCodeProvider()
  const t = testCore({ providers: [provider], hostEnv: sandbox.env, dataDir })
  cleanups.push(() => provider.shutdown())
  cleanups.push(t.cleanup)
  const s = await t.caller.settings.get()
  await t.caller.settings.update({ defaultProvider: 'opencode', providers: { ...s.providers, opencode: { ...s.providers.opencode, cliPath: binary } } })
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
const approval = (c: C) => waitFor('an approval', async () => (await c.caller.sessions.approvals({ projectId: c.project.id }))[0])

describe('OpenCode version detection picks the driver (real pinned binaries of both majors)', { timeout: 60_000 }, () => {
  it('1.x → `opencode serve` (OpenCodeHandle), 2.x → `opencode acp` (OpenCode2Handle)', async () => {
    const provider = new OpenCodeProvider()
    cleanups.push(() => provider.shutdown())
    const env = { ...sandbox.env }
    const base = { sessionId: 'detect', cwd: sandbox.projectDir, model: null, permissionMode: 'default' as const, systemPrompt: null, env }
    const v1 = await provider.start({ ...base, binaryPath: opencodeBinaryPath() })
    const v2 = await provider.start({ ...base, binaryPath: opencode2BinaryPath() })
    try {
      expect(v1).toBeInstanceOf(OpenCodeHandle)
      expect(v2).toBeInstanceOf(OpenCode2Handle)
      expect(v1.cliSessionId).toMatch(/^ses_/)
      expect(v2.cliSessionId).toMatch(/^ses_/)
      // Each is a different process: 1.x a shared server, 2.x its own ACP agent.
      expect(v1.pid).not.toBe(v2.pid)
    } finally {
      await v1.stop(2000)
      await v2.stop(2000)
    }
    const detected = await provider.detect(opencode2BinaryPath(), '')
    expect(detected.version).toBe(pinnedOpenCode2Version())
    // Installed beside a 1.x elsewhere, 2.x is `opencode2` on PATH.
    const bin = mkdtempSync(join(sandbox.root, 'bin-'))
    symlinkSync(opencode2BinaryPath(), join(bin, 'opencode2'))
    const onPath = await provider.detect(null, bin)
    expect(onPath).toMatchObject({ found: true, path: join(bin, 'opencode2'), version: pinnedOpenCode2Version() })
    symlinkSync(opencodeBinaryPath(), join(bin, 'opencode'))
    expect(await provider.detect(null, bin)).toMatchObject({ found: true, path: join(bin, 'opencode'), version: pinnedOpenCodeVersion() })
  })
})

describe('OpenCode 2 through the supervisor (real `opencode acp` 2.1.2, fake model server)', { timeout: 90_000 }, () => {
  it('an upgrade from 1.x to 2.x: the 1.x session id is unknown to 2.x (sessions are stored apart), so the next prompt starts afresh with a note', async () => {
    const c = await core(opencodeBinaryPath())
    const s = await c.caller.sessions.start({ projectId: c.project.id, provider: 'opencode', prompt: '[[text:on one]]' })
    await waitFor('1.x turn', () => idleWith(c, s.id, 'on one'))
    const v1Id = c.core.supervisor.getSession(s.id).cliSessionId
    expect(texts(c, s.id).some((m) => m.kind === 'system' && m.text.includes('over ACP'))).toBe(false)
    await c.caller.sessions.stop({ id: s.id })

    const settings = await c.caller.settings.get()
    await c.caller.settings.update({ providers: { ...settings.providers, opencode: { ...settings.providers.opencode, cliPath: opencode2BinaryPath() } } })
    await c.caller.sessions.send({ id: s.id, prompt: '[[text:on two]]' })
    await waitFor('2.x turn', () => idleWith(c, s.id, 'on two'), 30_000)
    expect(texts(c, s.id).some((m) => m.kind === 'system' && m.text.startsWith('Could not resume'))).toBe(true)
    expect(texts(c, s.id).some((m) => m.kind === 'system' && m.text.includes('over ACP'))).toBe(true)
    const after = c.core.supervisor.getSession(s.id)
    expect(after.cliSessionId).toMatch(/^ses_/)
    expect(after.cliSessionId).not.toBe(v1Id)
  })

  it('a tool call asked for and allowed, a denied one, then an interrupt and a resume after a restart', async () => {
    const first = await core()
    const s = await first.caller.sessions.start({
      projectId: first.project.id,
      provider: 'opencode',
      prompt: 'remember PAPAYA [[bash:touch allowed-oc2.txt]]',
      permissionMode: 'default'
    })
    const system = await waitFor('the start row', () => texts(first, s.id).find((m) => m.kind === 'system' && m.text.includes('over ACP')))
    expect(system.text).toContain(`OpenCode ${pinnedOpenCode2Version()} over ACP`)

    // Approval: asked in default mode, allowed once, the command runs.
    const a1 = await approval(first)
    expect(first.core.supervisor.getSession(s.id).status).toBe('waiting_approval')
    expect(a1.toolName).toBe('shell')
    expect(JSON.stringify(a1.input)).toContain('touch allowed-oc2.txt')
    await first.caller.sessions.answerApproval({ approvalId: a1.id, decision: { behavior: 'allow', scope: 'once' } })
    await waitFor('allowed turn', () => idleWith(first, s.id, 'DONE. Tool output was'))
    expect(existsSync(join(sandbox.projectDir, 'allowed-oc2.txt'))).toBe(true)
    const call = texts(first, s.id).find((m) => m.kind === 'tool_call')
    expect(call?.tool_name).toBe('shell')
    expect(texts(first, s.id).some((m) => m.kind === 'tool_result')).toBe(true)
    const afterFirst = first.core.supervisor.getSession(s.id)
    expect(afterFirst.totals.costUsd).toBeGreaterThan(0)
    expect(afterFirst.totals.inputTokens).toBeGreaterThan(0)

    // Denied: the command does not run.
    await first.caller.sessions.send({ id: s.id, prompt: '[[bash:touch denied-oc2.txt]]' })
    const a2 = await approval(first)
    await first.caller.sessions.answerApproval({ approvalId: a2.id, decision: { behavior: 'deny', message: 'not this one' } })
    await waitForStatus(first.core, s.id, ['idle'])
    expect(existsSync(join(sandbox.projectDir, 'denied-oc2.txt'))).toBe(false)

    // Interrupt a streaming answer: idle, "Interrupted", the model stream dropped, the next prompt works.
    await first.caller.sessions.send({ id: s.id, prompt: '[[slow:20]]' })
    await waitFor('the answer to stream live', () => draftsOf(first.events, s.id).some((t) => t.startsWith('tick0 tick1')))
    await first.caller.sessions.interrupt({ id: s.id })
    const interrupted = await waitForStatus(first.core, s.id, ['idle'], 15_000)
    expect(interrupted.statusReason?.message ?? texts(first, s.id).at(-1)?.text).toMatch(/nterrupted/)
    await waitFor('the model server to see the disconnect', () => server.disconnects.length > 0, 10_000)
    await first.caller.sessions.send({ id: s.id, prompt: '[[text:after interrupt]]' })
    await waitFor('turn after interrupt', () => idleWith(first, s.id, 'after interrupt'))

    // Resume: a new core on the same data dir, a new `opencode acp`, the same OpenCode session.
    const cliId = first.core.supervisor.getSession(s.id).cliSessionId
    expect(cliId).toMatch(/^ses_/)
    const firstPid = first.core.store.getSession(s.id)?.pid
    await first.core.dispose()
    expect(groupGone(firstPid!)).toBe(true)
    const second = await core(opencode2BinaryPath(), first.dataDir)
    expect(second.core.supervisor.getSession(s.id).status).toBe('interrupted')
    server.reset()
    await second.caller.sessions.send({ id: s.id, prompt: '[[text:resumed]]' })
    await waitFor('resumed turn', () => idleWith(second, s.id, 'resumed'))
    expect(second.core.supervisor.getSession(s.id).cliSessionId).toBe(cliId)
    expect(second.core.store.getSession(s.id)?.pid).not.toBe(firstPid)
    // The model saw the earlier conversation: it is the same OpenCode session.
    expect(server.requests.some((r) => JSON.stringify(r.body ?? '').includes('remember PAPAYA'))).toBe(true)
    // The replayed history is not shown again.
    expect(texts(second, s.id).filter((m) => m.kind === 'assistant' && m.text.includes('after interrupt'))).toHaveLength(1)
  })

  it('permission modes are answered by Shepherd at once (acceptEdits writes unasked, plan refuses), model switch applies', async () => {
    const c = await core()
    const s = await c.caller.sessions.start({ projectId: c.project.id, provider: 'opencode', prompt: '[[model]]', permissionMode: 'acceptEdits' })
    await waitFor('default model echo', () => idleWith(c, s.id, 'MODEL: fake-model'))
    await c.caller.sessions.setModel({ id: s.id, model: 'fake/fake-model-2' })
    await c.caller.sessions.send({ id: s.id, prompt: 'again [[model]]' })
    await waitFor('model 2 echo', () => idleWith(c, s.id, 'MODEL: fake-model-2'))

    await c.caller.sessions.send({ id: s.id, prompt: '[[write:mode-oc2.txt|accepted]]' })
    await waitFor('write turn', () => idleWith(c, s.id, 'DONE. Tool output was'))
    expect(existsSync(join(sandbox.projectDir, 'mode-oc2.txt'))).toBe(true)
    expect(await c.caller.sessions.approvals({ projectId: c.project.id })).toEqual([])

    // A command still asks in acceptEdits; switching to bypassPermissions answers the waiting request.
    await c.caller.sessions.send({ id: s.id, prompt: '[[bash:touch bypass-oc2.txt]]' })
    await approval(c)
    await c.caller.sessions.setPermissionMode({ id: s.id, mode: 'bypassPermissions' })
    await waitFor('bypassed turn', () => existsSync(join(sandbox.projectDir, 'bypass-oc2.txt')) && c.core.supervisor.getSession(s.id).status === 'idle')
    expect(await c.caller.sessions.approvals({ projectId: c.project.id })).toEqual([])

    await c.caller.sessions.setPermissionMode({ id: s.id, mode: 'plan' })
    await c.caller.sessions.send({ id: s.id, prompt: '[[bash:touch planned-oc2.txt]]' })
    await waitForStatus(c.core, s.id, ['idle'])
    await waitFor('plan turn', () => idleWith(c, s.id, 'DONE.'))
    expect(existsSync(join(sandbox.projectDir, 'planned-oc2.txt'))).toBe(false)
  })
})
