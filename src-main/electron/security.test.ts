import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'

vi.mock('electron', () => import('../../test/support/fake-electron'))

import * as fake from '../../test/support/fake-electron'
import { installSecurityGuards, isAllowedExternalUrl } from './security'

const BLOCKED_URLS: Array<[string, string]> = [
  ['javascript:', 'javascript:alert(1)'],
  ['file:', 'file:///etc/passwd'],
  ['smb:', 'smb://attacker.example/share'],
  ['ms-msdt:', 'ms-msdt:/id PCWDiagnostic /skip force'],
  ['custom scheme', 'vscode://some.extension/run?cmd=x'],
  ['http:', 'http://example.com/'],
  ['data:', 'data:text/html,<script>alert(1)</script>'],
  ['https with credentials', 'https://user:pass@example.com/'],
  ['not a URL', 'example.com'],
  ['empty', '']
]

describe('isAllowedExternalUrl', () => {
  it.each(BLOCKED_URLS)('denies %s', (_name, url) => {
    expect(isAllowedExternalUrl(url)).toBe(false)
  })
  it.each([
    ['https:', 'https://example.com/docs'],
    ['https look-alike host is still just https', 'https://example.com.attacker.com/'],
    ['mailto:', 'mailto:someone@example.com']
  ])('allows %s', (_name, url) => {
    expect(isAllowedExternalUrl(url)).toBe(true)
  })
})

describe('web-contents guards (SEC-2, SEC-3)', () => {
  const log = vi.fn()
  beforeAll(() => {
    fake.resetFakeElectron()
    installSecurityGuards(log)
    installSecurityGuards(log) // idempotent: one set of listeners
  })
  beforeEach(() => {
    fake.shell.openExternal.mockClear()
    log.mockClear()
  })

  it('applies to every web contents created after installation', () => {
    expect(fake.app.listenerCount('web-contents-created')).toBe(1)
    const win = new fake.BrowserWindow({})
    expect(win.webContents.listenerCount('will-navigate')).toBe(1)
    expect(win.webContents.windowOpenHandler).not.toBeNull()
  })

  it.each(['https://example.com/', 'app://shepherd/other.html', 'file:///etc/passwd', 'javascript:alert(1)'])(
    'prevents navigation to %s and logs it',
    (url) => {
      const win = new fake.BrowserWindow({})
      win.webContents.mainFrame.url = 'app://shepherd/index.html'
      expect(win.webContents.simulateNavigation(url)).toBe(true)
      expect(win.webContents.getURL()).toBe('app://shepherd/index.html')
      expect(log).toHaveBeenCalledWith(expect.stringContaining('blocked navigation'))
    }
  )

  it.each(BLOCKED_URLS)('window.open(%s) is denied and never reaches openExternal', (_name, url) => {
    const win = new fake.BrowserWindow({})
    expect(win.webContents.simulateWindowOpen(url)).toBe('deny')
    expect(fake.shell.openExternal).not.toHaveBeenCalled()
  })

  it.each(['https://example.com/docs', 'mailto:someone@example.com'])('window.open(%s) is denied in-app and opened externally', (url) => {
    const win = new fake.BrowserWindow({})
    expect(win.webContents.simulateWindowOpen(url)).toBe('deny')
    expect(fake.shell.openExternal).toHaveBeenCalledExactlyOnceWith(url)
  })

  it('prevents <webview> attachment', () => {
    const win = new fake.BrowserWindow({})
    const event = new fake.FakeEvent()
    win.webContents.emit('will-attach-webview', event, {}, {})
    expect(event.defaultPrevented).toBe(true)
  })

  it('denies every permission except notifications, on request and on check', () => {
    const win = new fake.BrowserWindow({})
    const ses = win.webContents.session
    expect(ses.permissionRequestHandler).not.toBeNull()
    expect(ses.permissionCheckHandler).not.toBeNull()
    for (const permission of ['media', 'geolocation', 'clipboard-read', 'openExternal', 'hid', 'serial', 'fullscreen']) {
      const callback = vi.fn()
      ses.permissionRequestHandler!(win.webContents, permission, callback, {})
      expect(callback, permission).toHaveBeenCalledWith(false)
      expect(ses.permissionCheckHandler!(win.webContents, permission, 'app://shepherd', {}), permission).toBe(false)
    }
    const callback = vi.fn()
    ses.permissionRequestHandler!(win.webContents, 'notifications', callback, {})
    expect(callback).toHaveBeenCalledWith(true)
    expect(ses.permissionCheckHandler!(win.webContents, 'notifications', 'app://shepherd', {})).toBe(true)
  })
})
