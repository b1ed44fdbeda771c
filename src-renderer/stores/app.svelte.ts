/**
 * The renderer's state, one instance per window, provided to components with {@link setApp} /
 * {@link getApp}. Each part is a store named for what it holds; this class builds them, wires what
 * one needs from another, and is the ONE subscriber to the events stream: every live event is routed
 * from {@link AppState.onEvent} to the stores it concerns.
 *
 *   projects       the projects list                       (stores/projects.svelte.ts)
 *   layout         view, panes, focus, dialog              (stores/layout.svelte.ts)
 *   projectStores  one store per project: sessions, transcript, approvals, stalls, notices
 *   settings       the server's settings                   (stores/settings.svelte.ts)
 *   agents         agent CLI detection and capabilities    (stores/agents.svelte.ts)
 *   unread         sessions that finished while away       (stores/unread.svelte.ts)
 *   notifications  toasts + OS notifications for notices  (stores/notifications.svelte.ts)
 *   host           app info and storage health             (stores/host-info.svelte.ts)
 *   inbox          what needs the user, across projects   (inbox/inbox-store.svelte.ts)
 *   theme, clock, visibility, ui (the UI state saved across reloads)
 */
import { createContext } from 'svelte'
import type { ShepherdEvent } from '../../src-main/shared/events'
import { BUSY_STATUSES, TURN_ENDED_STATUSES } from '../../src-main/shared/status'
import { InboxStore } from '../inbox/inbox-store.svelte'
import { api, events, type AppSettings } from '../lib/api/client'
import { AgentsStore } from './agents.svelte'
import { LiveClock } from './clock.svelte'
import { HostInfo } from './host-info.svelte'
import { Layout, MAX_PANES } from './layout.svelte'
import { Notifications } from './notifications.svelte'
import { ProjectStores } from './project-stores.svelte'
import { ProjectsStore } from './projects.svelte'
import { SettingsStore } from './settings.svelte'
import { Theme } from './theme.svelte'
import { trpcProjectApi } from './trpc-api'
import type { UiState } from './ui-state.svelte'
import { UnreadStore } from './unread.svelte'
import { PageVisibility } from './visibility.svelte'

export class AppState {
  readonly host = new HostInfo()
  readonly settings: SettingsStore
  readonly agents = new AgentsStore()
  readonly unread: UnreadStore
  readonly clock = new LiveClock()
  readonly visibility = new PageVisibility()
  readonly theme: Theme
  readonly notifications: Notifications
  readonly projects: ProjectsStore
  readonly layout: Layout
  readonly projectStores: ProjectStores
  readonly inbox: InboxStore

  #stopEvents: (() => void) | null = null
  /** Stores of a view that live only while it is shown (usage): fed from {@link onEvent} too. */
  readonly #followers = new Set<(e: ShepherdEvent) => void>()

  /** @param ui the UI state, already loaded (theme, layout, unread marks and open sessions are read from it). */
  constructor(
    readonly ui: UiState,
    settings: AppSettings | null
  ) {
    this.settings = new SettingsStore(settings)
    this.unread = new UnreadStore(ui)
    this.theme = new Theme(ui)
    this.notifications = new Notifications({
      ui,
      focus: (p, s) => this.focus(p, s),
      hostNotifies: () => this.host.info?.canNotify ?? null,
      showInbox: () => this.layout.showInbox()
    })
    this.projectStores = new ProjectStores({
      api: trpcProjectApi(api),
      ui,
      settings: this.settings,
      show: (n) => this.notifications.show(n),
      withdraw: (key) => this.notifications.withdraw(key)
    })
    this.inbox = new InboxStore({
      stores: this.projectStores,
      alert: (a) =>
        this.notifications.showNow({
          kind: a.kind === 'error' ? 'error' : 'stalled',
          key: a.key,
          title: a.title,
          body: a.body,
          projectId: a.projectId,
          sessionId: a.sessionId
        })
    })
    this.projects = new ProjectsStore({
      changed: () => {
        this.layout.reconcile()
        if (this.projects.loaded) this.projectStores.sync(this.projects.list)
      },
      removed: (id, index) => this.layout.forget(id, index)
    })
    this.layout = new Layout(ui, this.projects, {
      // Stall threshold, notification toggles and CLI paths may have changed there.
      leftSettings: () => {
        void this.settings.refresh()
        this.agents.reloadIfLoaded()
      }
    })
  }

  /** Subscribe to live events, then load everything. Call once at startup. */
  async init(): Promise<void> {
    this.theme.init()
    this.#stopEvents = events.on((e) => this.onEvent(e))
    // The saved layout must be known before the list shows, or the first project flashes selected.
    this.layout.restore()
    await Promise.all([this.projects.refresh(), this.host.load(), this.inbox.refresh()])
  }

  /** Route one live event to the stores it concerns. */
  onEvent(e: ShepherdEvent): void {
    switch (e.type) {
      case 'resync':
        void this.projects.refresh()
        void this.host.loadHealth()
        break
      case 'app.storage':
        this.host.storageError = e.error
        return
      case 'project.changed':
      case 'project.removed':
        this.projects.apply(e)
        break
      case 'ui.focus':
        this.focus(e.projectId, e.sessionId)
        return
      case 'agent.status': {
        // Unread bookkeeping needs the status from before the project store applies this one.
        const prev = this.projectStores.get(e.projectId)?.sessions.find((s) => s.id === e.sessionId)?.status
        const onScreen = this.isOnScreen(e.projectId, e.sessionId)
        this.unread.noteStatus(e.projectId, e.sessionId, prev, e.status, onScreen)
        // Finished in front of the user: nothing to catch up on in the inbox.
        if (onScreen && prev && BUSY_STATUSES.includes(prev) && TURN_ENDED_STATUSES.includes(e.status)) this.#seen(e.sessionId)
        break
      }
      case 'session.removed':
        this.unread.markRead(e.sessionId)
        break
      case 'session.changed':
        // An ACP agent tells what it lets Shepherd choose once its session is set up.
        this.agents.learnFrom(e.session)
        break
    }
    this.projectStores.apply(e)
    this.inbox.apply(e)
    for (const f of this.#followers) f(e)
  }

  /** Feed a view's own store (one that lives only while the view is shown) the live events; returns the stop. */
  follow(listener: (e: ShepherdEvent) => void): () => void {
    this.#followers.add(listener)
    return () => this.#followers.delete(listener)
  }

  /** A session on screen was looked at: its unread mark and its "finished" inbox item go (the latter kept in the database). */
  markSeen(sessionId: string): void {
    this.unread.markRead(sessionId)
    this.#seen(sessionId)
  }

  #seen(sessionId: string): void {
    void api.inbox.seen.mutate({ sessionId }).catch((err: unknown) => console.warn('could not mark the session seen', err))
  }

  /** True when this session is the open one of a visible pane in a visible window. */
  isOnScreen(projectId: string, sessionId: string): boolean {
    if (!this.visibility.visible) return false
    if (this.layout.view !== 'projects' || !this.layout.isOpen(projectId)) return false
    return this.projectStores.get(projectId)?.openSessionId === sessionId
  }

  /** "Show" on a toast, a click on a notification, the sidebar's "needs you": bring that project (and session) forward. */
  focus(projectId: string, sessionId: string | null): void {
    if (!this.projects.list.some((p) => p.id === projectId)) return
    if (this.layout.isOpen(projectId) || this.layout.openProjects.length >= MAX_PANES) this.layout.select(projectId)
    else this.layout.openBeside(projectId)
    const store = this.projectStores.get(projectId)
    if (sessionId && store && store.openSessionId !== sessionId) void store.open(sessionId)
    requestAnimationFrame(() => document.getElementById(`pane-${projectId}`)?.querySelector<HTMLElement>('textarea')?.focus())
  }

  dispose(): void {
    this.#stopEvents?.()
    this.#stopEvents = null
    this.inbox.dispose()
    this.notifications.dispose()
    this.projectStores.dispose()
    this.clock.dispose()
    this.visibility.dispose()
    this.theme.dispose()
  }
}

export const [getApp, setApp] = createContext<AppState>()
