/** Headless Chromium (Debian's, via playwright-core; never a downloaded browser) for the renderer parts. */
import { chromium, type Browser, type Page } from 'playwright-core'
import { chromiumPath } from './paths'
import { CHROMIUM_ARGS, keepOnLoopback } from '../../test/support/chromium-guard'

export async function launchChromium(): Promise<Browser> {
  const executablePath = chromiumPath()
  if (!executablePath) throw new Error('Chromium not found (install it, e.g. apt-get install chromium, or set CHROMIUM_PATH)')
  const browser = await chromium.launch({ executablePath, headless: true, args: [...CHROMIUM_ARGS, '--enable-precise-memory-info'] })
  // Every context the bench opens (newContext, or newPage's own) aborts requests that leave loopback.
  const newContext = browser.newContext.bind(browser)
  browser.newContext = async (options) => {
    const context = await newContext(options)
    await keepOnLoopback(context)
    return context
  }
  browser.newPage = async (options) => (await browser.newContext(options)).newPage()
  return browser
}

/** Open the app (the token moves from the fragment into sessionStorage) and wait until the projects list has loaded. */
export async function openApp(page: Page, url: string, timeoutMs = 30_000): Promise<void> {
  await page.goto(url)
  await page.getByRole('button', { name: 'Add project', exact: true }).waitFor({ state: 'visible', timeout: timeoutMs })
  await page.getByText('Loading projects…').waitFor({ state: 'detached', timeout: timeoutMs })
}

/** JS heap in use and DOM node count of the page (Chromium DevTools protocol), after a GC. */
export async function pageMemory(page: Page): Promise<{ jsHeapUsedBytes: number; domNodes: number }> {
  const cdp = await page.context().newCDPSession(page)
  try {
    await cdp.send('HeapProfiler.collectGarbage')
    await cdp.send('Performance.enable')
    const { metrics } = await cdp.send('Performance.getMetrics')
    const get = (name: string) => metrics.find((m) => m.name === name)?.value ?? NaN
    return { jsHeapUsedBytes: get('JSHeapUsedSize'), domNodes: get('Nodes') }
  } finally {
    await cdp.detach()
  }
}

/**
 * Installed before the app's scripts: wraps the page's WebSocket so that, for every frame, the time
 * after the app's own message handlers AND the microtasks they queued (the project store applies a
 * tick's events in a microtask) is recorded, with every synthetic-agent stamp in the frame. No app
 * code is changed. `window.__shepherdBench.take()` returns and clears [writtenAt, arrivedAt, ...].
 */
export const ARRIVAL_HOOK = `(() => {
  const Native = window.WebSocket
  const arrivals = []
  const last = new WeakMap()
  const now = () => performance.timeOrigin + performance.now()
  const stamp = /\\u27e6t=([\\d.]+)#(\\d+)\\u27e7/g
  function commit(ev) {
    const t = last.get(ev)
    const data = typeof ev.data === 'string' ? ev.data : ''
    stamp.lastIndex = 0
    for (let m; (m = stamp.exec(data)); ) arrivals.push(Number(m[1]), t)
  }
  class BenchWebSocket extends Native {
    addEventListener(type, listener, options) {
      if (type !== 'message' || typeof listener !== 'function') return super.addEventListener(type, listener, options)
      return super.addEventListener(type, function (ev) {
        try { return listener.call(this, ev) } finally {
          // Runs after the microtasks this listener queued; the last listener's time wins.
          queueMicrotask(() => {
            if (!last.has(ev)) setTimeout(() => commit(ev), 0)
            last.set(ev, now())
          })
        }
      }, options)
    }
  }
  window.WebSocket = BenchWebSocket
  window.__shepherdBench = { take: () => arrivals.splice(0), count: () => arrivals.length / 2 }
})()`
