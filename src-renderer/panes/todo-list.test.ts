/** Issue 11 item 12: every agent's to-do list or plan is a checklist, the newest one marked. */
import { describe, expect, it } from 'vitest'
import type { MessageDTO } from '../../src-main/shared/dto'
import { todoTimeline } from './todo-list'

let seq = 0
const m = (p: Partial<MessageDTO>): MessageDTO => ({
  sessionId: 's',
  seq: ++seq,
  kind: 'tool_call',
  text: '',
  toolName: null,
  toolInput: null,
  toolPath: null,
  toolUseId: null,
  parentId: null,
  isError: false,
  createdAt: 0,
  fullLength: null,
  ...p
})
const todos = (name: string, list: [string, string][]) =>
  m({ toolName: name, toolInput: JSON.stringify({ todos: list.map(([content, status], i) => ({ content, status, activeForm: content, id: String(i) })) }) })

describe('todoTimeline', () => {
  it('Claude TodoWrite: every item (not cut after two), the newest marked latest', () => {
    const a = todos('TodoWrite', [
      ['one', 'completed'],
      ['two', 'in_progress'],
      ['three', 'pending'],
      ['four', 'pending'],
      ['five', 'pending']
    ])
    const b = todos('TodoWrite', [
      ['one', 'completed'],
      ['two', 'completed'],
      ['three', 'in_progress'],
      ['four', 'pending'],
      ['five', 'pending']
    ])
    const t = todoTimeline([a, m({ kind: 'assistant', text: 'x' }), b])
    expect(t.get(a.seq)).toMatchObject({ latest: false, title: 'To-do list' })
    expect(t.get(b.seq)?.latest).toBe(true)
    expect(t.get(b.seq)?.items).toEqual([
      { text: 'one', status: 'completed' },
      { text: 'two', status: 'completed' },
      { text: 'three', status: 'in_progress' },
      { text: 'four', status: 'pending' },
      { text: 'five', status: 'pending' }
    ])
  })

  it('OpenCode todowrite, cancelled items included', () => {
    const a = todos('todowrite', [
      ['plan', 'completed'],
      ['drop', 'cancelled']
    ])
    expect(todoTimeline([a]).get(a.seq)?.items).toEqual([
      { text: 'plan', status: 'completed' },
      { text: 'drop', status: 'cancelled' }
    ])
  })

  it('Codex and ACP plans from their Plan: message', () => {
    const p = m({ kind: 'system', text: 'Plan: Three steps\n[x] Read\n[~] Fix\n[ ] Test' })
    expect(todoTimeline([p]).get(p.seq)).toEqual({
      title: 'Plan',
      note: 'Three steps',
      latest: true,
      items: [
        { text: 'Read', status: 'completed' },
        { text: 'Fix', status: 'in_progress' },
        { text: 'Test', status: 'pending' }
      ]
    })
    const other = m({ kind: 'system', text: 'Plan: something else\nnot a checklist' })
    expect(todoTimeline([other]).size).toBe(0)
  })

  it('Claude task tools: created, updated and deleted tasks folded into one list', () => {
    const c1 = m({ toolName: 'TaskCreate', toolInput: JSON.stringify({ subject: 'Write parser', description: 'd' }), toolUseId: 'c1' })
    const r1 = m({ kind: 'tool_result', text: 'Task #1 created successfully: Write parser', toolUseId: 'c1' })
    const c2 = m({ toolName: 'TaskCreate', toolInput: JSON.stringify({ subject: 'Add tests', description: 'd' }), toolUseId: 'c2' })
    const r2 = m({ kind: 'tool_result', text: 'Task #2 created successfully: Add tests', toolUseId: 'c2' })
    const c3 = m({ toolName: 'TaskCreate', toolInput: JSON.stringify({ subject: 'Scrap', description: 'd' }), toolUseId: 'c3' })
    const r3 = m({ kind: 'tool_result', text: 'Task #3 created successfully: Scrap', toolUseId: 'c3' })
    const u1 = m({ toolName: 'TaskUpdate', toolInput: JSON.stringify({ taskId: '1', status: 'completed' }) })
    const u3 = m({ toolName: 'TaskUpdate', toolInput: JSON.stringify({ taskId: '3', status: 'deleted' }) })
    const t = todoTimeline([c1, r1, c2, r2, c3, r3, u1, u3])
    expect(t.get(r2.seq)?.items).toEqual([
      { text: 'Write parser', status: 'pending' },
      { text: 'Add tests', status: 'pending' }
    ])
    expect(t.get(u3.seq)).toMatchObject({ latest: true, title: 'Tasks' })
    expect(t.get(u3.seq)?.items).toEqual([
      { text: 'Write parser', status: 'completed' },
      { text: 'Add tests', status: 'pending' }
    ])
    expect(t.get(r1.seq)?.latest).toBe(false)
  })

  it('a list call the agent refused changes nothing', () => {
    const ok = todos('TodoWrite', [['kept', 'pending']])
    const refused = { ...todos('TodoWrite', [['refused', 'pending']]), toolUseId: 'r1' }
    const err = m({ kind: 'tool_result', text: 'No such tool available: TodoWrite', isError: true, toolUseId: 'r1' })
    const t = todoTimeline([ok, refused, err])
    expect(t.has(refused.seq)).toBe(false)
    expect(t.get(ok.seq)?.latest).toBe(true)
  })

  it('a sub-agent’s list is not the session’s', () => {
    const sub = { ...todos('TodoWrite', [['x', 'pending']]), parentId: 'task1' }
    expect(todoTimeline([sub]).size).toBe(0)
  })
})
