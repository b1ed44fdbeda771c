/**
 * A small fake of the `electron` main-process module for Vitest (no Electron binary exists on the
 * build machines). Use with:
 *
 *   vi.mock('electron', () => import('../../test/support/fake-electron'))
 *
 * Importing this module directly from the same test gives the same instance the code under test
 * sees. `resetFakeElectron()` restores a clean state between tests. Only what the Electron host
 * uses is modelled; behaviour follows the Electron docs (e.g. `app.exit` emits no `before-quit`).
 */
import { EventEmitter } from 'node:events'
import { vi } from 'vitest'

export class FakeEvent {
  defaultPrevented = false
  preventDefault(): void {
    this.defaultPrevented = true
  }
}

type PermissionRequestHandler = (contents: unknown, permission: string, callback: (granted: boolean) => void, details: unknown) => void
type PermissionCheckHandler = (contents: unknown, permission: string, origin: string, details: unknown) => boolean

export class FakeSession {
  permissionRequestHandler: PermissionRequestHandler | null = null
  permissionCheckHandler: PermissionCheckHandler | null = null
  setPermissionRequestHandler(handler: PermissionRequestHandler | null): void {
    this.permissionRequestHandler = handler
  }
  setPermissionCheckHandler(handler: PermissionCheckHandler | null): void {
    this.permissionCheckHandler = handler
  }
}

/** Two linked in-memory ports, shaped like `MessagePortMain` (EventEmitter + postMessage). */
export class FakeMessagePortMain extends EventEmitter {
  other: FakeMessagePortMain | null = null
  closed = false
  started = false
  postMessage(data: unknown): void {
    if (this.closed) return
    const target = this.other
    if (target && !target.closed) queueMicrotask(() => target.emit('message', { data, ports: [] }))
  }
  start(): void {
    this.started = true
  }
  close(): void {
    if (this.closed) return
    this.closed = true
    this.emit('close')
    const target = this.other
    if (target && !target.closed) {
      target.closed = true
      target.emit('close')
    }
  }
}

export class MessageChannelMain {
  port1 = new FakeMessagePortMain()
  port2 = new FakeMessagePortMain()
  constructor() {
    this.port1.other = this.port2
    this.port2.other = this.port1
  }
}

interface PostedMessage {
  channel: string
  message: unknown
  transfer: unknown[] | undefined
}

let nextWebContentsId = 1

export class FakeWebContents extends EventEmitter {
  readonly id = nextWebContentsId++
  session: FakeSession
  mainFrame = { url: '', parent: null as unknown }
  windowOpenHandler: ((details: { url: string }) => { action: 'allow' | 'deny' }) | null = null
  posted: PostedMessage[] = []
  destroyed = false
  constructor(
    readonly webPreferences: Record<string, unknown>,
    ses: FakeSession
  ) {
    super()
    this.session = ses
  }
  getURL(): string {
    return this.mainFrame.url
  }
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'allow' | 'deny' }): void {
    this.windowOpenHandler = handler
  }
  postMessage(channel: string, message: unknown, transfer?: unknown[]): void {
    this.posted.push({ channel, message, transfer })
  }
  getLastWebPreferences(): Record<string, unknown> {
    return this.webPreferences
  }
  isDestroyed(): boolean {
    return this.destroyed
  }
  /** Test helper: commit `url` in the main frame and emit `did-finish-load`. */
  finishLoad(url: string): void {
    this.mainFrame.url = url
    this.emit('did-finish-load')
  }
  /** Test helper: what a page-initiated navigation does; returns whether it was prevented. */
  simulateNavigation(url: string): boolean {
    const event = new FakeEvent()
    this.emit('will-navigate', event, url, false, true)
    if (!event.defaultPrevented) this.mainFrame.url = url
    return event.defaultPrevented
  }
  /** Test helper: `window.open(url)`; returns the handler's action (`allow` if none is set). */
  simulateWindowOpen(url: string): 'allow' | 'deny' {
    return this.windowOpenHandler ? this.windowOpenHandler({ url }).action : 'allow'
  }
}

interface Bounds {
  x: number
  y: number
  width: number
  height: number
}

export class BrowserWindow extends EventEmitter {
  static windows: BrowserWindow[] = []
  static getAllWindows(): BrowserWindow[] {
    return BrowserWindow.windows.filter((w) => !w.destroyed)
  }
  readonly webContents: FakeWebContents
  bounds: Bounds
  minimized = false
  maximized = false
  visible = false
  focused = false
  destroyed = false
  loadedUrls: string[] = []
  constructor(readonly options: Record<string, unknown> = {}) {
    super()
    const prefs = (options.webPreferences ?? {}) as Record<string, unknown>
    this.webContents = new FakeWebContents(prefs, session.defaultSession)
    this.bounds = {
      x: typeof options.x === 'number' ? options.x : 100,
      y: typeof options.y === 'number' ? options.y : 100,
      width: typeof options.width === 'number' ? options.width : 800,
      height: typeof options.height === 'number' ? options.height : 600
    }
    this.visible = options.show !== false
    BrowserWindow.windows.push(this)
    app.emit('web-contents-created', new FakeEvent(), this.webContents)
  }
  loadURL(url: string): Promise<void> {
    this.loadedUrls.push(url)
    this.webContents.mainFrame.url = url
    return Promise.resolve()
  }
  getBounds(): Bounds {
    return { ...this.bounds }
  }
  getNormalBounds(): Bounds {
    return { ...this.bounds }
  }
  setBounds(bounds: Partial<Bounds>): void {
    this.bounds = { ...this.bounds, ...bounds }
    this.emit('resize')
  }
  isMaximized(): boolean {
    return this.maximized
  }
  maximize(): void {
    this.maximized = true
    this.emit('maximize')
  }
  isMinimized(): boolean {
    return this.minimized
  }
  minimize(): void {
    this.minimized = true
    this.focused = false
  }
  restore(): void {
    this.minimized = false
  }
  isVisible(): boolean {
    return this.visible
  }
  show(): void {
    this.visible = true
  }
  focus(): void {
    this.focused = true
  }
  isDestroyed(): boolean {
    return this.destroyed
  }
  close(): void {
    if (this.destroyed) return
    const event = new FakeEvent()
    this.emit('close', event)
    if (event.defaultPrevented) return
    this.destroyed = true
    this.webContents.destroyed = true
    this.emit('closed')
    if (BrowserWindow.getAllWindows().length === 0) app.emit('window-all-closed')
  }
}

class FakeApp extends EventEmitter {
  isPackaged = false
  name = 'Shepherd'
  ready = false
  paths = new Map<string, string>([['userData', '/tmp/shepherd-fake-user-data']])
  appPath = process.cwd()
  lockResult = true
  requestSingleInstanceLock = vi.fn(() => this.lockResult)
  exit = vi.fn((_code?: number) => undefined)
  quit = vi.fn(() => {
    const event = new FakeEvent()
    this.emit('before-quit', event)
  })
  setPath = vi.fn((name: string, value: string) => {
    this.paths.set(name, value)
  })
  getPath(name: string): string {
    const value = this.paths.get(name)
    if (value === undefined) throw new Error(`fake electron: no path ${name}`)
    return value
  }
  getVersion(): string {
    return '0.1.0-test'
  }
  getAppPath(): string {
    return this.appPath
  }
  isReady(): boolean {
    return this.ready
  }
  whenReady(): Promise<void> {
    this.ready = true
    return Promise.resolve()
  }
}

export const app = new FakeApp()

export const session = { defaultSession: new FakeSession() }

export const shell = { openExternal: vi.fn((_url: string) => Promise.resolve()), openPath: vi.fn((_path: string) => Promise.resolve('')) }

export const protocol = {
  registerSchemesAsPrivileged: vi.fn(),
  handlers: new Map<string, (request: { url: string }) => Promise<Response> | Response>(),
  handle: vi.fn((scheme: string, handler: (request: { url: string }) => Promise<Response> | Response) => {
    protocol.handlers.set(scheme, handler)
  })
}

export const Menu = {
  buildFromTemplate: vi.fn((template: unknown[]) => ({ template })),
  setApplicationMenu: vi.fn()
}

export const dialog = {
  showOpenDialog: vi.fn(async (..._args: unknown[]) => ({ canceled: false, filePaths: ['/picked'] })),
  showSaveDialog: vi.fn(async (..._args: unknown[]) => ({ canceled: false, filePath: '/saved' as string | undefined })),
  showErrorBox: vi.fn()
}

export class Notification extends EventEmitter {
  static supported = true
  static instances: Notification[] = []
  static isSupported = vi.fn(() => Notification.supported)
  shown = false
  closed = false
  constructor(readonly options: { title: string; body: string }) {
    super()
    Notification.instances.push(this)
  }
  show(): void {
    this.shown = true
  }
  close(): void {
    this.closed = true
    this.emit('close')
  }
}

export const nativeTheme = { shouldUseDarkColors: true }

export const screen = {
  displays: [{ id: 1, workArea: { x: 0, y: 0, width: 1920, height: 1080 }, bounds: { x: 0, y: 0, width: 1920, height: 1080 } }],
  getAllDisplays(): Array<{ id: number; workArea: Bounds; bounds: Bounds }> {
    return screen.displays
  }
}

/** Preload-side pieces, for the preload test. */
export const contextBridge = { exposeInMainWorld: vi.fn((_key: string, _api: unknown) => undefined) }
export const ipcRenderer = Object.assign(new EventEmitter(), { send: vi.fn(), invoke: vi.fn() })

/** Back to a clean state (no listeners, no windows, cleared spies). */
export function resetFakeElectron(): void {
  app.removeAllListeners()
  app.isPackaged = false
  app.ready = false
  app.paths = new Map([['userData', '/tmp/shepherd-fake-user-data']])
  app.appPath = process.cwd()
  app.lockResult = true
  session.defaultSession = new FakeSession()
  BrowserWindow.windows = []
  Notification.instances = []
  Notification.supported = true
  nativeTheme.shouldUseDarkColors = true
  protocol.handlers.clear()
  screen.displays = [{ id: 1, workArea: { x: 0, y: 0, width: 1920, height: 1080 }, bounds: { x: 0, y: 0, width: 1920, height: 1080 } }]
  ipcRenderer.removeAllListeners()
  vi.clearAllMocks()
}
