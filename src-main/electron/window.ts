/**
 * The one application window: locked-down web preferences (docs/fault-catalogue.md SEC-1..SEC-3), the renderer
 * URL for dev / production, and remembered bounds in `<dataDir>/window-state.json`.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { BrowserWindow, app, nativeTheme, screen, type Rectangle } from 'electron'
import { APP_INDEX_URL, APP_ORIGIN } from './protocol'

export const WINDOW_STATE_FILE = 'window-state.json'
/** Debounce for saving bounds while the user drags or resizes. */
export const SAVE_DEBOUNCE_MS = 500
/** Minimum overlap with a display's work area for saved bounds to count as visible (title bar reachable). */
const MIN_VISIBLE_WIDTH = 100
const MIN_VISIBLE_HEIGHT = 50

const DEFAULT_WIDTH = 1280
const DEFAULT_HEIGHT = 820
const MIN_WIDTH = 720
const MIN_HEIGHT = 480
/** Matches the renderer's background so there is no white flash before first paint. */
export const BACKGROUND_DARK = '#16181d'
export const BACKGROUND_LIGHT = '#f7f7f8'

export interface WindowState {
  x: number
  y: number
  width: number
  height: number
  maximized: boolean
}

export interface RendererTarget {
  /** What the window loads. */
  url: string
  /** The origin the IPC sender check trusts. */
  origin: string
}

/**
 * Dev (`electron-vite dev` sets `ELECTRON_RENDERER_URL`): the Vite dev server. Production: the
 * `app://` protocol. A packaged app ignores the env var, so it cannot be pointed at another page.
 */
export function resolveRendererTarget(isPackaged: boolean, devUrl: string | undefined): RendererTarget {
  if (!isPackaged && devUrl) {
    try {
      const parsed = new URL(devUrl)
      if (parsed.protocol === 'http:' || parsed.protocol === 'https:') return { url: parsed.href, origin: parsed.origin }
    } catch {
      // Malformed dev URL: fall back to the built renderer.
    }
  }
  return { url: APP_INDEX_URL, origin: APP_ORIGIN }
}

/** The sandboxed preload bundle (`out/preload/index.js`, CJS with its dependencies inlined). */
export function preloadPath(): string {
  return join(app.getAppPath(), 'out', 'preload', 'index.js')
}

/** The built renderer served by the `app://` protocol. */
export function rendererRoot(): string {
  return join(app.getAppPath(), 'out', 'renderer')
}

/** Whether `bounds` overlaps some display's work area enough to grab the title bar. */
export function isVisibleOnSomeDisplay(bounds: Rectangle, workAreas: readonly Rectangle[]): boolean {
  return workAreas.some((area) => {
    const overlapWidth = Math.min(bounds.x + bounds.width, area.x + area.width) - Math.max(bounds.x, area.x)
    const overlapHeight = Math.min(bounds.y + bounds.height, area.y + area.height) - Math.max(bounds.y, area.y)
    return overlapWidth >= MIN_VISIBLE_WIDTH && overlapHeight >= MIN_VISIBLE_HEIGHT
  })
}

/** Parses a saved state; `null` for anything malformed (the file is ours but may be truncated). */
export function parseWindowState(text: string): WindowState | null {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return null
  }
  if (typeof value !== 'object' || value === null) return null
  const v = value as Record<string, unknown>
  const ints = [v.x, v.y, v.width, v.height]
  if (!ints.every((n) => typeof n === 'number' && Number.isInteger(n) && Math.abs(n) < 100_000)) return null
  const [x, y, width, height] = ints as number[]
  if (width! < MIN_WIDTH || height! < MIN_HEIGHT) return null
  return { x: x!, y: y!, width: width!, height: height!, maximized: v.maximized === true }
}

export function loadWindowState(dataDir: string): WindowState | null {
  try {
    return parseWindowState(readFileSync(join(dataDir, WINDOW_STATE_FILE), 'utf8'))
  } catch {
    return null
  }
}

/** Atomic write (temp file + rename), synchronous so it also works from `close` during quit. */
export function saveWindowState(dataDir: string, state: WindowState): void {
  try {
    mkdirSync(dataDir, { recursive: true })
    const file = join(dataDir, WINDOW_STATE_FILE)
    writeFileSync(`${file}.tmp`, JSON.stringify(state))
    renameSync(`${file}.tmp`, file)
  } catch (err) {
    console.warn(`[shepherd:window] could not save window state: ${String(err)}`)
  }
}

function currentState(win: BrowserWindow): WindowState {
  const b = win.getNormalBounds()
  return { x: b.x, y: b.y, width: b.width, height: b.height, maximized: win.isMaximized() }
}

/** Saves `win`'s bounds now (the quit sequence calls this: `app.exit` emits no `close`). */
export function persistWindowState(win: BrowserWindow, dataDir: string): void {
  saveWindowState(dataDir, currentState(win))
}

/** Saves bounds debounced on move/resize and immediately on close. */
function trackWindowState(win: BrowserWindow, dataDir: string): void {
  let timer: ReturnType<typeof setTimeout> | undefined
  const schedule = () => {
    clearTimeout(timer)
    timer = setTimeout(() => {
      timer = undefined
      if (!win.isDestroyed()) saveWindowState(dataDir, currentState(win))
    }, SAVE_DEBOUNCE_MS)
  }
  win.on('move', schedule)
  win.on('resize', schedule)
  win.on('maximize', schedule)
  win.on('unmaximize', schedule)
  win.on('close', () => {
    clearTimeout(timer)
    timer = undefined
    saveWindowState(dataDir, currentState(win))
  })
  win.on('closed', () => clearTimeout(timer))
}

export interface CreateWindowOptions {
  dataDir: string
}

/**
 * Creates (but does not load) the main window, so the IPC bridge can attach before the first
 * `did-finish-load`. Call {@link loadRenderer} afterwards.
 */
export function createMainWindow(opts: CreateWindowOptions): BrowserWindow {
  const saved = loadWindowState(opts.dataDir)
  const workAreas = screen.getAllDisplays().map((d) => d.workArea)
  const restore = saved !== null && isVisibleOnSomeDisplay(saved, workAreas)
  const win = new BrowserWindow({
    ...(restore ? { x: saved.x, y: saved.y } : {}),
    width: restore ? saved.width : DEFAULT_WIDTH,
    height: restore ? saved.height : DEFAULT_HEIGHT,
    minWidth: MIN_WIDTH,
    minHeight: MIN_HEIGHT,
    title: 'Shepherd',
    show: false,
    backgroundColor: nativeTheme.shouldUseDarkColors ? BACKGROUND_DARK : BACKGROUND_LIGHT,
    webPreferences: {
      preload: preloadPath(),
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      webviewTag: false,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      // Middle-click (auxclick) on a link must not open it in a new window (Electronegativity AUXCLICK_JS_CHECK).
      disableBlinkFeatures: 'Auxclick',
      spellcheck: true
    }
  })
  if (restore && saved.maximized) win.maximize()
  win.once('ready-to-show', () => win.show())
  trackWindowState(win, opts.dataDir)
  return win
}

/** Loads the renderer: the dev server in development, `app://shepherd/index.html` in production. */
export function loadRenderer(win: BrowserWindow, target: RendererTarget): Promise<void> {
  return win.loadURL(target.url)
}

/** Brings `win` to the front (second instance, notification click). */
export function focusWindow(win: BrowserWindow | null | undefined): void {
  if (!win || win.isDestroyed()) return
  if (win.isMinimized()) win.restore()
  if (!win.isVisible()) win.show()
  win.focus()
}
