/**
 * The global settings as the server has them (stall threshold, notification toggles, per-agent
 * defaults), for everything but the Settings page's own draft. Refetched when the user leaves Settings.
 */
import type { ProjectDTO } from '../../src-main/shared/dto'
import { SETTING_DEFAULTS } from '../../src-main/shared/limits'
import { api, type AppSettings } from '../lib/api/client'
import type { NoticeKind, StoreSettings } from './api'

export class SettingsStore implements StoreSettings {
  /** Null until `settings.get` answers: the shared defaults apply meanwhile. */
  value = $state.raw<AppSettings | null>(null)

  constructor(initial: AppSettings | null) {
    this.value = initial
  }

  /** The project's stall threshold (project override or the global default), ms. */
  stallThresholdMs(project: ProjectDTO): number {
    return project.stallThresholdMs ?? this.value?.stallThresholdMs ?? SETTING_DEFAULTS.stallThresholdMs
  }

  wants(kind: NoticeKind): boolean {
    return this.value?.notifications[kind] ?? SETTING_DEFAULTS.notifications[kind]
  }

  async refresh(): Promise<void> {
    try {
      this.value = await api.settings.get.query()
    } catch (err) {
      console.warn('could not load settings', err)
    }
  }
}
