import { describe, expect, it } from 'vitest'
import type { ProviderEvent, ProviderUsage } from '../types'
import { createParseState, parseClaudeLine, type ClaudeParseState } from './parser'

const parse = (obj: unknown, state: ClaudeParseState = createParseState()) => parseClaudeLine(JSON.stringify(obj), state)
const messages = (events: ProviderEvent[]) => events.flatMap((e) => (e.kind === 'message' ? [e.message] : []))

const init = { type: 'system', subtype: 'init', session_id: 'sess-1', model: 'claude-x', cwd: '/p', tools: ['Bash', 'Read'], claude_code_version: '2.1.330' }
const result = (over: Record<string, unknown>) => ({
  type: 'result',
  subtype: 'success',
  is_error: false,
  total_cost_usd: 0.5,
  usage: { input_tokens: 10, output_tokens: 20, cache_read_input_tokens: 30, cache_creation_input_tokens: 40 },
  modelUsage: { 'claude-haiku': { contextWindow: 200000 }, 'claude-x': { contextWindow: 1000000, costBasis: 'list' } },
  ...over
})

describe('parseClaudeLine', () => {
  it('system/init → cli_session, a system message (once per change), turn running', () => {
    const state = createParseState()
    expect(parse(init, state).events).toEqual([
      { kind: 'cli_session', cliSessionId: 'sess-1', model: 'claude-x' },
      { kind: 'message', message: { kind: 'system', text: 'Claude Code 2.1.330 · model claude-x · cwd /p · 2 tools' } },
      { kind: 'turn', state: 'running' }
    ])
    expect(parse(init, state).events.map((e) => e.kind)).toEqual(['cli_session', 'turn'])
    expect(messages(parse({ ...init, model: 'claude-y' }, state).events)[0]?.text).toContain('model claude-y')
  })

  it('assistant blocks: text, thinking, tool_use with path/input/parent; unknown blocks pass through', () => {
    const line = {
      type: 'assistant',
      parent_tool_use_id: 'toolu_parent',
      message: {
        content: [
          { type: 'thinking', thinking: 'hmm' },
          { type: 'text', text: 'hello' },
          { type: 'tool_use', id: 'toolu_1', name: 'Read', input: { file_path: '/a/b.ts', limit: 3 } },
          { type: 'tool_use', id: 'toolu_2', name: 'WebFetch', input: { url: 'https://x.test', prompt: 'p' } },
          { type: 'tool_use', id: 'toolu_3', name: 'Task', input: { description: 'd' } },
          { type: 'fancy_new_block', x: 1 }
        ]
      }
    }
    const events = parse(line).events
    expect(messages(events)).toEqual([
      { kind: 'thinking', text: 'hmm', parentId: 'toolu_parent' },
      { kind: 'assistant', text: 'hello', parentId: 'toolu_parent' },
      {
        kind: 'tool_call',
        text: 'Read: /a/b.ts',
        toolName: 'Read',
        toolInput: '{"file_path":"/a/b.ts","limit":3}',
        toolPath: '/a/b.ts',
        toolUseId: 'toolu_1',
        parentId: 'toolu_parent'
      },
      {
        kind: 'tool_call',
        text: 'WebFetch: https://x.test',
        toolName: 'WebFetch',
        toolInput: '{"url":"https://x.test","prompt":"p"}',
        toolPath: 'https://x.test',
        toolUseId: 'toolu_2',
        parentId: 'toolu_parent'
      },
      { kind: 'tool_call', text: 'Task', toolName: 'Task', toolInput: '{"description":"d"}', toolPath: null, toolUseId: 'toolu_3', parentId: 'toolu_parent' }
    ])
    expect(events.at(-1)).toEqual({ kind: 'raw', stream: 'unknown', data: '{"type":"fancy_new_block","x":1}' })
  })

  it('user tool_result: full text from string or block content, isError', () => {
    const big = 'z'.repeat(100_000)
    const events = parse({
      type: 'user',
      message: {
        content: [
          { type: 'tool_result', tool_use_id: 't1', content: big, is_error: false },
          {
            type: 'tool_result',
            tool_use_id: 't2',
            content: [
              { type: 'text', text: 'a' },
              { type: 'image', source: {} },
              { type: 'text', text: 'b' }
            ],
            is_error: true
          }
        ]
      }
    }).events
    expect(messages(events)).toEqual([
      { kind: 'tool_result', text: big, toolUseId: 't1', parentId: null, isError: false },
      { kind: 'tool_result', text: 'a\n[image]\nb', toolUseId: 't2', parentId: null, isError: true }
    ])
  })

  it('skips replayed user echoes', () => {
    expect(
      parse({ type: 'user', isReplay: true, message: { role: 'user', content: '<local-command-stdout>Set model to x</local-command-stdout>' } }).events
    ).toEqual([])
    expect(parse({ type: 'user', message: { role: 'user', content: 'my own prompt' } }).events).toEqual([])
  })

  it('ToolSearch results (tool_reference blocks) read as text, not JSON (issue 11 #7)', () => {
    const line = {
      type: 'user',
      parent_tool_use_id: null,
      message: {
        content: [
          {
            type: 'tool_result',
            tool_use_id: 'tu1',
            content: [
              { type: 'tool_reference', tool_name: 'TodoWrite' },
              { type: 'tool_reference', tool_name: 'WebFetch' }
            ]
          }
        ]
      }
    }
    expect(parse(line).events).toEqual([
      {
        kind: 'message',
        message: { kind: 'tool_result', text: 'Loaded tool: TodoWrite\nLoaded tool: WebFetch', toolUseId: 'tu1', parentId: null, isError: false }
      }
    ])
  })

  it('a turn that ends in an error result leaves an error row in the transcript, once (issue 11 #4)', () => {
    const state = createParseState()
    const maxTurns = parse(result({ subtype: 'error_max_turns', is_error: true, result: undefined }), state).events
    expect(maxTurns).toContainEqual({ kind: 'message', message: { kind: 'error', text: expect.stringMatching(/maximum number of turns/), isError: true } })
    expect(maxTurns.at(-1)).toMatchObject({ kind: 'turn', state: 'error' })
    const failed = parse(result({ subtype: 'success', is_error: true, result: 'Something broke' }), state).events
    expect(failed.filter((e) => e.kind === 'message')).toEqual([{ kind: 'message', message: { kind: 'error', text: 'Something broke', isError: true } }])
    // An API error already shown as its own row is not repeated by the result that follows.
    parse({ type: 'assistant', parent_tool_use_id: null, is_api_error_message: true, message: { content: [{ type: 'text', text: 'API Error: 500' }] } }, state)
    const after = parse(result({ is_error: true, result: 'API Error: 500' }), state).events
    expect(after.filter((e) => e.kind === 'message')).toEqual([])
  })

  it("tokens follow the CLI's cumulative per-model totals: sub-agents and compaction count, each turn reports its growth (issue 11 #3)", () => {
    const state = createParseState()
    const models = (main: [number, number, number], sub: [number, number, number]) => ({
      'claude-x': { inputTokens: main[0], outputTokens: main[1], cacheReadInputTokens: main[2], cacheCreationInputTokens: 0, contextWindow: 1000000 },
      'claude-haiku': { inputTokens: sub[0], outputTokens: sub[1], cacheReadInputTokens: sub[2], cacheCreationInputTokens: 0, contextWindow: 200000 }
    })
    const usageOf = (line: object) => (parse(line, state).events.find((e) => e.kind === 'usage') as { usage: ProviderUsage }).usage
    // Turn 1: the main thread's last call saw 9k tokens; a sub-agent on another model read 1.2M.
    const t1 = usageOf(result({ usage: { input_tokens: 9000, output_tokens: 300 }, modelUsage: models([80_000, 2_000, 50_000], [1_200_000, 30_000, 0]) }))
    expect(t1).toMatchObject({ inputTokens: 1_280_000, outputTokens: 32_000, cacheReadTokens: 50_000 })
    // Turn 2: only the growth since turn 1.
    const t2 = usageOf(result({ usage: { input_tokens: 100, output_tokens: 10 }, modelUsage: models([81_000, 2_100, 50_000], [1_200_000, 30_000, 0]) }))
    expect(t2).toMatchObject({ inputTokens: 1_000, outputTokens: 100, cacheReadTokens: 0 })
    // A restarted CLI counts from zero again: all of it is new.
    const t3 = usageOf(result({ modelUsage: models([500, 5, 0], [0, 0, 0]) }))
    expect(t3).toMatchObject({ inputTokens: 500, outputTokens: 5 })
  })

  it('result → usage (session-total cost, tokens incl. cache, context window of the init model) + turn idle', () => {
    const state = createParseState()
    parse(init, state)
    parse(
      {
        type: 'assistant',
        parent_tool_use_id: null,
        message: { content: [], usage: { input_tokens: 5, cache_read_input_tokens: 100, cache_creation_input_tokens: 7 } }
      },
      state
    )
    parse({ type: 'assistant', parent_tool_use_id: 'sub', message: { content: [], usage: { input_tokens: 99999 } } }, state)
    expect(parse(result({}), state).events).toEqual([
      {
        kind: 'usage',
        usage: {
          costUsdSessionTotal: 0.5,
          inputTokens: 10,
          outputTokens: 20,
          cacheReadTokens: 30,
          cacheWriteTokens: 40,
          contextTokens: 112,
          contextWindow: 1000000,
          costKnown: true
        }
      },
      { kind: 'turn', state: 'idle' }
    ])
  })

  it('is_error with subtype success (API failure) → turn error with the status', () => {
    const events = parse(result({ is_error: true, api_error_status: 529, result: 'API Error: 529 overloaded' })).events
    expect(events.at(-1)).toEqual({ kind: 'turn', state: 'error', reason: { message: 'API Error: 529 overloaded', apiErrorStatus: 529 } })
  })

  it('error results without an interrupt are errors; with one they end idle with "Interrupted" once', () => {
    const plain = parse(result({ subtype: 'error_max_turns', is_error: true, result: undefined, errors: ['Reached max turns (3)'] })).events
    expect(plain.at(-1)).toEqual({ kind: 'turn', state: 'error', reason: { message: 'Reached max turns (3)', apiErrorStatus: null } })

    const state = createParseState()
    state.interruptRequested = true
    const ev = parse(result({ subtype: 'error_during_execution', is_error: true, result: null }), state).events
    expect(ev.slice(1)).toEqual([
      { kind: 'message', message: { kind: 'system', text: 'Interrupted' } },
      { kind: 'turn', state: 'idle' }
    ])
    expect(state.interruptRequested).toBe(false)

    const marker = { type: 'user', message: { role: 'user', content: [{ type: 'text', text: '[Request interrupted by user]' }] } }
    expect(messages(parse(marker, state).events)).toEqual([{ kind: 'system', text: 'Interrupted' }])
    expect(parse(result({ subtype: 'error_during_execution', is_error: true }), state).events.slice(1)).toEqual([{ kind: 'turn', state: 'idle' }])
  })

  it('costKnown is false when every model was priced with an unknown basis', () => {
    const ev = parse(result({ modelUsage: { m: { costBasis: 'unknown', contextWindow: 1 } } })).events[0]
    expect(ev?.kind === 'usage' && ev.usage.costKnown).toBe(false)
  })

  it('system subtypes: api_retry, permission_denied, status, compact_boundary, unknown', () => {
    const retry = parse({
      type: 'system',
      subtype: 'api_retry',
      attempt: 1,
      max_retries: 10,
      retry_delay_ms: 600.4,
      error_status: 529,
      error: 'overloaded'
    }).events
    expect(messages(retry)).toEqual([{ kind: 'system', text: 'API error 529: overloaded; retrying (attempt 1/10) in 600 ms' }])
    const denied = parse({ type: 'system', subtype: 'permission_denied', tool_name: 'Write', tool_use_id: 'tu', message: 'nope' }).events
    expect(messages(denied)).toEqual([{ kind: 'error', text: 'nope', toolName: 'Write', toolUseId: 'tu', isError: true }])
    expect(parse({ type: 'system', subtype: 'status', status: 'requesting' }).events).toEqual([])
    expect(messages(parse({ type: 'system', subtype: 'compact_boundary' }).events)[0]?.text).toBe('Conversation compacted')
    expect(parse({ type: 'system', subtype: 'brand_new' }).events[0]).toMatchObject({ kind: 'raw', stream: 'unknown' })
  })

  it('control protocol: can_use_tool, cancel, responses, unsupported requests', () => {
    const req = {
      type: 'control_request',
      request_id: 'r1',
      request: {
        subtype: 'can_use_tool',
        tool_name: 'Bash',
        input: { command: 'ls' },
        description: 'List',
        tool_use_id: 'tu1',
        permission_suggestions: [{ type: 'addRules' }]
      }
    }
    const p = parse(req)
    expect(p.events).toEqual([
      {
        kind: 'approval_request',
        request: {
          requestId: 'r1',
          toolName: 'Bash',
          input: { command: 'ls' },
          description: 'List',
          toolUseId: 'tu1',
          sessionScope: 'Claude Code suggested no rule for this request: it is allowed this once only.'
        }
      }
    ])
    // With the CLI's rule suggestions, the card says exactly which rules "Allow for this session" adds.
    const withRules = parse({
      ...req,
      request: {
        ...req.request,
        permission_suggestions: [
          { type: 'addRules', rules: [{ toolName: 'Bash', ruleContent: 'npm test:*' }, { toolName: 'Read' }], behavior: 'allow', destination: 'localSettings' },
          { type: 'setMode', mode: 'acceptEdits' }
        ]
      }
    })
    expect(withRules.events[0]).toMatchObject({
      request: {
        sessionScope: 'Claude Code allows Bash(npm test:*), every Read call for the rest of this session (kept in memory, not written to your settings).'
      }
    })
    expect(p.approval).toEqual({ requestId: 'r1', input: { command: 'ls' }, suggestions: [{ type: 'addRules' }] })
    expect(parse({ type: 'control_cancel_request', request_id: 'r1' }).events).toEqual([{ kind: 'approval_cancelled', requestId: 'r1' }])
    const ok = parse({ type: 'control_response', response: { subtype: 'success', request_id: 'shepherd_1', response: { mode: 'plan' } } })
    expect(ok).toEqual({ events: [], controlResponse: { requestId: 'shepherd_1', ok: true, response: { mode: 'plan' } } })
    const err = parse({ type: 'control_response', response: { subtype: 'error', request_id: 'shepherd_2', error: 'no', error_code: 'bypass_not_launched' } })
    expect(err.controlResponse).toEqual({ requestId: 'shepherd_2', ok: false, error: 'no', errorCode: 'bypass_not_launched' })
    const hook = parse({ type: 'control_request', request_id: 'r2', request: { subtype: 'hook_callback' } })
    expect(hook.unsupportedControlRequest).toEqual({ requestId: 'r2', subtype: 'hook_callback', request: { subtype: 'hook_callback' } })
    expect(hook.events[0]).toMatchObject({ kind: 'raw', stream: 'unknown' })
  })

  it('stream_event is ignored; unknown types → raw unknown; bad JSON → raw parse_error', () => {
    expect(parse({ type: 'stream_event', event: { type: 'message_start' } }).events).toEqual([])
    expect(parseClaudeLine('{"type":"keep_alive_v9","x":1}', createParseState()).events).toEqual([
      { kind: 'raw', stream: 'unknown', data: '{"type":"keep_alive_v9","x":1}' }
    ])
    for (const bad of ['{"type":"assistant","mess', '[claude-code:unrecognized_model] {}', '\u001b[31mred\u001b[0m', '42', 'null', '[1,2]']) {
      expect(parseClaudeLine(bad, createParseState()).events).toEqual([{ kind: 'raw', stream: 'parse_error', data: bad }])
    }
  })

  it('FR-7/FR-9: odd but valid input never throws', () => {
    const odd = [
      { type: 'assistant' },
      { type: 'assistant', message: { content: 'not an array' } },
      { type: 'user', message: { content: [null, 1, { type: 'tool_result' }] } },
      { type: 'result' },
      { type: 'system' },
      { type: 'control_request' },
      { type: 'control_response' },
      { type: 'assistant', message: { content: [{ type: 'text', text: 'nul \u0000 and lone \ud800 surrogate' }] } }
    ]
    for (const o of odd) expect(() => parse(o)).not.toThrow()
    expect(messages(parse(odd[7]).events)[0]?.text).toBe('nul \u0000 and lone \ud800 surrogate')
  })
})

describe('rate_limit_event (usage limits, issue 16)', () => {
  it('maps rate_limit_info (the shape Claude Code 2.1 builds from the unified rate-limit headers) to windows', () => {
    const state = createParseState()
    const line = (info: object) => JSON.stringify({ type: 'rate_limit_event', rate_limit_info: info, uuid: 'u1', session_id: 's1' })
    expect(
      parseClaudeLine(line({ status: 'allowed_warning', rateLimitType: 'five_hour', utilization: 0.91, resetsAt: 1_800_000_000, isUsingOverage: false }), state)
        .events
    ).toEqual([
      {
        kind: 'rate_limit',
        limited: false,
        resetsAt: 1_800_000_000_000,
        windows: [{ window: 'five_hour', status: 'warning', utilization: 0.91, resetsAt: 1_800_000_000_000 }]
      }
    ])
    expect(parseClaudeLine(line({ status: 'rejected', rateLimitType: 'seven_day', resetsAt: 1_800_000_100 }), state).events).toEqual([
      {
        kind: 'rate_limit',
        limited: true,
        resetsAt: 1_800_000_100_000,
        windows: [{ window: 'seven_day', status: 'rejected', utilization: null, resetsAt: 1_800_000_100_000 }]
      }
    ])
    expect(parseClaudeLine(JSON.stringify({ type: 'rate_limit_event', rate_limit_info: 'nonsense' }), state).events[0]?.kind).toBe('raw')
  })
})
