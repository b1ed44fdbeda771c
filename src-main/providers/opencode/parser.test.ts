import { describe, expect, it } from 'vitest'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { ProviderEvent, ProviderMessage } from '../types'
import { openCodeQuestionReply } from './questions'
import {
  INTERRUPTED_TEXT,
  beginTurn,
  createParseState,
  endSettledTurn,
  endTurnAfterIdle,
  eventSessionId,
  eventsFromMessages,
  parseOpenCodeEvent,
  turnActive,
  type OpenCodeParseState
} from './parser'

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures')

interface Line {
  t_ms: number
  dir: string
  msg: any
}
const load = (name: string): Line[] =>
  readFileSync(path.join(FIXTURES, name), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Line)

/**
 * Replays a recorded stream for one OpenCode session the way the handle drives the parser: a turn
 * begins with our user message (the recorded `messageID`, or for the reference recording without
 * one, the first new user message), an abort request sets `interruptRequested`, and an idle hint is
 * treated as confirmed by `GET /session/status`.
 */
function replay(name: string, sessionId: string): { events: ProviderEvent[]; state: OpenCodeParseState; idleChecks: number } {
  const lines = load(name)
  const promptIds = new Set<string>()
  for (const l of lines) {
    const body = l.dir === 'http' || l.dir === 'http-req' ? l.msg.body : null
    if (body && typeof body.messageID === 'string' && String(l.msg.path).includes(sessionId)) promptIds.add(body.messageID)
  }
  const state = createParseState(sessionId)
  const events: ProviderEvent[] = []
  const seenUsers = new Set<string>()
  let idleChecks = 0
  for (const l of lines) {
    if ((l.dir === 'http' || l.dir === 'http-req') && l.msg.path === `/session/${sessionId}/abort` && turnActive(state)) state.interruptRequested = true
    if (l.dir !== 'sse') continue
    const e = l.msg
    const info = e.properties?.info
    if (e.type === 'message.updated' && info?.role === 'user' && info.sessionID === sessionId && !seenUsers.has(info.id)) {
      seenUsers.add(info.id)
      const ours = promptIds.size > 0 ? promptIds.has(info.id) : true
      if (ours) {
        expect(turnActive(state), `turn before ${info.id} still open`).toBe(false)
        beginTurn(state, info.id)
      }
    }
    const parsed = parseOpenCodeEvent(e, state)
    events.push(...parsed.events)
    // The handle would first fetch the turn's messages (the recordings have every part already).
    if (parsed.settled) events.push(...endSettledTurn(state))
    if (parsed.checkIdle) {
      idleChecks++
      events.push(...endTurnAfterIdle(state))
    }
  }
  return { events, state, idleChecks }
}

const messages = (events: ProviderEvent[]): ProviderMessage[] => events.flatMap((e) => (e.kind === 'message' ? [e.message] : []))
const turns = (events: ProviderEvent[]) => events.flatMap((e) => (e.kind === 'turn' ? [e] : []))
const costs = (events: ProviderEvent[]) => events.flatMap((e) => (e.kind === 'usage' ? [e.usage] : []))
/** Compact transcript: one string per message / turn end / approval. */
function digest(events: ProviderEvent[]): string[] {
  return events.flatMap((e) => {
    if (e.kind === 'message') return [`${e.message.kind}${e.message.isError ? '!' : ''}: ${e.message.text.slice(0, 60)}`]
    if (e.kind === 'turn') return [`turn ${e.state}${e.reason?.message ? ` (${e.reason.message.slice(0, 40)})` : ''}`]
    if (e.kind === 'approval_request') return [`approval ${e.request.toolName} ${e.request.requestId}`]
    if (e.kind === 'approval_cancelled') return [`approval_cancelled ${e.requestId}`]
    return []
  })
}

describe('OpenCode SSE → events (reference recording)', () => {
  const { events, state } = replay('serve-session.jsonl', 'ses_df852fcf3ffeXcyVs9IIGejdj2')

  it('reads five turns: text, allowed bash, rejected bash, aborted slow stream, model 2', () => {
    expect(digest(events)).toEqual([
      'assistant: Hello from serve',
      'turn idle',
      'assistant: I will run a command.',
      'tool_call: bash: touch serve-allowed.txt',
      'approval bash per_207ad0975001GuJ5xHxvvi4eWP',
      'approval_cancelled per_207ad0975001GuJ5xHxvvi4eWP',
      'tool_result: (no output)',
      'assistant: DONE. Tool output was: (no output)',
      'turn idle',
      'assistant: I will run a command.',
      'approval bash per_207ad0af1001hT03B78DVXKxE4',
      'tool_call: bash: touch serve-rejected.txt',
      'approval_cancelled per_207ad0af1001hT03B78DVXKxE4',
      'tool_result!: The user rejected permission to use this specific tool call ',
      'assistant: DONE. Tool output was: The user rejected permission to use t',
      'turn idle',
      'assistant: tick0 tick1 tick2 tick3 tick4 ',
      `system: ${INTERRUPTED_TEXT}`,
      'turn idle',
      'assistant: from model 2',
      'turn idle'
    ])
    expect(turnActive(state)).toBe(false)
  })

  it('emits one message per completed part, never per delta', () => {
    const texts = messages(events)
      .filter((m) => m.kind === 'assistant')
      .map((m) => m.text)
    expect(texts.filter((t) => t.startsWith('DONE. Tool output was: The user rejected'))).toHaveLength(1)
  })

  it('maps the tool part: name, input, path, call id, output', () => {
    const call = messages(events).find((m) => m.kind === 'tool_call')!
    expect(call).toMatchObject({ toolName: 'bash', toolPath: 'touch serve-allowed.txt', toolUseId: 'call_fake000003' })
    expect(JSON.parse(call.toolInput!)).toEqual({ command: 'touch serve-allowed.txt', description: 'Run scripted command' })
    const result = messages(events).find((m) => m.kind === 'tool_result')!
    expect(result).toMatchObject({ toolUseId: 'call_fake000003', isError: false, text: '(no output)' })
  })

  it('reports usage once per step with the step cost as the delta', () => {
    const u = costs(events)
    // turn 1: 1 step, 2: 2, 3: 2, 4: aborted (no step-finish), 5: 1
    expect(u).toHaveLength(6)
    expect(u[0]).toMatchObject({
      costUsdDelta: 0,
      inputTokens: 2448,
      outputTokens: 7,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      contextTokens: 2448,
      costKnown: true
    })
  })

  it('describes the approval with what it would run and the scope of "always"', () => {
    const req = events.find((e) => e.kind === 'approval_request')
    expect(req?.kind === 'approval_request' && req.request).toMatchObject({
      toolName: 'bash',
      toolUseId: 'call_fake000003',
      input: { command: 'touch serve-allowed.txt', patterns: ['touch serve-allowed.txt'], always: ['touch *'] }
    })
    expect(req?.kind === 'approval_request' && req.request.description).toContain('bash: touch serve-allowed.txt')
  })
})

describe('OpenCode SSE → events (recorded with Shepherd-made message ids)', () => {
  it('fork: the replayed copy of the conversation is ignored; the fork answers with the per-message model', () => {
    const a = replay('serve-fork-abort-model.jsonl', 'ses_df78732c4ffeelp2QKppqvMjYt')
    expect(digest(a.events)).toEqual([
      'assistant: I will run a command.',
      'tool_call: bash: echo patched',
      'tool_result: patched\n',
      'assistant: DONE. Tool output was: patched\n',
      'turn idle',
      'assistant: tick0 tick1 tick2 tick3 tick4 tick5 ',
      `system: ${INTERRUPTED_TEXT}`,
      'turn idle'
    ])
    const fork = replay('serve-fork-abort-model.jsonl', 'ses_df78718faffeLW7fWefThSQyZI')
    expect(digest(fork.events)).toEqual(['assistant: MODEL: fake-model-2', 'turn idle'])
    // Only the fork's own step is counted, not the copied ones.
    expect(costs(fork.events)).toHaveLength(1)
    expect(costs(fork.events)[0]!.costUsdDelta).toBeCloseTo(0.008193, 6)
  })

  it('errors: retries are shown, an abort during retries ends the turn via the confirmed idle, HTTP 400 fails it, a bare rejection stops it', () => {
    const r = replay('serve-errors-retry-reject.jsonl', 'ses_df7855635ffeJ0Zh4grHaFlLlD')
    expect(digest(r.events)).toEqual([
      'system: API error: fake error 500; retrying (attempt 1) in 0 s',
      'system: API error: fake error 500; retrying (attempt 2) in 0 s',
      `system: ${INTERRUPTED_TEXT}`,
      'turn idle',
      'error!: fake error 400',
      'turn error (fake error 400)',
      'assistant: I will run a command.',
      'approval bash per_2087acbcd001cvqalKR36QQezf',
      'tool_call: bash: touch rej.txt',
      'approval_cancelled per_2087acbcd001cvqalKR36QQezf',
      'tool_result!: The user rejected permission to use this specific tool call.',
      'turn idle'
    ])
    const failed = turns(r.events).find((t) => t.state === 'error')
    expect(failed?.reason?.apiErrorStatus).toBe(400)
    // abort during retries, bare rejection (and the 400: session.error arrives before its message completes)
    expect(r.idleChecks).toBeGreaterThanOrEqual(2)
  })

  it('reasoning, write, denied tools (run as `invalid`), "always" approvals', () => {
    const r = replay('serve-modes-thinking-always.jsonl', 'ses_df78b9002ffe20pPRCoelcgGQ6')
    const d = digest(r.events)
    expect(d.slice(0, 3)).toEqual(['thinking: pondering deeply', 'assistant: Thought about it.', 'turn idle'])
    expect(d).toContain('tool_call: write: w.txt')
    expect(d).toContain('tool_result: Wrote file successfully.')
    expect(d).toContain('tool_call: invalid (bash)')
    expect(d).toContain('tool_call: invalid (write)')
    expect(d.filter((x) => x.startsWith('approval bash'))).toHaveLength(1) // a2.txt was covered by "always"
    expect(turns(r.events).map((t) => t.state)).toEqual(['idle', 'idle', 'idle', 'idle', 'idle', 'idle'])
    const other = replay('serve-modes-thinking-always.jsonl', 'ses_df78b6605ffeotqUTOaFZYUTJ1')
    // "always" in one session also covered the other session of the project: no approval at all.
    expect(digest(other.events).some((x) => x.startsWith('approval'))).toBe(false)
    expect(digest(other.events)).toContain('tool_call: bash: touch a3.txt')
  })
})

describe('OpenCode parser: edge cases', () => {
  const SID = 'ses_A'
  const user = (id: string) => ({ type: 'message.updated', properties: { sessionID: SID, info: { id, role: 'user', sessionID: SID, time: { created: 1 } } } })
  const asst = (id: string, parentID: string, extra: Record<string, unknown> = {}) => ({
    type: 'message.updated',
    properties: {
      sessionID: SID,
      info: { id, role: 'assistant', parentID, sessionID: SID, time: { created: 2, ...(extra.completed ? { completed: 3 } : {}) }, ...extra }
    }
  })
  const idle = { type: 'session.idle', properties: { sessionID: SID } }

  it('ignores a late idle of the previous prompt (our user message not seen yet)', () => {
    const s = createParseState(SID)
    beginTurn(s, 'msg_2')
    expect(parseOpenCodeEvent(idle, s)).toEqual({ events: [], checkIdle: undefined })
    parseOpenCodeEvent(user('msg_2'), s)
    parseOpenCodeEvent(asst('msg_3', 'msg_2'), s)
    // Our answer is still open: an idle now is not trusted either.
    expect(parseOpenCodeEvent(idle, s).checkIdle).toBe(false)
    // A "tool-calls" step completes without ending the turn.
    expect(parseOpenCodeEvent(asst('msg_3', 'msg_2', { completed: true, finish: 'tool-calls' }), s).events).toEqual([])
    expect(turnActive(s)).toBe(true)
    expect(parseOpenCodeEvent(idle, s).checkIdle).toBe(true)
  })

  it('completion comes from our assistant message, not from other prompts’ messages', () => {
    const s = createParseState(SID)
    beginTurn(s, 'msg_5')
    expect(parseOpenCodeEvent(asst('msg_4', 'msg_1', { completed: true, finish: 'stop' }), s).events).toEqual([])
    expect(parseOpenCodeEvent(asst('msg_6', 'msg_5', { completed: true, finish: 'stop' }), s)).toEqual({ events: [], settled: true })
    // Settled once; the handle catches up on parts, then ends the turn.
    expect(parseOpenCodeEvent(asst('msg_6', 'msg_5', { completed: true, finish: 'stop' }), s)).toEqual({ events: [] })
    expect(parseOpenCodeEvent(idle, s).checkIdle).toBeUndefined()
    expect(endSettledTurn(s)).toEqual([{ kind: 'turn', state: 'idle' }])
    expect(turnActive(s)).toBe(false)
    expect(endSettledTurn(s)).toEqual([])
  })

  it('a session error before any assistant message (unknown model) ends the turn as an error', () => {
    const s = createParseState(SID)
    beginTurn(s, 'msg_7')
    parseOpenCodeEvent(user('msg_7'), s)
    parseOpenCodeEvent(
      { type: 'session.error', properties: { sessionID: SID, error: { name: 'UnknownError', data: { message: 'Model not found: fake/nope.' } } } },
      s
    )
    expect(parseOpenCodeEvent(idle, s).checkIdle).toBe(true)
    const ev = endTurnAfterIdle(s)
    expect(ev.at(-1)).toEqual({ kind: 'turn', state: 'error', reason: { message: 'Model not found: fake/nope.', apiErrorStatus: null } })
  })

  it('flushes a text part cut off by the end of the turn', () => {
    const s = createParseState(SID)
    beginTurn(s, 'msg_1')
    parseOpenCodeEvent(asst('msg_2', 'msg_1'), s)
    parseOpenCodeEvent(
      { type: 'message.part.updated', properties: { part: { id: 'prt_1', messageID: 'msg_2', sessionID: SID, type: 'text', text: '', time: { start: 1 } } } },
      s
    )
    parseOpenCodeEvent({ type: 'message.part.delta', properties: { sessionID: SID, messageID: 'msg_2', partID: 'prt_1', field: 'text', delta: 'tick0 ' } }, s)
    parseOpenCodeEvent({ type: 'message.part.delta', properties: { sessionID: SID, messageID: 'msg_2', partID: 'prt_1', field: 'text', delta: 'tick1 ' } }, s)
    expect(
      parseOpenCodeEvent(asst('msg_2', 'msg_1', { completed: true, error: { name: 'MessageAbortedError', data: { message: 'Aborted' } } }), s).settled
    ).toBe(true)
    const ev = endSettledTurn(s)
    expect(digest(ev)).toEqual(['assistant: tick0 tick1 ', `system: ${INTERRUPTED_TEXT}`, 'turn idle'])
  })

  it('subagent sessions: their approvals and cost belong to the parent session', () => {
    const s = createParseState(SID)
    parseOpenCodeEvent({ type: 'session.created', properties: { sessionID: 'ses_C', info: { id: 'ses_C', parentID: SID } } }, s)
    expect(s.children.has('ses_C')).toBe(true)
    const ask = parseOpenCodeEvent(
      {
        type: 'permission.asked',
        properties: { id: 'per_1', sessionID: 'ses_C', permission: 'edit', patterns: ['a.txt'], metadata: { filepath: '/p/a.txt' }, always: ['*'] }
      },
      s
    )
    expect(digest(ask.events)).toEqual(['approval edit per_1'])
    const step = parseOpenCodeEvent(
      {
        type: 'message.part.updated',
        properties: {
          part: {
            id: 'prt_9',
            messageID: 'msg_c',
            sessionID: 'ses_C',
            type: 'step-finish',
            cost: 0.5,
            tokens: { input: 10, output: 2, reasoning: 1, cache: { read: 3, write: 0 } }
          }
        }
      },
      s
    )
    expect(costs(step.events)).toEqual([expect.objectContaining({ costUsdDelta: 0.5, inputTokens: 10, outputTokens: 3, cacheReadTokens: 3 })])
    expect(
      parseOpenCodeEvent(
        {
          type: 'message.part.updated',
          properties: { part: { id: 'prt_9', messageID: 'msg_c', sessionID: 'ses_C', type: 'step-finish', cost: 0.5, tokens: {} } }
        },
        s
      ).events
    ).toEqual([])
    // Other sessions' events are not ours.
    expect(
      parseOpenCodeEvent(
        { type: 'permission.asked', properties: { id: 'per_2', sessionID: 'ses_X', permission: 'bash', patterns: [], metadata: {}, always: [] } },
        s
      ).events
    ).toEqual([])
  })

  it('the question tool becomes a question (choices + free text, one field per question); replied/rejected settle it', () => {
    const s = createParseState(SID)
    const props = {
      id: 'que_1',
      sessionID: SID,
      questions: [
        {
          question: 'Which colour?',
          header: 'Colour',
          options: [
            { label: 'Red', description: 'warm' },
            { label: 'Blue', description: 'cool' }
          ]
        },
        {
          question: 'Which sizes?',
          header: 'Sizes',
          multiple: true,
          custom: false,
          options: [
            { label: 'S', description: 'small' },
            { label: 'L', description: 'large' }
          ]
        },
        { question: 'Anything else?', header: 'Notes', options: [] }
      ]
    }
    const r = parseOpenCodeEvent({ type: 'question.asked', properties: props }, s)
    expect(r.events).toHaveLength(1)
    const e = r.events[0]!
    if (e.kind !== 'question_request') throw new Error(e.kind)
    expect(e.request).toMatchObject({ requestId: 'que_1', title: 'OpenCode asks', canDecline: true })
    expect(e.request.fields.map((f) => [f.id, f.label, f.type, f.allowOther, f.required])).toEqual([
      ['q1', 'Colour', 'enum', true, true],
      ['q2', 'Sizes', 'multi', false, true],
      ['q3', 'Notes', 'string', false, true]
    ])
    expect(e.request.fields[0]!.options).toEqual([
      { value: 'Red', label: 'Red', description: 'warm' },
      { value: 'Blue', label: 'Blue', description: 'cool' }
    ])
    // Asked again (a resync): nothing new. Settled elsewhere: cancelled here, once.
    expect(parseOpenCodeEvent({ type: 'question.asked', properties: props }, s).events).toEqual([])
    expect(parseOpenCodeEvent({ type: 'question.replied', properties: { sessionID: SID, requestID: 'que_1', answers: [] } }, s).events).toEqual([
      { kind: 'question_cancelled', requestId: 'que_1' }
    ])
    expect(parseOpenCodeEvent({ type: 'question.rejected', properties: { sessionID: SID, requestID: 'que_1' } }, s).events).toEqual([])
    // Another session's question is not ours.
    expect(parseOpenCodeEvent({ type: 'question.asked', properties: { ...props, id: 'que_2', sessionID: 'ses_X' } }, s).events).toEqual([])
  })

  it('a question answer is positional: one list of labels per question; decline rejects', () => {
    expect(openCodeQuestionReply({ action: 'accept', values: { q1: 'Blue', q2: ['S', 'L'], q3: 'none' } }, 3)).toEqual({
      answers: [['Blue'], ['S', 'L'], ['none']]
    })
    expect(openCodeQuestionReply({ action: 'decline' }, 3)).toBeNull()
    expect(openCodeQuestionReply({ action: 'cancel' }, 1)).toBeNull()
  })

  it('never throws on odd input', () => {
    const s = createParseState(SID)
    for (const e of [
      null,
      1,
      'x',
      [],
      {},
      { type: 'message.updated' },
      { type: 'message.part.updated', properties: { part: 5 } },
      { type: 'session.status', properties: { sessionID: SID } }
    ]) {
      expect(() => parseOpenCodeEvent(e, s)).not.toThrow()
    }
    expect(eventSessionId({ type: 'x', properties: { part: { sessionID: 'ses_P' } } })).toBe('ses_P')
  })

  it('turns fetched messages back into events (resync after a lost stream)', () => {
    const s = createParseState(SID)
    beginTurn(s, 'msg_1')
    const fetched = [
      {
        info: { id: 'msg_1', role: 'user', sessionID: SID, time: { created: 1 } },
        parts: [{ id: 'prt_u', messageID: 'msg_1', sessionID: SID, type: 'text', text: 'hi' }]
      },
      {
        info: { id: 'msg_2', role: 'assistant', parentID: 'msg_1', sessionID: SID, time: { created: 2, completed: 3 }, finish: 'stop' },
        parts: [
          { id: 'prt_t', messageID: 'msg_2', sessionID: SID, type: 'text', text: 'answer', time: { start: 2, end: 3 } },
          {
            id: 'prt_s',
            messageID: 'msg_2',
            sessionID: SID,
            type: 'step-finish',
            cost: 0.01,
            tokens: { input: 5, output: 1, reasoning: 0, cache: { read: 0, write: 0 } }
          }
        ]
      }
    ]
    const out = eventsFromMessages(fetched).flatMap((e) => {
      const p = parseOpenCodeEvent(e, s)
      return [...p.events, ...(p.settled ? endSettledTurn(s) : [])]
    })
    expect(digest(out)).toEqual(['assistant: answer', 'turn idle'])
    expect(costs(out)).toHaveLength(1)
  })
})
