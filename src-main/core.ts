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
import { createAttention } from './services/attention'
import { ImportService } from './import/service'
import { startBackfill } from './search/backfill'
import { GitRunner } from './git/runner'
import { WorktreeService } from './git/worktree-service'
import { SshHosts } from './remote/ssh'
import { RemoteService } from './remote/service'

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
  worktrees: WorktreeService
  dispose(deadlineMs?: number): Promise<void>
}

export const DB_FILE = 'shepherd.db'

export function createCore(opts: CoreOptions): Core {
  const log = opts.log ?? ((m: string) => console.error(`[shepherd] ${m}`))
  const store = new SqliteStore(join(opts.dataDir, DB_FILE), opts.nativeBinding)
  const hub = new EventHub()
  let supervisorRef: Supervisor | null = null
  let worktreesRef: WorktreeService | null = null
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
  const hostEnv = opts.hostEnv ?? process.env
  // SSH hosts: the user's ssh and ~/.ssh/config (SHEPHERD_SSH_CONFIG: `ssh -F` another file, as the tests do).
  const remoteHosts = new SshHosts({ dataDir: opts.dataDir, configFile: hostEnv.SHEPHERD_SSH_CONFIG || null, env: hostEnv })
  const supervisor = new Supervisor({
    remoteHosts,
    store,
    writer,
    hub,
    settings,
    providers: opts.providers ?? defaultProviders(() => settings.get()),
    hostEnv: opts.hostEnv ?? process.env,
    log,
    keepOnPrune: (id) => worktreesRef?.keepOnPrune(id) ?? false
  })
  supervisorRef = supervisor
  const attention = createAttention({ db: store.database, store, writer, hub, supervisor })
  const git = new GitRunner()
  git.remote = remoteHosts // worktrees of projects on SSH hosts run git there (git/remote-git.ts)
  const worktrees = new WorktreeService({ db: store.connection, store, git, dataDir: opts.dataDir, supervisor, log })
  worktreesRef = worktrees
  const swept = supervisor.recoverOrphans()
  if (swept.interrupted.length)
    log(`marked ${swept.interrupted.length} session(s) interrupted after an unexpected exit; killed ${swept.killed.length} leftover process group(s)`)
  const projects = new ProjectService(store, hub, (id) => supervisor.stopProject(id))
  for (const p of store.listProjects()) {
    try {
      supervisor.prune(p.id)
    } catch (err) {
      log(`retention for ${p.name} failed: ${String(err)}`)
    }
  }
  if (store.recovery) {
    const r = store.recovery
    log(`the database was damaged (${r.reason}); moved to ${r.movedTo}; continuing from ${r.restoredFrom ?? 'a new, empty database'}`)
  }
  const info: AppInfo = {
    name: 'Shepherd',
    version: opts.version ?? '0.0.0',
    host: opts.host.kind,
    dataDir: opts.dataDir,
    platform: process.platform,
    dbRecovery: store.recovery
  }
  // The CLIs' files live under the HOME / CLAUDE_CONFIG_DIR / CODEX_HOME the agents get.
  const imports = new ImportService(store, hub, opts.hostEnv ?? process.env)
  const ctx: ApiContext = {
    host: opts.host,
    info,
    store,
    hub,
    projects,
    settings,
    supervisor,
    storage,
    attention,
    imports,
    search: store.search,
    worktrees,
    remote: new RemoteService(remoteHosts)
  }
  // Messages stored before the search index existed are indexed in the background (migration 0002).
  const backfill = startBackfill(store.search, log)
  // Records vs `git worktree list`, once per repository, in the background; findings shown by the UI.
  void worktrees.reconcile().catch((err) => log(`worktree reconcile failed: ${String(err)}`))
  let disposed: Promise<void> | null = null
  return {
    router: appRouter,
    createContext: () => ctx,
    store,
    supervisor,
    hub,
    worktrees,
    dispose(deadlineMs = 6000) {
      disposed ??= (async () => {
        backfill.stop()
        await supervisor.shutdown(deadlineMs)
        await remoteHosts.dispose()
        attention.dispose()
        writer.close()
        store.close()
      })()
      return disposed
    }
  }
}
