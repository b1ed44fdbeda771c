import { beforeEach, describe, expect, it, vi } from 'vitest'

vi.mock('electron', () => import('../../test/support/fake-electron'))

import * as fake from '../../test/support/fake-electron'
import { createElectronHostServices } from './host-services'

const note = (key: string) => ({ title: 'Session finished', body: 'fix tests: done', projectId: 'p1', sessionId: 's1', key })

beforeEach(() => fake.resetFakeElectron())

describe('pickFolder', () => {
  it('opens a directory dialog on the main window and returns the path', async () => {
    const win = new fake.BrowserWindow({})
    const host = createElectronHostServices(() => win as never)
    fake.dialog.showOpenDialog.mockResolvedValueOnce({ canceled: false, filePaths: ['/home/u/project'] })
    await expect(host.pickFolder()).resolves.toBe('/home/u/project')
    expect(fake.dialog.showOpenDialog).toHaveBeenCalledWith(win, { properties: ['openDirectory', 'createDirectory'] })
  })

  it('returns null when cancelled, and works without a window', async () => {
    const host = createElectronHostServices(() => null)
    fake.dialog.showOpenDialog.mockResolvedValueOnce({ canceled: true, filePaths: [] })
    await expect(host.pickFolder()).resolves.toBeNull()
    expect(fake.dialog.showOpenDialog).toHaveBeenCalledWith({ properties: ['openDirectory', 'createDirectory'] })
  })
})

describe('pickSavePath', () => {
  it('opens a save dialog for the export format and returns the chosen path, or null when cancelled', async () => {
    const win = new fake.BrowserWindow({})
    const host = createElectronHostServices(() => win as never)
    fake.dialog.showSaveDialog.mockResolvedValueOnce({ canceled: false, filePath: '/home/u/fix-2026.md' })
    await expect(host.pickSavePath('fix-2026.md', 'markdown')).resolves.toBe('/home/u/fix-2026.md')
    expect(fake.dialog.showSaveDialog).toHaveBeenCalledWith(win, {
      defaultPath: 'fix-2026.md',
      filters: [{ name: 'Markdown', extensions: ['md'] }],
      properties: ['createDirectory', 'showOverwriteConfirmation']
    })
    fake.dialog.showSaveDialog.mockResolvedValueOnce({ canceled: true, filePath: undefined })
    await expect(host.pickSavePath('x.html', 'html')).resolves.toBeNull()
  })
})

describe('notify', () => {
  it('shows a notification once per key', () => {
    const host = createElectronHostServices(() => null)
    host.notify(note('s1:done'))
    host.notify(note('s1:done'))
    host.notify(note('s1:error'))
    expect(fake.Notification.instances).toHaveLength(2)
    expect(fake.Notification.instances.every((n) => n.shown)).toBe(true)
    expect(fake.Notification.instances[0]!.options).toEqual({ title: 'Session finished', body: 'fix tests: done' })
  })

  it('does nothing when notifications are unsupported', () => {
    fake.Notification.supported = false
    const host = createElectronHostServices(() => null)
    host.notify(note('k'))
    expect(fake.Notification.instances).toHaveLength(0)
  })

  it('click focuses the main window', () => {
    const win = new fake.BrowserWindow({ show: false })
    win.minimize()
    const host = createElectronHostServices(() => win as never)
    host.notify(note('k'))
    fake.Notification.instances[0]!.emit('click')
    expect(win.isMinimized()).toBe(false)
    expect(win.isVisible()).toBe(true)
    expect(win.focused).toBe(true)
  })

  it('dispose closes shown notifications', () => {
    const host = createElectronHostServices(() => null)
    host.notify(note('a'))
    host.dispose()
    expect(fake.Notification.instances[0]!.closed).toBe(true)
  })

  it('kind is electron', () => {
    expect(createElectronHostServices(() => null).kind).toBe('electron')
  })
})
