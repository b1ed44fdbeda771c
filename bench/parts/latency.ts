/**
 * Part 2 — latency: one synthetic agent streams at a fixed rate (1,000 events/s) through the web host
 * (`node out/main/host.js`) to the app in headless Chromium. Each event carries the wall time the
 * agent wrote its line; the page records when the frame holding it has been handled by the app —
 * the events listener and the project store's apply (see ARRIVAL_HOOK). A Node WebSocket subscriber
 * records the same for the host side alone (commit + push), for a breakdown.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { ShepherdEvent } from '../../src-main/shared/events'
import { ARRIVAL_HOOK, launchChromium, openApp } from '../lib/browser'
import { connectHost, startHost, type HostClient } from '../lib/host'
import { SYNTHETIC_AGENT } from '../lib/paths'
import { percentile } from '../lib/stats'
import { stampOf, synthPrompt, wallNow } from '../lib/synthetic'

export interface LatencyOptions {
  rate: number
  seconds: number
  runs: number
  /** Write a renderer CPU profile of the last run here (.cpuprofile), for diagnosis. */
  rendererProfile?: string
  /** false: no browser, the Node subscriber only (diagnosis of the host side). */
  browser?: boolean
}

export interface LatencyRun {
  events: number
  /** Agent line written → handled by the app in Chromium (store applied). */
  p50Ms: number
  p99Ms: number
  maxMs: number
  /** Agent line written → received by a Node WebSocket subscriber (host side: parse, commit, push). */
  hostP50Ms: number
  hostP99Ms: number
}

export interface LatencyResult {
  rate: number
  runs: LatencyRun[]
  /** Whether the page showed the transcript pane (the store had the session open). */
  transcriptShown: boolean
}

export async function waitIdle(client: HostClient, id: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const s = await client.sessions.get.query({ id })
    if (s.status === 'idle') return
    if (s.status === 'error' || s.status === 'interrupted' || s.status === 'done')
      throw new Error(`session ended: ${s.status} ${JSON.stringify(s.statusReason)}`)
    if (Date.now() > deadline) throw new Error(`session ${id} not idle after ${timeoutMs} ms (status ${s.status})`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

export async function useSyntheticAgent(client: HostClient, dir: string, name = 'project'): Promise<string> {
  const s = await client.settings.get.query()
  await client.settings.update.mutate({
    maxConcurrentSessions: 32,
    retentionCount: 50,
    providers: { ...s.providers, claude: { ...s.providers.claude, cliPath: SYNTHETIC_AGENT } }
  })
  const path = join(dir, name)
  mkdirSync(path, { recursive: true })
  return (await client.projects.add.mutate({ path })).id
}

export async function latencyRun(o: LatencyOptions): Promise<LatencyResult> {
  const dir = mkdtempSync(join(tmpdir(), 'shepherd-latency-'))
  const host = await startHost(join(dir, 'data'))
  const conn = connectHost(host)
  const browser = o.browser === false ? null : await launchChromium()
  try {
    const projectId = await useSyntheticAgent(conn.client, dir)
    const s = await conn.client.sessions.start.mutate({ projectId, prompt: synthPrompt(20) })
    await waitIdle(conn.client, s.id)

    const page = browser ? await browser.newPage({ viewport: { width: 1280, height: 800 } }) : null
    let transcriptShown = false
    if (page) {
      await page.addInitScript(ARRIVAL_HOOK)
      await openApp(page, host.url)
      transcriptShown = await page
        .getByRole('region', { name: 'Transcript' })
        .waitFor({ state: 'visible', timeout: 10_000 })
        .then(
          () => true,
          () => false
        )
    }

    let hostArrivals: number[] = []
    const sub = conn.client.events.stream.subscribe(undefined, {
      onData: (env) => {
        const ev = env.data as ShepherdEvent
        if (ev.type !== 'agent.message') return
        const t = wallNow()
        for (const m of ev.messages) {
          const st = stampOf(m)
          if (st) hostArrivals.push(t - st.writtenAt)
        }
      },
      onError: () => {}
    })

    const runs: LatencyRun[] = []
    const n = Math.round(o.rate * o.seconds)
    const cdp = page && o.rendererProfile ? await page.context().newCDPSession(page) : null
    for (let r = 0; r < o.runs; r++) {
      if (cdp && r === o.runs - 1) {
        await cdp.send('Profiler.enable')
        await cdp.send('Profiler.start')
      }
      if (page) await page.evaluate('window.__shepherdBench.take()')
      hostArrivals = []
      await conn.client.sessions.send.mutate({ id: s.id, prompt: synthPrompt(n, o.rate, r + 2) })
      const deadline = Date.now() + o.seconds * 1000 + 30_000
      const received = async () => (page ? Number(await page.evaluate('window.__shepherdBench.count()')) : hostArrivals.length)
      while ((await received()) < n && Date.now() < deadline) await new Promise((res) => setTimeout(res, 250))
      const lat: number[] = []
      if (page) {
        const pairs = (await page.evaluate('window.__shepherdBench.take()')) as number[]
        for (let i = 0; i + 1 < pairs.length; i += 2) lat.push(pairs[i + 1]! - pairs[i]!)
      } else lat.push(...hostArrivals)
      if (lat.length < n) throw new Error(`latency: ${page ? 'the page' : 'the subscriber'} received ${lat.length} of ${n} events`)
      if (cdp && r === o.runs - 1) writeFileSync(o.rendererProfile!, JSON.stringify((await cdp.send('Profiler.stop')).profile))
      await waitIdle(conn.client, s.id)
      runs.push({
        events: lat.length,
        p50Ms: percentile(lat, 50),
        p99Ms: percentile(lat, 99),
        maxMs: Math.max(...lat),
        hostP50Ms: percentile(hostArrivals, 50),
        hostP99Ms: percentile(hostArrivals, 99)
      })
    }
    sub.unsubscribe()
    return { rate: o.rate, runs, transcriptShown }
  } finally {
    await browser?.close()
    conn.close()
    await host.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}
