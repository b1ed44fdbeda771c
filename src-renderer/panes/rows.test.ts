import { describe, expect, it } from 'vitest'
import type { MessageDTO } from '../../src-main/shared/dto'
import { formatCost, relativeTime, toolSummary } from './format'
import { buildRows, computeOffsets, rowAt, visibleRange } from './rows'

let seq = 0
function msg(p: Partial<MessageDTO>): MessageDTO {
  return {
    sessionId: 's',
    seq: ++seq,
    kind: 'assistant',
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
  }
}

describe('buildRows', () => {
  const task = msg({ kind: 'tool_call', toolName: 'Task', toolUseId: 'task1' })
  const subCall = msg({ kind: 'tool_call', toolName: 'Bash', toolUseId: 'b1', parentId: 'task1' })
  const subResult = msg({ kind: 'tool_result', toolUseId: 'b1', parentId: 'task1', text: 'ok' })
  const subText = msg({ kind: 'assistant', parentId: 'task1', text: 'sub done' })
  const nested = msg({ kind: 'assistant', parentId: 'b1', text: 'deeper' })
  const result = msg({ kind: 'tool_result', toolUseId: 'task1', text: 'task done' })
  const all = [task, subCall, subResult, subText, nested, result]

  it('indents sub-agent messages under their parent call and pairs results with calls', () => {
    const rows = buildRows(all, new Set())
    expect(rows.map((r) => [r.key, r.depth])).toEqual([
      [task.seq, 0],
      [subCall.seq, 1],
      [subResult.seq, 1],
      [subText.seq, 1],
      [nested.seq, 2],
      [result.seq, 0]
    ])
    expect(rows[0]!.children).toBe(3)
    expect(rows[2]!.call).toBe(subCall)
    expect(rows[5]!.call).toBe(task)
  })

  it('hides a collapsed sub-agent, nested levels included', () => {
    const rows = buildRows(all, new Set(['task1']))
    expect(rows.map((r) => r.key)).toEqual([task.seq, result.seq])
    expect(rows[0]!.collapsed).toBe(true)
  })
})

describe('virtual list math', () => {
  const rows = buildRows([msg({}), msg({}), msg({}), msg({})], new Set())
  const offsets = computeOffsets(rows, (r) => (r.key % 2 === 0 ? 100 : 50))
  it('finds rows by pixel and the range to render', () => {
    expect(offsets[offsets.length - 1]).toBe(300)
    expect(rowAt(offsets, 0)).toBe(0)
    expect(rowAt(offsets, 149)).toBe(1)
    expect(rowAt(offsets, 10_000)).toBe(3)
    expect(visibleRange(offsets, 120, 20, 0)).toEqual([1, 2])
    expect(
      visibleRange(
        computeOffsets([], () => 1),
        0,
        100,
        100
      )
    ).toEqual([0, 0])
  })
})

describe('format', () => {
  it('summarises tool calls relative to the project folder', () => {
    expect(toolSummary({ toolName: 'Write', toolInput: '{"file_path":"/p/src/a.ts"}', toolPath: null }, '/p')).toBe('Write · src/a.ts')
    expect(toolSummary({ toolName: 'Bash', toolInput: '{"command":"echo hi"}', toolPath: null }, '/p')).toBe('Bash · echo hi')
  })
  it('never shows $0 for an unknown cost', () => {
    const t = { costUsd: 0, inputTokens: 5, outputTokens: 1, cacheReadTokens: 0, cacheWriteTokens: 0, contextTokens: null, contextWindow: null }
    expect(formatCost({ ...t, costKnown: false })).toBe('cost n/a')
    expect(formatCost({ ...t, costUsd: 0.1234, costKnown: true })).toBe('$0.12')
  })
  it('says relative times plainly', () => {
    expect(relativeTime(1_000, 10_000)).toBe('just now')
    expect(relativeTime(0, 5 * 60_000)).toBe('5 min ago')
  })
})
