/**
 * Issue 11 #11: Esc while Codex runs a command (real `codex app-server`, pinned, fake model server).
 * The late update of the interrupted command belongs to its original call (never a second tool call
 * under the next prompt), and the interrupt leaves no command running.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { startFakeModelServer, type FakeModelServer } from '../support/fake-model-server.mjs'
import { codexBinaryPath, makeCodexSandbox, type CodexSandbox } from '../support/codex-sandbox'
import { testCore } from '../support/core'
import { waitFor, waitForStatus } from '../support/live'
import { CodexProvider } from '../../src-main/providers/codex/provider'
import { COMMAND_STILL_RUNNING } from '../../src-main/providers/codex/handle'

let server: FakeModelServer
let sandbox: CodexSandbox
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

async function core() {
  const t = testCore({ providers: [new CodexProvider()], hostEnv: sandbox.env })
  cleanups.push(t.cleanup)
  const s = await t.caller.settings.get()
  await t.caller.settings.update({ defaultProvider: 'codex', providers: { ...s.providers, codex: { ...s.providers.codex, cliPath: codexBinaryPath() } } })
  const project = (await t.caller.projects.list())[0] ?? (await t.caller.projects.add({ path: sandbox.projectDir }))
  return { ...t, project }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

describe('Codex: Esc during a command', () => {
  it('the interrupted command is ended, and its late report belongs to the original call', async () => {
    const c = await core()
    const marker = join(sandbox.projectDir, 'late-marker.txt')
    const s = await c.caller.sessions.start({
      projectId: c.project.id,
      provider: 'codex',
      permissionMode: 'bypassPermissions',
      prompt: `[[bash:sleep 6 && echo late > ${marker}]]`
    })
    const rows = () => c.core.store.messagesAfter(s.id, 0, 1000)
    const call = await waitFor('the command to start', () => rows().find((m) => m.kind === 'tool_call'), 60_000)
    await sleep(500)
    await c.caller.sessions.interrupt({ id: s.id })
    await waitForStatus(c.core, s.id, ['idle'], 15_000)
    await c.caller.sessions.send({ id: s.id, prompt: '[[text:next prompt]]' })
    await waitFor('the next turn', () => rows().some((m) => m.kind === 'assistant' && m.text.includes('next prompt')), 60_000)
    // Long enough for the command to have finished had it been left running.
    await sleep(9000)
    const all = rows()
    expect(all.filter((m) => m.kind === 'tool_call' && m.tool_use_id === call.tool_use_id)).toHaveLength(1)
    // Codex 0.171.0 ends it through `thread/backgroundTerminals/terminate`: it never wrote its file.
    expect(existsSync(marker)).toBe(false)
    expect(all.some((m) => m.text === COMMAND_STILL_RUNNING)).toBe(false)
    // Its late report is a result of the original call, not a new call.
    const results = all.filter((m) => m.kind === 'tool_result' && m.tool_use_id === call.tool_use_id)
    expect(results.map((m) => m.text)).toEqual(['(did not finish: the turn ended)', expect.stringMatching(/^\(ended after its turn\) exit code (-1|137)$/)])
  }, 180_000)
})
