/**
 * Claude Code's AskUserQuestion tool through the real CLI (issue 13): the CLI sends it to Shepherd
 * as a permission prompt; Shepherd shows a question card (not an approval), and the answer goes
 * back as the tool's `answers` (keyed by question text), which the CLI hands to the model.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startFakeModelServer, type FakeModelServer } from '../support/fake-model-server.mjs'
import { claudeBinaryPath, makeAgentSandbox, type AgentSandbox } from '../support/agents'
import { idleWith, providerCore, storedMessages } from '../support/provider-core'
import { waitFor, waitForStatus } from '../support/live'
import { ClaudeProvider } from '../../src-main/providers/claude/provider'

let server: FakeModelServer
let sandbox: AgentSandbox
let cleanups: (() => unknown)[] = []

beforeAll(async () => {
  server = await startFakeModelServer()
  sandbox = makeAgentSandbox(server.url)
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
const texts = storedMessages

const ASK = {
  questions: [
    {
      question: 'Which colour should the button be?',
      header: 'Colour',
      multiSelect: false,
      options: [
        { label: 'Red', description: 'warm' },
        { label: 'Blue', description: 'cool' }
      ]
    }
  ]
}
const ask = `[[call:AskUserQuestion|${JSON.stringify(ASK)}]]`

describe('Claude Code AskUserQuestion (real CLI)', () => {
  it('is a question card, not an approval; the chosen label reaches the model', async () => {
    const c = await core()
    const s = await c.caller.sessions.start({ projectId: c.project.id, prompt: ask })
    const q = await waitFor('a question', async () => (await c.caller.questions.pending({ projectId: c.project.id }))[0], 60_000)
    expect(await c.caller.sessions.approvals({ projectId: c.project.id })).toEqual([])
    expect(q.title).toBe('Claude asks')
    expect(q.fields).toHaveLength(1)
    expect(q.fields[0]).toMatchObject({ id: 'q1', label: 'Colour', type: 'enum', allowOther: true, description: 'Which colour should the button be?' })
    expect(q.fields[0]!.options.map((o) => o.value)).toEqual(['Red', 'Blue'])
    expect((await waitForStatus(c.core, s.id, ['waiting_approval'])).statusReason?.code).toBe('needs_input')
    await c.caller.questions.answer({ questionId: q.id, answer: { action: 'accept', values: { q1: 'Blue' } } })
    await waitFor('the answer to reach the model', () => idleWith(c, s.id, 'DONE. Tool output was:'), 60_000)
    const done = texts(c, s.id).find((m) => m.kind === 'assistant' && m.text.startsWith('DONE.'))
    expect(done?.text).toContain('Blue')
  }, 120_000)

  it('declined: the model is told the user declined; an interrupt cancels the next one', async () => {
    const c = await core()
    const s = await c.caller.sessions.start({ projectId: c.project.id, prompt: ask })
    const q = await waitFor('a question', async () => (await c.caller.questions.pending({ projectId: c.project.id }))[0], 60_000)
    await c.caller.questions.answer({ questionId: q.id, answer: { action: 'decline' } })
    await waitFor('the decline to reach the model', () => idleWith(c, s.id, 'declined to answer'), 60_000)
    await c.caller.sessions.send({ id: s.id, prompt: ask })
    const q2 = await waitFor('a second question', async () => (await c.caller.questions.pending({ projectId: c.project.id }))[0], 60_000)
    await c.caller.sessions.interrupt({ id: s.id })
    await waitFor('the question to be cancelled', async () => (await c.caller.questions.pending({})).length === 0 || null, 60_000)
    expect(c.core.store.getQuestion(q2.id)?.status).toBe('cancelled')
    await waitForStatus(c.core, s.id, ['idle'], 60_000)
  }, 180_000)

  it('a multiSelect question is a group of checkboxes; every label ticked reaches the model', async () => {
    const c = await core()
    const multi = { questions: [{ ...ASK.questions[0], question: 'Which colours may the button have?', multiSelect: true }] }
    const s = await c.caller.sessions.start({ projectId: c.project.id, prompt: `[[call:AskUserQuestion|${JSON.stringify(multi)}]]` })
    const q = await waitFor('a question', async () => (await c.caller.questions.pending({ projectId: c.project.id }))[0], 60_000)
    expect(q.fields[0]).toMatchObject({ type: 'multi', allowOther: true })
    await c.caller.questions.answer({ questionId: q.id, answer: { action: 'accept', values: { q1: ['Red', 'Blue'] } } })
    await waitFor('the answer to reach the model', () => idleWith(c, s.id, 'DONE. Tool output was:'), 60_000)
    const done = texts(c, s.id).find((m) => m.kind === 'assistant' && m.text.startsWith('DONE.'))
    expect(done?.text).toMatch(/Red.*Blue/)
  }, 120_000)
})
