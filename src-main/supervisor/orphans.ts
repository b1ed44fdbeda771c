/**
 * Startup sweep: sessions still marked active belong to an app that exited unexpectedly. Mark them
 * interrupted, and kill a leftover process group only when its pid AND start time match what we
 * recorded (a reused pid belongs to somebody else).
 */
import { readFileSync } from 'node:fs'
import { ACTIVE_STATUSES } from '../shared/status'
import type { Store } from '../store/store'

/** Process start time (clock ticks since boot, field 22 of /proc/<pid>/stat) on Linux; null elsewhere or when gone. */
export function processStartTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // The command name (field 2) may contain spaces and parentheses: split after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return fields[19] ?? null
  } catch {
    return null
  }
}

export interface SweepResult { interrupted: string[]; killed: number[] }

export function sweepOrphans(store: Store, now = Date.now()): SweepResult {
  const result: SweepResult = { interrupted: [], killed: [] }
  for (const s of store.sessionsWithStatus(ACTIVE_STATUSES)) {
    if (s.pid && s.pid_start_time && processStartTime(s.pid) === s.pid_start_time) {
      try {
        process.kill(-s.pid, 'SIGKILL')
        result.killed.push(s.pid)
      } catch { /* already gone */ }
    }
    store.updateSession(s.id, {
      status: 'interrupted',
      status_reason: JSON.stringify({ code: 'orphaned', message: 'Shepherd exited unexpectedly while this session was active' }),
      ended_at: now, updated_at: now, pid: null, pid_start_time: null, queued_prompts: '[]'
    })
    result.interrupted.push(s.id)
  }
  // Approvals of a dead process can no longer be answered.
  for (const a of store.pendingApprovals()) store.updateApproval(a.id, 'cancelled', now)
  return result
}
