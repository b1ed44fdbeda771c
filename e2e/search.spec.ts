/**
 * Issue 15 in the UI: "Search everywhere" finds a word from each real agent's session (Claude Code,
 * Codex, OpenCode, driven through the UI against the fake model server) and opens that message;
 * a hit deep in a 100,000-message session opens scrolled there and scrolls both ways; in-session
 * find walks the whole session; the session picker filters, pins, renames and archives among
 * 5,000 sessions. Plus the docs screenshots of the search view, light and dark.
 */
import { randomUUID } from 'node:crypto'
import { mkdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import type { Locator, Page } from '@playwright/test'
import { providerTest } from './agents'
// Tests that need no agent CLI use the plain host fixture.
import { expect, openApp, test, type ShepherdHost } from './fixtures'

const DOCS = resolve(__dirname, '../docs')
const DEMO = join(tmpdir(), 'shepherd-demo')

function folder(name: string): string {
  const dir = join(DEMO, name)
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  return dir
}

async function addProject(page: Page, path: string, name: string): Promise<void> {
  await page.getByRole('button', { name: 'Add project', exact: true }).click()
  const dialog = page.getByRole('dialog', { name: 'Add project' })
  await dialog.getByLabel('Project folder path').fill(path)
  await dialog.getByLabel('Name').fill(name)
  await dialog.getByRole('button', { name: 'Add project' }).click()
  await expect(dialog).toBeHidden()
}

/** The hits in the search view (the filter <select>s have options too). */
const results = (dialog: Locator): Locator => dialog.getByRole('listbox', { name: 'Search results' }).getByRole('option')
const pane = (page: Page, name: string): Locator => page.getByRole('region', { name, exact: true })

async function openSearch(page: Page): Promise<Locator> {
  // After a reload the shortcut works once the app is up (its key handler and the projects list).
  await expect(page.getByRole('button', { name: 'Add project', exact: true })).toBeVisible()
  await expect(page.getByText('Loading projects…')).toHaveCount(0)
  await page.keyboard.press('Control+Shift+F')
  const dialog = page.getByRole('dialog', { name: 'Search everywhere' })
  await expect(dialog).toBeVisible()
  return dialog
}

/** Seed sessions and messages straight into the host's database (the same insert path: the triggers index them). */
async function seed(host: ShepherdHost, fn: (db: import('better-sqlite3').Database) => void): Promise<void> {
  const { default: Database } = await import('better-sqlite3')
  const db = new Database(join(host.dataDir, 'shepherd.db'))
  db.pragma('busy_timeout = 10000')
  try {
    fn(db)
  } finally {
    db.close()
  }
}

const AGENTS = [
  { id: 'claude', name: 'Claude Code' },
  { id: 'codex', name: 'Codex' },
  { id: 'opencode', name: 'OpenCode' }
] as const

for (const a of AGENTS) {
  providerTest.describe(a.name, () => {
    providerTest.use({ agent: a.id })
    providerTest(`${a.id}: search finds a word of its session's answer and opens that message`, async ({ page, shepherd, agentSandbox }) => {
      providerTest.setTimeout(120_000)
      const word = `zebrafish_${a.id}`
      const p = pane(page, 'Search demo')
      await openApp(page, shepherd)
      await addProject(page, agentSandbox.projectDir, 'Search demo')
      await p.getByLabel('Agent').selectOption({ label: a.name }, { timeout: 10_000 })
      const box = p.getByLabel('Prompt', { exact: true })
      await box.fill(`tell me [[text:the ${word} swims in src/tank/water.ts]]`)
      await box.press('Enter')
      await expect(box).toHaveValue('', { timeout: 30_000 })
      await expect(p.locator('[data-kind="assistant"]').filter({ hasText: word })).toBeVisible({ timeout: 30_000 })
      // Leave the session: the hit must bring it back.
      await p.getByRole('button', { name: 'New session', exact: true }).first().click()
      await expect(p.locator('[data-kind="assistant"]')).toHaveCount(0)

      const dialog = await openSearch(page)
      await dialog.getByLabel('Search all transcripts').fill(word)
      const group = dialog.getByRole('region', { name: /^Session / })
      await expect(group).toHaveCount(1)
      await expect(group.locator('header')).toContainText(`Search demo · ${a.name}`)
      // Prompt and answer both hold the word; the "Answers" filter keeps the answer.
      await dialog.getByRole('button', { name: 'Answers', exact: true }).click()
      const hit = results(dialog)
      await expect(hit).toHaveCount(1)
      await expect(hit).toContainText('Answer')
      await expect(hit.locator('mark')).toHaveText(word)
      // A path fragment finds it too.
      await dialog.getByLabel('Search all transcripts').fill('tank/water')
      await expect(hit.locator('mark')).toHaveText('tank/water')
      await hit.click()
      await expect(dialog).toBeHidden()
      const row = p.locator('[data-hit]')
      await expect(row).toBeVisible()
      await expect(row).toContainText(word)
    })
  })
}

test('a hit deep in a 100,000-message session opens there and scrolls both ways; in-session find walks the whole session', async ({ page, shepherd }) => {
  test.setTimeout(180_000)
  await openApp(page, shepherd)
  await addProject(page, folder('search-huge'), 'Huge')
  const N = 100_000
  const id = randomUUID()
  await seed(shepherd, (db) => {
    const project = db.prepare('SELECT id, path FROM projects').get() as { id: string; path: string }
    const t0 = Date.now() - N * 1000
    db.prepare(
      `INSERT INTO sessions (id, project_id, provider, model, permission_mode, cwd, title, status, last_seq, last_activity_at, created_at, updated_at)
      VALUES (?, ?, 'claude', NULL, 'default', ?, 'A very long session', 'done', ?, ?, ?, ?)`
    ).run(id, project.id, project.path, N, t0 + N * 1000, t0, t0 + N * 1000)
    const insert = db.prepare(`INSERT INTO messages (session_id, seq, kind, text, is_error, created_at) VALUES (?, ?, ?, ?, 0, ?)`)
    db.transaction(() => {
      for (let seq = 1; seq <= N; seq++) {
        const special = seq === 80_000 ? ' the needle_in_haystack is here' : ''
        const marker = seq === 100 || seq === 50_000 || seq === 99_000 ? ' bluebird' : ''
        insert.run(id, seq, seq % 2 ? 'user' : 'assistant', `Message ${seq} about file-${seq}.ts${special}${marker}`, t0 + seq * 1000)
      }
    })()
  })
  await page.reload()
  const p = pane(page, 'Huge')
  await expect(p.locator(`[data-seq="${N}"]`)).toBeVisible()

  const dialog = await openSearch(page)
  await dialog.getByLabel('Search all transcripts').fill('needle_in_haystack')
  await expect(results(dialog)).toHaveCount(1)
  await dialog.getByLabel('Search all transcripts').press('Enter')
  await expect(dialog).toBeHidden()
  const hit = p.locator('[data-seq="80000"][data-hit]')
  await expect(hit).toBeVisible()
  await expect(hit).toContainText('needle_in_haystack')
  const transcript = p.getByRole('region', { name: 'Transcript' })
  expect(await transcript.locator('[data-seq]').count()).toBeLessThan(150)
  await expect(p.getByRole('button', { name: 'Jump to latest' })).toBeVisible()

  // Both ways from there: older pages load at the top, newer ones at the bottom.
  const seqs = () => transcript.locator('[data-seq]').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-seq'))))
  const lowest = Math.min(...(await seqs()))
  await transcript.evaluate((el) => {
    el.scrollTop = 0
  })
  await expect.poll(async () => Math.min(...(await seqs()))).toBeLessThan(lowest)
  for (let i = 0; i < 4; i++) {
    const highest = Math.max(...(await seqs()))
    await transcript.evaluate((el) => {
      el.scrollTop = el.scrollHeight
    })
    await expect.poll(async () => Math.max(...(await seqs()))).toBeGreaterThan(highest)
  }
  expect(Math.max(...(await seqs()))).toBeLessThan(N)
  // Back to the tail in one click.
  await p.getByRole('button', { name: 'Jump to latest' }).click()
  await expect(p.locator(`[data-seq="${N}"]`)).toBeVisible()

  // In-session find: every match of the whole session, newest first, Enter / Shift+Enter to move.
  await transcript.click()
  await page.keyboard.press('Control+F')
  const find = p.getByRole('search', { name: 'Find in this session' })
  await find.getByLabel('Find in session').fill('bluebird')
  await expect(find.getByRole('status')).toHaveText('3 of 3')
  await expect(p.locator('[data-seq="99000"][data-hit]')).toBeVisible()
  await find.getByLabel('Find in session').press('Enter')
  await expect(find.getByRole('status')).toHaveText('1 of 3')
  await page.screenshot({ path: join(__dirname, '../test-results/find-in-session.png') })
  await expect(p.locator('[data-seq="100"][data-hit]')).toBeVisible()
  await find.getByLabel('Find in session').press('Enter')
  await expect(p.locator('[data-seq="50000"][data-hit]')).toBeVisible()
  await find.getByLabel('Find in session').press('Shift+Enter')
  await expect(p.locator('[data-seq="100"][data-hit]')).toBeVisible()
  await find.getByLabel('Find in session').fill('"no such phrase')
  await expect(find.getByRole('status')).toHaveText('No matches')
  await find.getByLabel('Find in session').press('Escape')
  await expect(find).toHaveCount(0)

  // Invalid syntax is searched as words, never an error.
  const d2 = await openSearch(page)
  for (const q of ['NEAR(', '"unbalanced', '***', '^OR AND', 'x'.repeat(10_000)]) {
    await d2.getByLabel('Search all transcripts').fill(q)
    await expect(d2.getByText(/No messages match|Type to search/)).toBeVisible()
    await expect(d2.getByRole('alert')).toHaveCount(0)
  }
})

test('session picker with 5,000 sessions: filter by text, status and agent; pin, rename, archive (kept in search)', async ({ page, shepherd }) => {
  test.setTimeout(120_000)
  await openApp(page, shepherd)
  await addProject(page, folder('search-many'), 'Many')
  await seed(shepherd, (db) => {
    const project = db.prepare('SELECT id, path FROM projects').get() as { id: string; path: string }
    // Retention (at most 50 through the API) would prune these at load: this project keeps them all.
    db.prepare('UPDATE projects SET retention_count = 100000, retention_days = 3650 WHERE id = ?').run(project.id)
    const now = Date.now()
    const ins =
      db.prepare(`INSERT INTO sessions (id, project_id, provider, model, permission_mode, cwd, title, status, last_seq, last_activity_at, created_at, updated_at)
      VALUES (?, ?, ?, NULL, 'default', ?, ?, ?, 1, ?, ?, ?)`)
    const msg = db.prepare(`INSERT INTO messages (session_id, seq, kind, text, is_error, created_at) VALUES (?, 1, 'user', ?, 0, ?)`)
    db.transaction(() => {
      for (let i = 0; i < 5000; i++) {
        const id = `sess-${i}`
        const at = now - (5000 - i) * 60_000
        ins.run(
          id,
          project.id,
          i % 4 === 0 ? 'codex' : 'claude',
          project.path,
          i === 1234 ? 'Refactor the walrus parser' : `Task ${i}`,
          i % 10 === 0 ? 'error' : 'done',
          at,
          at,
          at
        )
        msg.run(id, i === 1234 ? 'please refactor walrus_parser' : `prompt ${i}`, at)
      }
    })()
  })
  await page.reload()
  const p = pane(page, 'Many')
  await p.getByRole('button', { name: 'Sessions', exact: true }).click()
  const picker = p.getByRole('dialog', { name: 'Sessions in Many' })
  const items = picker.getByRole('list', { name: 'Session history' }).locator('button.item')
  // Newest activity first, one page rendered.
  await expect(items.first()).toHaveAccessibleName('Task 4999')
  expect(await items.count()).toBeLessThanOrEqual(100)
  await expect(picker.getByRole('button', { name: /Show more \(4900 more\)/ })).toBeVisible()

  await picker.getByLabel('Filter sessions').fill('walrus')
  await expect(items).toHaveCount(1)
  await expect(items.first()).toHaveAccessibleName('Refactor the walrus parser')
  await picker.getByLabel('Filter sessions').fill('')
  await picker.getByLabel('Status filter').selectOption({ label: 'Failed' })
  await picker.getByLabel('Agent filter').selectOption({ label: 'Codex' })
  await expect(items.first()).toHaveAccessibleName('Task 4980')
  await expect(picker.getByRole('button', { name: /Show more \(150 more\)/ })).toBeVisible() // 250 failed Codex sessions
  await page.screenshot({ path: join(__dirname, '../test-results/session-picker.png') })
  await picker.getByLabel('Status filter').selectOption({ label: 'Any status' })
  await picker.getByLabel('Agent filter').selectOption({ label: 'Any agent' })
  await expect(items.first()).toHaveAccessibleName('Task 4999')

  // Pin moves it to the top; rename changes it in place.
  await picker.getByLabel('Filter sessions').fill('walrus')
  await picker.getByRole('button', { name: 'Pin Refactor the walrus parser' }).click()
  await picker.getByLabel('Filter sessions').fill('')
  await expect(items.first()).toHaveAccessibleName('Refactor the walrus parser')
  await picker.getByRole('button', { name: 'Rename Refactor the walrus parser' }).click()
  await picker.getByLabel('Session title').fill('Walrus parser, renamed')
  await picker.getByLabel('Session title').press('Enter')
  await expect(items.first()).toHaveAccessibleName('Walrus parser, renamed')

  // Archive: gone from the list, shown under "Archived", still found by search.
  await picker.getByRole('button', { name: 'Archive Walrus parser, renamed' }).click()
  await expect(items.first()).toHaveAccessibleName('Task 4999')
  await expect(picker.getByRole('button', { name: 'Walrus parser, renamed', exact: true })).toHaveCount(0)
  await picker.getByRole('button', { name: 'Archived' }).click()
  await expect(items).toHaveCount(1)
  await expect(items.first()).toHaveAccessibleName('Walrus parser, renamed')
  await page.keyboard.press('Escape')
  // From the Ctrl+K switcher: its last entry searches every transcript for what was typed.
  await page.keyboard.press('Control+K')
  const switcher = page.getByRole('dialog', { name: 'Go to project or session' })
  await switcher.getByRole('combobox', { name: 'Filter projects and sessions' }).fill('walrus_parser')
  await switcher.getByRole('option', { name: 'Search all transcripts for “walrus_parser”' }).click()
  const dialog = page.getByRole('dialog', { name: 'Search everywhere' })
  await expect(dialog.getByLabel('Search all transcripts')).toHaveValue('walrus_parser')
  const group = dialog.getByRole('region', { name: 'Session Walrus parser, renamed' })
  await expect(group).toBeVisible()
  await expect(group.getByText('archived', { exact: true })).toBeVisible()
})

test('search view screenshots (light and dark)', async ({ page, shepherd }) => {
  test.setTimeout(60_000)
  await page.setViewportSize({ width: 1280, height: 800 })
  await openApp(page, shepherd)
  await addProject(page, folder('acme-web'), 'Acme Web')
  await addProject(page, folder('billing-service'), 'billing-service')
  await seed(shepherd, (db) => {
    const projects = db.prepare('SELECT id, path, name FROM projects ORDER BY created_at').all() as { id: string; path: string; name: string }[]
    const now = Date.now()
    const ins =
      db.prepare(`INSERT INTO sessions (id, project_id, provider, model, permission_mode, cwd, title, status, last_seq, last_activity_at, created_at, updated_at)
      VALUES (?, ?, ?, NULL, 'default', ?, ?, 'done', 4, ?, ?, ?)`)
    const msg = db.prepare(
      `INSERT INTO messages (session_id, seq, kind, text, tool_name, tool_input, tool_path, is_error, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`
    )
    const sessions: [number, string, string, number, [string, string, string | null, string | null, number][]][] = [
      [
        0,
        'claude',
        'Fix token refresh race in the auth client',
        2,
        [
          ['user', 'The refresh_token sometimes expires twice when two tabs refresh at once — can you fix the race in src/auth/client.ts?', null, null, 0],
          [
            'assistant',
            'The race is in refreshSession(): both tabs read the same refresh_token before either writes the new one. I will serialize the refresh behind a lock in src/auth/client.ts.',
            null,
            null,
            0
          ],
          ['tool_call', 'Edit src/auth/client.ts', 'Edit', 'src/auth/client.ts', 0],
          ['tool_result', 'FAIL src/auth/client.test.ts › refresh_token is rotated once › expected 1 call, got 2', null, null, 1]
        ]
      ],
      [
        1,
        'codex',
        'Invoice PDF totals off by one cent',
        30,
        [
          ['user', 'Totals in invoice PDFs are off by a cent; check rounding and the refresh of cached totals.', null, null, 0],
          ['assistant', 'Rounding happens per line instead of on the total. After the fix I refresh the cached totals with a migration.', null, null, 0],
          ['tool_call', 'rg -n "round(" src/billing', 'Bash', 'rg -n "round(" src/billing', 0],
          ['tool_result', 'src/billing/invoice.ts:88:  line.total = round(line.qty * line.price)', null, null, 0]
        ]
      ],
      [
        0,
        'opencode',
        'Session refresh on focus',
        300,
        [
          ['user', 'When the window regains focus, refresh the session if the token is older than 5 minutes.', null, null, 0],
          [
            'thinking',
            'The visibilitychange handler is the right hook; the token age is in the JWT iat claim, so refresh when now - iat > 300.',
            null,
            null,
            0
          ],
          ['assistant', 'Added a visibilitychange listener that calls refreshSession() when the token is older than five minutes.', null, null, 0],
          ['error', 'Request failed: 429 rate limited while refreshing the session', null, null, 1]
        ]
      ]
    ]
    db.transaction(() => {
      // Oldest first, as they would have been written.
      sessions.toReversed().forEach(([pi, provider, title, minutesAgo, msgs], i) => {
        const id = `shot-${i}`
        const at = now - minutesAgo * 60_000
        ins.run(id, projects[pi]!.id, provider, projects[pi]!.path, title, at, at - 3600_000, at)
        msgs.forEach(([kind, text, tool, path, err], j) =>
          msg.run(
            id,
            j + 1,
            kind,
            kind === 'tool_call' ? '' : text,
            tool,
            kind === 'tool_call' ? JSON.stringify({ command: text }) : null,
            path,
            err,
            at - (4 - j) * 60_000
          )
        )
      })
    })()
  })
  await page.reload()
  const dialog = await openSearch(page)
  await dialog.getByLabel('Search all transcripts').fill('refresh')
  await expect(dialog.getByRole('region', { name: /^Session / })).toHaveCount(3)
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme })
    await page.mouse.move(1279, 799)
    await page.screenshot({ path: join(DOCS, `search-${colorScheme}.png`), animations: 'disabled' })
  }
})
