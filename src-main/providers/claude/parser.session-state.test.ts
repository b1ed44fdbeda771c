/**
 * Claude Code's newer stream-json messages (shapes from the Agent SDK's sdk.d.ts, 0.3.337, checked
 * against what the 2.1.332 CLI emits: fixtures/streamjson-2.1.332-*.jsonl, replayed in
 * parser.transcripts.test.ts). Here: the cases the recordings cannot produce offline.
 */
import { describe, expect, it } from 'vitest'
import type { ProviderEvent } from '../types'
import { createParseState, parseClaudeLine, type ClaudeParseState } from './parser'

const parse = (obj: unknown, state: ClaudeParseState) => parseClaudeLine(JSON.stringify(obj), state)
const kinds = (events: ProviderEvent[]) => events.map((e) => (e.kind === 'turn' ? `turn:${e.state}${e.background ? '+bg' : ''}` : e.kind))
const stateMsg = (state: string) => ({ type: 'system', subtype: 'session_state_changed', state, uuid: 'u', session_id: 's1' })
const errorResult = { type: 'result', subtype: 'error_max_turns', is_error: true, total_cost_usd: 0.1, usage: {}, session_id: 's1' }

describe('session_state_changed is the turn-over signal', () => {
  it('a result is held until idle: an error result ends the turn as an error only then', () => {
    const state = createParseState()
    expect(kinds(parse(stateMsg('running'), state).events)).toEqual(['turn:running'])
    const atResult = parse(errorResult, state).events
    expect(kinds(atResult)).toEqual(['usage', 'message']) // the error row at once, the end later
    const atIdle = parse(stateMsg('idle'), state).events
    expect(atIdle).toEqual([{ kind: 'turn', state: 'error', reason: expect.objectContaining({ message: expect.stringContaining('maximum number of turns') }) }])
    // The next idle (a later turn with no result of its own) is a plain idle, not the old error again.
    expect(parse(stateMsg('idle'), state).events).toEqual([{ kind: 'turn', state: 'idle' }])
  })

  it('an interrupt ends idle at the idle message; requires_action changes nothing (the control_request shows it)', () => {
    const state = createParseState()
    parse(stateMsg('running'), state)
    state.interruptRequested = true
    state.turnsInFlight = 1
    expect(kinds(parse({ ...errorResult, subtype: 'error_during_execution' }, state).events)).toEqual(['usage', 'message'])
    expect(parse(stateMsg('requires_action'), state).events).toEqual([])
    expect(parse(stateMsg('idle'), state).events).toEqual([{ kind: 'turn', state: 'idle' }])
  })

  it('without session state (older CLIs) the result ends the turn, as before', () => {
    const state = createParseState()
    expect(kinds(parse({ ...errorResult, subtype: 'success', is_error: false }, state).events)).toEqual(['usage', 'turn:idle'])
  })

  it('idle while background tasks run keeps the turn open (prompts allowed); their end is deferred to the handle', () => {
    const state = createParseState()
    parse(stateMsg('running'), state)
    const tasks = {
      type: 'system',
      subtype: 'background_tasks_changed',
      tasks: [{ task_id: 'b1', task_type: 'local_bash', description: 'npm run dev' }],
      session_id: 's1'
    }
    expect(parse(tasks, state).events).toEqual([{ kind: 'activity', text: null, background: [{ id: 'b1', type: 'local_bash', description: 'npm run dev' }] }])
    parse({ ...errorResult, subtype: 'success', is_error: false }, state)
    expect(parse(stateMsg('idle'), state).events).toEqual([{ kind: 'turn', state: 'running', background: ['npm run dev'] }])
    const drained = parse({ ...tasks, tasks: [] }, state)
    expect(drained.deferredEnd).toEqual([{ kind: 'turn', state: 'idle' }])
  })

  it('ambient tasks (watchers, housekeeping) are not background work', () => {
    const state = createParseState()
    const tasks = {
      type: 'system',
      subtype: 'background_tasks_changed',
      tasks: [{ task_id: 'w', task_type: 'monitor', description: 'watch', ambient: true }],
      session_id: 's1'
    }
    expect(parse(tasks, state).events).toEqual([{ kind: 'activity', text: null, background: [] }])
  })
})

describe('other newer messages', () => {
  it('tool_progress is transient activity with the elapsed time', () => {
    const state = createParseState()
    const line = {
      type: 'tool_progress',
      tool_use_id: 't1',
      tool_name: 'Bash',
      parent_tool_use_id: null,
      elapsed_time_seconds: 30,
      heartbeat: true,
      session_id: 's1'
    }
    const parsed = parse(line, state)
    expect(parsed.transient).toBe(true)
    expect(parsed.events).toEqual([{ kind: 'activity', text: 'Bash running for 30 s' }])
  })

  it('session_writes_lost (disk full on the CLI side) is a warning row', () => {
    const state = createParseState()
    const events = parse(
      {
        type: 'system',
        subtype: 'session_writes_lost',
        error_code: 'ENOSPC',
        lost: ['transcript'],
        transcript_session_ids: ['s1'],
        uuid: 'u',
        session_id: 's1'
      },
      state
    ).events
    expect(events).toHaveLength(1)
    const m = events[0]!.kind === 'message' ? events[0]!.message : null
    expect(m?.kind).toBe('error')
    expect(m?.text).toContain('the disk is full')
    expect(m?.text).toContain('resuming this session may miss part of the conversation')
  })

  it('conversation_reset: the next session id that differs is the new CLI session (resume uses it)', () => {
    const state = createParseState()
    parse({ type: 'system', subtype: 'init', session_id: 'old', model: 'm', tools: [] }, state)
    const reset = parse({ type: 'conversation_reset', new_conversation_id: 'c2', uuid: 'c2', trigger: 'clear', session_id: 'old' }, state).events
    expect(reset.map((e) => e.kind)).toEqual(['message'])
    // Lines still naming the old session change nothing; the first with the new id reports it, once.
    expect(
      parse({ type: 'result', subtype: 'success', is_error: false, usage: {}, session_id: 'old' }, state).events.some((e) => e.kind === 'cli_session')
    ).toBe(false)
    const next = parse({ type: 'result', subtype: 'success', is_error: false, usage: {}, session_id: 'new' }, state).events
    expect(next[0]).toEqual({ kind: 'cli_session', cliSessionId: 'new', model: 'm' })
    expect(
      parse({ type: 'result', subtype: 'success', is_error: false, usage: {}, session_id: 'new' }, state).events.some((e) => e.kind === 'cli_session')
    ).toBe(false)
  })
})
