/**
 * Collapses bursts of notices: notices of one kind that follow each other by less than
 * GROUP_WINDOW_MS (up to GROUP_MAX_MS after the first) are shown as one — ten agents finishing
 * within a few seconds give one toast "10 sessions finished" and one OS notification, not ten. A lone
 * notice is shown as itself, after the same short wait.
 */
import type { Notice, NoticeKind } from '../stores/api'

export const GROUP_WINDOW_MS = 1500
/** A steady stream is still reported: a group is shown at the latest this long after its first notice. */
export const GROUP_MAX_MS = 8000

const GROUP_TITLE: Record<NoticeKind, (n: number) => string> = {
  completed: (n) => `${n} sessions finished`,
  error: (n) => `${n} sessions failed`,
  stalled: (n) => `${n} sessions stalled`,
  // Approvals and questions (issue 13) share this kind: both wait for the user.
  approval: (n) => `${n} sessions need you`
}

export interface GroupedNotice {
  kind: NoticeKind
  /** The single notice, or null for a group. */
  single: Notice | null
  notices: Notice[]
  title: string
  body: string
  key: string
}

export class NoticeGroups {
  #open = new Map<NoticeKind, { notices: Notice[]; timer: ReturnType<typeof setTimeout>; first: number }>()

  constructor(
    private readonly emit: (g: GroupedNotice) => void,
    private readonly windowMs = GROUP_WINDOW_MS
  ) {}

  push(n: Notice): void {
    const open = this.#open.get(n.kind)
    const now = Date.now()
    if (open) {
      open.notices.push(n)
      // Quiet for windowMs ends the group, but never later than GROUP_MAX_MS after its first notice.
      clearTimeout(open.timer)
      open.timer = setTimeout(() => this.#flush(n.kind), Math.max(0, Math.min(this.windowMs, open.first + GROUP_MAX_MS - now)))
      return
    }
    const timer = setTimeout(() => this.#flush(n.kind), this.windowMs)
    this.#open.set(n.kind, { notices: [n], timer, first: now })
  }

  /**
   * A notice still waiting for its group is over (an approval answered within the grouping window,
   * e.g. a sub-agent's quick request): it never shows. Returns whether it was waiting.
   */
  drop(key: string): boolean {
    for (const open of this.#open.values()) {
      const i = open.notices.findIndex((n) => n.key === key)
      if (i < 0) continue
      open.notices.splice(i, 1)
      return true
    }
    return false
  }

  #flush(kind: NoticeKind): void {
    const open = this.#open.get(kind)
    this.#open.delete(kind)
    if (!open || open.notices.length === 0) return
    const list = open.notices
    if (list.length === 1) {
      const n = list[0]!
      this.emit({ kind, single: n, notices: list, title: n.title, body: n.body, key: n.key })
      return
    }
    const names = list.slice(0, 3).map((n) => `${n.title.split(':')[0]}: ${n.body}`)
    const more = list.length > 3 ? ` and ${list.length - 3} more` : ''
    this.emit({
      kind,
      single: null,
      notices: list,
      title: GROUP_TITLE[kind](list.length),
      body: names.join(', ') + more,
      key: `group:${kind}:${list.map((n) => n.key).join('|')}`.slice(0, 300)
    })
  }

  dispose(): void {
    for (const o of this.#open.values()) clearTimeout(o.timer)
    this.#open.clear()
  }
}
