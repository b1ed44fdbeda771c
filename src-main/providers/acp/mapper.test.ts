import { describe, expect, it } from 'vitest'
import type { ProviderEvent, ProviderMessage } from '../types'
import { AcpUpdateMapper, AcpUsageTracker, contentText, toolPathOf } from './mapper'

function mapper() {
  const events: ProviderEvent[] = []
  const m = new AcpUpdateMapper((e) => events.push(e), { terminalOutput: (id) => (id === 'term_1' ? 'terminal says hi\n' : null) })
  const messages = () => events.flatMap((e) => (e.kind === 'message' ? [e.message] : []))
  return { m, events, messages }
}

const text = (t: string) => ({ type: 'text', text: t })
const P = '/tmp/proj'

// Recorded from `opencode acp` 1.18.33 (bash tool, default permissions).
const OPENCODE_BASH_TURN = [
  { sessionUpdate: 'agent_message_chunk', messageId: 'msg_1', content: text('I will run a com') },
  { sessionUpdate: 'agent_message_chunk', messageId: 'msg_1', content: text('mand.') },
  { sessionUpdate: 'tool_call', toolCallId: 'call_3', title: 'bash', kind: 'execute', status: 'pending', locations: [{ path: P }], rawInput: { cwd: P } },
  {
    sessionUpdate: 'tool_call_update',
    toolCallId: 'call_3',
    status: 'in_progress',
    kind: 'execute',
    title: 'echo hello-acp',
    locations: [{ path: P }],
    rawInput: { command: 'echo hello-acp', description: 'Run scripted command', cwd: P }
  },
  {
    sessionUpdate: 'tool_call_update',
    toolCallId: 'call_3',
    status: 'in_progress',
    kind: 'execute',
    title: 'echo hello-acp',
    locations: [{ path: P }],
    rawInput: { command: 'echo hello-acp', description: 'Run scripted command', cwd: P },
    content: [{ type: 'content', content: text('hello-acp\n') }]
  },
  {
    sessionUpdate: 'tool_call_update',
    toolCallId: 'call_3',
    status: 'completed',
    title: 'echo hello-acp',
    content: [{ type: 'content', content: text('hello-acp\n') }],
    rawOutput: { output: 'hello-acp\n', metadata: { output: 'hello-acp\n', exit: 0, truncated: false } }
  },
  { sessionUpdate: 'agent_message_chunk', messageId: 'msg_2', content: text('DONE. Tool outpu') },
  { sessionUpdate: 'agent_message_chunk', messageId: 'msg_2', content: text('t was: hello-acp') },
  { sessionUpdate: 'agent_message_chunk', messageId: 'msg_2', content: text('\n') }
]

describe('AcpUpdateMapper', () => {
  it('maps a recorded OpenCode bash turn: text run, one tool call with the command, its result, final text', () => {
    const { m, messages } = mapper()
    for (const u of OPENCODE_BASH_TURN) expect(m.handleUpdate(u)).toBe(true)
    m.endTurn()
    const got = messages()
    expect(got.map((x) => x.kind)).toEqual(['assistant', 'tool_call', 'tool_result', 'assistant'])
    expect(got[0]?.text).toBe('I will run a command.')
    expect(got[1]).toMatchObject({ toolName: 'bash', toolPath: 'echo hello-acp', toolUseId: 'call_3', text: 'bash: echo hello-acp' })
    expect(JSON.parse(got[1]?.toolInput ?? '{}')).toMatchObject({ command: 'echo hello-acp' })
    expect(got[2]).toMatchObject({ kind: 'tool_result', text: 'hello-acp\n', toolUseId: 'call_3', isError: false })
    expect(got[3]?.text).toBe('DONE. Tool output was: hello-acp\n')
  })

  it('emits text runs only when they end (kind change, new messageId, end of turn)', () => {
    const { m, messages } = mapper()
    m.handleUpdate({ sessionUpdate: 'agent_thought_chunk', messageId: 't1', content: text('think ') })
    m.handleUpdate({ sessionUpdate: 'agent_thought_chunk', messageId: 't1', content: text('hard') })
    expect(messages()).toEqual([])
    m.handleUpdate({ sessionUpdate: 'agent_message_chunk', messageId: 'a1', content: text('one') })
    m.handleUpdate({ sessionUpdate: 'agent_message_chunk', messageId: 'a2', content: text('two') })
    m.handleUpdate({ sessionUpdate: 'agent_message_chunk', content: text(' three') })
    m.handleUpdate({ sessionUpdate: 'agent_message_chunk', content: text(' four') })
    m.endTurn()
    expect(messages().map((x) => [x.kind, x.text])).toEqual([
      ['thinking', 'think hard'],
      ['assistant', 'one'],
      ['assistant', 'two'],
      ['assistant', ' three four']
    ])
  })

  it('drops whitespace-only runs and echoed user chunks', () => {
    const { m, messages } = mapper()
    m.handleUpdate({ sessionUpdate: 'user_message_chunk', content: text('my prompt') })
    m.handleUpdate({ sessionUpdate: 'agent_message_chunk', content: text('\n  ') })
    m.endTurn()
    expect(messages()).toEqual([])
  })

  it('a tool call announced complete (not pending) is emitted at once, with locations as its path', () => {
    const { m, messages } = mapper()
    m.handleUpdate({
      sessionUpdate: 'tool_call',
      toolCallId: 'r1',
      title: 'Read src/a.ts',
      kind: 'read',
      status: 'in_progress',
      locations: [{ path: `${P}/src/a.ts`, line: 3 }],
      rawInput: { path: 'src/a.ts' }
    })
    expect(messages()).toHaveLength(1)
    expect(messages()[0]).toMatchObject({ kind: 'tool_call', toolName: 'read', toolPath: `${P}/src/a.ts`, text: `read: ${P}/src/a.ts` })
  })

  it('a pending call is held for one update only: other content flushes it first, in order', () => {
    const { m, messages } = mapper()
    m.handleUpdate({ sessionUpdate: 'tool_call', toolCallId: 'w1', title: 'write', kind: 'edit', status: 'pending', locations: [], rawInput: {} })
    m.handleUpdate({ sessionUpdate: 'agent_message_chunk', content: text('meanwhile') })
    m.endTurn()
    expect(messages().map((x) => x.kind)).toEqual(['tool_call', 'assistant'])
    expect(messages()[0]).toMatchObject({ toolName: 'write', toolPath: null, text: 'write' })
  })

  it('a call still pending at the end of the turn is shown anyway', () => {
    const { m, messages } = mapper()
    m.handleUpdate({ sessionUpdate: 'tool_call', toolCallId: 'x', title: 'Run `ls`', kind: 'execute', status: 'pending', rawInput: { command: ['ls', '-la'] } })
    m.endTurn()
    expect(messages()).toEqual([expect.objectContaining({ kind: 'tool_call', toolName: 'execute', toolPath: 'ls -la' })])
  })

  it('failed calls give an error result; a rejected permission (recorded from OpenCode) reads as such', () => {
    const { m, messages } = mapper()
    m.handleUpdate({ sessionUpdate: 'tool_call', toolCallId: 'c', title: 'write', kind: 'edit', status: 'pending', locations: [], rawInput: {} })
    m.handleUpdate({
      sessionUpdate: 'tool_call_update',
      toolCallId: 'c',
      status: 'in_progress',
      kind: 'edit',
      title: 'write',
      locations: [{ path: 'b.txt' }],
      rawInput: { filePath: 'b.txt', content: 'no' }
    })
    const info = m.permissionRequested({
      toolCallId: 'c',
      title: `${P}/b.txt`,
      kind: 'edit',
      status: 'pending',
      locations: [{ path: `${P}/b.txt` }],
      rawInput: { filepath: `${P}/b.txt`, diff: '+no' }
    })
    expect(info).toEqual({ toolName: 'write', input: { filepath: `${P}/b.txt`, diff: '+no' }, description: `${P}/b.txt`, toolUseId: 'c' })
    m.handleUpdate({
      sessionUpdate: 'tool_call_update',
      toolCallId: 'c',
      status: 'failed',
      kind: 'edit',
      title: 'write',
      locations: [{ path: 'b.txt' }],
      rawInput: { filePath: 'b.txt', content: 'no' },
      content: [{ type: 'content', content: text('The user rejected permission to use this specific tool call.') }],
      rawOutput: { error: 'The user rejected permission to use this specific tool call.' }
    })
    const got = messages()
    expect(got.map((x) => x.kind)).toEqual(['tool_call', 'tool_result'])
    expect(got[0]).toMatchObject({ toolName: 'write', toolPath: 'b.txt' })
    expect(got[1]).toMatchObject({ isError: true, text: 'The user rejected permission to use this specific tool call.' })
  })

  it('a permission request for a call never announced creates it, and flushes pending text first', () => {
    const { m, messages } = mapper()
    m.handleUpdate({ sessionUpdate: 'agent_message_chunk', content: text('about to') })
    const info = m.permissionRequested({
      toolCallId: 'p1',
      title: 'Delete old.txt',
      kind: 'delete',
      locations: [{ path: `${P}/old.txt` }],
      rawInput: { path: 'old.txt' }
    })
    expect(info.toolName).toBe('delete')
    expect(messages().map((x: ProviderMessage) => [x.kind, x.text])).toEqual([
      ['assistant', 'about to'],
      ['tool_call', `delete: ${P}/old.txt`]
    ])
    m.handleUpdate({ sessionUpdate: 'tool_call_update', toolCallId: 'p1', status: 'completed' })
    expect(messages().at(-1)).toMatchObject({ kind: 'tool_result', text: '', isError: false })
  })

  it('result text from diffs, terminals and raw output; one result per call', () => {
    const { m, messages } = mapper()
    m.handleUpdate({ sessionUpdate: 'tool_call', toolCallId: 'd', title: 'Edit', kind: 'edit', status: 'in_progress' })
    m.handleUpdate({
      sessionUpdate: 'tool_call_update',
      toolCallId: 'd',
      status: 'completed',
      content: [
        { type: 'diff', path: `${P}/a.txt`, oldText: 'x', newText: 'y' },
        { type: 'diff', path: `${P}/n.txt`, oldText: null, newText: 'n' }
      ]
    })
    m.handleUpdate({ sessionUpdate: 'tool_call_update', toolCallId: 'd', status: 'completed', content: [{ type: 'content', content: text('again') }] })
    m.handleUpdate({
      sessionUpdate: 'tool_call',
      toolCallId: 't',
      title: 'make',
      kind: 'execute',
      status: 'in_progress',
      content: [{ type: 'terminal', terminalId: 'term_1' }]
    })
    m.handleUpdate({ sessionUpdate: 'tool_call_update', toolCallId: 't', status: 'completed' })
    m.handleUpdate({ sessionUpdate: 'tool_call', toolCallId: 'o', title: 'fetch', kind: 'fetch', status: 'completed', rawOutput: { status: 200 } })
    const results = messages().filter((x) => x.kind === 'tool_result')
    expect(results.map((r) => r.text)).toEqual([`Edited ${P}/a.txt\nWrote ${P}/n.txt`, 'terminal says hi\n', '{"status":200}'])
  })

  it('an update for an unknown call (no announcement) still yields call + result', () => {
    const { m, messages } = mapper()
    m.handleUpdate({ sessionUpdate: 'tool_call_update', toolCallId: 'late', status: 'failed', title: 'grep', kind: 'search', rawInput: { pattern: 'TODO' } })
    expect(messages().map((x) => [x.kind, x.toolPath ?? null, x.isError ?? false])).toEqual([
      ['tool_call', 'TODO', false],
      ['tool_result', null, true]
    ])
    expect(messages()[1]?.text).toBe('The tool failed.')
  })

  it('plans become a system checklist, only when they change', () => {
    const { m, messages } = mapper()
    const plan = {
      sessionUpdate: 'plan',
      entries: [
        { content: 'read', priority: 'high', status: 'completed' },
        { content: 'write', priority: 'low', status: 'in_progress' },
        { content: 'test', priority: 'low', status: 'pending' }
      ]
    }
    m.handleUpdate(plan)
    m.handleUpdate(plan)
    expect(messages()).toEqual([{ kind: 'system', text: 'Plan:\n[x] read\n[~] write\n[ ] test' }])
  })

  it('reports unknown update kinds as unhandled', () => {
    const { m } = mapper()
    expect(m.handleUpdate({ sessionUpdate: 'something_new' })).toBe(false)
    expect(m.handleUpdate(null)).toBe(false)
  })

  it('content and path helpers', () => {
    expect(contentText({ type: 'resource_link', name: 'spec', uri: 'file:///a' })).toBe('[spec: file:///a]')
    expect(contentText({ type: 'resource', resource: { uri: 'file:///a', text: 'body' } })).toBe('body')
    expect(contentText({ type: 'image', data: '', mimeType: 'image/png' })).toBe('[image]')
    expect(toolPathOf({ kind: 'execute', locations: [{ path: P }], rawInput: { cmd: 'ls' }, title: null })).toBe('ls')
    expect(toolPathOf({ kind: 'edit', locations: [], rawInput: { file_path: 'x.ts' }, title: null })).toBe('x.ts')
    expect(toolPathOf({ kind: 'other', locations: [], rawInput: 'weird', title: null })).toBe(null)
  })
})

describe('AcpUsageTracker', () => {
  const upd = (used: number, amount?: number, currency = 'USD') => ({
    sessionUpdate: 'usage_update',
    used,
    size: 200_000,
    ...(amount !== undefined ? { cost: { amount, currency } } : {})
  })

  it('turns the cumulative session cost into per-turn deltas; tokens from the prompt response', () => {
    const t = new AcpUsageTracker(0)
    t.onUsageUpdate(upd(7756, 0.015))
    expect(t.takeTurn({ inputTokens: 7756, outputTokens: 9, totalTokens: 7765 })).toEqual({
      inputTokens: 7756,
      outputTokens: 9,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      contextTokens: 7756,
      contextWindow: 200_000,
      costKnown: true,
      costUsdDelta: 0.015
    })
    t.onUsageUpdate(upd(7856, 0.031))
    expect(t.takeTurn({ inputTokens: 7856, outputTokens: 12, cachedReadTokens: 5 })).toMatchObject({
      costUsdDelta: expect.closeTo(0.016, 9),
      cacheReadTokens: 5
    })
    expect(t.cumulativeCost).toBe(0.031)
  })

  it('a cancelled turn (used 0) keeps the last context size', () => {
    const t = new AcpUsageTracker(0)
    t.onUsageUpdate(upd(7000, 0.01))
    t.takeTurn(null)
    t.onUsageUpdate(upd(0, 0.01))
    expect(t.takeTurn({ inputTokens: 0, outputTokens: 0 })).toMatchObject({ contextTokens: 7000, costUsdDelta: 0 })
  })

  it('unknown baseline (resumed in a new app run): the first report only sets it', () => {
    const t = new AcpUsageTracker(null)
    t.onUsageUpdate(upd(7700, 0.0154))
    expect(t.takeTurn(null)).toMatchObject({ costUsdDelta: 0, costKnown: true })
    t.onUsageUpdate(upd(7720, 0.0231))
    expect(t.takeTurn(null)?.costUsdDelta).toBeCloseTo(0.0077, 9)
  })

  it('known baseline (resumed in the same app run) counts only the new cost', () => {
    const t = new AcpUsageTracker(0.0077)
    t.onUsageUpdate(upd(7700, 0.0154))
    expect(t.takeTurn(null)?.costUsdDelta).toBeCloseTo(0.0077, 9)
  })

  it('no cost (or not in USD): costKnown false, tokens still counted; nothing reported: null', () => {
    const t = new AcpUsageTracker(0)
    expect(t.takeTurn(undefined)).toBeNull()
    t.onUsageUpdate(upd(100, 3, 'credits'))
    expect(t.takeTurn({ inputTokens: 10, outputTokens: 2 })).toEqual({
      inputTokens: 10,
      outputTokens: 2,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      contextTokens: 100,
      contextWindow: 200_000,
      costKnown: false
    })
    expect(t.takeTurn({ inputTokens: 1, outputTokens: 1 })).toMatchObject({ costKnown: false, inputTokens: 1 })
  })

  it('an approval carries the ACP locations its raw input does not name, so the card can flag them', () => {
    const m = new AcpUpdateMapper(() => {}, { terminalOutput: () => null })
    const info = m.permissionRequested({
      toolCallId: 'x',
      kind: 'edit',
      title: 'Edit',
      rawInput: { note: 'n' },
      locations: [{ path: '/home/u/.ssh/config' }, { line: 3 }]
    })
    expect(info.input).toEqual({ note: 'n', locations: [{ path: '/home/u/.ssh/config' }] })
  })
})
