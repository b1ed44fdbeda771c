/**
 * Electron host (`out/main/index.js`): a thin shell around the host-agnostic core.
 *
 * Order matters: data dir (also Chromium's `userData`, which scopes the single-instance lock) →
 * single-instance lock → privileged scheme + security guards (before `ready`) → core → protocol
 * handler, menu, IPC bridge → window. Quit: `before-quit` → `preventDefault` → dispose raced
 * against {@link QUIT_DEADLINE_MS} → `app.exit(0)`.
 */
import { resolve } from 'node:path'
import { app, dialog, type BrowserWindow } from 'electron'
import { createCore, type Core } from './core'
import { createElectronHostServices } from './electron/host-services'
import { createIpcBridge, type IpcBridge } from './electron/ipc'
import { installAppMenu } from './electron/menu'
import { handleAppProtocol, registerAppSchemePrivileges } from './electron/protocol'
import { installSecurityGuards } from './electron/security'
import { createMainWindow, focusWindow, loadRenderer, persistWindowState, rendererRoot, resolveRendererTarget, type RendererTarget } from './electron/window'

/**
 * Overall quit deadline: agent stops use a 5 s grace before SIGKILL, so 6 s covers a full stop
 * (VS Code's `ShutdownTimeoutMs = 6000`, docs/fault-catalogue.md CP-8).
 */
export const QUIT_DEADLINE_MS = 6_000
/** What the core gets for stopping agents, leaving time to flush and close the database. */
export const CORE_STOP_BUDGET_MS = QUIT_DEADLINE_MS - 500

const log = (message: string) => console.warn(`[shepherd] ${message}`)

/** `SHEPHERD_DATA_DIR` (tests, portable setups) or Electron's per-user `userData` dir. */
export function resolveDataDir(): string {
  const fromEnv = process.env.SHEPHERD_DATA_DIR
  // `app.setPath` needs an absolute path.
  return fromEnv && fromEnv.trim() !== '' ? resolve(fromEnv) : app.getPath('userData')
}

/** Resolves to `'done'`, or to `'timeout'` after `ms`; the timer never outlives the race. */
export async function withDeadline(work: Promise<unknown>, ms: number): Promise<'done' | 'timeout'> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const deadline = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), ms)
  })
  try {
    return await Promise.race([work.then(() => 'done' as const), deadline])
  } finally {
    clearTimeout(timer)
  }
}

/**
 * Electron does not await `before-quit` listeners (electron/electron#27201): prevent the first
 * quit, run `shutdown` against the deadline, then `app.exit(0)` (which emits no further
 * `before-quit`). Quits requested while shutting down are prevented too; `shutdown` runs once.
 */
export function installQuitSequence(shutdown: () => Promise<void>, deadlineMs: number = QUIT_DEADLINE_MS): void {
  let phase: 'running' | 'stopping' | 'exiting' = 'running'
  app.on('before-quit', (event) => {
    if (phase === 'exiting') return
    event.preventDefault()
    if (phase === 'stopping') return
    phase = 'stopping'
    const work = Promise.resolve().then(shutdown)
    withDeadline(work, deadlineMs)
      .then((outcome) => {
        if (outcome === 'timeout') log(`shutdown did not finish within ${deadlineMs} ms; exiting anyway`)
      })
      .catch((err: unknown) => log(`shutdown failed: ${String(err)}`))
      .finally(() => {
        phase = 'exiting'
        app.exit(0)
      })
  })
}

async function main(): Promise<void> {
  const dataDir = resolveDataDir()
  // The lock lives in `userData`: point it at the data dir first so isolated instances (tests,
  // SHEPHERD_DATA_DIR) do not block each other.
  if (app.getPath('userData') !== dataDir) app.setPath('userData', dataDir)
  if (!app.requestSingleInstanceLock()) {
    app.quit()
    return
  }

  registerAppSchemePrivileges()
  installSecurityGuards()
  const target = resolveRendererTarget(app.isPackaged, process.env.ELECTRON_RENDERER_URL)

  let mainWindow: BrowserWindow | null = null
  let core: Core | undefined
  let bridge: IpcBridge | undefined
  let quitting = false
  const host = createElectronHostServices(
    () => mainWindow,
    (n) => core?.hub.publish({ type: 'ui.focus', projectId: n.projectId, sessionId: n.sessionId })
  )

  const openWindow = (ipc: IpcBridge, renderer: RendererTarget) => {
    const win = createMainWindow({ dataDir })
    mainWindow = win
    win.on('closed', () => {
      if (mainWindow === win) mainWindow = null
    })
    ipc.attach(win)
    loadRenderer(win, renderer).catch((err: unknown) => log(`renderer failed to load: ${String(err)}`))
  }

  app.on('second-instance', () => {
    if (mainWindow) focusWindow(mainWindow)
    else if (bridge && !quitting) openWindow(bridge, target)
  })

  installQuitSequence(async () => {
    quitting = true
    if (mainWindow && !mainWindow.isDestroyed()) persistWindowState(mainWindow, dataDir)
    bridge?.dispose()
    host.dispose()
    await core?.dispose(CORE_STOP_BUDGET_MS)
  })

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit()
  })

  await app.whenReady()
  let readyCore: Core
  try {
    // `await` keeps this correct whether core creation is synchronous or not.
    // In development `npm start` hands us an Electron-ABI better-sqlite3 (scripts/native-abi.mjs); packaged apps are rebuilt by electron-builder.
    readyCore = await createCore({ dataDir, host, version: app.getVersion(), nativeBinding: app.isPackaged ? undefined : process.env.SHEPHERD_SQLITE_BINDING })
  } catch (err) {
    log(`core failed to start: ${String(err)}`)
    dialog.showErrorBox('Shepherd could not start', err instanceof Error ? err.message : String(err))
    app.exit(1)
    return
  }
  core = readyCore
  if (quitting) return

  handleAppProtocol(rendererRoot())
  installAppMenu({ isMac: process.platform === 'darwin', isPackaged: app.isPackaged, appName: app.name })
  bridge = createIpcBridge({
    router: readyCore.router,
    createContext: () => readyCore.createContext(),
    origin: target.origin
  })
  const readyBridge = bridge
  openWindow(readyBridge, target)
  app.on('activate', () => {
    if (!mainWindow && !quitting) openWindow(readyBridge, target)
  })
}

/** Startup; exported so tests can await it. */
export const started: Promise<void> = main().catch((err: unknown) => {
  log(`startup failed: ${String(err)}`)
  app.exit(1)
})
