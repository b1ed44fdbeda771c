/**
 * Part 5 — startup: web host cold start (a new `node out/main/host.js` process on an existing
 * database of P projects and M stored messages) to first paint in headless Chromium (browser already
 * running): the sidebar listing every project and the selected project's transcript showing its tail.
 * Warm runs have the database in the OS page cache; the optional cold run evicts the file first.
 */
import { execFileSync } from 'node:child_process'
import { dirname } from 'node:path'
import { launchChromium } from '../lib/browser'
import { startHost } from '../lib/host'
import { startupWatcher } from '../lib/paint'
import { seedDatabase, type SeedProject } from '../lib/seed'
import { wallNow } from '../lib/synthetic'

export interface StartupOptions {
  projects: number
  sessionsPerProject: number
  messages: number
  /** Warm runs (the database file in the OS page cache). */
  runs: number
  /** Also one run with the database file evicted from the page cache first (`dd iflag=nocache`). */
  cold?: boolean
}

export interface StartupRun {
  /** Spawn → `SHEPHERD_URL` printed (database opened and checked, migrations, orphan sweep, listening). */
  hostReadyMs: number
  /** Spawn → first contentful paint of the page. */
  fcpMs: number
  /** Spawn → the sidebar lists every project. */
  projectsListedMs: number
  /** Spawn → the selected project's transcript shows its last message: the first full paint. */
  firstPaintMs: number
}

export interface StartupResult {
  projects: number
  messages: number
  dbMB: number
  seededNowMs: number | null
  /** Warm page cache (median these). */
  runs: StartupRun[]
  /** The database file evicted from the page cache first (like the first start after a reboot), or null. */
  coldRun: StartupRun | null
}

export async function startupRun(o: StartupOptions): Promise<StartupResult> {
  const per = Math.floor(o.messages / (o.projects * o.sessionsPerProject))
  const projects: SeedProject[] = Array.from({ length: o.projects }, (_, p) => ({
    name: `Project ${String(p + 1).padStart(2, '0')}`,
    sessions: Array.from({ length: o.sessionsPerProject }, (_, s) => ({ title: `Session ${s + 1}`, messages: per, tailText: `BENCH-TAIL p${p} s${s}` }))
  }))
  const seed = seedDatabase({ name: `startup-${o.projects}x${o.sessionsPerProject}x${per}`, projects }, (m) => console.error(m))
  // The first project is selected on a fresh profile; its newest session opens.
  const marker = `BENCH-TAIL p0 s${o.sessionsPerProject - 1}`
  const browser = await launchChromium()
  const runs: StartupRun[] = []
  let coldRun: StartupRun | null = null
  const once = async (): Promise<StartupRun> => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } })
    const page = await context.newPage()
    await page.addInitScript(startupWatcher(o.projects, marker))
    await page.goto('about:blank')
    const t0 = wallNow()
    const host = await startHost(dirname(seed.file), {}, 180_000)
    try {
      await page.goto(host.url)
      // Polled from here: the app's CSP (no 'unsafe-eval') rules out waitForFunction with a string.
      const deadline = Date.now() + 180_000
      while (
        !(await page.evaluate(
          '!!window.__shepherdStartup && window.__shepherdStartup.projectsListedAt !== null && window.__shepherdStartup.tailPaintedAt !== null'
        ))
      ) {
        if (Date.now() > deadline) throw new Error('startup: the first paint did not happen within 180 s')
        await new Promise((res) => setTimeout(res, 100))
      }
      const m = (await page.evaluate(
        `({ origin: performance.timeOrigin, fcp: performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN, ...window.__shepherdStartup })`
      )) as { origin: number; fcp: number; projectsListedAt: number; tailPaintedAt: number }
      return {
        hostReadyMs: host.readyMs,
        fcpMs: m.origin + m.fcp - t0,
        projectsListedMs: m.origin + m.projectsListedAt - t0,
        firstPaintMs: m.origin + Math.max(m.projectsListedAt, m.tailPaintedAt) - t0
      }
    } finally {
      await context.close()
      await host.stop()
    }
  }
  try {
    if (o.cold) {
      // Drop just this file from the page cache (not the whole machine's): GNU dd, count=0 + nocache.
      execFileSync('dd', [`if=${seed.file}`, 'iflag=nocache', 'count=0', 'status=none'])
      coldRun = await once()
    }
    for (let r = 0; r < o.runs; r++) runs.push(await once())
  } finally {
    await browser.close()
  }
  return { projects: o.projects, messages: seed.messages, dbMB: seed.bytes / 2 ** 20, seededNowMs: seed.seededNowMs, runs, coldRun }
}
