/**
 * Permission modes bind sub-agents, ACP (`opencode acp` 1.18.33, the pinned real CLI, offline): a
 * sub-agent that writes a file and runs a command asks exactly when its parent would. Over ACP the
 * agent applies its own rules to both (its "build" mode asks for neither with the default config), so
 * Shepherd sees the same requests — none — for the parent and for the sub-agent. ACP does not stream
 * a sub-agent's own messages: only the `task` call and its result are shown.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { startFakeModelServer, type FakeModelServer } from '../support/fake-model-server.mjs'
import { makeAcpSandbox, opencodeAcpBinary, type AcpSandbox } from '../support/acp-sandbox'
import { testCore } from '../support/core'
import { waitFor } from '../support/live'
import { AcpProvider } from '../../src-main/providers/acp/provider'

let server: FakeModelServer
let sandbox: AcpSandbox
const cleanups: (() => unknown)[] = []
beforeAll(async () => {
  server = await startFakeModelServer()
  sandbox = makeAcpSandbox(server.url)
})
afterAll(async () => {
  for (const c of cleanups.reverse()) await c()
  sandbox?.cleanup()
  await server?.close()
})

describe('ACP sub-agents follow the agent’s permission rules like their parent (opencode acp)', { timeout: 240_000 }, () => {
  it('the parent and its sub-agent ask for the same things in the default mode', async () => {
    let readCommand: () => readonly string[] | undefined = () => undefined
    const provider = new AcpProvider({ command: () => readCommand() })
    const t = testCore({ providers: [provider], hostEnv: sandbox.env })
    cleanups.push(t.cleanup)
    const settings = t.core.createContext().settings
    readCommand = () => settings.get().providers.acp.command
    const s0 = await t.caller.settings.get()
    await t.caller.settings.update({
      defaultProvider: 'acp',
      providers: { ...s0.providers, acp: { ...s0.providers.acp, command: `'${opencodeAcpBinary()}' acp` } }
    })
    const project = await t.caller.projects.add({ path: sandbox.projectDir })
    const run = async (prompt: string) => {
      const s = await t.caller.sessions.start({ projectId: project.id, provider: 'acp', prompt, permissionMode: 'default' })
      const seen: string[] = []
      await waitFor(
        'the turn to end',
        async () => {
          for (const a of await t.caller.sessions.approvals({ projectId: project.id })) {
            seen.push(a.toolName)
            await t.caller.sessions.answerApproval({ approvalId: a.id, decision: { behavior: 'allow', scope: 'once' } })
          }
          const msgs = t.core.store.messagesAfter(s.id, 0, 1000)
          return t.core.supervisor.getSession(s.id).status === 'idle' && msgs.some((m) => m.kind === 'assistant' && m.text.startsWith('DONE.'))
        },
        120_000
      )
      const msgs = t.core.store.messagesAfter(s.id, 0, 1000)
      await t.caller.sessions.stop({ id: s.id })
      return { seen, msgs }
    }
    const parent = await run('[[write:apar.txt|x]] [[then-bash:touch aparran.txt]]')
    const sub = await run('delegate [[agent:please {{write:asub.txt|x}} {{then-bash:touch asubran.txt}}]]')
    expect(sub.seen).toEqual(parent.seen)
    for (const f of ['apar.txt', 'aparran.txt', 'asub.txt', 'asubran.txt']) expect(existsSync(join(sandbox.projectDir, f)), f).toBe(true)
    expect(sub.msgs.some((m) => m.kind === 'tool_call' && m.tool_name === 'task')).toBe(true)
  })
})
