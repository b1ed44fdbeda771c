/**
 * Which idle agent processes to put to sleep (issue 11 #17: 20 idle Claude Code sessions kept 20 CLI
 * processes with ~3.7 GB between them). Pure: the supervisor gathers the idle processes and stops the
 * ones this returns; the next prompt resumes the conversation by the CLI's own session id.
 *
 * The rule: at most `keep` idle processes stay alive, the most recently used ones; every other idle
 * process is put to sleep once it has been idle for `sleepAfterMs`. A process that cannot sleep (its
 * agent cannot resume a conversation, or it has no conversation id yet) is never chosen, but it is an
 * idle process all the same and takes one of the `keep` places first — the bound is on memory, and
 * memory is what it holds.
 */

export interface IdleProcess {
  id: string
  /** When it became idle (ms epoch): the last turn's end, or its launch. */
  idleSince: number
  /** False when stopping it would lose the conversation (no resume) — never chosen. */
  canSleep: boolean
}

export interface SleepPolicy {
  /** Idle processes kept alive at most (SETTING_LIMITS.idleAgentsKept). */
  keep: number
  /** Idle this long before one beyond the bound is put to sleep (SETTING_LIMITS.sleepAfterIdleMs). */
  sleepAfterMs: number
}

/** The ids to put to sleep now, least recently used first. */
export function pickSleepers(idle: readonly IdleProcess[], now: number, policy: SleepPolicy): string[] {
  const byRecent = mostRecentFirst(idle)
  let places = placesFor(byRecent, policy)
  const out: string[] = []
  for (const p of byRecent) {
    if (!p.canSleep) continue
    if (places > 0) {
      places--
      continue
    }
    if (now - p.idleSince >= policy.sleepAfterMs) out.push(p.id)
  }
  return out.reverse()
}

/** When the next process beyond the bound becomes due (ms epoch), or null when none will. */
export function nextSleepDue(idle: readonly IdleProcess[], policy: SleepPolicy): number | null {
  const byRecent = mostRecentFirst(idle)
  let places = placesFor(byRecent, policy)
  let due: number | null = null
  for (const p of byRecent) {
    if (!p.canSleep) continue
    if (places > 0) {
      places--
      continue
    }
    const at = p.idleSince + policy.sleepAfterMs
    if (due === null || at < due) due = at
  }
  return due
}

/** Most recently used first; equal times by id, so the choice does not depend on the input's order. */
function mostRecentFirst(idle: readonly IdleProcess[]): IdleProcess[] {
  return [...idle].sort((a, b) => b.idleSince - a.idleSince || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
}

/** Places left for processes that can sleep once those that cannot took theirs. */
function placesFor(idle: readonly IdleProcess[], policy: SleepPolicy): number {
  return Math.max(0, Math.floor(policy.keep) - idle.filter((p) => !p.canSleep).length)
}
