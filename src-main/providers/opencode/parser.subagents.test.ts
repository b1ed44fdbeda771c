/**
 * Recorded real `opencode serve` 1.18.33 output (fixtures/README.md): a sub-agent (`task`) that
 * writes a file and runs a command in "Ask before edits and commands", and an interrupt during a
 * shell command, where OpenCode sends `session.error` + `session.idle` BEFORE the aborted tool's
 * final update.
 */
import { describe, expect, it } from 'vitest'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { ProviderEvent, ProviderMessage } from '../types'
import { beginTurn, cleanToolOutput, createParseState, endSettledTurn, endTurnAfterIdle, openToolCalls, parseOpenCodeEvent, turnActive } from './parser'
import { serverConfigContent, subagentAction } from './permissions'

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures')
const lines = (name: string) =>
  readFileSync(path.join(FIXTURES, name), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { t_ms: number; dir: string; msg: any })

/**
 * Replays a recording as the handle drives the parser: the session is the first one created, the
 * turn begins with the prompt's `messageID`, an abort sets `interruptRequested`; a settled turn or
 * a confirmed idle ends only once no tool call is open (the handle waits for late tool updates),
 * or at the end of the recording.
 */
function replay(name: string) {
  const all = lines(name)
  const sid = JSON.parse(all.find((l) => l.dir === 'http' && l.msg.path === '/session')!.msg.response).id as string
  const state = createParseState(sid)
  const events: ProviderEvent[] = []
  const asks: { requestId: string; permission: string }[] = []
  let ending: ((s: typeof state) => ProviderEvent[]) | null = null
  let endedWithOpenCalls = false
  for (const l of all) {
    if (l.dir === 'http' && l.msg.path.endsWith('/prompt_async')) beginTurn(state, l.msg.body.messageID)
    if (l.dir === 'http' && l.msg.path.endsWith('/abort') && turnActive(state)) state.interruptRequested = true
    if (l.dir !== 'sse') continue
    const parsed = parseOpenCodeEvent(l.msg, state)
    events.push(...parsed.events)
    if (parsed.subagentAsk) asks.push(parsed.subagentAsk)
    if (parsed.settled) ending ??= endSettledTurn
    if (parsed.checkIdle) ending ??= endTurnAfterIdle
    if (ending && openToolCalls(state) === 0) {
      events.push(...ending(state))
      ending = null
    }
  }
  if (ending) {
    endedWithOpenCalls = openToolCalls(state) > 0
    events.push(...ending(state))
  }
  return { events, asks, state, endedWithOpenCalls }
}

const messages = (events: ProviderEvent[]): ProviderMessage[] => events.flatMap((e) => (e.kind === 'message' ? [e.message] : []))

describe('OpenCode sub-agents (recorded: task → write + bash, "ask" mode)', () => {
  const { events, asks } = replay('serve-subagent-ask.jsonl')
  const msgs = messages(events)
  const task = msgs.find((m) => m.kind === 'tool_call' && m.toolName === 'task')!

  it('shows the task call with its description, then the sub-agent’s messages nested under it, live and in order', () => {
    expect(task).toMatchObject({ text: 'task: Scripted sub-agent', parentId: null })
    const nested = msgs.filter((m) => m.parentId === task.toolUseId)
    expect(nested.map((m) => `${m.kind}: ${m.text.slice(0, 40)}`)).toEqual([
      'assistant: I will write a file.',
      'tool_call: write: sub.txt',
      'tool_result: Wrote file successfully.',
      'assistant: I will run a command.',
      'tool_call: bash: echo sub-ran',
      'tool_result: sub-ran\n',
      'assistant: DONE. Tool output was: sub-ran\n'
    ])
    // The sub-agent's prompt is the task call's input, not a row of its own.
    expect(msgs.some((m) => m.text.includes('please [[write'))).toBe(false)
    // Every nested row comes between the task call and its result.
    const taskResult = msgs.findIndex((m) => m.kind === 'tool_result' && m.toolUseId === task.toolUseId)
    expect(msgs.findIndex((m) => m.parentId === task.toolUseId)).toBeGreaterThan(msgs.indexOf(task))
    expect(msgs.findLastIndex((m) => m.parentId === task.toolUseId)).toBeLessThan(taskResult)
    // The task result is the sub-agent's answer, not OpenCode's <task> envelope.
    expect(msgs[taskResult]!.text).toBe('DONE. Tool output was: sub-ran\n')
    expect(msgs.at(-1)).toMatchObject({ kind: 'assistant', parentId: null })
    expect(events.at(-1)).toEqual({ kind: 'turn', state: 'idle' })
  })

  it('the sub-agent asks for its edit and its command: approval cards, and the handle is told they are a sub-agent’s', () => {
    const cards = events.flatMap((e) => (e.kind === 'approval_request' ? [e.request] : []))
    expect(cards.map((c) => c.toolName)).toEqual(['edit', 'bash'])
    expect(cards[1]!.description).toContain('(subagent)')
    expect(asks.map((a) => a.permission)).toEqual(['edit', 'bash'])
  })

  it('counts the sub-agent’s cost as the session’s and reports the model OpenCode answers with', () => {
    const usage = events.flatMap((e) => (e.kind === 'usage' ? [e.usage] : []))
    expect(usage.length).toBe(5) // parent: 2 steps, sub-agent: 3
    expect(events.find((e) => e.kind === 'cli_session')).toMatchObject({ model: 'fake/fake-model' })
  })
})

describe('OpenCode interrupt during a tool call (recorded)', () => {
  it('the late final update lands on its call (before the turn ends), its shell note shown as text', () => {
    const { events, endedWithOpenCalls } = replay('serve-abort-tool.jsonl')
    const msgs = messages(events)
    const call = msgs.find((m) => m.kind === 'tool_call')!
    const result = msgs.find((m) => m.kind === 'tool_result')!
    expect(result).toMatchObject({ toolUseId: call.toolUseId, text: 'started\n\n[User aborted the command]' })
    expect(endedWithOpenCalls).toBe(false)
    const end = events.findIndex((e) => e.kind === 'turn')
    expect(events.indexOf(events.find((e) => e.kind === 'message' && e.message === result)!)).toBeLessThan(end)
    expect(events.at(-1)).toEqual({ kind: 'turn', state: 'idle' })
  })

  it('the idle arrives while the call is still open: ending there would lose the result (what the handle waits for)', () => {
    const all = lines('serve-abort-tool.jsonl')
    const idle = all.findIndex((l) => l.dir === 'sse' && l.msg.type === 'session.idle')
    const final = all.findIndex((l) => l.dir === 'sse' && l.msg.type === 'message.part.updated' && l.msg.properties.part.state?.status === 'completed')
    expect(idle).toBeGreaterThan(0)
    expect(final).toBeGreaterThan(idle)
  })
})

describe('OpenCode tool output and sub-agent rules', () => {
  it('shows <shell_metadata> as a bracketed note and unwraps a task result', () => {
    expect(cleanToolOutput('bash', 'out\n\n\n<shell_metadata>\nUser aborted the command\n</shell_metadata>')).toBe('out\n\n[User aborted the command]')
    expect(cleanToolOutput('bash', '<shell_metadata>\nbash tool terminated command after exceeding timeout 120000 ms\n</shell_metadata>')).toBe(
      '[bash tool terminated command after exceeding timeout 120000 ms]'
    )
    expect(cleanToolOutput('bash', 'plain <shell_metadata> in the middle')).toBe('plain <shell_metadata> in the middle')
    expect(cleanToolOutput('task', '<task id="ses_1" state="error">\n<task_error>\nboom\n</task_error>\n</task>')).toBe('boom')
    expect(cleanToolOutput('read', '<task id="x" state="completed">\n<task_result>\nkept\n</task_result>\n</task>')).toContain('<task id')
  })

  it('a sub-agent request is answered as the parent’s mode says', () => {
    expect(subagentAction('default', 'edit')).toBe('ask')
    expect(subagentAction('default', 'bash')).toBe('ask')
    expect(subagentAction('acceptEdits', 'edit')).toBe('allow')
    expect(subagentAction('acceptEdits', 'bash')).toBe('ask')
    expect(subagentAction('plan', 'edit')).toBe('deny')
    expect(subagentAction('plan', 'bash')).toBe('deny')
    expect(subagentAction('bypassPermissions', 'bash')).toBe('allow')
    expect(subagentAction('bypassPermissions', 'webfetch')).toBe('ask')
  })

  it('the server config makes sessions without rules (sub-agents) ask for edits and commands, keeping the user’s inline config', () => {
    expect(JSON.parse(serverConfigContent(undefined))).toEqual({ permission: { edit: 'ask', bash: 'ask' } })
    expect(JSON.parse(serverConfigContent('{"model":"a/b","permission":{"webfetch":"deny","bash":"allow"}}'))).toEqual({
      model: 'a/b',
      permission: { webfetch: 'deny', edit: 'ask', bash: 'ask' }
    })
    expect(serverConfigContent('not json')).toBe('not json')
  })
})
