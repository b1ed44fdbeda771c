/**
 * Transcript rows from the store's message window: one row per message (so every message keeps its
 * own `data-seq`), sub-agent messages (`parentId` = the tool_use id of a Task/Agent call) indented
 * under their parent call, and hidden while that call's sub-agent is collapsed.
 */
import type { MessageDTO } from '../../src-main/shared/dto'

export interface Row {
  /** The message seq: stable key for rendering, measuring and scroll anchoring. */
  key: number
  msg: MessageDTO
  /** Nesting level (0 = the main agent). */
  depth: number
  /** For tool calls: the call's sub-agent messages (0 for plain tools). */
  children: number
  /** For tool calls with children: whether they are hidden. */
  collapsed: boolean
  /** For tool results: the call they answer, when it is in the window. */
  call: MessageDTO | null
}

export function buildRows(messages: readonly MessageDTO[], collapsed: ReadonlySet<string>): Row[] {
  const children = new Map<string, number>()
  for (const m of messages) if (m.parentId) children.set(m.parentId, (children.get(m.parentId) ?? 0) + 1)

  const calls = new Map<string, { msg: MessageDTO; depth: number }>()
  /** Tool-use ids whose sub-agent rows are not shown (collapsed themselves or inside a hidden call). */
  const hidden = new Set<string>()
  const rows: Row[] = []
  for (const m of messages) {
    const parent = m.parentId ? calls.get(m.parentId) : undefined
    const depth = m.parentId ? (parent ? parent.depth + 1 : 1) : 0
    const isHidden = m.parentId !== null && (hidden.has(m.parentId) || collapsed.has(m.parentId))
    if (m.kind === 'tool_call' && m.toolUseId) {
      calls.set(m.toolUseId, { msg: m, depth })
      if (isHidden) hidden.add(m.toolUseId)
    }
    if (isHidden) continue
    const n = m.kind === 'tool_call' && m.toolUseId ? (children.get(m.toolUseId) ?? 0) : 0
    const call = m.kind === 'tool_result' && m.toolUseId ? (calls.get(m.toolUseId)?.msg ?? null) : null
    rows.push({
      key: m.seq,
      msg: m,
      depth: call ? (calls.get(m.toolUseId!)?.depth ?? depth) : depth,
      children: n,
      collapsed: n > 0 && m.toolUseId !== null && collapsed.has(m.toolUseId),
      call
    })
  }
  return rows
}

/**
 * Estimates by message object (messages are never mutated, a window keeps the same objects): a
 * recompute after every page or measurement must not re-split the text of every unmeasured row
 * (issue 11 item 16). Weak, so dropped pages take their entries with them.
 */
const estimates = new WeakMap<MessageDTO, number>()

/** Rough first guess of a row's height before it is measured (px), computed once per message. */
export function estimateHeight(row: Row): number {
  const hit = estimates.get(row.msg)
  if (hit !== undefined) return hit
  const h = estimateOnce(row.msg)
  estimates.set(row.msg, h)
  return h
}

function estimateOnce(m: MessageDTO): number {
  switch (m.kind) {
    case 'tool_call':
    case 'system':
      return 30
    case 'tool_result':
      return 30 + Math.min(12, m.text.split('\n', 13).length) * 17
    case 'thinking':
      return 34
    default: {
      const lines = m.text.split('\n').length + Math.floor(m.text.length / 90)
      return 28 + Math.min(lines, 60) * 20
    }
  }
}

/** Prefix sums of heights: `offsets[i]` is the top of row i, `offsets[n]` the total height. */
export function computeOffsets(rows: readonly Row[], heightOf: (row: Row) => number): Float64Array {
  const out = new Float64Array(rows.length + 1)
  for (let i = 0; i < rows.length; i++) out[i + 1] = out[i]! + heightOf(rows[i]!)
  return out
}

/** Index of the row containing pixel `y` (clamped to [0, n-1]; -1 when there are no rows). */
export function rowAt(offsets: Float64Array, y: number): number {
  const n = offsets.length - 1
  if (n <= 0) return -1
  let lo = 0
  let hi = n - 1
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1
    if (offsets[mid]! <= y) lo = mid
    else hi = mid - 1
  }
  return lo
}

/** Rows to render for a viewport [top, top + height] plus `overscan` px each side: [start, end). */
export function visibleRange(offsets: Float64Array, top: number, height: number, overscan: number): [number, number] {
  const n = offsets.length - 1
  if (n <= 0) return [0, 0]
  const start = Math.max(0, rowAt(offsets, top - overscan))
  const end = Math.min(n, rowAt(offsets, top + height + overscan) + 1)
  return [start, end]
}
