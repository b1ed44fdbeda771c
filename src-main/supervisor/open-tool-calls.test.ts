/**
 * No tool call is left open once its turn ends, for every agent: the supervisor closes what the
 * agent never closed (an interrupt mid-command, a crash), nested calls keep their parent.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { memoryCore } from '../../test/support/memory-core'
import { OpenToolCalls, UNFINISHED_TOOL_TEXT } from './open-tool-calls'

const cleanups: (() => unknown)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})
const tick = (ms = 40) => new Promise((r) => setTimeout(r, ms))
const call = (id: string, parentId: string | null = null) => ({
  kind: 'message' as const,
  message: { kind: 'tool_call' as const, text: 'Bash: sleep 20', toolName: 'Bash', toolUseId: id, parentId }
})
const result = (id: string) => ({ kind: 'message' as const, message: { kind: 'tool_result' as const, text: 'ok', toolUseId: id } })

describe('open tool calls', () => {
  it('closes the calls still open when the turn ends (interrupt), after what the agent sent, nested ones under their parent', async () => {
    const t = await memoryCore(cleanups)
    const s = await t.caller.sessions.start({ projectId: t.project.id, prompt: 'go' })
    const h = t.provider.last
    h.emit({ kind: 'turn', state: 'running' }, call('t1'), call('task1'), call('sub1', 'task1'), result('t1'))
    await t.caller.sessions.interrupt({ id: s.id })
    h.emit({ kind: 'message', message: { kind: 'system', text: 'Interrupted' } }, { kind: 'turn', state: 'idle' })
    await tick()
    const rows = t.core.store.messagesAfter(s.id, 0, 100)
    const closed = rows.filter((m) => m.kind === 'tool_result' && m.text === UNFINISHED_TOOL_TEXT)
    expect(closed.map((m) => [m.tool_use_id, m.parent_id, m.is_error, m.tool_name])).toEqual([
      ['task1', null, 1, 'Bash'],
      ['sub1', 'task1', 1, 'Bash']
    ])
    // Closed calls stay closed: the next turn adds nothing for them.
    await t.caller.sessions.send({ id: s.id, prompt: 'again' })
    h.emit({ kind: 'turn', state: 'running' }, { kind: 'turn', state: 'idle' })
    await tick()
    expect(t.core.store.messagesAfter(s.id, 0, 100).filter((m) => m.text === UNFINISHED_TOOL_TEXT)).toHaveLength(2)
  })

  it('closes them when the process dies mid-turn too; a turn whose calls all ended adds nothing', async () => {
    const t = await memoryCore(cleanups)
    const s = await t.caller.sessions.start({ projectId: t.project.id, prompt: 'go' })
    const h = t.provider.last
    h.emit({ kind: 'turn', state: 'running' }, call('a'), result('a'), { kind: 'turn', state: 'idle' })
    await tick()
    expect(t.core.store.messagesAfter(s.id, 0, 100).some((m) => m.text === UNFINISHED_TOOL_TEXT)).toBe(false)
    await t.caller.sessions.send({ id: s.id, prompt: 'next' })
    h.emit({ kind: 'turn', state: 'running' }, call('b'))
    h.exit({ code: null, signal: 'SIGKILL', stderrTail: '' })
    await tick()
    const closed = t.core.store.messagesAfter(s.id, 0, 100).filter((m) => m.text === UNFINISHED_TOOL_TEXT)
    expect(closed.map((m) => m.tool_use_id)).toEqual(['b'])
  })

  it('a sub-agent whose call already returned runs on (Claude’s async agents): its calls stay open until their results or the process ends', async () => {
    const t = await memoryCore(cleanups)
    const s = await t.caller.sessions.start({ projectId: t.project.id, prompt: 'go' })
    const h = t.provider.last
    h.emit({ kind: 'turn', state: 'running' }, call('task1'), result('task1'), call('sub1', 'task1'), call('sub2', 'task1'), { kind: 'turn', state: 'idle' })
    await tick()
    expect(t.core.store.messagesAfter(s.id, 0, 100).some((m) => m.text === UNFINISHED_TOOL_TEXT)).toBe(false)
    h.emit(result('sub1'))
    h.exit({ code: null, signal: 'SIGKILL', stderrTail: '' })
    await tick()
    const closed = t.core.store.messagesAfter(s.id, 0, 100).filter((m) => m.text === UNFINISHED_TOOL_TEXT)
    expect(closed.map((m) => m.tool_use_id)).toEqual(['sub2'])
  })

  it('ignores messages without a tool-use id', () => {
    const open = new OpenToolCalls()
    open.note({ kind: 'tool_call', text: 'x' })
    open.note({ kind: 'tool_call', text: 'y', toolUseId: 'y' })
    open.note({ kind: 'tool_result', text: 'y', toolUseId: 'y' })
    expect(open.size).toBe(0)
    expect(open.close()).toEqual([])
  })
})
