/**
 * OpenCode 2.1.2's `question` tool over `opencode acp` (issue 13), real pinned binary through the
 * supervisor: OpenCode turns the question into an ACP form (`elicitation/create`, because Shepherd
 * advertises `elicitation.form`), Shepherd shows it as a question and the answer reaches the model.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startFakeModelServer, type FakeModelServer } from '../support/fake-model-server.mjs'
import { makeOpenCodeSandbox, type OpenCodeSandbox } from '../support/opencode-sandbox'
import { opencode2BinaryPath } from '../support/opencode2-sandbox'
import { idleWith, providerCore, storedMessages } from '../support/provider-core'
import { waitFor, waitForStatus } from '../support/live'
import { OpenCodeProvider } from '../../src-main/providers/opencode/provider'

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
    cliPath: opencode2BinaryPath(),
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
      options: [
        { label: 'Red', description: 'warm' },
        { label: 'Blue', description: 'cool' }
      ]
    }
  ]
}
const ask = `[[call:question|${JSON.stringify(ASK)}]]`

describe('OpenCode 2.1.2 question tool (real `opencode acp`)', () => {
  it('the question arrives as an ACP form and waits as "needs input"; the choice reaches the model', async () => {
    const c = await core()
    const s = await c.caller.sessions.start({ projectId: c.project.id, provider: 'opencode', prompt: ask })
    const q = await waitFor('a question', async () => (await c.caller.questions.pending({ projectId: c.project.id }))[0], 90_000)
    expect(q.title).toBe('OpenCode asks')
    // OpenCode's "Colour" + "Colour (other)" pair is one choice with free text.
    expect(q.fields).toHaveLength(1)
    expect(q.fields[0]).toMatchObject({ id: 'q0', label: 'Colour', type: 'enum', allowOther: true, description: 'Which colour should the button be?' })
    expect(q.fields[0]!.options.map((o) => o.value)).toEqual(['Red', 'Blue'])
    expect((await waitForStatus(c.core, s.id, ['waiting_approval'])).statusReason?.code).toBe('needs_input')
    // Free text (none of the choices) goes back as OpenCode's `q0_custom`.
    await c.caller.questions.answer({ questionId: q.id, answer: { action: 'accept', values: { q0: 'Teal' } } })
    await waitFor('the answer to reach the model', () => idleWith(c, s.id, 'DONE. Tool output was:'), 90_000)
    const done = texts(c, s.id).find((m) => m.kind === 'assistant' && m.text.startsWith('DONE.'))
    expect(done?.text).toContain('Teal')
    expect(await c.caller.questions.pending({})).toEqual([])
  }, 180_000)

  it('an interrupt cancels the form and the turn ends', async () => {
    const c = await core()
    const s = await c.caller.sessions.start({ projectId: c.project.id, provider: 'opencode', prompt: ask })
    const q = await waitFor('a question', async () => (await c.caller.questions.pending({ projectId: c.project.id }))[0], 90_000)
    await c.caller.sessions.interrupt({ id: s.id })
    await waitFor('the question to be cancelled', async () => (await c.caller.questions.pending({})).length === 0 || null, 60_000)
    expect(c.core.store.getQuestion(q.id)?.status).toBe('cancelled')
    expect((await waitForStatus(c.core, s.id, ['idle'], 60_000)).statusReason?.code).toBe('turn_interrupted')
  }, 180_000)

  it('a question OpenCode will not send as a form (secret-looking words) is an error row, and the turn goes on', async () => {
    const c = await core()
    const secret = { questions: [{ ...ASK.questions[0], question: 'Which API key should I use?', header: 'API key' }] }
    const s = await c.caller.sessions.start({ projectId: c.project.id, provider: 'opencode', prompt: `[[call:question|${JSON.stringify(secret)}]]` })
    await waitFor('the turn to end', () => idleWith(c, s.id, 'DONE. Tool output was:'), 90_000)
    expect(await c.caller.questions.pending({})).toEqual([])
    const row = texts(c, s.id).find((m) => m.kind === 'error' && m.text.includes('could not send to Shepherd as a form'))
    expect(row).toBeDefined()
  }, 180_000)

  it('a declined form: OpenCode cancels the question and ends the turn', async () => {
    const c = await core()
    const s = await c.caller.sessions.start({ projectId: c.project.id, provider: 'opencode', prompt: ask })
    const q = await waitFor('a question', async () => (await c.caller.questions.pending({ projectId: c.project.id }))[0], 90_000)
    const declined = await c.caller.questions.answer({ questionId: q.id, answer: { action: 'decline' } })
    expect(declined.status).toBe('declined')
    const ended = await waitForStatus(c.core, s.id, ['idle', 'error'], 90_000)
    expect(ended.status).toBe('idle')
    // OpenCode tells the model the user dismissed it, then interrupts the session itself.
    expect(texts(c, s.id).some((m) => m.kind === 'tool_result' && m.text.includes('dismissed'))).toBe(true)
    expect(await c.caller.questions.pending({})).toEqual([])
  }, 180_000)

  it('a multi-select question: checkboxes plus free text; the choices and the text reach the model', async () => {
    const c = await core()
    const multi = { questions: [{ ...ASK.questions[0], question: 'Which colours may the button have?', multiple: true }] }
    const s = await c.caller.sessions.start({ projectId: c.project.id, provider: 'opencode', prompt: `[[call:question|${JSON.stringify(multi)}]]` })
    const q = await waitFor('a question', async () => (await c.caller.questions.pending({ projectId: c.project.id }))[0], 90_000)
    expect(q.fields).toHaveLength(1)
    expect(q.fields[0]).toMatchObject({ id: 'q0', type: 'multi', allowOther: true })
    await c.caller.questions.answer({ questionId: q.id, answer: { action: 'accept', values: { q0: ['Red', 'Teal'] } } })
    await waitFor('the answer to reach the model', () => idleWith(c, s.id, 'DONE. Tool output was:'), 90_000)
    const done = texts(c, s.id).find((m) => m.kind === 'assistant' && m.text.startsWith('DONE.'))
    expect(done?.text).toContain('Red')
    expect(done?.text).toContain('Teal')
  }, 180_000)
})
