/**
 * What the host says about itself: app info (version, platform, whether it has a folder picker and
 * OS notifications, a database recovery at startup) and storage health (why the database cannot be
 * written right now, agents paused meanwhile).
 */
import { api, type AppInfo } from '../lib/api/client'

export class HostInfo {
  info = $state.raw<AppInfo | null>(null)
  /** Why Shepherd cannot write to its database right now (agents are paused meanwhile), or null. */
  storageError = $state<string | null>(null)

  readonly canPickFolder = $derived(this.info?.canPickFolder ?? false)
  /** For shortcut labels: ⌘ on macOS, Ctrl elsewhere. */
  readonly isMac = $derived(this.info ? this.info.platform === 'darwin' : /mac/i.test(navigator.platform))

  async load(): Promise<void> {
    try {
      this.info = await api.app.info.query()
    } catch (err) {
      console.warn('could not load app info', err)
    }
    await this.loadHealth()
  }

  async loadHealth(): Promise<void> {
    try {
      this.storageError = (await api.app.health.query()).storageError
    } catch (err) {
      console.warn('could not load app health', err)
    }
  }
}
