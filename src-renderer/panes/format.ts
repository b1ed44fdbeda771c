/** Small pure formatters for the panes: times, money, tokens, statuses, tool summaries. */
import type { CostTotals, MessageDTO, SessionDTO } from '../../src-main/shared/dto'
import { ACTIVE_STATUSES, BUSY_STATUSES, FINAL_STATUSES, type SessionStatus } from '../../src-main/shared/status'

export type DisplayStatus = SessionStatus | 'stalled'

// Mode and agent names are the same words in the app and in docs/agents.md: src-main/shared/labels.ts.
export { PERMISSION_LABELS, PERMISSION_SHORT, PROVIDER_NAMES } from '../../src-main/shared/labels'

export const STATUS_LABELS: Record<DisplayStatus, string> = {
  queued: 'Queued',
  starting: 'Starting',
  running: 'Running',
  waiting_approval: 'Waiting for approval',
  stalled: 'Stalled',
  idle: 'Idle',
  stopping: 'Stopping',
  done: 'Done',
  error: 'Error',
  interrupted: 'Interrupted'
}

export type StatusTone = 'running' | 'attention' | 'error' | 'ok' | 'muted'

export function statusTone(s: DisplayStatus): StatusTone {
  switch (s) {
    case 'running':
    case 'starting':
    case 'queued':
    case 'stopping':
      return 'running'
    case 'waiting_approval':
    case 'stalled':
      return 'attention'
    case 'error':
      return 'error'
    case 'idle':
    case 'done':
      return 'ok'
    default:
      return 'muted'
  }
}

/** Statuses in which a turn is under way (Esc / Interrupt make sense). */
export function isBusy(s: SessionStatus): boolean {
  return BUSY_STATUSES.includes(s)
}

/** Statuses in which the agent process may be alive (Stop makes sense). */
export function isLive(s: SessionStatus): boolean {
  return ACTIVE_STATUSES.includes(s)
}

export function isFinished(s: SessionStatus): boolean {
  return FINAL_STATUSES.includes(s)
}

/** The reason shown next to an error / interrupted badge. */
export function statusReasonText(s: SessionDTO): string | null {
  const r = s.statusReason
  if (!r) return null
  if (r.message) return r.apiErrorStatus ? `${r.message} (HTTP ${r.apiErrorStatus})` : r.message
  if (r.signal) return `ended by ${r.signal}`
  if (r.exitCode !== undefined && r.exitCode !== null) return `exited with code ${r.exitCode}`
  return null
}

const MINUTE = 60_000
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR

export function relativeTime(at: number, now: number): string {
  const d = now - at
  if (d < 45_000) return 'just now'
  if (d < HOUR) return `${Math.max(1, Math.round(d / MINUTE))} min ago`
  if (d < DAY) return `${Math.round(d / HOUR)} h ago`
  if (d < 2 * DAY) return 'yesterday'
  if (d < 7 * DAY) return `${Math.floor(d / DAY)} days ago`
  return new Date(at).toLocaleDateString(undefined, { month: 'short', day: 'numeric' })
}

export function formatCost(t: CostTotals): string {
  if (!t.costKnown) return 'cost n/a'
  const c = t.costUsd
  if (c === 0) return '$0.00'
  if (c < 0.01) return `$${c.toFixed(4)}`
  if (c < 100) return `$${c.toFixed(2)}`
  return `$${Math.round(c).toLocaleString('en-US')}`
}

export function formatTokens(n: number): string {
  if (n < 1000) return String(n)
  if (n < 1_000_000) return `${(n / 1000).toFixed(n < 10_000 ? 1 : 0)}k`
  return `${(n / 1_000_000).toFixed(n < 10_000_000 ? 1 : 0)}M`
}

/** All tokens that went through the model (input incl. cache + output). */
export function totalTokens(t: CostTotals): number {
  return t.inputTokens + t.outputTokens + t.cacheReadTokens + t.cacheWriteTokens
}

/** Path relative to the project folder when it is inside it. */
export function relPath(path: string, cwd: string): string {
  const base = cwd.endsWith('/') ? cwd : cwd + '/'
  return path.startsWith(base) ? path.slice(base.length) : path
}

function parseInput(json: string | null): Record<string, unknown> | null {
  if (!json) return null
  try {
    const v = JSON.parse(json) as unknown
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null
  } catch {
    return null
  }
}

/** What a tool call touches, from its input: the command, file path, pattern or URL. */
export function toolTarget(toolName: string, inputJson: string | null, toolPath: string | null, cwd: string): string {
  if (toolPath) return oneLine(relPath(toolPath, cwd))
  const input = parseInput(inputJson)
  if (!input) return ''
  for (const key of ['command', 'file_path', 'path', 'notebook_path', 'pattern', 'url', 'query', 'description', 'prompt']) {
    const v = input[key]
    if (typeof v === 'string' && v) return oneLine(key.endsWith('path') ? relPath(v, cwd) : v)
  }
  return toolName === 'TodoWrite' ? 'update the to-do list' : ''
}

/** "Bash · echo hi", "Write · src/a.ts". */
export function toolSummary(m: Pick<MessageDTO, 'toolName' | 'toolInput' | 'toolPath'>, cwd: string): string {
  const name = m.toolName ?? 'Tool'
  const target = toolTarget(name, m.toolInput, m.toolPath, cwd)
  return target ? `${name} · ${target}` : name
}

export function oneLine(s: string, max = 160): string {
  const line = s.replace(/\s+/g, ' ').trim()
  return line.length > max ? line.slice(0, max - 1) + '…' : line
}

/** Pretty-printed JSON input (or the raw text when it is not JSON). */
export function prettyJson(json: string | null): string {
  if (!json) return ''
  try {
    return JSON.stringify(JSON.parse(json), null, 2)
  } catch {
    return json
  }
}
