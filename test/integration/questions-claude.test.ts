/**
 * An MCP server's elicitation form through the real Claude Code (issue 13): the CLI forwards the
 * server's `elicitation/create` as an `elicitation` control request; Shepherd shows it as a form, the
 * user's values go back, and the MCP tool's result (quoting them) reaches the model. A URL-mode
 * elicitation is declined with an error row in the transcript.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { startFakeModelServer, type FakeModelServer } from '../support/fake-model-server.mjs'
import { claudeBinaryPath, makeAgentSandbox, type AgentSandbox } from '../support/agents'
import { idleWith, providerCore, storedMessages } from '../support/provider-core'
import { waitFor, waitForStatus } from '../support/live'
import { ClaudeProvider } from '../../src-main/providers/claude/provider'

const MCP_SERVER = fileURLToPath(new URL('../support/elicit-mcp-server.mjs', import.meta.url))

let server: FakeModelServer
let sandbox: AgentSandbox
let cleanups: (() => unknown)[] = []

beforeAll(async () => {
  server = await startFakeModelServer()
  sandbox = makeAgentSandbox(server.url)
  // A user-scope MCP server (no project trust prompt), in the CLI's own config file.
  writeFileSync(
    join(sandbox.configDir, '.claude.json'),
    JSON.stringify({ hasCompletedOnboarding: true, mcpServers: { elicit: { type: 'stdio', command: process.execPath, args: [MCP_SERVER] } } })
  )
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
    provider: new ClaudeProvider(),
    id: 'claude',
    cliPath: claudeBinaryPath(),
    hostEnv: sandbox.env,
    projectDir: sandbox.projectDir,
    cleanups
  })
}
type C = Awaited<ReturnType<typeof core>>
const texts = storedMessages
/** The MCP tool call may ask for approval first (the CLI's own rules): allow whatever asks. */
async function allowAll(c: C) {
  for (const a of await c.caller.sessions.approvals({ projectId: c.project.id })) {
    await c.caller.sessions.answerApproval({ approvalId: a.id, decision: { behavior: 'allow', scope: 'once' } }).catch(() => {})
  }
}
const pendingForm = (c: C) =>
  waitFor(
    'a form',
    async () => {
      await allowAll(c)
      return (await c.caller.questions.pending({ projectId: c.project.id }))[0]
    },
    60_000
  )

describe('Claude Code MCP elicitation forms (real CLI)', () => {
  it('a form from an MCP server: fields from its schema, "needs input", values checked, the server gets them', async () => {
    const c = await core()
    const s = await c.caller.sessions.start({ projectId: c.project.id, prompt: '[[call:mcp__elicit__ask_form|{}]]' })
    const q = await pendingForm(c)
    expect(q.title).toBe('MCP server elicit asks')
    expect(q.message).toContain('Tell the test server about your order')
    expect(q.canDecline).toBe(true)
    expect(q.fields.map((f) => `${f.id}:${f.type}:${f.required}`)).toEqual([
      'name:string:true',
      'count:integer:false',
      'urgent:boolean:false',
      'size:enum:true'
    ])
    expect(q.fields[3]!.options.map((o) => o.label)).toEqual(['Small', 'Large'])
    expect((await waitForStatus(c.core, s.id, ['waiting_approval'])).statusReason?.code).toBe('needs_input')
    await expect(c.caller.questions.answer({ questionId: q.id, answer: { action: 'accept', values: { name: 'Ada', size: 'huge' } } })).rejects.toThrow(/Size/)
    await expect(c.caller.questions.answer({ questionId: q.id, answer: { action: 'accept', values: { size: 'large' } } })).rejects.toThrow(/Name/)
    await c.caller.questions.answer({ questionId: q.id, answer: { action: 'accept', values: { name: 'Ada', count: 3, urgent: true, size: 'large' } } })
    await waitFor('the form result to reach the model', () => idleWith(c, s.id, 'FORM accept'), 60_000)
    const done = texts(c, s.id).find((m) => m.kind === 'assistant' && m.text.includes('FORM accept'))
    expect(done?.text).toContain('"name":"Ada"')
    expect(done?.text).toContain('"size":"large"')
  }, 120_000)

  it('declining the form tells the server "decline"', async () => {
    const c = await core()
    const s = await c.caller.sessions.start({ projectId: c.project.id, prompt: '[[call:mcp__elicit__ask_form|{}]]' })
    const q = await pendingForm(c)
    const declined = await c.caller.questions.answer({ questionId: q.id, answer: { action: 'decline' } })
    expect(declined.status).toBe('declined')
    await waitFor('the decline to reach the model', () => idleWith(c, s.id, 'FORM decline'), 60_000)
  }, 120_000)

  it('a URL elicitation (unsupported) is declined with an error row, not silently', async () => {
    const c = await core()
    const s = await c.caller.sessions.start({ projectId: c.project.id, prompt: '[[call:mcp__elicit__ask_url|{}]]' })
    await waitFor(
      'the decline to reach the model',
      async () => {
        await allowAll(c)
        return idleWith(c, s.id, 'FORM decline')
      },
      60_000
    )
    const err = texts(c, s.id).find((m) => m.kind === 'error')
    expect(err?.text).toMatch(/elicit.*https:\/\/example\.invalid\/sign-in.*does not support/)
    expect(await c.caller.questions.pending({})).toEqual([])
  }, 120_000)
})
