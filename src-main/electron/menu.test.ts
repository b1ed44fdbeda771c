import type { MenuItemConstructorOptions } from 'electron'
import { beforeEach, describe, expect, it, vi } from 'vitest'

vi.mock('electron', () => import('../../test/support/fake-electron'))

import * as fake from '../../test/support/fake-electron'
import { README_URL, buildMenuTemplate, installAppMenu } from './menu'
import { isAllowedExternalUrl } from './security'

function roles(items: MenuItemConstructorOptions[]): string[] {
  return items.flatMap((item) => {
    const own = item.role ? [item.role] : []
    const sub = Array.isArray(item.submenu) ? roles(item.submenu) : []
    return [...own, ...sub]
  })
}

function submenu(template: MenuItemConstructorOptions[], label: string): MenuItemConstructorOptions[] {
  const item = template.find((i) => i.label === label || i.role === label)
  return (item?.submenu ?? []) as MenuItemConstructorOptions[]
}

beforeEach(() => fake.resetFakeElectron())

describe('buildMenuTemplate', () => {
  it('has the standard edit roles', () => {
    const t = buildMenuTemplate({ isMac: false, isPackaged: true, appName: 'Shepherd' })
    expect(roles(submenu(t, 'Edit'))).toEqual(['undo', 'redo', 'cut', 'copy', 'paste', 'selectAll'])
  })

  it('shows DevTools only when not packaged', () => {
    const packaged = buildMenuTemplate({ isMac: false, isPackaged: true, appName: 'Shepherd' })
    const dev = buildMenuTemplate({ isMac: false, isPackaged: false, appName: 'Shepherd' })
    expect(roles(packaged)).not.toContain('toggleDevTools')
    expect(roles(submenu(dev, 'View'))).toEqual(['reload', 'toggleDevTools', 'resetZoom', 'zoomIn', 'zoomOut', 'togglefullscreen'])
  })

  it('has a macOS app menu only on macOS; File has Quit elsewhere', () => {
    const mac = buildMenuTemplate({ isMac: true, isPackaged: true, appName: 'Shepherd' })
    const linux = buildMenuTemplate({ isMac: false, isPackaged: true, appName: 'Shepherd' })
    expect(mac[0]?.label).toBe('Shepherd')
    expect(roles(submenu(mac, 'Shepherd'))).toContain('quit')
    expect(roles(submenu(mac, 'File'))).toEqual(['close'])
    expect(linux[0]?.label).toBe('File')
    expect(roles(submenu(linux, 'File'))).toEqual(['quit'])
    expect(roles(linux)).toContain('windowMenu')
  })

  it('uses only roles, except Help → README, which opens an https URL externally', () => {
    const openExternal = vi.fn()
    const t = buildMenuTemplate({ isMac: false, isPackaged: true, appName: 'Shepherd', openExternal })
    const clickable = t.flatMap((i) => (Array.isArray(i.submenu) ? i.submenu : [])).filter((i) => i.click)
    expect(clickable.map((i) => i.label)).toEqual(['Shepherd README'])
    clickable[0]!.click!(undefined as never, undefined, undefined as never)
    expect(openExternal).toHaveBeenCalledWith(README_URL)
    expect(isAllowedExternalUrl(README_URL)).toBe(true)
  })

  it('the default README action goes through the guarded openExternal', () => {
    const t = buildMenuTemplate({ isMac: false, isPackaged: true, appName: 'Shepherd' })
    const help = submenu(t, 'help')
    help[0]!.click!(undefined as never, undefined, undefined as never)
    expect(fake.shell.openExternal).toHaveBeenCalledWith(README_URL)
  })
})

it('installAppMenu sets the application menu', () => {
  installAppMenu({ isMac: false, isPackaged: false, appName: 'Shepherd' })
  expect(fake.Menu.buildFromTemplate).toHaveBeenCalledOnce()
  expect(fake.Menu.setApplicationMenu).toHaveBeenCalledOnce()
})
