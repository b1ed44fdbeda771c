/**
 * Renderer entry: global styles, then the app. UI state (layout, drafts, scroll positions…) and the
 * settings are loaded first so the first paint already shows the user's layout; if the host is slow
 * to answer, the app mounts anyway after a short wait and fills in when it can.
 */
import { mount } from 'svelte'
import './app.css'
import App from './App.svelte'
import { api, type AppSettings } from './lib/api/client'
import { trpcProjectApi } from './stores/trpc-api'
import { UiState } from './stores/ui-state.svelte'

const target = document.getElementById('app')
if (!target) throw new Error('index.html has no #app element')
const appTarget: HTMLElement = target

/** Longer than a local round trip, short enough that a down host still shows "Reconnecting…". */
const BOOT_WAIT_MS = 2_500

function within<T>(p: Promise<T>, fallback: T): Promise<T> {
  return Promise.race([p, new Promise<T>((r) => setTimeout(() => r(fallback), BOOT_WAIT_MS))])
}

async function boot() {
  const ui = new UiState(trpcProjectApi(api))
  const [, settings] = await Promise.all([
    within(
      ui.load().catch((err: unknown) => console.warn('could not load UI state', err)),
      undefined
    ),
    within(
      api.settings.get.query().catch((): AppSettings | null => null),
      null
    )
  ])
  return mount(App, { target: appTarget, props: { ui, settings } })
}

export default boot()
