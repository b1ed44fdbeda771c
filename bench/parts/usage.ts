/**
 * Part 8 — the usage view (issue 16): on the bench's 1M-message database (part 5's seed) with a daily
 * ledger of 90 days × every project × two agents × two models, the time from a click on "90 days" to
 * the frame that shows the new chart (50 stacked series) and its table (one row per day), in headless Chromium
 * against a new web host. Also the ledger query alone in-process (what `usage.daily` runs), to show
 * the view reads the ledger, not the messages.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { launchChromium, openApp } from '../lib/browser'
import { startHost } from '../lib/host'
import { seedDatabase, type SeedProject } from '../lib/seed'
import { SCRATCH } from '../lib/paths'
import { cpuMsOf, processCpuMs, processTree } from '../lib/proc'
import { loadavg } from 'node:os'
import { markClosed, openDatabase } from '../../src-main/store/open'
import { DB_FILE } from '../../src-main/core'
import { GroupCommitWriter } from '../../src-main/store/writer'
import { UsageLedger } from '../../src-main/services/usage'
import { dayMinus } from '../../src-main/services/day'
import type { Store } from '../../src-main/store/store'

export interface UsageOptions {
  projects: number
  sessionsPerProject: number
  messages: number
  days: number
  runs: number
  rendererProfile?: string
}
export interface UsageRun {
  clickToPaintMs: number
  /** CPU the click cost: the host process and the page's main thread (CDP TaskDuration). On a loaded machine the wall time is mostly waiting for a core; this is the work itself. */
  hostCpuMs: number
  rendererCpuMs: number
  /** CPU time the whole Chromium process tree used meanwhile (/proc; 10 ms ticks): the work, not the wait. */
  chromiumCpuMs: number
}
export interface UsageResult {
  messages: number
  dbMB: number
  ledgerRows: number
  tableRows: number
  queryMs: number[]
  runs: UsageRun[]
  loadAvg: number[]
}

/** In the page: time from the click on "90 days" to the frame after the table holds every row. */
const WATCHER = (rows: number) => `(() => {
  const w = (window.__usageBench = { clickedAt: null, paintedAt: null })
  document.addEventListener('click', (e) => {
    const b = e.target && e.target.closest && e.target.closest('button')
    if (!b || b.textContent.trim() !== '90 days') return
    w.clickedAt = performance.now()
    const check = () => {
      if (document.querySelectorAll('table.table tbody tr').length >= ${rows} && document.querySelector('.chart canvas')) {
        requestAnimationFrame(() => { w.paintedAt = performance.now() })
        return true
      }
      return false
    }
    if (check()) return
    const mo = new MutationObserver(() => { if (check()) mo.disconnect() })
    mo.observe(document.body, { childList: true, subtree: true })
  }, true)
})()`

export async function usageRun(o: UsageOptions): Promise<UsageResult> {
  const per = Math.floor(o.messages / (o.projects * o.sessionsPerProject))
  const projects: SeedProject[] = Array.from({ length: o.projects }, (_, p) => ({
    name: `Project ${String(p + 1).padStart(2, '0')}`,
    sessions: Array.from({ length: o.sessionsPerProject }, (_, s) => ({ title: `Session ${s + 1}`, messages: per, tailText: `BENCH-TAIL p${p} s${s}` }))
  }))
  const seed = seedDatabase({ name: `startup-${o.projects}x${o.sessionsPerProject}x${per}`, projects }, (m) => console.error(m))
  mkdirSync(SCRATCH, { recursive: true })
  const dir = mkdtempSync(join(SCRATCH, 'usage-'))
  try {
    copyFileSync(seed.file, join(dir, DB_FILE))
    // The ledger: 90 local days × projects × (Claude Code: 2 models, Codex: 2 models), varied amounts.
    const { db } = openDatabase(join(dir, DB_FILE))
    const ins = db.prepare(
      'INSERT OR REPLACE INTO usage_daily (day, project_id, provider, model, cost_usd, input_tokens, output_tokens, uncosted_tokens) VALUES (?, ?, ?, ?, ?, ?, ?, ?)'
    )
    let ledgerRows = 0
    const now = Date.now()
    db.transaction(() => {
      for (let d = 0; d < o.days; d++) {
        const day = dayMinus(now, d)
        seed.ids.forEach(({ projectId }, p) => {
          for (const [provider, model, costed] of [
            ['claude', 'claude-opus-5-5', true],
            ['claude', 'claude-sonnet-5', true],
            ['codex', 'gpt-5.5', false],
            ['codex', 'gpt-5.5-mini', false]
          ] as const) {
            const tokens = 10_000 + ((d * 7919 + p * 104_729) % 400_000)
            ins.run(day, projectId, provider, model, costed ? tokens * 0.000004 : 0, Math.round(tokens * 0.9), Math.round(tokens * 0.1), costed ? 0 : tokens)
            ledgerRows++
          }
        })
      }
    })()
    // The query `usage.grouped` runs for the view, in-process, on this file.
    const store = { transaction: <T>(fn: () => T) => db.transaction(fn)() } as unknown as Store
    const ledger = new UsageLedger(db, new GroupCommitWriter(store))
    const queryMs: number[] = []
    for (let i = 0; i < 5; i++) {
      const t = performance.now()
      ledger.grouped(dayMinus(now, o.days - 1), 'project')
      queryMs.push(performance.now() - t)
    }
    db.close()
    markClosed(join(dir, DB_FILE))

    const tableRows = o.days
    // Chromium's processes are the ones this process starts besides the host (as part 6 finds them).
    const before = new Set(processTree(process.pid))
    const browser = await launchChromium()
    const host = await startHost(dir, {}, 180_000)
    const runs: UsageRun[] = []
    try {
      for (let r = 0; r < o.runs; r++) {
        const context = await browser.newContext({ viewport: { width: 1280, height: 800 } })
        const page = await context.newPage()
        await page.addInitScript(WATCHER(tableRows))
        await openApp(page, host.url, 180_000)
        await page.getByRole('button', { name: 'Usage', exact: true }).click()
        await page.getByText('Cost, 30 days').waitFor({ timeout: 60_000 })
        await page.locator('table.table tbody tr').first().waitFor({ timeout: 60_000 })
        const cdp = await context.newCDPSession(page)
        await cdp.send('Performance.enable')
        const task = async () => ((await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'TaskDuration')?.value ?? 0) * 1000
        const hostTree = new Set(processTree(host.pid))
        const tree = processTree(process.pid).filter((p) => !before.has(p) && !hostTree.has(p))
        const chrome0 = cpuMsOf(tree)
        const host0 = processCpuMs(host.pid)
        const task0 = await task()
        if (o.rendererProfile && r === 0) {
          await cdp.send('Profiler.enable')
          await cdp.send('Profiler.start')
        }
        await page.getByRole('button', { name: '90 days' }).click()
        const deadline = Date.now() + 60_000
        while (!(await page.evaluate('!!(window.__usageBench && window.__usageBench.paintedAt)'))) {
          if (Date.now() > deadline) throw new Error('usage: the 90-day view did not paint within 60 s')
          await new Promise((res) => setTimeout(res, 20))
        }
        const m = (await page.evaluate('window.__usageBench')) as { clickedAt: number; paintedAt: number }
        const rendererCpuMs = (await task()) - task0
        if (o.rendererProfile && r === 0) writeFileSync(o.rendererProfile, JSON.stringify((await cdp.send('Profiler.stop')).profile))
        runs.push({
          clickToPaintMs: m.paintedAt - m.clickedAt,
          hostCpuMs: processCpuMs(host.pid) - host0,
          rendererCpuMs,
          chromiumCpuMs: cpuMsOf(tree) - chrome0
        })
        await context.close()
      }
    } finally {
      await host.stop()
      await browser.close()
    }
    return { messages: seed.messages, dbMB: seed.bytes / 2 ** 20, ledgerRows, tableRows, queryMs, runs, loadAvg: loadavg() }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
