import type { HostServices } from '../shared/host'
import type { ProjectService } from '../services/projects'
import type { SettingsService } from '../services/settings'
import type { EventHub } from '../supervisor/event-hub'
import type { Store } from '../store/store'
import type { DbRecovery } from '../store/recovery'
import type { StorageHealth } from '../services/storage-health'
import type { Supervisor } from '../supervisor/supervisor'
import type { Attention } from '../services/attention'
import type { ImportService } from '../import/service'
import type { SearchIndex } from '../search/search-index'
import type { WorktreeService } from '../git/worktree-service'
import type { RemoteService } from '../remote/service'

export interface AppInfo {
  name: string
  version: string
  host: HostServices['kind']
  dataDir: string
  platform: string
  /** The database was damaged at startup and set aside (the UI says so until dismissed). */
  dbRecovery: DbRecovery | null
}

/** What every procedure sees. Built once per core; hosts may add per-connection checks. */
export interface ApiContext {
  host: HostServices
  info: AppInfo
  store: Store
  hub: EventHub
  projects: ProjectService
  settings: SettingsService
  supervisor: Supervisor
  /** Whether database writes currently succeed (DB-2). */
  storage: StorageHealth
  /** Inbox, budgets, usage ledger and usage limits (issue 16). */
  attention: Attention
  /** Import of the CLIs' own transcripts (background jobs per project). */
  imports: ImportService
  /** Full-text search and the session list's queries (src-main/search/). */
  search: SearchIndex
  /** Session worktrees (git). */
  worktrees: WorktreeService
  /**
   * Bytes this connection has accepted but not yet sent (the web host's WebSocket), when the
   * transport can tell. The event stream waits while it is high, so a client that does not read
   * (a busy or frozen page) gets a `resync` instead of an ever-growing send buffer (RELIABILITY BP-1).
   */
  transportBacklog?: () => number
  /** Projects on SSH hosts: checks, host keys, connection status (src-main/remote/). */
  remote: RemoteService
  /** The web host's access token controls (absent in the desktop app, which has no token). */
  webAccess?: {
    rotateToken(): { url: string; token: string }
    /** A one-time ticket for a GET of `path` on the web host (browser downloads). */
    downloadTicket(path: string): string
  }
}
