/**
 * The real OpenCode CLI (pinned 1.18.33, `opencode serve`) through the supervisor, offline against
 * the fake model server: a sub-agent (`task` tool) is shown nested under its call and asks exactly
 * when its parent would in each permission mode; an interrupt during a shell command keeps the
 * command's final update on its call; the model OpenCode uses is named.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { startFakeModelServer, type FakeModelServer } from '../support/fake-model-server.mjs'
import { makeOpenCodeSandbox, opencodeBinaryPath, type OpenCodeSandbox } from '../support/opencode-sandbox'
import { providerCore, storedMessages } from '../support/provider-core'
import { waitFor, waitForRaw, waitForStatus } from '../support/live'
import { OpenCodeProvider } from '../../src-main/providers/opencode/provider'
import { UNFINISHED_TOOL_TEXT } from '../../src-main/supervisor/open-tool-calls'
import type { PermissionMode } from '../../src-main/shared/status'

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

function core() {
  return providerCore({
    provider: new OpenCodeProvider(),
    id: 'opencode',
    cliPath: opencodeBinaryPath(),
    hostEnv: sandbox.env,
    projectDir: sandbox.projectDir,
    cleanups
  })
}
const rows = storedMessages

describe('OpenCode sub-agents and interrupts (real `opencode serve`)', { timeout: 180_000 }, () => {
  it('a sub-agent that edits a file and runs a command asks exactly when its parent would, in each permission mode, nested under its task call', async () => {
    const c = await core()
    // What each mode asks for (approved once here), and whether the file and command happen.
    const modes: [PermissionMode, string[], boolean][] = [
      ['default', ['edit', 'bash'], true],
      ['acceptEdits', ['bash'], true],
      ['bypassPermissions', [], true],
      ['plan', [], false]
    ]
    for (const [mode, asked, runs] of modes) {
      const prompt = `delegate [[agent:please {{write:sub-${mode}.txt|from ${mode}}} {{then-bash:touch ran-${mode}.txt}}]]`
      const s = await c.caller.sessions.start({ projectId: c.project.id, provider: 'opencode', prompt, permissionMode: mode })
      const seen: string[] = []
      await waitFor(
        `${mode}: the turn to end`,
        async () => {
          const pending = await c.caller.sessions.approvals({ projectId: c.project.id })
          for (const a of pending) {
            seen.push(a.toolName)
            expect(a.description).toContain('(subagent)')
            expect(c.core.supervisor.getSession(s.id).status).toBe('waiting_approval')
            await c.caller.sessions.answerApproval({ approvalId: a.id, decision: { behavior: 'allow', scope: 'once' } })
          }
          const cur = c.core.supervisor.getSession(s.id)
          return cur.status === 'idle' && rows(c, s.id).some((m) => m.kind === 'assistant' && !m.parent_id && m.text.startsWith('DONE.')) ? cur : null
        },
        90_000
      )
      expect(seen, mode).toEqual(asked)
      expect(existsSync(join(sandbox.projectDir, `sub-${mode}.txt`)), mode).toBe(runs)
      expect(existsSync(join(sandbox.projectDir, `ran-${mode}.txt`)), mode).toBe(runs)
      // The sub-agent's messages are stored nested under the task call.
      const msgs = rows(c, s.id)
      const task = msgs.find((m) => m.kind === 'tool_call' && m.tool_name === 'task')!
      expect(task.text).toBe('task: Scripted sub-agent')
      const nested = msgs.filter((m) => m.parent_id === task.tool_use_id)
      // In plan mode the sub-agent, like its parent, is not offered the tools: its calls run as `invalid`.
      expect(
        nested.filter((m) => m.kind === 'tool_call').map((m) => m.tool_name),
        mode
      ).toEqual(runs ? ['write', 'bash'] : ['invalid', 'invalid'])
      expect(nested.filter((m) => m.kind === 'tool_result')).toHaveLength(2)
      expect(nested.some((m) => m.kind === 'assistant' && m.text.startsWith('DONE.'))).toBe(true)
      // Live: the nested rows were pushed before the turn ended.
      const pushed = c.events.flatMap((e) => (e.type === 'agent.message' && e.sessionId === s.id ? e.messages : []))
      expect(pushed.filter((m) => m.parentId === task.tool_use_id).length).toBe(nested.length)
      // The model OpenCode used is named, not "default".
      expect(c.core.supervisor.getSession(s.id).model).toBe('fake/fake-model')
      expect(msgs.find((m) => m.kind === 'system')?.text).toContain('model fake/fake-model (from OpenCode’s config)')
      await c.caller.sessions.stop({ id: s.id })
    }
  })

  it('prewarm starts the project’s server before the first session, which then uses it (no second server)', async () => {
    const c = await core()
    expect(await c.caller.sessions.prewarm({ projectId: c.project.id, provider: 'opencode' })).toEqual({ warming: true })
    await waitFor('the warm server', () => c.provider.pool.size === 1 && c.provider.pool.warmCount === 1, 60_000)
    // Opening the form again keeps the same server.
    await c.caller.sessions.prewarm({ projectId: c.project.id, provider: 'opencode' })
    const s = await c.caller.sessions.start({ projectId: c.project.id, provider: 'opencode', prompt: '[[text:warm answer]]' })
    await waitFor('the answer', () => rows(c, s.id).some((m) => m.kind === 'assistant' && m.text === 'warm answer'), 60_000)
    expect(c.provider.pool.size).toBe(1)
    expect(c.provider.pool.warmCount).toBe(1)
  })

  it('interrupt during a shell command: the command’s final update lands on its call (every time), nothing is left open', async () => {
    const c = await core()
    const s = await c.caller.sessions.start({
      projectId: c.project.id,
      provider: 'opencode',
      prompt: '[[bash:echo started-0; sleep 30]]',
      permissionMode: 'bypassPermissions'
    })
    for (let i = 0; i < 3; i++) {
      if (i > 0) await c.caller.sessions.send({ id: s.id, prompt: `[[bash:echo started-${i}; sleep 30]]` })
      // The command is running once its first output line arrived.
      await waitForRaw(c.dataDir, s.id, `command ${i} to print`, (l) => l.includes(`"output":"started-${i}`) && l.includes('"status":"running"'))
      await c.caller.sessions.interrupt({ id: s.id })
      await waitForStatus(c.core, s.id, ['idle'], 20_000)
      const msgs = rows(c, s.id)
      const call = msgs.filter((m) => m.kind === 'tool_call').at(-1)!
      const results = msgs.filter((m) => m.kind === 'tool_result' && m.tool_use_id === call.tool_use_id)
      expect(
        results.map((m) => m.text),
        `round ${i}`
      ).toEqual([`started-${i}\n\n[User aborted the command]`])
      expect(msgs.some((m) => m.text === UNFINISHED_TOOL_TEXT)).toBe(false)
      expect(msgs.at(-1)?.text).toBe('Interrupted')
    }
  })
})
