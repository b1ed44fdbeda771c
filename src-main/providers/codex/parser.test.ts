/**
 * The recorded app-server exchanges (./fixtures, real Codex 0.169.0) through the parser, plus the
 * pieces that recordings cannot cover (sub-agent threads, retries, open items at a turn's end).
 */
import { describe, expect, it } from 'vitest'
import type { ProviderEvent } from '../types'
import { createParseState, httpStatusOf, INTERRUPTED_TEXT, parseApprovalRequest, parseNotification, unwrapShellCommand } from './parser'
import { fixture, replay, summarize } from './fixtures/replay'

const usageOf = (events: ProviderEvent[]) => events.flatMap((e) => (e.kind === 'usage' ? [e.usage] : []))
describe('parser: recorded app-server session (reference transcript)', () => {
  const [p] = replay('app-server-session.jsonl')
  const s = summarize(p!.events)

  it('maps text, commands, approvals, results, interrupt and compaction in order', () => {
    expect(s).toEqual([
      ['turn', 'running', null],
      ['assistant', null, null, 'Hello from turn one', false],
      ['usage', 7095, 41],
      ['turn', 'idle', null],
      ['turn', 'running', null],
      ['assistant', null, null, 'I will run a command.', false],
      ['tool_call', 'Bash', 'touch approved-by-host.txt', 'Bash: touch approved-by-host.txt', false],
      ['approval', 'Bash', JSON.stringify({ command: 'touch approved-by-host.txt', cwd: 'codexproj' })],
      ['tool_result', null, null, '(no output)', false],
      ['usage', 7178, 85],
      ['assistant', null, null, expect.stringContaining('DONE. Tool output was: Chunk ID'), false],
      ['usage', 7318, 69],
      ['turn', 'idle', null],
      ['turn', 'running', null],
      ['assistant', null, null, 'I will run a command.', false],
      ['tool_call', 'Bash', 'touch declined-by-host.txt', 'Bash: touch declined-by-host.txt', false],
      ['approval', 'Bash', JSON.stringify({ command: 'touch declined-by-host.txt', cwd: 'codexproj' })],
      ['tool_result', null, null, 'The command was declined.', true],
      ['usage', 7429, 85],
      ['assistant', null, null, expect.stringContaining('rejected by user'), false],
      ['usage', 7565, 64],
      ['turn', 'idle', null],
      ['turn', 'running', null],
      // What streamed before the interrupt is kept.
      ['assistant', null, null, 'tick0 tick1 tick2 tick3 ', false],
      ['system', null, null, INTERRUPTED_TEXT, false],
      ['turn', 'idle', 'turn interrupted'],
      ['turn', 'running', null],
      ['usage', 7881, 39],
      ['system', null, null, 'Conversation compacted', false],
      ['assistant', null, null, 'Fake title', false],
      ['usage', 10022, 39],
      ['turn', 'idle', null]
    ])
  })

  it('drafts: the streaming answer, each the text so far, ending where its message begins', () => {
    const drafts: string[] = []
    const finished: string[] = []
    for (const e of p!.events) {
      if (e.kind === 'draft' && e.draft) drafts.push(e.draft.text)
      if (e.kind === 'message' && e.message.kind === 'assistant' && drafts.length) finished.push(e.message.text)
      if (e.kind === 'message' && e.message.kind === 'assistant') {
        // Every draft before this message grows the one before it, and the last one is the message.
        for (let i = 1; i < drafts.length; i++) expect(drafts[i]!.startsWith(drafts[i - 1]!)).toBe(true)
        if (drafts.length) expect(drafts.at(-1)).toBe(e.message.text)
        drafts.length = 0
      }
    }
    expect(finished).toContain('tick0 tick1 tick2 tick3 ')
    expect(p!.events.every((e) => e.kind !== 'draft' || e.draft?.kind === 'assistant' || e.draft?.kind === 'thinking')).toBe(true)
  })

  it('usage deltas add up to the thread total; repeated totals are not counted twice', () => {
    const usage = usageOf(p!.events)
    const last = fixture('app-server-session.jsonl')
      .filter((l) => l.msg?.method === 'thread/tokenUsage/updated')
      .at(-1)!.msg.params.tokenUsage
    expect(usage.reduce((a, u) => a + u.inputTokens + u.cacheReadTokens, 0)).toBe(last.total.inputTokens)
    expect(usage.reduce((a, u) => a + u.outputTokens, 0)).toBe(last.total.outputTokens)
    expect(usage.every((u) => u.costKnown === false && u.costUsdDelta === undefined && u.costUsdSessionTotal === undefined)).toBe(true)
    expect(usage.at(-1)).toMatchObject({ contextTokens: last.last.totalTokens, contextWindow: 258400 })
  })

  it('tool calls and results share the item id', () => {
    const calls = p!.events.flatMap((e) => (e.kind === 'message' && e.message.kind === 'tool_call' ? [e.message.toolUseId] : []))
    const results = p!.events.flatMap((e) => (e.kind === 'message' && e.message.kind === 'tool_result' ? [e.message.toolUseId] : []))
    expect(calls).toEqual(['call_fake000006', 'call_fake000012'])
    expect(results).toEqual(calls)
    const approvals = p!.events.flatMap((e) => (e.kind === 'approval_request' ? [e.request] : []))
    expect(approvals.map((a) => [a.requestId, a.toolUseId])).toEqual([
      ['0', 'call_fake000006'],
      ['1', 'call_fake000012']
    ])
  })
})

describe('parser: commands, errors, reasoning (recorded)', () => {
  const [p] = replay('recorded-commands-approvals-error-reasoning.jsonl')
  const s = summarize(p!.events)

  it('a failing command: output (stdout + stderr) and exit code, marked as an error', () => {
    expect(s).toContainEqual(['tool_call', 'Bash', 'echo hello-out; echo err >&2; exit 3', 'Bash: echo hello-out; echo err >&2; exit 3', false])
    expect(s).toContainEqual(['tool_result', null, null, 'hello-out\nerr\nexit code 3', true])
  })

  it('a failed turn (HTTP 500, no retries) is an error message plus turn error with the message', () => {
    const i = s.findIndex((x) => (x as unknown[])[0] === 'error')
    expect(s.slice(i, i + 2)).toEqual([
      ['error', null, null, 'We’re currently experiencing high demand, which may cause temporary errors.', true],
      ['turn', 'error', 'We’re currently experiencing high demand, which may cause temporary errors.']
    ])
    // The `error` notification before turn/completed is not shown twice.
    expect(s.filter((x) => (x as unknown[])[0] === 'error')).toHaveLength(1)
  })

  it('reasoning becomes thinking', () => {
    expect(s).toContainEqual(['thinking', null, null, 'pondering deeply', false])
  })

  it('every command went through one approval', () => {
    expect(s.filter((x) => (x as unknown[])[0] === 'approval')).toHaveLength(4)
    expect(s.filter((x) => (x as unknown[])[0] === 'tool_call')).toHaveLength(4)
  })
})

describe('parser: overrides, resume and fork (recorded)', () => {
  const [first, second] = replay('recorded-interrupt-overrides-resume-fork.jsonl')

  it('a command blocked by the read-only sandbox produces no item (Codex quirk): only the reply', () => {
    const s = summarize(first!.events)
    expect(s).toContainEqual(['assistant', null, null, expect.stringContaining('Read-only file system'), false])
    expect(s.filter((x) => (x as unknown[])[0] === 'tool_call').map((x) => (x as unknown[])[2])).toEqual(['touch a.txt', 'touch ww.txt'])
  })

  it('the model override reaches the model and the metadata warning is shown once', () => {
    const s = summarize(first!.events)
    expect(s.filter((x) => (x as unknown[])[3] === 'MODEL: gpt-5.4')).toHaveLength(2)
    expect(s.filter((x) => String((x as unknown[])[3]).includes('Model metadata'))).toHaveLength(1)
  })

  it('after resume and fork the replayed thread totals only set the baseline', () => {
    const usage = usageOf(second!.events)
    const totals = fixture('recorded-interrupt-overrides-resume-fork.jsonl')
      .filter((l) => l.msg?.method === 'thread/tokenUsage/updated')
      .map((l) => l.msg.params.tokenUsage.total)
    // 2nd process: [restored total of the resumed thread, resumed turn, restored total of the fork, forked turn]
    const [restored, resumed, forkRestored, forked] = totals.slice(-4)
    expect(forkRestored).toEqual(resumed)
    expect(usage.map((u) => u.inputTokens)).toEqual([resumed.inputTokens - restored.inputTokens, forked.inputTokens - forkRestored.inputTokens])
    expect(summarize(second!.events).filter((x) => (x as unknown[])[0] === 'assistant')).toEqual([
      ['assistant', null, null, 'resumed', false],
      ['assistant', null, null, 'forked', false]
    ])
  })
})

describe('parser: file changes (recorded)', () => {
  const [p] = replay('recorded-filechange-approvals.jsonl')
  const s = summarize(p!.events)

  it('a file change is an Edit tool call with its path(s), its approval carries the changes, then a result', () => {
    expect(s.slice(1, 5)).toEqual([
      ['assistant', null, null, 'I will patch a file.', false],
      ['tool_call', 'Edit', '<tmp>/proj/p1.txt', 'Edit: <tmp>/proj/p1.txt', false],
      ['approval', 'Edit', JSON.stringify({ changes: [{ path: '<tmp>/proj/p1.txt', kind: { type: 'add' }, diff: 'hello\nworld\n' }], grantRoot: null })],
      ['tool_result', null, null, 'add <tmp>/proj/p1.txt', false]
    ])
    const call = p!.events.find((e) => e.kind === 'message' && e.message.kind === 'tool_call')
    expect(call?.kind === 'message' && JSON.parse(call.message.toolInput ?? '{}')).toEqual({
      changes: [{ path: '<tmp>/proj/p1.txt', kind: { type: 'add' }, diff: 'hello\nworld\n' }]
    })
  })

  it('a declined change is an error result', () => {
    expect(s).toContainEqual(['tool_result', null, null, 'The change was declined.\nadd <tmp>/proj/p2.txt', true])
  })

  it('acceptForSession: the same command later runs without a new approval', () => {
    const touches = s.filter((x) => (x as unknown[])[0] === 'tool_call' && (x as unknown[])[2] === 'touch s1.txt')
    expect(touches).toHaveLength(2)
    expect(s.filter((x) => (x as unknown[])[0] === 'approval' && String((x as unknown[])[2]).includes('s1.txt'))).toHaveLength(1)
  })
})

describe('parser: edge cases', () => {
  const started = (state = createParseState()) => {
    state.threadId = 'T'
    parseNotification('turn/started', { threadId: 'T', turn: { id: 'U', items: [], status: 'inProgress' } }, state)
    return state
  }

  it('live reasoning keeps the summary and the raw reasoning apart, as the stored row does (issue 11 #6)', () => {
    const state = started()
    parseNotification('item/started', { threadId: 'T', turnId: 'U', item: { type: 'reasoning', id: 'r', summary: [], content: [] } }, state)
    const draft = (method: string, delta: string, index: number) => {
      const ev = parseNotification(method, { threadId: 'T', turnId: 'U', itemId: 'r', delta, summaryIndex: index, contentIndex: index }, state).events[0]
      return ev?.kind === 'draft' ? ev.draft?.text : undefined
    }
    expect(draft('item/reasoning/textDelta', 'raw thought ', 0)).toBe('raw thought ')
    expect(draft('item/reasoning/summaryTextDelta', '**Plan**', 0)).toBe('**Plan**')
    expect(draft('item/reasoning/textDelta', 'more raw', 0)).toBe('**Plan**')
    expect(draft('item/reasoning/summaryTextDelta', 'Second part', 1)).toBe('**Plan**\n\nSecond part')
    const done = parseNotification(
      'item/completed',
      { threadId: 'T', turnId: 'U', item: { type: 'reasoning', id: 'r', summary: ['**Plan**', 'Second part'], content: ['raw thought more raw'] } },
      state
    )
    expect(done.events).toEqual([{ kind: 'message', message: { kind: 'thinking', text: '**Plan**\n\nSecond part' } }])
  })

  it('ignores notifications of other threads (sub-agents) as raw', () => {
    const state = started()
    const r = parseNotification('item/completed', { threadId: 'OTHER', turnId: 'X', item: { type: 'agentMessage', id: 'm', text: 'hi' } }, state)
    expect(r.events).toEqual([{ kind: 'raw', stream: 'unknown', data: expect.stringContaining('OTHER') }])
  })

  it('an error that will be retried is a system note; the turn continues', () => {
    const state = started()
    const r = parseNotification(
      'error',
      { threadId: 'T', turnId: 'U', willRetry: true, error: { message: 'stream disconnected', codexErrorInfo: null, additionalDetails: null } },
      state
    )
    expect(summarize(r.events)).toEqual([['system', null, null, 'stream disconnected (retrying)', false]])
  })

  it('a failed turn without its own error uses the last error notification, with the HTTP status', () => {
    const state = started()
    parseNotification(
      'error',
      {
        threadId: 'T',
        turnId: 'U',
        willRetry: false,
        error: { message: 'rate limited', codexErrorInfo: { responseStreamConnectionFailed: { httpStatusCode: 429 } }, additionalDetails: 'try later' }
      },
      state
    )
    const r = parseNotification('turn/completed', { threadId: 'T', turn: { id: 'U', items: [], status: 'failed', error: null } }, state)
    expect(r.turnEnded).toBe(true)
    expect(r.events.at(-1)).toEqual({ kind: 'turn', state: 'error', reason: { message: 'rate limited\ntry later', apiErrorStatus: 429 } })
  })

  it('a failure racing our interrupt ends idle with the interrupted note', () => {
    const state = started()
    state.interruptRequested = true
    const r = parseNotification(
      'turn/completed',
      { threadId: 'T', turn: { id: 'U', items: [], status: 'failed', error: { message: 'x', codexErrorInfo: null, additionalDetails: null } } },
      state
    )
    expect(summarize(r.events)).toEqual([
      ['system', null, null, INTERRUPTED_TEXT, false],
      ['turn', 'idle', 'turn interrupted']
    ])
    expect(state.interruptRequested).toBe(false)
  })

  it('a command still running when the turn ends gets a closing error result with its output so far', () => {
    const state = started()
    parseNotification(
      'item/started',
      {
        threadId: 'T',
        turnId: 'U',
        item: {
          type: 'commandExecution',
          id: 'c1',
          command: "/bin/bash -lc 'sleep 100'",
          cwd: '/p',
          status: 'inProgress',
          aggregatedOutput: null,
          exitCode: null,
          commandActions: []
        }
      },
      state
    )
    parseNotification('item/commandExecution/outputDelta', { threadId: 'T', turnId: 'U', itemId: 'c1', delta: 'partial\n' }, state)
    const r = parseNotification('turn/completed', { threadId: 'T', turn: { id: 'U', items: [], status: 'interrupted', error: null } }, state)
    expect(summarize(r.events)[0]).toEqual(['tool_result', null, null, 'partial\n\n(did not finish: the turn ended)', true])
    expect(state.items.size).toBe(0)
    // Issue 11 #11: Codex reports the command when it finally ends, often under the next prompt.
    // That belongs to the original call: a result for it, never a second tool call.
    const late = parseNotification(
      'item/completed',
      {
        threadId: 'T',
        turnId: 'U',
        item: {
          type: 'commandExecution',
          id: 'c1',
          command: "/bin/bash -lc 'sleep 100'",
          cwd: '/p',
          status: 'failed',
          aggregatedOutput: null,
          exitCode: 137,
          commandActions: []
        }
      },
      state
    )
    expect(summarize(late.events)).toEqual([['tool_result', null, null, '(ended after its turn) exit code 137', true]])
    expect(late.events[0]).toMatchObject({ message: { toolUseId: 'c1' } })
  })

  it('command output streamed as deltas is used when the item has no aggregated output', () => {
    const state = started()
    const item = {
      type: 'commandExecution',
      id: 'c2',
      command: 'ls',
      cwd: '/p',
      status: 'inProgress',
      aggregatedOutput: null,
      exitCode: null,
      commandActions: []
    }
    parseNotification('item/started', { threadId: 'T', turnId: 'U', item }, state)
    parseNotification('item/commandExecution/outputDelta', { threadId: 'T', turnId: 'U', itemId: 'c2', delta: 'a.txt\n' }, state)
    const r = parseNotification('item/completed', { threadId: 'T', turnId: 'U', item: { ...item, status: 'completed', exitCode: 0 } }, state)
    expect(summarize(r.events)).toEqual([['tool_result', null, null, 'a.txt', false]])
  })

  it('usage of a turn that is not ours only moves the baseline', () => {
    const state = started()
    const u = (input: number, output: number) => ({
      totalTokens: input + output,
      inputTokens: input,
      cachedInputTokens: 10,
      cacheWriteInputTokens: 0,
      outputTokens: output,
      reasoningOutputTokens: 0
    })
    expect(
      parseNotification(
        'thread/tokenUsage/updated',
        { threadId: 'T', turnId: 'OLD', tokenUsage: { total: u(1000, 100), last: u(1000, 100), modelContextWindow: 100 } },
        state
      ).events
    ).toEqual([])
    const r = parseNotification(
      'thread/tokenUsage/updated',
      { threadId: 'T', turnId: 'U', tokenUsage: { total: { ...u(1500, 130), cachedInputTokens: 60 }, last: u(500, 30), modelContextWindow: 100 } },
      state
    )
    expect(r.events).toEqual([
      {
        kind: 'usage',
        usage: { inputTokens: 450, outputTokens: 30, cacheReadTokens: 50, cacheWriteTokens: 0, contextTokens: 530, contextWindow: 100, costKnown: false }
      }
    ])
  })

  it('serverRequest/resolved is reported to the handle', () => {
    expect(parseNotification('serverRequest/resolved', { threadId: 'T', requestId: 7 }, started()).resolvedRequestId).toBe(7)
  })

  it('the harmless bubblewrap config warning is dropped; other config warnings are shown once', () => {
    const state = createParseState()
    const bwrap =
      'Codex could not find bubblewrap on PATH. Install bubblewrap with your OS package manager. Codex will use the bundled bubblewrap in the meantime.'
    expect(parseNotification('configWarning', { summary: bwrap, details: null }, state).events).toEqual([])
    const w = { summary: 'Unknown key foo', details: 'in config.toml line 3' }
    expect(summarize(parseNotification('configWarning', w, state).events)).toEqual([
      ['system', null, null, 'Codex configuration: Unknown key foo\nin config.toml line 3', false]
    ])
    expect(parseNotification('configWarning', w, state).events).toEqual([])
  })

  it('unknown notifications are kept raw; known noise is dropped', () => {
    const state = createParseState()
    expect(parseNotification('account/rateLimits/updated', { rateLimits: {} }, state).events).toEqual([])
    expect(
      parseNotification(
        'account/rateLimits/updated',
        {
          rateLimits: {
            primary: { usedPercent: 100, windowDurationMins: 300, resetsAt: 1_800_000_000 },
            secondary: { usedPercent: 40, windowDurationMins: 10080, resetsAt: null }
          }
        },
        state
      ).events
    ).toEqual([
      {
        kind: 'rate_limit',
        limited: true,
        resetsAt: 1_800_000_000_000,
        windows: [
          { window: 'five_hour', status: 'rejected', utilization: 1, resetsAt: 1_800_000_000_000 },
          { window: 'seven_day', status: 'allowed', utilization: 0.4, resetsAt: null }
        ]
      }
    ])
    expect(parseNotification('brand/new', { x: 1 }, state).events).toEqual([
      { kind: 'raw', stream: 'unknown', data: JSON.stringify({ method: 'brand/new', params: { x: 1 } }) }
    ])
    expect(parseNotification('turn/started', 'nonsense', state).events[0]?.kind).toBe('raw')
  })

  it('a file-change approval for a grant root describes it', () => {
    const state = started()
    const a = parseApprovalRequest(
      { method: 'item/fileChange/requestApproval', id: 'r9', params: { threadId: 'T', turnId: 'U', itemId: 'f', startedAtMs: 0, grantRoot: '/elsewhere' } },
      state
    )
    expect(a).toMatchObject({
      kind: 'fileChange',
      turnId: 'U',
      event: { kind: 'approval_request', request: { requestId: 'r9', toolName: 'Edit', description: 'Allow writes under /elsewhere for this session' } }
    })
  })

  it('httpStatusOf reads the status from any variant', () => {
    expect(httpStatusOf({ httpConnectionFailed: { httpStatusCode: 502 } })).toBe(502)
    expect(httpStatusOf('internalServerError')).toBeNull()
    expect(httpStatusOf(null)).toBeNull()
  })
})

describe('parser: plan updates (issue 11 item 12)', () => {
  // The shape is the pinned Codex's own schema (`codex app-server generate-ts`: TurnPlanUpdatedNotification).
  const plan = (steps: [string, string][], explanation: string | null = null) => ({
    threadId: 't1',
    turnId: 'u1',
    explanation,
    plan: steps.map(([step, status]) => ({ step, status }))
  })
  it('becomes a Plan: checklist message (no longer dropped), repeated only when it changed', () => {
    const state = createParseState()
    state.threadId = 't1'
    const first = parseNotification(
      'turn/plan/updated',
      plan(
        [
          ['Read the code', 'completed'],
          ['Fix the bug', 'inProgress'],
          ['Add a test', 'pending']
        ],
        'Three steps'
      ),
      state
    )
    expect(first.events).toEqual([
      { kind: 'message', message: expect.objectContaining({ kind: 'system', text: 'Plan: Three steps\n[x] Read the code\n[~] Fix the bug\n[ ] Add a test' }) }
    ])
    expect(
      parseNotification(
        'turn/plan/updated',
        plan(
          [
            ['Read the code', 'completed'],
            ['Fix the bug', 'inProgress'],
            ['Add a test', 'pending']
          ],
          'Three steps'
        ),
        state
      ).events
    ).toEqual([])
    const next = parseNotification(
      'turn/plan/updated',
      plan([
        ['Read the code', 'completed'],
        ['Fix the bug', 'completed'],
        ['Add a test', 'inProgress']
      ]),
      state
    )
    expect(next.events[0]).toMatchObject({ message: { text: 'Plan:\n[x] Read the code\n[x] Fix the bug\n[~] Add a test' } })
  })
})

describe('unwrapShellCommand', () => {
  it.each([
    ["/bin/bash -lc 'echo hi'", 'echo hi'],
    [`/bin/bash -lc "printf '%s' 'content here' > 'w.txt'"`, "printf '%s' 'content here' > 'w.txt'"],
    [`bash -lc 'it'\\''s'`, "it's"],
    ['/bin/zsh -lc "echo \\"q\\" \\$HOME"', 'echo "q" $HOME'],
    ['sh -c ls', 'ls'],
    ["/bin/bash -lc 'a' 'b'", "/bin/bash -lc 'a' 'b'"],
    ['git status', 'git status'],
    ["/bin/bash -lc 'unterminated", "/bin/bash -lc 'unterminated"]
  ])('%s → %s', (input, expected) => {
    expect(unwrapShellCommand(input)).toBe(expected)
  })
})

describe('parser: malformed input never throws', () => {
  it('params that do not match the protocol types become a raw parse_error', () => {
    const state = createParseState()
    expect(parseNotification('turn/completed', { threadId: 'T' }, state).events).toEqual([
      { kind: 'raw', stream: 'parse_error', data: JSON.stringify({ method: 'turn/completed', params: { threadId: 'T' } }) }
    ])
    expect(parseNotification('item/started', { item: null }, state).events[0]).toMatchObject({ kind: 'raw', stream: 'parse_error' })
  })
})
