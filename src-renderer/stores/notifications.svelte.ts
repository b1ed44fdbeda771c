/**
 * Notices (done, failed, stalled, needs approval) shown as a toast, plus an OS notification when the
 * window is not in front: through the host (Electron), else the browser's Notification API once the
 * user allowed it (web host; asked from a click in the sidebar).
 */
import { api } from '../lib/api/client'
import { NoticeGroups, type GroupedNotice } from '../toasts/notice-groups'
import { toasts } from '../toasts/toasts.svelte'
import type { Notice, NoticeKind } from './api'
import type { UiState } from './ui-state.svelte'

const NOTIFY_ASKED_KEY = 'notifyAsked'

export const NOTICE_TOAST_KIND: Record<NoticeKind, 'success' | 'error' | 'warning'> = {
  completed: 'success',
  error: 'error',
  stalled: 'warning',
  approval: 'warning'
}

export interface NotificationsDeps {
  ui: UiState
  /** "Show" on a toast, a click on a notification: bring that project and session forward. */
  focus: (projectId: string, sessionId: string | null) => void
  /** Whether the host delivers OS notifications itself (false in the web host). */
  hostNotifies: () => boolean | null
  /** "Open inbox" on a grouped toast. */
  showInbox: () => void
}

export class Notifications {
  /** Browser notification permission (web host only; Electron notifies through the host). */
  permission = $state<NotificationPermission | 'unsupported'>(typeof Notification === 'undefined' ? 'unsupported' : Notification.permission)

  constructor(private readonly deps: NotificationsDeps) {}

  /** Bursts of notices of one kind become one toast and one OS notification (issue 16). */
  readonly #groups = new NoticeGroups((g) => this.#showGroup(g))
  /** Toasts and OS notifications shown per notice key, so an answered approval can take them back. */
  readonly #shown = new Map<string, { toastId: number; os: Notification | null }>()

  show(n: Notice): void {
    this.#groups.push(n)
  }

  /** The thing a notice was about is over (an approval answered, here or anywhere): take it back. */
  withdraw(key: string): void {
    if (this.#groups.drop(key)) return
    const s = this.#shown.get(key)
    if (!s) return
    this.#shown.delete(key)
    toasts.dismiss(s.toastId)
    s.os?.close()
  }

  #showGroup(g: GroupedNotice): void {
    if (g.single) return this.showNow(g.single)
    const first = g.notices[0]!
    const toastId = toasts.push({
      kind: NOTICE_TOAST_KIND[g.kind],
      title: g.title,
      body: g.body,
      action: { label: 'Open inbox', run: () => this.deps.showInbox() }
    })
    // Any one of the grouped notices answered elsewhere takes the group's toast back.
    for (const n of g.notices) this.#shown.set(n.key, { toastId, os: null })
    if (typeof document !== 'undefined' && document.hasFocus() && document.visibilityState === 'visible') return
    void this.#osNotify({ ...first, key: g.key, title: g.title, body: g.body })
  }

  /** A toast + OS notification at once, not grouped (budget alerts). */
  showNow(n: Notice): void {
    const toastId = toasts.push({
      kind: NOTICE_TOAST_KIND[n.kind],
      title: n.title,
      body: n.body,
      action: { label: 'Show', run: () => this.deps.focus(n.projectId, n.sessionId) }
    })
    this.#shown.set(n.key, { toastId, os: null })
    if (this.#shown.size > 200) this.#shown.delete(this.#shown.keys().next().value as string)
    // The toast is enough while the user looks at the window; the OS notification is for when not.
    if (typeof document !== 'undefined' && document.hasFocus() && document.visibilityState === 'visible') return
    void this.#osNotify(n)
  }

  dispose(): void {
    this.#groups.dispose()
  }

  /** Whether to offer "Enable notifications" (web host, permission not asked yet). */
  get canAsk(): boolean {
    return this.permission === 'default' && this.deps.hostNotifies() === false && !this.deps.ui.get<boolean>(NOTIFY_ASKED_KEY, false)
  }

  /** Must run from a user gesture (a click). */
  async ask(): Promise<void> {
    if (typeof Notification === 'undefined') return
    this.deps.ui.set(NOTIFY_ASKED_KEY, true)
    try {
      this.permission = await Notification.requestPermission()
    } catch {
      this.permission = Notification.permission
    }
    if (this.permission === 'granted')
      toasts.push({
        kind: 'success',
        title: 'Notifications on',
        body: 'You will be told when an agent finishes, fails, stalls or needs approval while Shepherd is in the background.'
      })
  }

  async #osNotify(n: Notice): Promise<void> {
    try {
      const res = await api.app.notify.mutate({
        key: n.key,
        title: n.title.slice(0, 200),
        body: n.body.slice(0, 1000),
        projectId: n.projectId,
        sessionId: n.sessionId
      })
      if (res.delivered || typeof Notification === 'undefined' || Notification.permission !== 'granted') return
      const shown = new Notification(n.title, { body: n.body, tag: n.key })
      const entry = this.#shown.get(n.key)
      if (entry) entry.os = shown
      shown.onclick = () => {
        window.focus()
        this.deps.focus(n.projectId, n.sessionId)
        shown.close()
      }
    } catch (err) {
      console.warn('could not show a notification', err)
    }
  }
}
