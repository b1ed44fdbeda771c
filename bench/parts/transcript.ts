/**
 * Part 4 — big transcript: a session with N stored messages (seeded), opened from the session
 * picker in the app (web host + headless Chromium): time from the click to the frame that paints
 * the tail (store.open fetches the tail page, the virtualized list renders it), and the page's memory
 * and DOM size afterwards.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { launchChromium, openApp, pageMemory } from '../lib/browser'
import { startHost } from '../lib/host'
import { tailAfterClickWatcher } from '../lib/paint'
import { dataDirWith, seedDatabase } from '../lib/seed'

export interface TranscriptOptions {
  messages: number
  runs: number
}

export interface TranscriptRun {
  /** Click on the session → frame that paints its last message. */
  tailPaintMs: number
  jsHeapBeforeMB: number
  jsHeapAfterMB: number
  domNodesAfter: number
  /** Transcript rows in the DOM (the virtualized list keeps this small). */
  rowsInDom: number
}

export interface TranscriptResult {
  messages: number
  dbMB: number
  seededNowMs: number | null
  runs: TranscriptRun[]
}

const BIG = 'Big transcript'
const TAIL = 'BENCH-TAIL-BIG the last message of the big transcript'

export async function transcriptRun(o: TranscriptOptions): Promise<TranscriptResult> {
  const seed = seedDatabase(
    {
      name: `transcript-${o.messages}`,
      projects: [
        {
          name: 'Bench big',
          sessions: [
            { title: BIG, messages: o.messages, tailText: TAIL },
            { title: 'Small recent session', messages: 20, tailText: 'BENCH-TAIL-SMALL' }
          ]
        }
      ]
    },
    (m) => console.error(m)
  )
  const browser = await launchChromium()
  const runs: TranscriptRun[] = []
  try {
    for (let r = 0; r < o.runs; r++) {
      const dir = mkdtempSync(join(tmpdir(), 'shepherd-transcript-'))
      const host = await startHost(dataDirWith(seed, join(dir, 'data')))
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } })
      try {
        const page = await context.newPage()
        await openApp(page, host.url)
        // The newest (small) session opens by default; wait for it, then open the big one from the picker.
        await page.getByText('BENCH-TAIL-SMALL').first().waitFor({ state: 'visible', timeout: 30_000 })
        const before = await pageMemory(page)
        await page.getByRole('button', { name: 'Sessions', exact: true }).click()
        const item = page.getByRole('dialog', { name: /Sessions in/ }).getByRole('button', { name: BIG, exact: true })
        await item.waitFor({ state: 'visible' })
        const watch = page.evaluate(tailAfterClickWatcher(TAIL)) as Promise<{ t0: number; t1: number }>
        await item.click()
        const { t0, t1 } = await watch
        const after = await pageMemory(page)
        const rowsInDom = await page.locator('[aria-label="Transcript"] [data-seq]').count()
        runs.push({
          tailPaintMs: t1 - t0,
          jsHeapBeforeMB: before.jsHeapUsedBytes / 2 ** 20,
          jsHeapAfterMB: after.jsHeapUsedBytes / 2 ** 20,
          domNodesAfter: after.domNodes,
          rowsInDom
        })
      } finally {
        await context.close()
        await host.stop()
        rmSync(dir, { recursive: true, force: true })
      }
    }
  } finally {
    await browser.close()
  }
  return { messages: seed.messages, dbMB: seed.bytes / 2 ** 20, seededNowMs: seed.seededNowMs, runs }
}
