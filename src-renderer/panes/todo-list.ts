/**
 * To-do lists and plans as checklists (issue 11 item 12), from what each agent emits:
 * - Claude Code `TodoWrite` and OpenCode `todowrite` tool calls: the whole list each time
 *   (`{ todos: [{ content, status }] }`, status pending | in_progress | completed | cancelled);
 * - Claude Code's task tools: `TaskCreate` (`{ subject }`, its result "Task #3 created successfully")
 *   and `TaskUpdate` (`{ taskId, status?, subject? }`, status "deleted" removes it) — changes, folded
 *   into one list here;
 * - Codex plan updates and ACP plans: a `system` message `Plan:[ note]\n[x] step\n[~] step\n[ ] step`
 *   (codex/parser.ts, acp/mapper.ts).
 * `todoTimeline` walks the loaded messages once and gives each such row the list as it stood after it,
 * and marks the newest: the pane shows that one as the checklist and earlier ones as a one-line step,
 * so the list reads as one checklist updated in place. Pure, unit-tested.
 */
import type { MessageDTO } from '../../src-main/shared/dto'

export type TodoStatus = 'pending' | 'in_progress' | 'completed' | 'cancelled'
export interface TodoItem {
  text: string
  status: TodoStatus
}
export interface TodoView {
  /** "To-do list" or "Plan". */
  title: string
  /** Codex's explanation of a plan. */
  note: string | null
  items: TodoItem[]
  /** The newest list in the window: shown in full; earlier ones are one line. */
  latest: boolean
}

const SNAPSHOT_TOOLS = new Set(['todowrite'])
const TASK_CREATE = 'TaskCreate'
const TASK_UPDATE = 'TaskUpdate'

function status(v: unknown): TodoStatus {
  if (v === 'completed' || v === 'done') return 'completed'
  if (v === 'in_progress' || v === 'inProgress' || v === 'active') return 'in_progress'
  if (v === 'cancelled' || v === 'canceled') return 'cancelled'
  return 'pending'
}

function parse(json: string | null): Record<string, unknown> | null {
  if (!json) return null
  try {
    const v = JSON.parse(json) as unknown
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null
  } catch {
    return null
  }
}

/** A whole list from one message (TodoWrite / todowrite / a Plan: text), or null. */
export function snapshotOf(m: MessageDTO): { title: string; note: string | null; items: TodoItem[] } | null {
  if (m.kind === 'tool_call' && m.toolName && SNAPSHOT_TOOLS.has(m.toolName.toLowerCase())) {
    const input = parse(m.toolInput)
    if (!input || !Array.isArray(input.todos)) return null
    const items = input.todos
      .filter((t): t is Record<string, unknown> => !!t && typeof t === 'object')
      .map((t) => ({ text: String(t.content ?? t.subject ?? t.title ?? ''), status: status(t.status) }))
    return { title: 'To-do list', note: null, items }
  }
  if (m.kind === 'system' && (m.text.startsWith('Plan:') || m.text === 'Plan cleared')) {
    const [head, ...rest] = m.text.split('\n')
    const items: TodoItem[] = []
    for (const line of rest) {
      const x = /^\[( |x|~)\] ?(.*)$/.exec(line)
      if (!x) return null
      items.push({ text: x[2]!, status: x[1] === 'x' ? 'completed' : x[1] === '~' ? 'in_progress' : 'pending' })
    }
    const note = head!.startsWith('Plan:') ? head!.slice(5).trim() || null : null
    return { title: 'Plan', note, items }
  }
  return null
}

/** The list after each to-do row of `messages` (keyed by seq), the newest marked `latest`. */
export function todoTimeline(messages: readonly MessageDTO[]): Map<number, TodoView> {
  const out = new Map<number, TodoView>()
  /** Claude task tools: tasks by id, in creation order; calls waiting for their result's id. */
  const tasks = new Map<string, TodoItem>()
  const pendingCreates = new Map<string, TodoItem>()
  let lastSeq = -1
  // A list tool the agent refused (Claude Code 2.x: "TodoWrite is disabled for this session") changed nothing.
  const failed = new Set<string>()
  for (const m of messages) if (m.kind === 'tool_result' && m.isError && m.toolUseId) failed.add(m.toolUseId)
  for (const m of messages) {
    if (m.parentId) continue // a sub-agent's own list is not the session's
    const snap = snapshotOf(m)
    if (snap && !(m.toolUseId && failed.has(m.toolUseId))) {
      out.set(m.seq, { ...snap, latest: false })
      lastSeq = m.seq
      continue
    }
    if (m.kind === 'tool_call' && m.toolName === TASK_CREATE) {
      const input = parse(m.toolInput)
      const item: TodoItem = { text: String(input?.subject ?? input?.description ?? ''), status: 'pending' }
      if (m.toolUseId) pendingCreates.set(m.toolUseId, item)
      continue
    }
    if (m.kind === 'tool_result' && m.toolUseId && pendingCreates.has(m.toolUseId)) {
      const item = pendingCreates.get(m.toolUseId)!
      pendingCreates.delete(m.toolUseId)
      const id = /Task #(\S+) created/.exec(m.text)?.[1]
      if (!id || m.isError) continue
      tasks.set(id, item)
      out.set(m.seq, { title: 'Tasks', note: null, items: [...tasks.values()].map((t) => ({ ...t })), latest: false })
      lastSeq = m.seq
      continue
    }
    if (m.kind === 'tool_call' && m.toolName === TASK_UPDATE) {
      const input = parse(m.toolInput)
      const id = input?.taskId === undefined ? undefined : String(input.taskId)
      const task = id === undefined ? undefined : tasks.get(id)
      if (!id || !task) continue
      if (input!.status === 'deleted') tasks.delete(id)
      else {
        if (input!.status !== undefined) task.status = status(input!.status)
        if (typeof input!.subject === 'string' && input!.subject) task.text = input!.subject
      }
      out.set(m.seq, { title: 'Tasks', note: null, items: [...tasks.values()].map((t) => ({ ...t })), latest: false })
      lastSeq = m.seq
    }
  }
  const last = out.get(lastSeq)
  if (last) last.latest = true
  return out
}

export function doneCount(items: readonly TodoItem[]): number {
  return items.filter((i) => i.status === 'completed').length
}

/** Tools whose result only echoes the list back (OpenCode's todowrite returns it as JSON): the checklist says it all. */
export function isListTool(name: string | null | undefined): boolean {
  return !!name && (SNAPSHOT_TOOLS.has(name.toLowerCase()) || name === TASK_CREATE || name === TASK_UPDATE)
}
