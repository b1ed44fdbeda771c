/**
 * OpenCode 1.18's own `question` tool (issue 13) through the real `opencode serve` (pinned) and the
 * supervisor: the fake model calls the tool, the question waits as "needs input", the user's choice
 * reaches the model as the tool's result; a decline dismisses it; an interrupt cancels it (the turn
 * ends instead of hanging on a question nobody can see).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startFakeModelServer, type FakeModelServer } from '../support/fake-model-server.mjs'
import { makeOpenCodeSandbox, opencodeBinaryPath, type OpenCodeSandbox } from '../support/opencode-sandbox'
import { idleWith, providerCore, storedMessages } from '../support/provider-core'
import { waitFor, waitForStatus } from '../support/live'
import { OpenCodeProvider } from '../../src-main/providers/opencode/provider'

export const OPENCODE_ASK = {
  questions: [
    {
      question: 'Which colour should the button be?',
      header: 'Colour',
      options: [
        { label: 'Red', description: 'warm' },
        { label: 'Blue', description: 'cool' }
      ]
    },
    {
      question: 'Which sizes?',
      header: 'Size',
      multiple: true,
      options: [
        { label: 'Small', description: 'S' },
        { label: 'Large', description: 'L' }
      ]
    }
  ]
}

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
const texts = storedMessages
const ask = `[[call:question|${JSON.stringify(OPENCODE_ASK)}]]`

describe('OpenCode 1.18 question tool (real `opencode serve`)', () => {
  it('a question waits as "needs input"; the chosen labels reach the model', async () => {
    const c = await core()
    const s = await c.caller.sessions.start({ projectId: c.project.id, provider: 'opencode', prompt: ask })
    const q = await waitFor('a question', async () => (await c.caller.questions.pending({ projectId: c.project.id }))[0], 90_000)
    expect(q.title).toBe('OpenCode asks')
    expect(q.canDecline).toBe(true)
    expect(q.fields.map((f) => [f.id, f.label, f.type, f.allowOther])).toEqual([
      ['q1', 'Colour', 'enum', true],
      ['q2', 'Size', 'multi', true]
    ])
    expect(q.fields[0]!.description).toBe('Which colour should the button be?')
    expect(q.fields[0]!.options.map((o) => o.value)).toEqual(['Red', 'Blue'])
    expect((await waitForStatus(c.core, s.id, ['waiting_approval'])).statusReason?.code).toBe('needs_input')
    // Both questions must be answered (the tool's model-facing schema has no `custom`: free text is always allowed).
    await expect(c.caller.questions.answer({ questionId: q.id, answer: { action: 'accept', values: { q1: 'Blue' } } })).rejects.toThrow(/Size/)
    const answered = await c.caller.questions.answer({ questionId: q.id, answer: { action: 'accept', values: { q1: 'Teal', q2: ['Small', 'Large'] } } })
    expect(answered.status).toBe('answered')
    await waitFor('the answer to reach the model', () => idleWith(c, s.id, 'DONE. Tool output was:'), 90_000)
    const done = texts(c, s.id).find((m) => m.kind === 'assistant' && m.text.startsWith('DONE.'))
    expect(done?.text).toContain('Teal')
    // A multi-select answer goes back as all the labels ticked.
    expect(done?.text).toMatch(/Small.*Large/)
    expect(await c.caller.questions.pending({})).toEqual([])
  }, 180_000)

  it('a declined question is dismissed in OpenCode; an interrupt cancels the next one and the turn ends', async () => {
    const c = await core()
    const s = await c.caller.sessions.start({ projectId: c.project.id, provider: 'opencode', prompt: ask })
    const q = await waitFor('a question', async () => (await c.caller.questions.pending({ projectId: c.project.id }))[0], 90_000)
    const declined = await c.caller.questions.answer({ questionId: q.id, answer: { action: 'decline' } })
    expect(declined.status).toBe('declined')
    const ended = await waitForStatus(c.core, s.id, ['idle', 'error'], 90_000)
    expect(ended.status).toBeDefined()
    expect(texts(c, s.id).some((m) => m.kind === 'tool_result' && /dismissed/i.test(m.text))).toBe(true)

    await c.caller.sessions.send({ id: s.id, prompt: ask })
    const q2 = await waitFor('a second question', async () => (await c.caller.questions.pending({ projectId: c.project.id }))[0], 90_000)
    expect(q2.id).not.toBe(q.id)
    await c.caller.sessions.interrupt({ id: s.id })
    await waitFor('the question to be cancelled', async () => (await c.caller.questions.pending({})).length === 0 || null, 60_000)
    expect(c.core.store.getQuestion(q2.id)?.status).toBe('cancelled')
    const after = await waitForStatus(c.core, s.id, ['idle'], 60_000)
    expect(after.statusReason?.code).toBe('turn_interrupted')
    await expect(c.caller.questions.answer({ questionId: q2.id, answer: { action: 'decline' } })).rejects.toThrow(/already cancelled/)
  }, 240_000)
})
