/**
 * What every pane shares, one instance per window: the UI state, the project stores, the global
 * settings (stall threshold, notification toggles), the agent CLI detection, unread sessions, a clock
 * for relative times, and notices turned into toasts + OS notifications.
 */
import { createContext } from 'svelte'
import type { ProviderId, SessionStatus } from '../../src-main/shared/status'
import type { ShepherdEvent } from '../../src-main/shared/events'
import { api, type AppSettings, type ProviderDetection } from '../lib/api/client'
import type { ProjectActivity, Workspace } from '../lib/workspace.svelte'
import type { Notice } from '../stores/api'
import type { ProjectStore } from '../stores/project-store.svelte'
import { NOTICE_TOAST_KIND, ProjectStores } from '../stores/project-stores.svelte'
import { trpcProjectApi } from '../stores/trpc-api'
import type { UiState } from '../stores/ui-state.svelte'
import { toasts } from '../toasts/toasts.svelte'
import { NoticeGroups, type GroupedNotice } from '../toasts/notice-groups'

const UNREAD_KEY = 'unread'
const OPEN_KEY = (projectId: string) => `open:${projectId}`
const NOTIFY_ASKED_KEY = 'notifyAsked'
/** Until `settings.get` answers: the server's defaults. */
const DEFAULT_STALL_MS = 15 * 60_000

const RUNNING: readonly SessionStatus[] = ['running', 'waiting_approval', 'starting', 'queued']
const FINISHED: readonly SessionStatus[] = ['idle', 'done', 'error']

export class Panes {
  readonly stores: ProjectStores
  settings = $state.raw<AppSettings | null>(null)
  providers = $state.raw<ProviderDetection[] | null>(null)
  /** Sessions that finished while not on screen: session id → project id. */
  unread = $state.raw<Record<string, string>>({})
  /** Ticks every 30 s so relative times stay true. */
  now = $state(Date.now())
  /** Browser notification permission (web host only; Electron notifies through the host). */
  notifyPermission = $state<NotificationPermission | 'unsupported'>('unsupported')
  /** The window is on screen (not minimised / another tab). */
  visible = $state(typeof document === 'undefined' || document.visibilityState !== 'hidden')

  #disposers: (() => void)[] = []
  #providersLoading: Promise<void> | null = null
  #learntFrom = new Set<string>()
  /** Bursts of notices of one kind become one toast and one OS notification (issue 16). */
  readonly #groups = new NoticeGroups((g) => this.#showGroup(g))

  constructor(
    readonly ui: UiState,
    readonly workspace: Workspace,
    settings: AppSettings | null
  ) {
    this.settings = settings
    this.unread = ui.get<Record<string, string>>(UNREAD_KEY, {})
    this.stores = new ProjectStores({
      api: trpcProjectApi(api),
      ui,
      settings: {
        stallThresholdMs: (p) => p.stallThresholdMs ?? this.settings?.stallThresholdMs ?? DEFAULT_STALL_MS,
        wants: (kind) => this.settings?.notifications[kind] ?? true
      },
      show: (n) => this.show(n),
      withdraw: (key) => this.withdraw(key)
    })
    if (typeof Notification !== 'undefined') this.notifyPermission = Notification.permission
    const timer = setInterval(() => (this.now = Date.now()), 30_000)
    const onVisibility = () => (this.visible = document.visibilityState !== 'hidden')
    document.addEventListener('visibilitychange', onVisibility)
    this.#disposers.push(() => {
      clearInterval(timer)
      document.removeEventListener('visibilitychange', onVisibility)
    })
  }

  /** Route one live event: unread bookkeeping needs the status before the store applies it. */
  apply(e: ShepherdEvent): void {
    if (e.type === 'agent.status') {
      const prev = this.stores.get(e.projectId)?.sessions.find((s) => s.id === e.sessionId)?.status
      if (prev && RUNNING.includes(prev) && FINISHED.includes(e.status) && !this.isOnScreen(e.projectId, e.sessionId)) {
        this.#setUnread({ ...this.unread, [e.sessionId]: e.projectId })
      } else if (prev && RUNNING.includes(prev) && FINISHED.includes(e.status)) {
        // Finished in front of the user: nothing to catch up on in the inbox.
        void api.inbox.seen.mutate({ sessionId: e.sessionId }).catch(() => {})
      }
    } else if (e.type === 'session.removed' && this.unread[e.sessionId]) {
      const { [e.sessionId]: _gone, ...rest } = this.unread
      this.#setUnread(rest)
    }
    this.stores.apply(e)
  }

  /** True when this session is the open one of a visible pane in a visible window. */
  isOnScreen(projectId: string, sessionId: string): boolean {
    if (!this.visible) return false
    if (this.workspace.view !== 'projects' || !this.workspace.isOpen(projectId)) return false
    return this.stores.get(projectId)?.openSessionId === sessionId
  }

  markRead(sessionId: string): void {
    // Looked at: its "finished" inbox item goes too (kept in the database, so across reloads).
    void api.inbox.seen.mutate({ sessionId }).catch((err: unknown) => console.warn('could not mark the session seen', err))
    if (!this.unread[sessionId]) return
    const { [sessionId]: _read, ...rest } = this.unread
    this.#setUnread(rest)
  }

  unreadCount(projectId: string): number {
    let n = 0
    for (const p of Object.values(this.unread)) if (p === projectId) n++
    return n
  }

  #setUnread(next: Record<string, string>): void {
    this.unread = next
    this.ui.set(UNREAD_KEY, next)
  }

  /** Keep one store per project; each opens the session the user had open last time. */
  syncProjects(): void {
    this.stores.sync(this.workspace.projects, (projectId) => this.ui.get<string | null>(OPEN_KEY(projectId), null))
  }

  rememberOpen(projectId: string, sessionId: string | null): void {
    if (this.ui.get<string | null>(OPEN_KEY(projectId), null) !== sessionId) this.ui.set(OPEN_KEY(projectId), sessionId)
  }

  store(projectId: string): ProjectStore | null {
    return this.stores.get(projectId)
  }

  /** The sidebar dot of a project, from its sessions: what needs the user wins over what runs. */
  activityOf(projectId: string): ProjectActivity | null {
    const store = this.stores.get(projectId)
    if (!store) return null
    let approval = 0
    let stalled = 0
    let failed = 0
    let running = 0
    let idle = 0
    for (const s of store.sessions) {
      const d = store.displayStatus(s)
      if (d === 'waiting_approval') approval++
      else if (d === 'stalled') stalled++
      else if (d === 'error') failed++
      else if (d === 'running' || d === 'starting' || d === 'queued' || d === 'stopping') running++
      else if (d === 'idle') idle++
    }
    const n = (k: number, one: string, many: string) => `${k} ${k === 1 ? one : many}`
    if (approval > 0 || stalled > 0) {
      const parts = [approval ? n(approval, 'agent needs approval', 'agents need approval') : '', stalled ? n(stalled, 'agent stalled', 'agents stalled') : '']
      return { tone: 'attention', label: parts.filter(Boolean).join(', ') }
    }
    if (failed > 0) return { tone: 'error', label: n(failed, 'agent failed', 'agents failed') }
    if (running > 0) return { tone: 'running', label: n(running, 'agent running', 'agents running') }
    if (idle > 0) return { tone: 'idle', label: n(idle, 'agent waiting for a prompt', 'agents waiting for a prompt') }
    return null
  }

  async refreshSettings(): Promise<void> {
    try {
      this.settings = await api.settings.get.query()
    } catch (err) {
      console.warn('could not load settings', err)
    }
  }

  /**
   * A generic (ACP) agent says whether it lets Shepherd choose its model and mode only when a
   * session is set up: once a session has its agent conversation, ask the main process again (once
   * per session; each check probes the agent CLIs).
   */
  learnFrom(session: { id: string; provider: ProviderId; cliSessionId: string | null }): void {
    if (!session.cliSessionId || this.#learntFrom.has(session.id)) return
    const c = this.provider(session.provider)?.controls
    if (!c || (c.model.level !== 'depends' && c.permissionMode.level !== 'depends')) return
    this.#learntFrom.add(session.id)
    void this.loadProviders(true)
  }

  provider(id: ProviderId): ProviderDetection | null {
    return this.providers?.find((p) => p.id === id) ?? null
  }

  /** Agent CLI detection and what each agent supports (once; `force` checks again). */
  loadProviders(force = false): Promise<void> {
    if (this.providers && !force) return Promise.resolve()
    this.#providersLoading ??= api.settings.providers
      .query()
      .then((p) => {
        this.providers = p
      })
      .catch((err: unknown) => console.warn('could not detect agent CLIs', err))
      .finally(() => {
        this.#providersLoading = null
      })
    return this.#providersLoading
  }

  // ---- notices ---------------------------------------------------------------------------------

  /** Toasts and OS notifications shown per notice key, so an answered approval can take them back. */
  #shown = new Map<string, { toastId: number; os: Notification | null }>()

  withdraw(key: string): void {
    const s = this.#shown.get(key)
    if (!s) return
    this.#shown.delete(key)
    toasts.dismiss(s.toastId)
    s.os?.close()
  }

  show(n: Notice): void {
    this.#groups.push(n)
  }

  #showGroup(g: GroupedNotice): void {
    if (g.single) return this.showNow(g.single)
    const first = g.notices[0]!
    const toastId = toasts.push({
      kind: NOTICE_TOAST_KIND[g.kind],
      title: g.title,
      body: g.body,
      action: { label: 'Open inbox', run: () => this.workspace.showInbox() }
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
      action: { label: 'Show', run: () => this.stores.focus(n.projectId, n.sessionId) }
    })
    this.#shown.set(n.key, { toastId, os: null })
    if (this.#shown.size > 200) this.#shown.delete(this.#shown.keys().next().value as string)
    // The toast is enough while the user looks at the window; the OS notification is for when not.
    if (typeof document !== 'undefined' && document.hasFocus() && document.visibilityState === 'visible') return
    void this.#osNotify(n)
  }

  async #osNotify(n: Notice): Promise<void> {
    try {
      const res = await api.app.notify.mutate({ key: n.key, title: n.title.slice(0, 200), body: n.body.slice(0, 1000), projectId: n.projectId, sessionId: n.sessionId })
      if (res.delivered || typeof Notification === 'undefined' || Notification.permission !== 'granted') return
      const shown = new Notification(n.title, { body: n.body, tag: n.key })
      const entry = this.#shown.get(n.key)
      if (entry) entry.os = shown
      shown.onclick = () => {
        window.focus()
        this.stores.focus(n.projectId, n.sessionId)
        shown.close()
      }
    } catch (err) {
      console.warn('could not show a notification', err)
    }
  }

  /** Whether to offer "Enable notifications" (web host, permission not asked yet). */
  get canAskNotify(): boolean {
    return this.notifyPermission === 'default' && this.workspace.info?.canNotify === false && !this.ui.get<boolean>(NOTIFY_ASKED_KEY, false)
  }

  /** Must run from a user gesture (a click). */
  async askNotify(): Promise<void> {
    if (typeof Notification === 'undefined') return
    this.ui.set(NOTIFY_ASKED_KEY, true)
    try {
      this.notifyPermission = await Notification.requestPermission()
    } catch {
      this.notifyPermission = Notification.permission
    }
    if (this.notifyPermission === 'granted') toasts.push({ kind: 'success', title: 'Notifications on', body: 'You will be told when an agent finishes, fails, stalls or needs approval while Shepherd is in the background.' })
  }

  dispose(): void {
    for (const d of this.#disposers.splice(0)) d()
    this.#groups.dispose()
    this.stores.dispose()
  }
}

export const [getPanes, setPanes] = createContext<Panes>()
