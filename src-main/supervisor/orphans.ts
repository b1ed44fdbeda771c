/**
 * Startup sweep: sessions still marked active belong to an app that exited unexpectedly. Mark them
 * interrupted, and kill a leftover process group only when its pid AND start time match what we
 * recorded (a reused pid belongs to somebody else).
 */
import { readProcessStartTime } from '../providers/process'
import { ACTIVE_STATUSES } from '../shared/status'
import type { Store } from '../store/store'

/** Process start time (clock ticks since boot, `/proc/<pid>/stat` field 22) as stored in the session row; null elsewhere or when gone. */
export function processStartTime(pid: number): string | null {
  const t = readProcessStartTime(pid)
  return t === null ? null : String(t)
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
      status_reason: { code: 'app_crashed', message: 'Shepherd exited unexpectedly while this session was active' },
      ended_at: now, updated_at: now, pid: null, pid_start_time: null, queued_prompts: []
    })
    result.interrupted.push(s.id)
  }
  // Approvals of a dead process can no longer be answered.
  for (const a of store.pendingApprovals()) store.updateApproval(a.id, 'cancelled', now)
  return result
}
