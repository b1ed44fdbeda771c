/**
 * Part 4 — big transcript: a session with N stored messages (seeded), opened from the session
 * picker in the app (web host + headless Chromium): time from the click to the frame that paints
 * the tail (store.open fetches the tail page, the virtualized list renders it), and the page's memory
 * and DOM size afterwards.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { launchChromium, openApp, pageMemory } from '../lib/browser'
import { startHost } from '../lib/host'
import { tailAfterClickWatcher } from '../lib/paint'
import { dataDirWith, seedDatabase } from '../lib/seed'

export interface TranscriptOptions {
  messages: number
  runs: number
  /** Page steps scrolled back from the tail after the open (issue 11 item 16); 0 = none. */
  scrollSteps?: number
}

/** Scrolling back through the big session, a page (200 messages) per step. */
export interface ScrollBack {
  steps: number
  /** Per step: the view put at the top → the older page's rows in the DOM (fetch, store and render). */
  stepMs: number[]
  /** Page JS heap (after a GC) at the start, half-way and at the end of the scroll-back. */
  heapMB: { start: number; mid: number; end: number }
  /** Messages held by the window at the end (bounded), and the oldest seq reached. */
  rowsInDomEnd: number
  oldestSeqReached: number
  /** "First message": click → the first message painted, without loading what is between. */
  jumpFirstMs: number
}

export interface TranscriptRun {
  /** Click on the session → frame that paints its last message. */
  tailPaintMs: number
  jsHeapBeforeMB: number
  jsHeapAfterMB: number
  domNodesAfter: number
  /** Transcript rows in the DOM (the virtualized list keeps this small). */
  rowsInDom: number
  scrollBack: ScrollBack | null
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
        const scrollBack = o.scrollSteps ? await scrollBackRun(page, o.scrollSteps) : null
        runs.push({
          tailPaintMs: t1 - t0,
          jsHeapBeforeMB: before.jsHeapUsedBytes / 2 ** 20,
          jsHeapAfterMB: after.jsHeapUsedBytes / 2 ** 20,
          domNodesAfter: after.domNodes,
          rowsInDom,
          scrollBack
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

/**
 * One step: put the view at the top (as the user's scrolling does) and time until the older page's
 * rows are in the DOM (a MutationObserver sees the oldest rendered seq drop: fetch + store + render,
 * without a frame's wait added); then let a frame pass before the next step. Timed in the page.
 */
const STEP = `async () => {
  const sc = document.querySelector('[aria-label="Transcript"]')
  const oldest = () => Math.min(...[...sc.querySelectorAll('[data-seq]')].map((e) => Number(e.dataset.seq)))
  const before = oldest()
  let ms = NaN
  const done = new Promise((resolve) => {
    const t0 = performance.now()
    const mo = new MutationObserver(() => {
      if (oldest() < before) {
        ms = performance.now() - t0
        mo.disconnect()
        resolve()
      }
    })
    mo.observe(sc, { childList: true, subtree: true })
    setTimeout(() => {
      mo.disconnect()
      resolve()
    }, 20000)
    sc.scrollTop = 0
    sc.dispatchEvent(new Event('scroll'))
  })
  await done
  await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)))
  return { ms, oldest: oldest() }
}`

async function scrollBackRun(page: Page, steps: number): Promise<ScrollBack> {
  const mb = async () => (await pageMemory(page)).jsHeapUsedBytes / 2 ** 20
  const start = await mb()
  let mid = start
  const stepMs: number[] = []
  let oldest = Infinity
  for (let i = 0; i < steps; i++) {
    const r = (await page.evaluate(`(${STEP})()`)) as { ms: number; oldest: number }
    stepMs.push(r.ms)
    oldest = r.oldest
    if (i === Math.floor(steps / 2)) mid = await mb()
  }
  const end = await mb()
  const rowsInDomEnd = await page.locator('[aria-label="Transcript"] [data-seq]').count()
  // Jump to the very first message: the page around it replaces the window.
  const t0 = Date.now()
  await page.getByRole('button', { name: 'First message' }).click()
  await page.locator('[aria-label="Transcript"] [data-seq="1"]').waitFor({ state: 'visible', timeout: 30_000 })
  await page.evaluate('new Promise((r) => requestAnimationFrame(() => r()))')
  const jumpFirstMs = Date.now() - t0
  return { steps, stepMs, heapMB: { start, mid, end }, rowsInDomEnd, oldestSeqReached: oldest, jumpFirstMs }
}
