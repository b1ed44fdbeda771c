/**
 * Part 8 — search (issue 15), on the seeded 1M-message database of part 5 and the 100k-message
 * session of part 4:
 *  - p50/p95 of 20 typical queries, first page (50 hits), through the real SearchIndex on the app's
 *    connection: common words, rare identifiers, path fragments, phrases, prefixes, with and without
 *    filters; each query run `reps` times after one warm-up;
 *  - index size against the text it covers;
 *  - the migration on a database created without the index (schema 0001): time to open (the migration
 *    itself plus the pre-migration backup) and to build the index in the background, with the worst
 *    event-loop stall meanwhile (what "does not block the window" means for the main process);
 *  - opening a hit deep in a 100k-message session from the search view: click → the frame that paints
 *    the hit (web host + Chromium).
 */
import Database from 'better-sqlite3'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { DB_FILE } from '../../src-main/core'
import { SqliteStore } from '../../src-main/store/sqlite-store'
import { startBackfill } from '../../src-main/search/backfill'
import type { SearchFilters } from '../../src-main/search/search-index'
import { launchChromium, openApp } from '../lib/browser'
import { startHost } from '../lib/host'
import { tailAfterClickWatcher } from '../lib/paint'
import { dataDirWith, seedDatabase, type SeedProject } from '../lib/seed'

export interface SearchOptions {
  projects: number
  sessionsPerProject: number
  messages: number
  bigMessages: number
  reps: number
  paintRuns: number
  migrate: boolean
  paintOnly?: boolean
}

export interface QueryTiming {
  query: string
  filters: string
  hits: number
  p50Ms: number
  maxMs: number
}
export interface SearchBenchResult {
  messages: number
  dbMB: number
  queries: QueryTiming[]
  /** Over every run of every query (first page). */
  p50Ms: number
  p95Ms: number
  indexMB: number
  textMB: number
  indexRatio: number
  migration: { openMs: number; backfillMs: number; maxLoopStallMs: number; rows: number } | null
  deepHitPaintMs: number[]
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN
}

export async function searchRun(o: SearchOptions): Promise<SearchBenchResult> {
  const per = Math.floor(o.messages / (o.projects * o.sessionsPerProject))
  const projects: SeedProject[] = Array.from({ length: o.projects }, (_, p) => ({
    name: `Project ${String(p + 1).padStart(2, '0')}`,
    sessions: Array.from({ length: o.sessionsPerProject }, (_, s) => ({ title: `Session ${s + 1}`, messages: per, tailText: `BENCH-TAIL p${p} s${s}` }))
  }))
  // The same seed as part 5 (reused when cached).
  const seed = seedDatabase({ name: `startup-${o.projects}x${o.sessionsPerProject}x${per}`, projects }, (m) => console.error(m))
  const work = mkdtempSync(join(tmpdir(), 'shepherd-search-bench-'))
  try {
    const dir = dataDirWith(seed, join(work, 'data'))
    const store = new SqliteStore(join(dir, DB_FILE))
    const firstProject = seed.ids[0]!.projectId
    const Q: [string, SearchFilters][] = [
      ['session', {}],
      ['commit', {}],
      ['the store', {}],
      ['"return value"', {}],
      ['render*', {}],
      ['file42', {}],
      ['file9*', {}],
      ['src/file17.ts', {}],
      ['project/src', {}],
      ['BENCH-TAIL', {}],
      ['"BENCH-TAIL p7 s2"', {}],
      ['p13', {}],
      ['seq event', { kinds: ['answers'] }],
      ['status', { projectId: firstProject }],
      ['file5*', { kinds: ['paths'] }],
      ['test', { kinds: ['output'] }],
      ['batch', { kinds: ['thinking'], projectId: firstProject }],
      ['agent', { provider: 'claude' }],
      ['message', { from: Date.now() - 3600_000 * 24 * 30, to: Date.now() }],
      ['nosuchwordanywhere', {}]
    ]
    const queries: QueryTiming[] = []
    const all: number[] = []
    for (const [q, f] of o.paintOnly ? [] : Q) {
      store.search.search(q, f) // warm-up (pages into the OS cache)
      const times: number[] = []
      let hits = 0
      for (let r = 0; r < o.reps; r++) {
        const t0 = performance.now()
        hits = store.search.search(q, f).hits.length
        times.push(performance.now() - t0)
      }
      all.push(...times)
      queries.push({ query: q, filters: JSON.stringify(f), hits, p50Ms: pct(times, 50), maxMs: Math.max(...times) })
      console.error(`  ${q} ${JSON.stringify(f)}: ${hits} hits, p50 ${pct(times, 50).toFixed(1)} ms`)
    }
    const indexBytes = store.search.indexBytes()
    store.close()
    const db = new Database(join(dir, DB_FILE), { readonly: true })
    const textBytes = (
      db
        .prepare(
          'SELECT SUM(length(CAST(text AS BLOB)) + COALESCE(length(CAST(tool_input AS BLOB)), 0) + COALESCE(length(CAST(tool_path AS BLOB)), 0)) AS b FROM messages'
        )
        .get() as { b: number }
    ).b
    db.close()

    // What the migrations after 0002 create (0003 worktrees, 0004 attention, 0006 questions): a v1
    // database has none of them, and the upgrade below runs those migrations again.
    const LATER_TABLES = [
      'session_worktrees',
      'project_worktree_settings',
      'usage_daily',
      'usage_counted',
      'budgets',
      'session_budget',
      'attention',
      'inbox_marks',
      'usage_limits',
      'limit_waits',
      'questions'
    ]
    let migration: SearchBenchResult['migration'] = null
    if (o.migrate && !o.paintOnly) {
      // Back to schema 0001 (what a user upgrading has), then open it with this build.
      const mdir = join(work, 'migrate')
      const mfile = join(dataDirWith(seed, mdir), DB_FILE)
      rmSync(join(dir, DB_FILE), { force: true })
      const old = new Database(mfile)
      old.exec(`DROP TRIGGER messages_fts_insert; DROP TRIGGER messages_fts_delete; DROP TRIGGER messages_fts_update;
        DROP TABLE messages_fts; DROP TABLE search_state; DROP INDEX sessions_project_activity; ALTER TABLE sessions DROP COLUMN archived;
        ${LATER_TABLES.map((t) => `DROP TABLE IF EXISTS ${t};`).join(' ')}
        PRAGMA user_version = 1;`)
      old.pragma('wal_checkpoint(TRUNCATE)')
      old.close()
      const t0 = performance.now()
      const s2 = new SqliteStore(mfile)
      const openMs = performance.now() - t0
      const rows = s2.search.status().total
      let maxStall = 0
      let last = performance.now()
      const probe = setInterval(() => {
        const now = performance.now()
        maxStall = Math.max(maxStall, now - last - 10)
        last = now
      }, 10)
      const t1 = performance.now()
      await startBackfill(s2.search, (m) => console.error(`  ${m}`)).done
      const backfillMs = performance.now() - t1
      clearInterval(probe)
      s2.close()
      migration = { openMs, backfillMs, maxLoopStallMs: maxStall, rows }
    }

    // Opening a hit deep in the 100k-message session (the seed of part 4).
    const big = seedDatabase(
      {
        name: `transcript-${o.bigMessages}`,
        projects: [
          {
            name: 'Bench big',
            sessions: [
              { title: 'Big transcript', messages: o.bigMessages, tailText: 'BENCH-TAIL-BIG the last message of the big transcript' },
              { title: 'Small recent session', messages: 20, tailText: 'BENCH-TAIL-SMALL' }
            ]
          }
        ]
      },
      (m) => console.error(m)
    )
    const needle = 'benchneedlexyz'
    // An answer near message 80,000 (its row shows its text; a tool call's row shows its input).
    const bigSession = big.ids[0]!.sessionIds[0]!
    const probe0 = new Database(big.file, { readonly: true })
    const deepSeq = (
      probe0
        .prepare("SELECT seq FROM messages WHERE session_id = ? AND seq >= ? AND kind = 'assistant' ORDER BY seq LIMIT 1")
        .get(bigSession, Math.floor(o.bigMessages * 0.8)) as { seq: number }
    ).seq
    probe0.close()
    const browser = await launchChromium()
    const deepHitPaintMs: number[] = []
    try {
      for (let r = 0; r < o.paintRuns; r++) {
        const bdir = dataDirWith(big, join(work, `big-${r}`))
        const bdb = new Database(join(bdir, DB_FILE))
        bdb.prepare("UPDATE messages SET text = text || ' ' || ? WHERE session_id = ? AND seq = ?").run(needle, bigSession, deepSeq)
        bdb.close()
        const host = await startHost(bdir)
        const context = await browser.newContext({ viewport: { width: 1280, height: 800 } })
        try {
          const page = await context.newPage()
          page.setDefaultTimeout(60_000)
          await openApp(page, host.url)
          await page.getByText('BENCH-TAIL-SMALL').first().waitFor({ state: 'visible', timeout: 30_000 })
          await page.keyboard.press('Control+Shift+F')
          const dialog = page.getByRole('dialog', { name: 'Search everywhere' })
          await dialog.getByLabel('Search all transcripts').fill(needle)
          const hit = dialog.getByRole('listbox', { name: 'Search results' }).getByRole('option').first()
          await hit.waitFor({ state: 'visible', timeout: 30_000 })
          const watch = page.evaluate(tailAfterClickWatcher(needle)) as Promise<{ t0: number; t1: number }>
          await hit.click()
          const painted = await Promise.race([watch, new Promise<null>((res) => setTimeout(() => res(null), 60_000))])
          if (!painted) {
            await page.screenshot({ path: join(process.cwd(), '.tmp', 'bench', 'search-deep-hit-failed.png') })
            throw new Error(`the hit (seq ${deepSeq}) was not painted within 60 s; screenshot in .tmp/bench/search-deep-hit-failed.png`)
          }
          const { t0, t1 } = painted
          deepHitPaintMs.push(t1 - t0)
          console.error(`  deep hit (seq ${deepSeq} of ${o.bigMessages}) painted ${(t1 - t0).toFixed(0)} ms after the click`)
        } finally {
          await context.close()
          await host.stop()
          rmSync(bdir, { recursive: true, force: true })
        }
      }
    } finally {
      await browser.close()
    }
    return {
      messages: seed.messages,
      dbMB: seed.bytes / 2 ** 20,
      queries,
      p50Ms: pct(all, 50),
      p95Ms: pct(all, 95),
      indexMB: indexBytes / 2 ** 20,
      textMB: textBytes / 2 ** 20,
      indexRatio: indexBytes / textBytes,
      migration,
      deepHitPaintMs
    }
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
}
