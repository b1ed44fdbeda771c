/**
 * Questions and forms from the real Codex (issue 13): its request_user_input tool (enabled with the
 * `default_mode_request_user_input` feature) and an MCP server's elicitation form reach the user as
 * a question, and the answer goes back to the model. Codex (0.169+, still 0.171.0) defers MCP tools
 * behind its client-side `tool_search`: the fake model searches for the MCP tool first, then calls it;
 * Codex asks before the MCP tool runs (an approval card), then the server's form is a question.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { startFakeModelServer, type FakeModelServer } from '../support/fake-model-server.mjs'
import { codexBinaryPath, makeCodexSandbox, type CodexSandbox } from '../support/codex-sandbox'
import { idleWith, providerCore, storedMessages } from '../support/provider-core'
import { waitFor, waitForStatus } from '../support/live'
import { CodexProvider } from '../../src-main/providers/codex/provider'
import { fileURLToPath } from 'node:url'

const MCP_SERVER = fileURLToPath(new URL('../support/elicit-mcp-server.mjs', import.meta.url))

export const ASK_COLOUR = {
  questions: [
    {
      id: 'colour',
      header: 'Colour',
      question: 'Which colour should the button be?',
      options: [
        { label: 'Red', description: 'warm' },
        { label: 'Blue', description: 'cool' }
      ]
    }
  ]
}

let server: FakeModelServer
let sandbox: CodexSandbox
let cleanups: (() => unknown)[] = []

beforeAll(async () => {
  server = await startFakeModelServer()
  sandbox = makeCodexSandbox(server.url)
  // request_user_input outside Plan mode and the request_permissions tool (under-development features of 0.169).
  const file = join(sandbox.codexHome, 'config.toml')
  const config = readFileSync(file, 'utf8').replace('[features]\n', '[features]\ndefault_mode_request_user_input = true\nrequest_permissions_tool = true\n')
  // The test MCP server whose `ask_form` tool sends an elicitation form.
  const mcp = `\n[mcp_servers.elicit]\ncommand = ${JSON.stringify(process.execPath)}\nargs = [${JSON.stringify(MCP_SERVER)}]\n`
  writeFileSync(file, config + mcp)
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
    provider: new CodexProvider(),
    id: 'codex',
    cliPath: codexBinaryPath(),
    hostEnv: sandbox.env,
    projectDir: sandbox.projectDir,
    cleanups
  })
}
const texts = storedMessages

describe('Codex questions and forms (real `codex app-server`)', () => {
  it('request_user_input: a choice question waits as "needs input", a wrong value is refused, the answer reaches the model', async () => {
    const c = await core()
    const s = await c.caller.sessions.start({ projectId: c.project.id, provider: 'codex', prompt: `[[call:request_user_input|${JSON.stringify(ASK_COLOUR)}]]` })
    const q = await waitFor('a question', async () => (await c.caller.questions.pending({ projectId: c.project.id }))[0])
    expect(q.title).toBe('Codex asks')
    expect(q.fields).toHaveLength(1)
    expect(q.fields[0]).toMatchObject({ id: 'colour', label: 'Colour', type: 'enum', required: true, description: 'Which colour should the button be?' })
    expect(q.fields[0]!.options.map((o) => o.value)).toEqual(['Red', 'Blue'])
    const waiting = await waitForStatus(c.core, s.id, ['waiting_approval'])
    expect(waiting.statusReason?.code).toBe('needs_input')
    // Codex marks its questions "isOther": free text is accepted, but an empty or unknown field is not.
    await expect(c.caller.questions.answer({ questionId: q.id, answer: { action: 'accept', values: { colour: '' } } })).rejects.toThrow(/Colour/)
    await expect(c.caller.questions.answer({ questionId: q.id, answer: { action: 'accept', values: { colour: 'Blue', other: 'x' } } })).rejects.toThrow(/form/)
    await expect(c.caller.questions.answer({ questionId: q.id, answer: { action: 'decline' } })).rejects.toThrow(/cannot be declined/)
    const answered = await c.caller.questions.answer({ questionId: q.id, answer: { action: 'accept', values: { colour: 'Blue' } } })
    expect(answered.status).toBe('answered')
    expect(answered.answer).toEqual({ colour: 'Blue' })
    await waitFor('the answer to reach the model', () => idleWith(c, s.id, 'DONE. Tool output was:'))
    const done = texts(c, s.id).find((m) => m.kind === 'assistant' && m.text.startsWith('DONE.'))
    expect(done?.text).toContain('Blue')
    await expect(c.caller.questions.answer({ questionId: q.id, answer: { action: 'accept', values: { colour: 'Red' } } })).rejects.toThrow(/already answered/)
    expect(await c.caller.questions.pending({})).toEqual([])
    expect(c.events.some((e) => e.type === 'agent.question' && e.question.id === q.id && e.question.status === 'pending')).toBe(true)
  }, 90_000)

  it('a permission escalation (request_permissions) is an approval card; allowing grants what was asked', async () => {
    const c = await core()
    const ask = { reason: 'fetch the docs', permissions: { network: { enabled: true } } }
    const s = await c.caller.sessions.start({ projectId: c.project.id, provider: 'codex', prompt: `[[call:request_permissions|${JSON.stringify(ask)}]]` })
    const a = await waitFor('an approval', async () => (await c.caller.sessions.approvals({ projectId: c.project.id }))[0])
    expect(a.toolName).toBe('Permissions')
    expect(a.description).toBe('fetch the docs')
    expect(JSON.parse(a.input)).toMatchObject({ network: { enabled: true } })
    expect(a.sessionScope).toMatch(/rest of this session/)
    expect((await waitForStatus(c.core, s.id, ['waiting_approval'])).statusReason?.code).toBe('needs_approval')
    await c.caller.sessions.answerApproval({ approvalId: a.id, decision: { behavior: 'allow', scope: 'once' } })
    await waitFor('the grant to reach the model', () => idleWith(c, s.id, 'DONE. Tool output was:'), 60_000)
    const done = texts(c, s.id).find((m) => m.kind === 'assistant' && m.text.startsWith('DONE.'))
    // What Codex tells the model it was granted: what was asked, for this turn ("Allow once").
    expect(done?.text).toContain('"network":{"enabled":true}')
    expect(done?.text).toContain('"scope":"turn"')
  }, 90_000)

  it('an MCP server form: found through tool_search, the tool approved on its card, the form answered, the server gets the values', async () => {
    const c = await core()
    const s = await c.caller.sessions.start({ projectId: c.project.id, provider: 'codex', prompt: '[[call:ask_form|{}]]' })
    // Codex asks before an MCP tool runs: an approval card, not an empty form.
    const a = await waitFor('the MCP tool approval', async () => (await c.caller.sessions.approvals({ projectId: c.project.id }))[0], 60_000)
    expect(a.toolName).toBe('elicit.ask_form')
    expect(a.description).toMatch(/Allow the elicit MCP server to run tool "ask_form"/)
    expect(await c.caller.questions.pending({})).toEqual([])
    await c.caller.sessions.answerApproval({ approvalId: a.id, decision: { behavior: 'allow', scope: 'once' } })
    const q = await waitFor('the MCP form', async () => (await c.caller.questions.pending({ projectId: c.project.id }))[0], 60_000)
    expect(q.title).toBe('MCP server elicit asks')
    // Codex re-serializes the schema with its properties sorted by name (the server's order is lost).
    expect(q.fields.map((f) => `${f.id}:${f.type}:${f.required}`)).toEqual([
      'count:integer:false',
      'name:string:true',
      'size:enum:true',
      'urgent:boolean:false'
    ])
    expect((await waitForStatus(c.core, s.id, ['waiting_approval'])).statusReason?.code).toBe('needs_input')
    await expect(
      c.caller.questions.answer({ questionId: q.id, answer: { action: 'accept', values: { name: 'Ada', count: 11, size: 'large' } } })
    ).rejects.toThrow(/Count/)
    await c.caller.questions.answer({ questionId: q.id, answer: { action: 'accept', values: { name: 'Ada', count: 3, size: 'large' } } })
    await waitFor('the form result to reach the model', () => idleWith(c, s.id, 'FORM accept'), 60_000)
    const done = texts(c, s.id).find((m) => m.kind === 'assistant' && m.text.includes('FORM accept'))
    expect(done?.text).toContain('"name":"Ada"')
    expect(done?.text).toContain('"size":"large"')
  }, 120_000)

  it('an MCP server form declined: the server is told "decline"', async () => {
    const c = await core()
    const s = await c.caller.sessions.start({ projectId: c.project.id, provider: 'codex', prompt: '[[call:ask_form|{}]]' })
    const a = await waitFor('the MCP tool approval', async () => (await c.caller.sessions.approvals({ projectId: c.project.id }))[0], 60_000)
    await c.caller.sessions.answerApproval({ approvalId: a.id, decision: { behavior: 'allow', scope: 'once' } })
    const q = await waitFor('the MCP form', async () => (await c.caller.questions.pending({ projectId: c.project.id }))[0], 60_000)
    await c.caller.questions.answer({ questionId: q.id, answer: { action: 'decline' } })
    await waitFor('the decline to reach the model', () => idleWith(c, s.id, 'FORM decline'), 60_000)
  }, 120_000)

  it('"Allow for this session" on the MCP tool approval: the next call of that tool does not ask again', async () => {
    const c = await core()
    const s = await c.caller.sessions.start({ projectId: c.project.id, provider: 'codex', prompt: '[[call:ask_form|{}]]' })
    const a = await waitFor('the MCP tool approval', async () => (await c.caller.sessions.approvals({ projectId: c.project.id }))[0], 60_000)
    expect(a.sessionScope).toMatch(/rest of this session/)
    await c.caller.sessions.answerApproval({ approvalId: a.id, decision: { behavior: 'allow', scope: 'session' } })
    const q = await waitFor('the MCP form', async () => (await c.caller.questions.pending({ projectId: c.project.id }))[0], 60_000)
    await c.caller.questions.answer({ questionId: q.id, answer: { action: 'decline' } })
    await waitFor('the first call to end', () => idleWith(c, s.id, 'FORM decline'), 60_000)
    await c.caller.sessions.send({ id: s.id, prompt: '[[call:ask_form|{}]]' })
    const q2 = await waitFor('the second form', async () => (await c.caller.questions.pending({ projectId: c.project.id }))[0], 60_000)
    expect(q2.id).not.toBe(q.id)
    expect(await c.caller.sessions.approvals({ projectId: c.project.id })).toEqual([])
    await c.caller.questions.answer({ questionId: q2.id, answer: { action: 'decline' } })
  }, 120_000)
})
