/**
 * ACP `elicitation/create` through the supervisor (issue 13): an ACP agent built on the official
 * `@agentclientprotocol/sdk` (test/support/elicit-acp-agent.mjs; `opencode acp` 1.18 never sends
 * elicitations) asks for a form; Shepherd advertises form support, shows it as a question, checks
 * the values and sends them back. A URL elicitation and an unknown client method are refused with an
 * error row in the transcript.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { fileURLToPath } from 'node:url'
import { makeAcpSandbox, type AcpSandbox } from '../support/acp-sandbox'
import { startFakeModelServer, type FakeModelServer } from '../support/fake-model-server.mjs'
import { testCore } from '../support/core'
import { waitFor, waitForStatus } from '../support/live'
import { AcpProvider } from '../../src-main/providers/acp/provider'

const AGENT = fileURLToPath(new URL('../support/elicit-acp-agent.mjs', import.meta.url))

let server: FakeModelServer
let sandbox: AcpSandbox
let cleanups: (() => unknown)[] = []

beforeAll(async () => {
  server = await startFakeModelServer()
  sandbox = makeAcpSandbox(server.url)
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
  const t = testCore({ providers: [new AcpProvider({ command: () => [process.execPath, AGENT] })], hostEnv: sandbox.env })
  cleanups.push(t.cleanup)
  const project = await t.caller.projects.add({ path: sandbox.projectDir })
  return { ...t, project }
}
type C = Awaited<ReturnType<typeof core>>
const texts = (c: C, id: string) => c.core.store.messagesAfter(id, 0, 1000)
const idleWith = (c: C, id: string, text: string) => {
  const cur = c.core.supervisor.getSession(id)
  return cur.status === 'idle' && texts(c, id).some((m) => m.kind === 'assistant' && m.text.includes(text)) ? cur : null
}
const pendingForm = (c: C) => waitFor('a form', async () => (await c.caller.questions.pending({ projectId: c.project.id }))[0])

describe('ACP elicitation forms (agent on the official SDK)', () => {
  it('a form: fields from its schema, "needs input", values checked, the agent gets them; then a decline', async () => {
    const c = await core()
    const s = await c.caller.sessions.start({ projectId: c.project.id, provider: 'acp', prompt: 'please [[form]]' })
    const q = await pendingForm(c)
    expect(q.title).toBe('Elicit test agent asks')
    expect(q.message).toBe('Tell the test agent about your order')
    expect(q.canDecline).toBe(true)
    expect(q.fields.map((f) => `${f.id}:${f.type}:${f.required}`)).toEqual([
      'name:string:true',
      'count:integer:false',
      'urgent:boolean:false',
      'size:enum:true'
    ])
    expect(q.fields[3]!.options).toEqual([
      { value: 'small', label: 'Small', description: null },
      { value: 'large', label: 'Large', description: null }
    ])
    expect((await waitForStatus(c.core, s.id, ['waiting_approval'])).statusReason?.code).toBe('needs_input')
    await expect(
      c.caller.questions.answer({ questionId: q.id, answer: { action: 'accept', values: { name: 'Ada', size: 'large', count: 1.5 } } })
    ).rejects.toThrow(/Count/)
    await c.caller.questions.answer({ questionId: q.id, answer: { action: 'accept', values: { name: 'Ada', count: 3, urgent: true, size: 'large' } } })
    await waitFor('the values to reach the agent', () => idleWith(c, s.id, 'FORM accept {"name":"Ada","count":3,"urgent":true,"size":"large"}'))

    await c.caller.sessions.send({ id: s.id, prompt: 'again [[form]]' })
    const q2 = await pendingForm(c)
    await c.caller.questions.answer({ questionId: q2.id, answer: { action: 'decline' } })
    await waitFor('the decline to reach the agent', () => idleWith(c, s.id, 'FORM decline'))
  })

  it('an unanswered form is cancelled when the turn is interrupted (the agent is told "cancel")', async () => {
    const c = await core()
    const s = await c.caller.sessions.start({ projectId: c.project.id, provider: 'acp', prompt: '[[form]]' })
    const q = await pendingForm(c)
    await c.caller.sessions.interrupt({ id: s.id })
    await waitFor('the question to be cancelled', async () => (await c.caller.questions.pending({})).length === 0 || null)
    expect(c.core.store.getQuestion(q.id)?.status).toBe('cancelled')
    await expect(c.caller.questions.answer({ questionId: q.id, answer: { action: 'decline' } })).rejects.toThrow(/already cancelled/)
  })

  it('a URL elicitation and an unknown request are refused with an error row, not silently', async () => {
    const c = await core()
    const s = await c.caller.sessions.start({ projectId: c.project.id, provider: 'acp', prompt: '[[url]]' })
    await waitFor('the decline to reach the agent', () => idleWith(c, s.id, 'FORM decline'))
    expect(texts(c, s.id).find((m) => m.kind === 'error')?.text).toMatch(/open https:\/\/example\.invalid\/sign-in.*does not support/)
    await c.caller.sessions.send({ id: s.id, prompt: '[[other]]' })
    await waitFor('the refusal to reach the agent', () => idleWith(c, s.id, 'OTHER error'))
    expect(
      texts(c, s.id)
        .filter((m) => m.kind === 'error')
        .at(-1)?.text
    ).toMatch(/_shepherd_test\/unknown.*refused/)
  })
})
