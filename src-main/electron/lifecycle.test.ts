/**
 * The Electron entry (`src-main/index.ts`) against the fake `electron` and a fake core:
 * single-instance lock, startup order, second instance, quit sequence (docs/fault-catalogue.md CP-8).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

vi.mock('electron', () => import('../../test/support/fake-electron'))
vi.mock('../core', () => ({ createCore: vi.fn() }))

type FakeElectron = typeof import('../../test/support/fake-electron')
type CoreModule = { createCore: ReturnType<typeof vi.fn> }

interface FakeCore {
  router: unknown
  createContext: () => object
  dispose: ReturnType<typeof vi.fn>
}

let dataDir: string
let electron: FakeElectron
let coreModule: CoreModule
let core: FakeCore

beforeEach(async () => {
  vi.resetModules()
  dataDir = mkdtempSync(join(tmpdir(), 'shepherd-lifecycle-'))
  process.env.SHEPHERD_DATA_DIR = dataDir
  delete process.env.ELECTRON_RENDERER_URL
  electron = (await import('electron')) as unknown as FakeElectron
  electron.resetFakeElectron()
  electron.app.isPackaged = true
  coreModule = (await import('../core')) as unknown as CoreModule
  const { initTRPC } = await import('@trpc/server')
  const t = initTRPC.create()
  core = {
    router: t.router({ ping: t.procedure.query(() => 'pong') }),
    createContext: () => ({}),
    dispose: vi.fn(async () => {})
  }
  coreModule.createCore.mockImplementation(() => core)
})

afterEach(() => {
  vi.useRealTimers()
  delete process.env.SHEPHERD_DATA_DIR
  rmSync(dataDir, { recursive: true, force: true })
})

async function start(): Promise<typeof import('../index')> {
  const mod = await import('../index')
  await mod.started
  return mod
}

function beforeQuit(): InstanceType<FakeElectron['FakeEvent']> {
  const event = new electron.FakeEvent()
  electron.app.emit('before-quit', event)
  return event
}

describe('startup', () => {
  it('takes the single-instance lock before anything else, after pointing userData at the data dir', async () => {
    await start()
    const lock = electron.app.requestSingleInstanceLock.mock.invocationCallOrder[0]!
    expect(electron.app.setPath).toHaveBeenCalledWith('userData', dataDir)
    expect(electron.app.setPath.mock.invocationCallOrder[0]!).toBeLessThan(lock)
    expect(electron.protocol.registerSchemesAsPrivileged.mock.invocationCallOrder[0]!).toBeGreaterThan(lock)
    expect(coreModule.createCore.mock.invocationCallOrder[0]!).toBeGreaterThan(lock)
  })

  it('creates the core with the data dir and the Electron host services', async () => {
    await start()
    expect(coreModule.createCore).toHaveBeenCalledOnce()
    const opts = coreModule.createCore.mock.calls[0]![0] as { dataDir: string; host: { kind: string }; version: string }
    expect(opts.dataDir).toBe(dataDir)
    expect(opts.host.kind).toBe('electron')
    expect(opts.version).toBe('0.1.0-test')
  })

  it('falls back to userData when SHEPHERD_DATA_DIR is unset', async () => {
    delete process.env.SHEPHERD_DATA_DIR
    await start()
    const opts = coreModule.createCore.mock.calls[0]![0] as { dataDir: string }
    expect(opts.dataDir).toBe('/tmp/shepherd-fake-user-data')
    expect(electron.app.setPath).not.toHaveBeenCalled()
  })

  it('registers the protocol, the menu and one window loading app://shepherd, wired to tRPC', async () => {
    await start()
    expect(electron.protocol.handle).toHaveBeenCalledWith('app', expect.any(Function))
    expect(electron.Menu.setApplicationMenu).toHaveBeenCalledOnce()
    const windows = electron.BrowserWindow.getAllWindows()
    expect(windows).toHaveLength(1)
    const win = windows[0]!
    expect(win.loadedUrls).toEqual(['app://shepherd/index.html'])
    win.webContents.finishLoad('app://shepherd/index.html')
    expect(win.webContents.posted.map((p) => p.channel)).toEqual(['electron-messageport-trpc:init'])
    // Security guards were installed before the window existed.
    expect(win.webContents.simulateWindowOpen('file:///etc/passwd')).toBe('deny')
  })

  it('quits without starting anything when another instance holds the lock', async () => {
    electron.app.lockResult = false
    await start()
    expect(electron.app.quit).toHaveBeenCalledOnce()
    expect(coreModule.createCore).not.toHaveBeenCalled()
    expect(electron.BrowserWindow.getAllWindows()).toHaveLength(0)
    expect(electron.protocol.registerSchemesAsPrivileged).not.toHaveBeenCalled()
  })

  it('shows an error and exits 1 when the core cannot start', async () => {
    coreModule.createCore.mockImplementationOnce(() => {
      throw new Error('DB_TOO_NEW')
    })
    await start()
    expect(electron.dialog.showErrorBox).toHaveBeenCalledWith('Shepherd could not start', 'DB_TOO_NEW')
    expect(electron.app.exit).toHaveBeenCalledWith(1)
    expect(electron.BrowserWindow.getAllWindows()).toHaveLength(0)
  })
})

describe('second instance', () => {
  it('restores and focuses the existing window', async () => {
    await start()
    const win = electron.BrowserWindow.getAllWindows()[0]!
    win.minimize()
    electron.app.emit('second-instance', new electron.FakeEvent(), ['shepherd'], '/')
    expect(win.isMinimized()).toBe(false)
    expect(win.isVisible()).toBe(true)
    expect(win.focused).toBe(true)
    expect(electron.BrowserWindow.getAllWindows()).toHaveLength(1)
  })
})

describe('quit sequence (CP-8)', () => {
  it('prevents the first quit, awaits dispose, then exits 0', async () => {
    let finishDispose!: () => void
    core.dispose.mockImplementation(() => new Promise<void>((resolve) => (finishDispose = resolve)))
    await start()
    const first = beforeQuit()
    expect(first.defaultPrevented).toBe(true)
    await vi.waitFor(() => expect(core.dispose).toHaveBeenCalledOnce())
    // A second quit while stopping is prevented too and does not dispose again.
    expect(beforeQuit().defaultPrevented).toBe(true)
    await new Promise((r) => setTimeout(r, 10))
    expect(core.dispose).toHaveBeenCalledOnce()
    expect(electron.app.exit).not.toHaveBeenCalled()
    finishDispose()
    await vi.waitFor(() => expect(electron.app.exit).toHaveBeenCalledExactlyOnceWith(0))
    // The core gets a stop budget inside the overall deadline, to flush and close the DB.
    expect(core.dispose).toHaveBeenCalledWith(5_500)
  })

  it('exits at the 6 s deadline when dispose hangs', async () => {
    core.dispose.mockImplementation(() => new Promise<void>(() => {}))
    const mod = await start()
    vi.useFakeTimers()
    expect(beforeQuit().defaultPrevented).toBe(true)
    await vi.advanceTimersByTimeAsync(mod.QUIT_DEADLINE_MS - 1)
    expect(core.dispose).toHaveBeenCalledOnce()
    expect(electron.app.exit).not.toHaveBeenCalled()
    await vi.advanceTimersByTimeAsync(1)
    expect(electron.app.exit).toHaveBeenCalledExactlyOnceWith(0)
    expect(mod.QUIT_DEADLINE_MS).toBe(6_000)
  })

  it('still exits 0 when dispose throws', async () => {
    core.dispose.mockRejectedValue(new Error('boom'))
    await start()
    beforeQuit()
    await vi.waitFor(() => expect(electron.app.exit).toHaveBeenCalledExactlyOnceWith(0))
  })

  it('closes the IPC ports before disposing the core and saves the window state', async () => {
    await start()
    const win = electron.BrowserWindow.getAllWindows()[0]!
    win.webContents.finishLoad('app://shepherd/index.html')
    const port = win.webContents.posted[0]!.transfer![0] as InstanceType<FakeElectron['FakeMessagePortMain']>
    let portClosedAtDispose: boolean | undefined
    core.dispose.mockImplementation(async () => {
      portClosedAtDispose = port.closed
    })
    beforeQuit()
    await vi.waitFor(() => expect(electron.app.exit).toHaveBeenCalled())
    expect(portClosedAtDispose).toBe(true)
    const { existsSync } = await import('node:fs')
    expect(existsSync(join(dataDir, 'window-state.json'))).toBe(true)
  })

  it('lets the quit through after the exit phase has begun (app.exit emits no before-quit, but be safe)', async () => {
    await start()
    beforeQuit()
    await vi.waitFor(() => expect(electron.app.exit).toHaveBeenCalled())
    expect(beforeQuit().defaultPrevented).toBe(false)
    expect(core.dispose).toHaveBeenCalledOnce()
  })

  it('quits when the last window closes (not on macOS)', async () => {
    await start()
    electron.BrowserWindow.getAllWindows()[0]!.close()
    if (process.platform !== 'darwin') expect(electron.app.quit).toHaveBeenCalledOnce()
  })
})

describe('withDeadline', () => {
  it('resolves done or timeout and leaves no timer behind', async () => {
    const { withDeadline } = await import('../index')
    vi.useFakeTimers()
    await expect(withDeadline(Promise.resolve(), 100)).resolves.toBe('done')
    expect(vi.getTimerCount()).toBe(0)
    const pending = withDeadline(new Promise(() => {}), 100)
    await vi.advanceTimersByTimeAsync(100)
    await expect(pending).resolves.toBe('timeout')
    expect(vi.getTimerCount()).toBe(0)
  })
})
