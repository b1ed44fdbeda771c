import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

vi.mock('electron', () => import('../../test/support/fake-electron'))

import * as fake from '../../test/support/fake-electron'
import {
  BACKGROUND_DARK,
  BACKGROUND_LIGHT,
  SAVE_DEBOUNCE_MS,
  WINDOW_STATE_FILE,
  createMainWindow,
  focusWindow,
  isVisibleOnSomeDisplay,
  loadRenderer,
  parseWindowState,
  resolveRendererTarget
} from './window'

let dataDir: string
beforeEach(() => {
  fake.resetFakeElectron()
  fake.app.appPath = '/opt/shepherd/app'
  dataDir = mkdtempSync(join(tmpdir(), 'shepherd-window-'))
})
afterEach(() => {
  vi.useRealTimers()
  rmSync(dataDir, { recursive: true, force: true })
})

const asFake = (win: unknown) => win as fake.BrowserWindow
const stateFile = () => join(dataDir, WINDOW_STATE_FILE)

describe('createMainWindow web preferences (SEC-1)', () => {
  it('is sandboxed, isolated, without Node, with the bundled preload', () => {
    const win = asFake(createMainWindow({ dataDir }))
    const prefs = win.webContents.getLastWebPreferences()
    expect(prefs).toMatchObject({
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      webviewTag: false,
      allowRunningInsecureContent: false,
      disableBlinkFeatures: 'Auxclick',
      preload: join('/opt/shepherd/app', 'out', 'preload', 'index.js')
    })
  })

  it('stays hidden until ready-to-show', () => {
    const win = asFake(createMainWindow({ dataDir }))
    expect(win.options.show).toBe(false)
    expect(win.isVisible()).toBe(false)
    win.emit('ready-to-show')
    expect(win.isVisible()).toBe(true)
  })

  it('uses the theme background colour', () => {
    fake.nativeTheme.shouldUseDarkColors = true
    expect(asFake(createMainWindow({ dataDir })).options.backgroundColor).toBe(BACKGROUND_DARK)
    fake.nativeTheme.shouldUseDarkColors = false
    expect(asFake(createMainWindow({ dataDir })).options.backgroundColor).toBe(BACKGROUND_LIGHT)
  })
})

describe('resolveRendererTarget and loadRenderer', () => {
  it('production loads app://shepherd/index.html', () => {
    expect(resolveRendererTarget(true, undefined)).toEqual({ url: 'app://shepherd/index.html', origin: 'app://shepherd' })
  })
  it('a packaged app ignores ELECTRON_RENDERER_URL', () => {
    expect(resolveRendererTarget(true, 'https://attacker.example/').url).toBe('app://shepherd/index.html')
  })
  it('dev loads the electron-vite dev server and trusts its origin', () => {
    expect(resolveRendererTarget(false, 'http://localhost:5173')).toEqual({ url: 'http://localhost:5173/', origin: 'http://localhost:5173' })
  })
  it('a malformed or non-http dev URL falls back to the built renderer', () => {
    expect(resolveRendererTarget(false, 'not a url').url).toBe('app://shepherd/index.html')
    expect(resolveRendererTarget(false, 'file:///tmp/x.html').url).toBe('app://shepherd/index.html')
  })
  it('loadRenderer loads the target URL', async () => {
    const win = asFake(createMainWindow({ dataDir }))
    await loadRenderer(win as never, resolveRendererTarget(true, undefined))
    expect(win.loadedUrls).toEqual(['app://shepherd/index.html'])
  })
})

describe('window state', () => {
  it('uses default bounds when nothing is saved', () => {
    const win = asFake(createMainWindow({ dataDir }))
    expect(win.options).toMatchObject({ width: 1280, height: 820 })
    expect(win.options.x).toBeUndefined()
  })

  it('restores saved bounds on a visible display, maximized if it was', () => {
    writeFileSync(stateFile(), JSON.stringify({ x: 50, y: 60, width: 1000, height: 700, maximized: true }))
    const win = asFake(createMainWindow({ dataDir }))
    expect(win.options).toMatchObject({ x: 50, y: 60, width: 1000, height: 700 })
    expect(win.isMaximized()).toBe(true)
  })

  it('ignores saved bounds on a display that is gone', () => {
    writeFileSync(stateFile(), JSON.stringify({ x: 3000, y: 0, width: 1000, height: 700, maximized: false }))
    const win = asFake(createMainWindow({ dataDir }))
    expect(win.options.x).toBeUndefined()
    expect(win.options).toMatchObject({ width: 1280, height: 820 })
  })

  it('ignores a corrupt state file', () => {
    writeFileSync(stateFile(), '{"x": 1, "y"')
    expect(asFake(createMainWindow({ dataDir })).options.x).toBeUndefined()
  })

  it('saves debounced on move/resize and immediately on close', () => {
    vi.useFakeTimers()
    const win = asFake(createMainWindow({ dataDir }))
    win.bounds = { x: 10, y: 20, width: 900, height: 600 }
    win.emit('move')
    win.emit('resize')
    vi.advanceTimersByTime(SAVE_DEBOUNCE_MS - 1)
    expect(existsSync(stateFile())).toBe(false)
    vi.advanceTimersByTime(1)
    expect(JSON.parse(readFileSync(stateFile(), 'utf8'))).toEqual({ x: 10, y: 20, width: 900, height: 600, maximized: false })

    win.bounds = { x: 30, y: 40, width: 1000, height: 650 }
    win.emit('resize')
    win.close()
    expect(JSON.parse(readFileSync(stateFile(), 'utf8'))).toEqual({ x: 30, y: 40, width: 1000, height: 650, maximized: false })
    expect(vi.getTimerCount()).toBe(0)
  })

  it.each([
    ['valid', '{"x":1,"y":2,"width":800,"height":600,"maximized":false}', true],
    ['not JSON', 'nope', false],
    ['null', 'null', false],
    ['missing field', '{"x":1,"y":2,"width":800}', false],
    ['fractional', '{"x":1.5,"y":2,"width":800,"height":600}', false],
    ['too small', '{"x":1,"y":2,"width":10,"height":10}', false],
    ['absurd', '{"x":1e12,"y":2,"width":800,"height":600}', false]
  ])('parseWindowState: %s', (_name, text, ok) => {
    expect(parseWindowState(text) !== null).toBe(ok)
  })

  const display = { x: 0, y: 0, width: 1920, height: 1080 }
  const second = { x: 1920, y: 0, width: 1280, height: 1024 }
  it.each([
    ['inside', { x: 100, y: 100, width: 800, height: 600 }, [display], true],
    ['on the second display', { x: 2000, y: 100, width: 800, height: 600 }, [display, second], true],
    ['second display unplugged', { x: 2000, y: 100, width: 800, height: 600 }, [display], false],
    ['only a sliver visible', { x: 1880, y: 100, width: 800, height: 600 }, [display], false],
    ['mostly off the top-left but reachable', { x: -600, y: -500, width: 800, height: 600 }, [display], true],
    ['above the screen', { x: 100, y: -700, width: 800, height: 600 }, [display], false]
  ])('isVisibleOnSomeDisplay: %s', (_name, bounds, areas, expected) => {
    expect(isVisibleOnSomeDisplay(bounds, areas)).toBe(expected)
  })
})

describe('focusWindow', () => {
  it('restores, shows and focuses', () => {
    const win = asFake(createMainWindow({ dataDir }))
    win.minimize()
    focusWindow(win as never)
    expect(win.isMinimized()).toBe(false)
    expect(win.isVisible()).toBe(true)
    expect(win.focused).toBe(true)
  })
  it('ignores a missing or destroyed window', () => {
    expect(() => focusWindow(null)).not.toThrow()
    const win = asFake(createMainWindow({ dataDir }))
    win.close()
    expect(() => focusWindow(win as never)).not.toThrow()
    expect(win.focused).toBe(false)
  })
})
