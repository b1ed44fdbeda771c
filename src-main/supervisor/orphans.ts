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

export interface SweepResult {
  interrupted: string[]
  killed: number[]
}

/** Statuses in which a turn was under way: a crash then cut it short, and the transcript says so. */
const MID_TURN: readonly string[] = ['starting', 'running', 'waiting_approval', 'stopping']
/**
 * The row that ends a turn cut short by a crash. Drafts are never stored (only finished blocks are),
 * so what the agent was still writing is gone: say that rather than leave the turn looking complete.
 */
export const CUT_SHORT_TEXT =
  'Cut short: Shepherd stopped unexpectedly while this turn was running, and the agent was stopped with it. ' +
  'Text the agent was still writing at that moment was not saved. Send a prompt to continue the conversation.'

function isAsleepRow(s: { status: string; status_reason: string | null; pid: number | null }): boolean {
  if (s.status !== 'idle' || s.pid !== null || !s.status_reason) return false
  try {
    return (JSON.parse(s.status_reason) as { code?: string }).code === 'asleep'
  } catch {
    return false
  }
}

export function sweepOrphans(store: Store, now = Date.now()): SweepResult {
  const result: SweepResult = { interrupted: [], killed: [] }
  for (const s of store.sessionsWithStatus(ACTIVE_STATUSES)) {
    // Asleep (idle, process stopped to save memory, see idle-sleep.ts): nothing ran, nothing was cut
    // short; it stays asleep and the next prompt resumes it as before the restart.
    if (isAsleepRow(s)) continue
    if (s.pid && s.pid_start_time && processStartTime(s.pid) === s.pid_start_time) {
      try {
        process.kill(-s.pid, 'SIGKILL')
        result.killed.push(s.pid)
      } catch {
        /* already gone */
      }
    }
    let lastSeq: number | undefined
    if (MID_TURN.includes(s.status)) {
      lastSeq = store.maxSeq(s.id) + 1
      store.insertMessages([
        {
          session_id: s.id,
          seq: lastSeq,
          kind: 'error',
          text: CUT_SHORT_TEXT,
          tool_name: null,
          tool_input: null,
          tool_path: null,
          tool_use_id: null,
          parent_id: null,
          is_error: 1,
          created_at: now
        }
      ])
    }
    store.updateSession(s.id, {
      status: 'interrupted',
      status_reason: { code: 'app_crashed', message: 'Shepherd exited unexpectedly while this session was active' },
      ended_at: now,
      updated_at: now,
      pid: null,
      pid_start_time: null,
      queued_prompts: [],
      ...(lastSeq !== undefined ? { last_seq: lastSeq, last_activity_at: now } : {})
    })
    result.interrupted.push(s.id)
  }
  // Approvals of a dead process can no longer be answered.
  for (const a of store.pendingApprovals()) store.updateApproval(a.id, 'cancelled', now)
  for (const q of store.pendingQuestions()) store.updateQuestion(q.id, 'cancelled', null, now)
  return result
}
