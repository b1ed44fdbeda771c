/**
 * `HostServices` for Electron: the native folder picker and OS notifications. The core calls
 * these; it never imports `electron` itself.
 */
import { Notification, dialog, shell, type BrowserWindow, type OpenDialogOptions, type SaveDialogOptions } from 'electron'
import type { HostNotification, HostServices } from '../shared/host'
import { focusWindow } from './window'

/**
 * Bound on remembered notification keys (dedup is in memory only; a key is roughly one per
 * session state change, so this covers far more than one app run needs).
 */
const MAX_REMEMBERED_KEYS = 10_000

export interface ElectronHostServices extends HostServices {
  kind: 'electron'
  pickFolder: () => Promise<string | null>
  notify: (n: HostNotification) => void
  pickSavePath: NonNullable<HostServices['pickSavePath']>
  /** Closes shown notifications and forgets keys. */
  dispose(): void
}

/**
 * @param getWindow the main window (parent of the folder dialog, focused on notification click).
 */
export function createElectronHostServices(
  getWindow: () => BrowserWindow | null,
  /** After a notification click focused the window: tell the renderer which pane to show. */
  onClick: (n: HostNotification) => void = () => {}
): ElectronHostServices {
  const seenKeys = new Set<string>()
  // Electron drops click handlers of garbage-collected notifications: keep shown ones referenced.
  const live = new Set<Notification>()

  const remember = (key: string): boolean => {
    if (seenKeys.has(key)) return false
    seenKeys.add(key)
    if (seenKeys.size > MAX_REMEMBERED_KEYS) {
      const oldest = seenKeys.values().next().value
      if (oldest !== undefined) seenKeys.delete(oldest)
    }
    return true
  }

  return {
    kind: 'electron',
    async pickFolder() {
      const win = getWindow()
      const options: OpenDialogOptions = { properties: ['openDirectory', 'createDirectory'] }
      const result = win && !win.isDestroyed() ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options)
      const first = result.filePaths[0]
      return result.canceled || first === undefined ? null : first
    },
    async pickSavePath(defaultName, format) {
      const win = getWindow()
      const filters = {
        markdown: [{ name: 'Markdown', extensions: ['md'] }],
        json: [{ name: 'JSON', extensions: ['json'] }],
        html: [{ name: 'HTML', extensions: ['html'] }]
      }[format]
      const options: SaveDialogOptions = { defaultPath: defaultName, filters, properties: ['createDirectory', 'showOverwriteConfirmation'] }
      const result = win && !win.isDestroyed() ? await dialog.showSaveDialog(win, options) : await dialog.showSaveDialog(options)
      return result.canceled || !result.filePath ? null : result.filePath
    },
    notify(n) {
      if (!Notification.isSupported() || !remember(n.key)) return
      const notification = new Notification({ title: n.title, body: n.body })
      const release = () => live.delete(notification)
      notification.on('click', () => {
        release()
        focusWindow(getWindow())
        onClick(n)
      })
      notification.on('close', release)
      notification.on('failed', release)
      live.add(notification)
      notification.show()
    },
    async openFolder(path) {
      const err = await shell.openPath(path)
      if (err) throw new Error(err)
    },
    dispose() {
      for (const notification of live) notification.close()
      live.clear()
      seenKeys.clear()
    }
  }
}
