/**
 * The host-agnostic core: store + supervisor + services + router. Each host (Electron, web) creates
 * exactly one and disposes it on quit. Never imports `electron`.
 */
import { join } from 'node:path'
import { StorageHealth } from './services/storage-health'
import type { HostServices } from './shared/host'
import type { AgentProvider } from './providers/types'
import type { ApiContext, AppInfo } from './api/context'
import { appRouter, type AppRouter } from './api/router'
import { SqliteStore } from './store/sqlite-store'
import { GroupCommitWriter } from './store/writer'
import { EventHub } from './supervisor/event-hub'
import { Supervisor } from './supervisor/supervisor'
import { ProjectService } from './services/projects'
import { SettingsService } from './services/settings'
import { defaultProviders } from './providers/registry'

export type { HostServices }

export interface CoreOptions {
  dataDir: string
  host: HostServices
  version?: string
  /** Defaults to process.env: the agent env is built from an allowlist of it. */
  hostEnv?: NodeJS.ProcessEnv
  /** Defaults to every built-in provider. */
  providers?: AgentProvider[]
  log?: (msg: string) => void
  /** Path of a better-sqlite3 binary built for this runtime's ABI (Electron in development). */
  nativeBinding?: string
}

export interface Core {
  router: AppRouter
  createContext(): ApiContext
  store: SqliteStore
  supervisor: Supervisor
  hub: EventHub
  dispose(deadlineMs?: number): Promise<void>
}

export const DB_FILE = 'shepherd.db'

export function createCore(opts: CoreOptions): Core {
  const log = opts.log ?? ((m: string) => console.error(`[shepherd] ${m}`))
  const store = new SqliteStore(join(opts.dataDir, DB_FILE), opts.nativeBinding)
  const hub = new EventHub()
  let supervisorRef: Supervisor | null = null
  const storage = new StorageHealth(hub)
  const writer = new GroupCommitWriter(store, {
    onError: (err) => {
      log(`database write failed (will retry): ${String(err)}`)
      storage.failed(err)
      supervisorRef?.setOutputPaused(true)
    },
    onAfterError: (err) => log(`pushing a committed change failed: ${String(err)}`),
    onCommit: () => {
      storage.committed()
      supervisorRef?.setOutputPaused(false)
    }
  })
  const settings = new SettingsService(store)
  const supervisor = new Supervisor({
    store, writer, hub, settings, providers: opts.providers ?? defaultProviders(() => settings.get()), hostEnv: opts.hostEnv ?? process.env, log
  })
  supervisorRef = supervisor
  const swept = supervisor.recoverOrphans()
  if (swept.interrupted.length) log(`marked ${swept.interrupted.length} session(s) interrupted after an unexpected exit; killed ${swept.killed.length} leftover process group(s)`)
  const projects = new ProjectService(store, hub, (id) => supervisor.stopProject(id))
  for (const p of store.listProjects()) {
    try { supervisor.prune(p.id) } catch (err) { log(`retention for ${p.name} failed: ${String(err)}`) }
  }
  if (store.recovery) {
    const r = store.recovery
    log(`the database was damaged (${r.reason}); moved to ${r.movedTo}; continuing from ${r.restoredFrom ?? 'a new, empty database'}`)
  }
  const info: AppInfo = {
    name: 'Shepherd', version: opts.version ?? '0.0.0', host: opts.host.kind, dataDir: opts.dataDir, platform: process.platform, dbRecovery: store.recovery
  }
  const ctx: ApiContext = { host: opts.host, info, store, hub, projects, settings, supervisor, storage }
  let disposed: Promise<void> | null = null
  return {
    router: appRouter,
    createContext: () => ctx,
    store, supervisor, hub,
    dispose(deadlineMs = 6000) {
      disposed ??= (async () => {
        await supervisor.shutdown(deadlineMs)
        writer.close()
        store.close()
      })()
      return disposed
    }
  }
}
