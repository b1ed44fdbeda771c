/**
 * The application menu: standard roles only. No custom IPC: the renderer handles its own
 * shortcuts (e.g. Ctrl/Cmd+O for "Open project…").
 */
import { Menu, type MenuItemConstructorOptions } from 'electron'
import { openExternalSafely } from './security'

/** Where Help → "Shepherd README" points. Only `https:` URLs are ever opened. */
export const README_URL = 'https://shepherd.invalid/' // the project has no public home yet (same as package.json homepage)

export interface MenuOptions {
  isMac: boolean
  /** DevTools only in unpackaged (development) builds. */
  isPackaged: boolean
  appName: string
  openExternal?: (url: string) => void
}

/** Pure template builder (tested without Electron). */
export function buildMenuTemplate(opts: MenuOptions): MenuItemConstructorOptions[] {
  const openExternal = opts.openExternal ?? ((url: string) => void openExternalSafely(url))
  const template: MenuItemConstructorOptions[] = []
  if (opts.isMac) {
    template.push({
      label: opts.appName,
      submenu: [
        { role: 'about' },
        { type: 'separator' },
        { role: 'services' },
        { type: 'separator' },
        { role: 'hide' },
        { role: 'hideOthers' },
        { role: 'unhide' },
        { type: 'separator' },
        { role: 'quit' }
      ]
    })
  }
  template.push({ label: 'File', submenu: [opts.isMac ? { role: 'close' } : { role: 'quit' }] })
  template.push({
    label: 'Edit',
    submenu: [{ role: 'undo' }, { role: 'redo' }, { type: 'separator' }, { role: 'cut' }, { role: 'copy' }, { role: 'paste' }, { role: 'selectAll' }]
  })
  const devItems: MenuItemConstructorOptions[] = opts.isPackaged ? [] : [{ role: 'toggleDevTools' }]
  template.push({
    label: 'View',
    submenu: [
      { role: 'reload' },
      ...devItems,
      { type: 'separator' },
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      { type: 'separator' },
      { role: 'togglefullscreen' }
    ]
  })
  template.push({ role: 'windowMenu' })
  template.push({
    role: 'help',
    submenu: [{ label: 'Shepherd README', click: () => openExternal(README_URL) }]
  })
  return template
}

export function installAppMenu(opts: MenuOptions): void {
  Menu.setApplicationMenu(Menu.buildFromTemplate(buildMenuTemplate(opts)))
}
