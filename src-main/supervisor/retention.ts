/** Which sessions retention removes: beyond the newest `keep`, or older than `maxAgeDays`. Pinned and busy ones never. */
import type { SessionRow } from '../store/rows'

const DAY_MS = 86_400_000

export function pruneProject(sessions: SessionRow[], opts: { keep: number; maxAgeDays: number; isBusy: (id: string) => boolean; now?: number }): string[] {
  const now = opts.now ?? Date.now()
  const newestFirst = [...sessions].sort((a, b) => b.created_at - a.created_at)
  const removed: string[] = []
  let kept = 0
  for (const s of newestFirst) {
    if (s.pinned === 1 || opts.isBusy(s.id)) continue
    const tooOld = now - s.created_at > opts.maxAgeDays * DAY_MS
    if (!tooOld && kept < opts.keep) {
      kept++
      continue
    }
    removed.push(s.id)
  }
  return removed
}
