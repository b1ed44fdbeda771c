/**
 * What a host (Electron or web) offers the core. The core never imports `electron`; the Electron
 * host implements these with dialog/Notification/shell, the web host with nothing or stubs.
 */
export interface HostNotification {
  title: string
  body: string
  projectId: string
  sessionId: string
  /** Stable key: the same key is never shown twice (also across reloads). */
  key: string
}

export interface HostServices {
  kind: 'electron' | 'web'
  /** Native folder picker; absent in the web host (the renderer shows a path field instead). */
  pickFolder?: () => Promise<string | null>
  /** OS notification; absent in the web host (the renderer uses the browser Notification API). */
  notify?: (n: HostNotification) => void
  /** Native save dialog for an export; absent in the web host (the browser downloads it). */
  pickSavePath?: (defaultName: string, format: 'markdown' | 'json' | 'html') => Promise<string | null>
  /** Open a folder in the OS file manager; absent in the web host (the renderer shows the path to copy). */
  openFolder?: (path: string) => Promise<void>
}
