/**
 * Permission modes bind sub-agents, Claude Code: the real CLI (pinned) through the supervisor,
 * offline. A sub-agent (the CLI's Agent/Task tool) that writes a file and runs a command asks
 * exactly when its parent would: its requests reach Shepherd through the same `can_use_tool`
 * control requests, so each mode is applied by the CLI to the sub-agent as to the main agent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { startFakeModelServer, type FakeModelServer } from '../support/fake-model-server.mjs'
import { claudeBinaryPath, makeAgentSandbox, type AgentSandbox } from '../support/agents'
import { testCore } from '../support/core'
import { recordEvents, waitFor } from '../support/live'
import { ClaudeProvider } from '../../src-main/providers/claude/provider'
import type { PermissionMode } from '../../src-main/shared/status'

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

describe('Claude Code sub-agents follow the session’s permission mode (real CLI)', { timeout: 240_000 }, () => {
  it('a sub-agent that edits a file and runs a command asks when its parent would, in each mode', async () => {
    // As root (CI containers) the CLI refuses bypassPermissions unless told it runs in a sandbox.
    const t = testCore({ providers: [new ClaudeProvider()], hostEnv: { ...sandbox.env, IS_SANDBOX: '1' } })
    cleanups.push(t.cleanup)
    const s0 = await t.caller.settings.get()
    await t.caller.settings.update({ providers: { ...s0.providers, claude: { ...s0.providers.claude, cliPath: claudeBinaryPath() } } })
    const rec = recordEvents(t.core)
    cleanups.push(rec.stop)
    const project = await t.caller.projects.add({ path: sandbox.projectDir })
    /** Run one prompt to the end, answering every approval "allow once"; what was asked, in order. */
    async function run(prompt: string, mode: PermissionMode, done: (m: { kind: string; parent_id: string | null; text: string }) => boolean) {
      const s = await t.caller.sessions.start({ projectId: project.id, provider: 'claude', prompt, permissionMode: mode })
      const seen: string[] = []
      await waitFor(
        `${mode}: the turn to end`,
        async () => {
          for (const a of await t.caller.sessions.approvals({ projectId: project.id })) {
            seen.push(a.toolName)
            await t.caller.sessions.answerApproval({ approvalId: a.id, decision: { behavior: 'allow', scope: 'once' } })
          }
          const cur = t.core.supervisor.getSession(s.id)
          return cur.status === 'idle' && t.core.store.messagesAfter(s.id, 0, 1000).some(done) ? cur : null
        },
        90_000
      )
      const msgs = t.core.store.messagesAfter(s.id, 0, 1000)
      await t.caller.sessions.stop({ id: s.id })
      return { seen, msgs }
    }
    for (const mode of ['default', 'acceptEdits', 'bypassPermissions'] as PermissionMode[]) {
      // The parent itself: the same file edit and command, no sub-agent.
      const parent = await run(
        `[[write:${sandbox.projectDir}/cpar-${mode}.txt|x]] [[then-bash:touch cparran-${mode}.txt]]`,
        mode,
        (m) => m.kind === 'assistant' && m.text.startsWith('DONE.')
      )
      expect(existsSync(join(sandbox.projectDir, `cparran-${mode}.txt`)), mode).toBe(true)
      // Claude Code 2.1.330 runs the sub-agent in the background ("Async agent launched"): the
      // parent's turn may end first; wait for the sub-agent's own last answer.
      const sub = await run(
        `delegate [[agent:please {{write:${sandbox.projectDir}/csub-${mode}.txt|from ${mode}}} {{then-bash:touch cran-${mode}.txt}}]]`,
        mode,
        (m) => m.kind === 'assistant' && m.parent_id !== null && m.text.startsWith('DONE.')
      )
      // The sub-agent's requests come first and match the parent's; when the background sub-agent
      // reports back, the fake model (re-reading the directive in that report) may make the parent
      // write again, asked by the same mode.
      expect(sub.seen.slice(0, parent.seen.length), mode).toEqual(parent.seen)
      expect(
        sub.seen.slice(parent.seen.length).every((tool) => parent.seen.includes(tool)),
        mode
      ).toBe(true)
      expect(existsSync(join(sandbox.projectDir, `csub-${mode}.txt`)), mode).toBe(true)
      expect(existsSync(join(sandbox.projectDir, `cran-${mode}.txt`)), mode).toBe(true)
      const task = sub.msgs.find((m) => m.kind === 'tool_call' && (m.tool_name === 'Task' || m.tool_name === 'Agent'))!
      expect(
        sub.msgs.filter((m) => m.parent_id === task.tool_use_id && m.kind === 'tool_call').map((m) => m.tool_name),
        mode
      ).toEqual(['Write', 'Bash'])
      if (mode === 'default') expect(parent.seen, mode).toEqual(['Write', 'Bash'])
      if (mode === 'bypassPermissions') expect(sub.seen, mode).toEqual([])
    }
  })
})
