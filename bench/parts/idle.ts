/**
 * Part 6 — idle: N sessions alive and idle (their agents waiting on stdin after a turn), the app
 * open in headless Chromium on their project; CPU used over a window by the host process, the
 * renderer (every Chromium process) and the agents. Nothing should poll: the target is < 1 % of one
 * core for Shepherd (host + renderer).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { launchChromium, openApp } from '../lib/browser'
import { connectHost, startHost } from '../lib/host'
import { cpuMsOf, processCpuMs, processTree } from '../lib/proc'
import { synthPrompt, wallNow } from '../lib/synthetic'
import { useSyntheticAgent, waitIdle } from './latency'

export interface IdleOptions {
  sessions: number
  windowSeconds: number
  windows: number
}

export interface IdleWindow {
  hostPct: number
  rendererPct: number
  agentsPct: number
  shepherdPct: number
}

export interface IdleResult {
  sessions: number
  windowSeconds: number
  windows: IdleWindow[]
}

export async function idleRun(o: IdleOptions): Promise<IdleResult> {
  const dir = mkdtempSync(join(tmpdir(), 'shepherd-idle-'))
  const host = await startHost(join(dir, 'data'))
  const conn = connectHost(host)
  const before = new Set(processTree(process.pid))
  const browser = await launchChromium()
  try {
    const projectId = await useSyntheticAgent(conn.client, dir)
    const ids: string[] = []
    for (let i = 0; i < o.sessions; i++) ids.push((await conn.client.sessions.start.mutate({ projectId, prompt: synthPrompt(30, 0, i + 1) })).id)
    for (const id of ids) await waitIdle(conn.client, id)
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } })
    await openApp(page, host.url)
    await page
      .getByRole('region', { name: 'Transcript' })
      .waitFor({ state: 'visible', timeout: 15_000 })
      .catch(() => {})
    conn.close() // our own WebSocket must not count as activity
    await new Promise((r) => setTimeout(r, 3_000)) // let start-up work settle
    const renderer = processTree(process.pid).filter((p) => !before.has(p) && p !== host.pid && !processTree(host.pid).includes(p))
    const agents = processTree(host.pid).filter((p) => p !== host.pid)
    const windows: IdleWindow[] = []
    for (let w = 0; w < o.windows; w++) {
      const t0 = wallNow()
      const h0 = processCpuMs(host.pid),
        r0 = cpuMsOf(renderer),
        a0 = cpuMsOf(agents)
      await new Promise((r) => setTimeout(r, o.windowSeconds * 1000))
      const ms = wallNow() - t0
      const pct = (x: number) => (x / ms) * 100
      const hostPct = pct(processCpuMs(host.pid) - h0)
      const rendererPct = pct(cpuMsOf(renderer) - r0)
      windows.push({ hostPct, rendererPct, agentsPct: pct(cpuMsOf(agents) - a0), shepherdPct: hostPct + rendererPct })
    }
    return { sessions: o.sessions, windowSeconds: o.windowSeconds, windows }
  } finally {
    await browser.close()
    conn.close()
    await host.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}
