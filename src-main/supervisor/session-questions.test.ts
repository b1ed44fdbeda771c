/**
 * Questions and forms in the session model (issue 13): stored before they are pushed (checked against
 * a second SQLite connection), the session "needs input" while one is pending, the answer is checked
 * against the fields and handed to the agent once, the turn's end cancels what is left, and a pending
 * question is still there for a reloaded renderer (the API reads the database).
 */
import { afterEach, describe, expect, it } from 'vitest'
import Database from 'better-sqlite3'
import { join } from 'node:path'
import { memoryCore } from '../../test/support/memory-core'
import { DB_FILE } from '../core'
import type { ShepherdEvent } from '../shared/events'
import { questionField } from '../shared/questions'

const cleanups: (() => unknown)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})
const tick = (ms = 60) => new Promise((r) => setTimeout(r, ms))

const ASK = {
  kind: 'question_request' as const,
  request: {
    requestId: 'rq-1',
    source: 'mcp' as const,
    title: 'MCP server docs asks',
    message: 'Details?',
    fields: [questionField({ id: 'name', type: 'string', required: true }), questionField({ id: 'n', type: 'integer', minimum: 1 })],
    canDecline: true
  }
}

describe('Session: questions', () => {
  it('stored then pushed; "needs input"; the answer is checked, sent once, and the turn runs on', async () => {
    const t = await memoryCore(cleanups)
    const reader = new Database(join(t.dataDir, DB_FILE), { readonly: true, fileMustExist: true })
    cleanups.push(() => reader.close())
    const pushed: ShepherdEvent[] = []
    const problems: string[] = []
    const publish = t.core.hub.publish.bind(t.core.hub)
    t.core.hub.publish = (e) => {
      if (e.type === 'agent.question') {
        const row = reader.prepare('SELECT status FROM questions WHERE id = ?').get(e.question.id) as { status: string } | undefined
        if (row?.status !== e.question.status) problems.push(`pushed ${e.question.status}, committed ${row?.status}`)
        pushed.push(e)
      }
      publish(e)
    }
    const s = await t.caller.sessions.start({ projectId: t.project.id, prompt: 'x' })
    const h = t.provider.last
    h.emit({ kind: 'turn', state: 'running' }, ASK)
    await tick()
    const [q] = await t.caller.questions.pending({ projectId: t.project.id })
    expect(q).toMatchObject({ title: 'MCP server docs asks', status: 'pending', canDecline: true })
    expect(await t.caller.sessions.get({ id: s.id })).toMatchObject({ status: 'waiting_approval', statusReason: { code: 'needs_input' } })

    await expect(t.caller.questions.answer({ questionId: q!.id, answer: { action: 'accept', values: { n: 0 } } })).rejects.toMatchObject({
      code: 'BAD_REQUEST'
    })
    expect(h.questionAnswers).toEqual([])
    const [a, b] = await Promise.allSettled([
      t.caller.questions.answer({ questionId: q!.id, answer: { action: 'accept', values: { name: 'Ada', n: 2 } } }),
      t.caller.questions.answer({ questionId: q!.id, answer: { action: 'decline' } })
    ])
    expect([a.status, b.status].sort()).toEqual(['fulfilled', 'rejected'])
    expect(h.questionAnswers).toHaveLength(1)
    expect(await t.caller.sessions.get({ id: s.id })).toMatchObject({ status: 'running' })
    await tick()
    expect(pushed.map((e) => (e.type === 'agent.question' ? e.question.status : ''))).toEqual([
      'pending',
      h.questionAnswers[0]!.answer.action === 'accept' ? 'answered' : 'declined'
    ])
    expect(problems).toEqual([])
  })

  it('the turn ending cancels a question left open; the agent withdrawing one cancels it too', async () => {
    const t = await memoryCore(cleanups)
    const s = await t.caller.sessions.start({ projectId: t.project.id, prompt: 'x' })
    const h = t.provider.last
    h.emit({ kind: 'turn', state: 'running' }, ASK, { kind: 'question_request', request: { ...ASK.request, requestId: 'rq-2' } })
    await tick()
    expect(await t.caller.questions.pending({})).toHaveLength(2)
    h.emit({ kind: 'question_cancelled', requestId: 'rq-2' })
    await tick()
    expect((await t.caller.questions.pending({})).map((q) => q.title)).toHaveLength(1)
    expect((await t.caller.sessions.get({ id: s.id })).status).toBe('waiting_approval')
    h.emit({ kind: 'turn', state: 'idle' })
    await tick()
    expect(await t.caller.questions.pending({})).toEqual([])
    expect((await t.caller.sessions.get({ id: s.id })).status).toBe('idle')
  })
})
