/**
 * The agent panes against the REAL Claude Code CLI and the fake model server (e2e/agents.ts): live
 * transcript with tool calls, status, toasts, follow-ups, interrupt, approvals, reload mid-stream,
 * stall warning, two panes at once, retention; plus the docs screenshots of those states.
 */
import { randomUUID } from 'node:crypto'
import { execFileSync } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import type { Locator, Page } from '@playwright/test'
import { apiClient, expect, test } from './agents'
import { addProject, pane, startSession, status } from './ui'
import { openApp, type ShepherdHost } from './fixtures'
import { docsShotPath } from './docs-shots'

/** The scripted stand-in for `claude` (test support): it can emit thousands of lines a second. */
const FAKE_AGENT_PATH = resolve(__dirname, '../test/support/fake-agent.mjs')
/** Fixed folder names so screenshots show stable paths; one subfolder per test (tests run in parallel). */
const DEMO = join(tmpdir(), 'shepherd-demo')

function folder(name: string): string {
  const dir = join(DEMO, name)
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  return dir
}

/** The seqs rendered in a pane's transcript (all rows are in view in these short sessions). */
async function renderedSeqs(p: Locator): Promise<number[]> {
  const seqs = await p
    .getByRole('region', { name: 'Transcript' })
    .locator('[data-seq]')
    .evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-seq'))))
  return seqs
}

/** Run "Claude Code" as the scripted fake agent (it can emit thousands of lines a second; the real CLI cannot). */
async function useFakeAgent(shepherd: ShepherdHost): Promise<void> {
  const { api, close } = apiClient(shepherd)
  try {
    const s = await api.settings.get.query()
    await api.settings.update.mutate({ providers: { ...s.providers, claude: { ...s.providers.claude, cliPath: FAKE_AGENT_PATH } } })
  } finally {
    close()
  }
}

async function dismissToasts(page: Page) {
  const close = page.getByRole('button', { name: 'Dismiss notification' })
  while ((await close.count()) > 0) await close.first().click()
}

/** Session titles without the fake-model directives, for the screenshots. */
async function tidyTitles(shepherd: Parameters<typeof apiClient>[0]) {
  const { api, close } = apiClient(shepherd)
  try {
    for (const project of await api.projects.list.query()) {
      for (const s of await api.sessions.list.query({ projectId: project.id })) {
        const title = s.title.replace(/\s*\[\[[\s\S]*$/, '').trim()
        if (title && title !== s.title) await api.sessions.rename.mutate({ id: s.id, title })
      }
    }
  } finally {
    close()
  }
}

async function settle(page: Page) {
  await page.mouse.move(1279, 799)
  await page.evaluate('document.activeElement && document.activeElement.blur()')
}

test('a session runs a tool call live, finishes with a toast and takes a follow-up', async ({ page, shepherd }) => {
  await openApp(page, shepherd)
  await addProject(page, folder('tool-call'), 'Tool call')
  const p = pane(page, 'Tool call')
  await expect(p.getByText('No sessions yet')).toBeVisible()

  await startSession(p, 'please [[bash:echo hi]]', 'Accept edits, ask for commands')
  // Bash may ask depending on the CLI's read-only heuristics: allow if it does.
  const allow = p.getByRole('button', { name: 'Allow once' })
  const call = p.getByRole('button', { name: 'Bash · echo hi' })
  await expect(call.or(allow).first()).toBeVisible({ timeout: 30_000 })
  if (await allow.isVisible()) await allow.click()
  await expect(call).toBeVisible({ timeout: 30_000 })
  await expect(p.getByText('DONE. Tool output was: hi')).toBeVisible({ timeout: 30_000 })
  await expect(p.locator('[data-kind="tool_result"]').first()).toContainText('hi')
  await expect(status(p)).toHaveText(/Idle|Done/)
  await expect(page.getByRole('group', { name: 'Tool call: done' })).toBeVisible()
  await expect(p.getByText(/^\$\d/)).toBeVisible()

  // The tool call expands to its full input: each field as written (strings unquoted, real line breaks).
  await call.click()
  await expect(call).toHaveAttribute('aria-expanded', 'true')
  await expect(p.getByLabel('Bash input')).toContainText('command echo hi')
  await expect(p.getByLabel('Bash input')).not.toContainText('"command"')

  // A follow-up in the same session.
  await p.getByLabel('Prompt', { exact: true }).fill('[[text:second answer]]')
  await p.getByLabel('Prompt', { exact: true }).press('Enter')
  await expect(p.getByText('second answer', { exact: true })).toBeVisible({ timeout: 30_000 })
  await expect(status(p)).toHaveText(/Idle/)
  await expect(p.getByLabel('Prompt', { exact: true })).toHaveValue('')

  // The model switches live (the next request goes out with it).
  await p.getByLabel('Model', { exact: true }).fill('claude-test-model-b')
  await p.getByLabel('Model', { exact: true }).press('Enter')
  await expect(p.getByText('Model set to claude-test-model-b.')).toBeVisible()
  await p.getByLabel('Prompt', { exact: true }).fill('[[model]]')
  await p.getByLabel('Prompt', { exact: true }).press('Enter')
  await expect(p.getByText('MODEL: claude-test-model-b')).toBeVisible({ timeout: 20_000 })
  await expect(status(p)).toHaveText(/Idle/)
  await p.getByLabel('Permission mode').selectOption('acceptEdits')
  await expect(p.getByText('Permission mode set to acceptEdits.')).toBeVisible()

  // SEC-10: assistant Markdown is inert: no images, no script, links only https (in a new window).
  await p
    .getByLabel('Prompt', { exact: true })
    .fill(
      '[[text:**bold** <img src=x onerror="document.title=1"> <script>document.title=2</script> [bad](javascript:document.title=3) [good](https://example.com/ok)]]'
    )
  await p.getByLabel('Prompt', { exact: true }).press('Enter')
  const md = p.locator('[data-kind="assistant"]').last()
  await expect(md.locator('strong')).toHaveText('bold', { timeout: 20_000 })
  await expect(md.locator('img, script')).toHaveCount(0)
  await expect(md.getByText('bad')).not.toHaveAttribute('href', /.*/)
  await expect(md.getByRole('link', { name: 'good' })).toHaveAttribute('rel', 'noopener noreferrer')
  expect(await page.title()).toBe('Shepherd')

  // Drafts survive a reload.
  await p.getByLabel('Prompt', { exact: true }).fill('half-written thought')
  await page.waitForTimeout(600)
  await page.reload()
  await expect(p.getByLabel('Prompt', { exact: true })).toHaveValue('half-written thought')

  // Delete asks first, then the pane falls back to a new session.
  await p.getByRole('button', { name: 'Sessions' }).click()
  await p.getByRole('button', { name: 'Delete please [[bash:echo hi]]' }).click()
  const confirm = page.getByRole('dialog', { name: 'Delete “please [[bash:echo hi]]”?' })
  await confirm.getByRole('button', { name: 'Delete session' }).click()
  await expect(confirm).toHaveCount(0)
  await expect(p.getByRole('dialog', { name: 'Sessions in Tool call' })).toHaveCount(0)
  await expect(p.getByText('No sessions yet', { exact: true })).toBeVisible()
})

test('Esc interrupts a slow turn; the session takes the next prompt', async ({ page, shepherd, model }) => {
  await openApp(page, shepherd)
  await addProject(page, folder('interrupt'), 'Interrupt')
  const p = pane(page, 'Interrupt')
  await startSession(p, '[[slow:20]]')
  await expect(status(p)).toHaveText(/Running/, { timeout: 20_000 })
  await expect.poll(() => model.requests.some((r) => JSON.stringify(r.body ?? '').includes('[[slow:20]]')), { timeout: 20_000 }).toBe(true)
  await expect(p.getByRole('button', { name: 'Interrupt', exact: true })).toBeVisible()

  // A prompt sent during the turn waits in the queue, visibly.
  await p.getByLabel('Prompt', { exact: true }).fill('[[text:queued one]]')
  await p.getByLabel('Prompt', { exact: true }).press('Enter')
  const queue = p.getByRole('list', { name: 'Queued prompts' })
  await expect(queue.getByRole('listitem')).toHaveText(/Queued\s*\[\[text:queued one\]\]/)

  const started = Date.now()
  await p.getByLabel('Prompt', { exact: true }).press('Escape')
  await expect(status(p)).toHaveText(/Idle/, { timeout: 10_000 })
  expect(Date.now() - started).toBeLessThan(10_000)
  await expect.poll(() => model.disconnects.length, { timeout: 5_000 }).toBeGreaterThan(0)
  // Esc means "stop what you are doing": the queue is dropped too.
  await expect(queue).toHaveCount(0)
  // An interrupt is the user's own doing: no "done" toast.
  await expect(page.getByRole('group', { name: 'Interrupt: done' })).toHaveCount(0)

  await p.getByLabel('Prompt', { exact: true }).fill('[[text:after interrupt]]')
  await p.getByLabel('Prompt', { exact: true }).press('Enter')
  await expect(p.getByText('after interrupt', { exact: true })).toBeVisible({ timeout: 20_000 })
})

test('approvals: allow once writes the file, a denial with a reason does not; cards survive a reload', async ({ page, shepherd }) => {
  const dir = folder('approvals')
  await openApp(page, shepherd)
  await addProject(page, dir, 'Approvals')
  const p = pane(page, 'Approvals')
  await startSession(p, 'Create the notes file [[write:a.txt|x]]', 'Ask before edits and commands')

  const card = p.getByRole('group', { name: 'Allow Write?' })
  await expect(card).toBeVisible({ timeout: 30_000 })
  await expect(card).toContainText('a.txt')
  // The change itself is on the card: the file's new content, as added lines.
  await expect(card.getByRole('group', { name: 'Changes to a.txt' })).toHaveText(/^\s*\+\s*x\s*$/)
  await expect(status(p)).toHaveText(/Waiting for approval/)
  await expect(page.getByRole('button', { name: '1 session needs you' })).toBeVisible()
  await expect(page.getByRole('navigation', { name: 'Projects' }).getByRole('img', { name: '1 agent needs approval' })).toBeVisible()
  await card.getByRole('button', { name: 'Show full input' }).click()
  await expect(card).toContainText('"content": "x"')
  await tidyTitles(shepherd)
  await expect(p.getByRole('button', { name: 'Sessions' })).toHaveAccessibleDescription('Create the notes file')

  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme })
    await dismissToasts(page)
    await settle(page)
    await page.screenshot({ path: docsShotPath(`approval-${colorScheme}.png`), animations: 'disabled' })
  }
  await page.emulateMedia({ colorScheme: 'light' })

  await card.getByRole('button', { name: 'Allow once' }).click()
  await expect(card).toHaveCount(0)
  await expect(status(p)).toHaveText(/Idle/, { timeout: 20_000 })
  expect(readFileSync(join(dir, 'a.txt'), 'utf8')).toBe('x')
  await expect(page.getByRole('button', { name: /need.? you/ })).toHaveCount(0)

  await p.getByLabel('Prompt', { exact: true }).fill('[[write:b.txt|y]]')
  await p.getByLabel('Prompt', { exact: true }).press('Enter')
  await expect(card).toBeVisible({ timeout: 30_000 })
  // Pending approvals come from the database: a reload brings the card back.
  await page.reload()
  await expect(card).toBeVisible()
  await expect(card).toContainText('b.txt')
  await card.getByLabel('Reason for denying (optional)').fill('not this file')
  await card.getByRole('button', { name: 'Deny' }).click()
  await expect(card).toHaveCount(0)
  await expect(p.getByText(/Tool ERROR was: .*not this file/)).toBeVisible({ timeout: 20_000 })
  await expect(status(p)).toHaveText(/Idle/)
  expect(existsSync(join(dir, 'b.txt'))).toBe(false)
})

test('BP-2: a reload mid-stream ends with the pane equal to the database: no duplicates, no gaps', async ({ page, shepherd }) => {
  await openApp(page, shepherd)
  await addProject(page, folder('reload'), 'Reload')
  const p = pane(page, 'Reload')
  await startSession(p, '[[bash:echo before]]', 'Accept edits, ask for commands')
  await expect(p.getByText('DONE. Tool output was: before')).toBeVisible({ timeout: 30_000 })
  await expect(status(p)).toHaveText(/Idle/)

  await p.getByLabel('Prompt', { exact: true }).fill('[[slow:10]]')
  await p.getByLabel('Prompt', { exact: true }).press('Enter')
  await expect(status(p)).toHaveText(/Running/, { timeout: 10_000 })
  const writing = p.getByRole('group', { name: 'The agent is writing' })
  await expect(writing).toContainText('tick1', { timeout: 15_000 })
  await page.reload()
  await expect(status(p)).toHaveText(/Running/)
  // The answer being written comes back after the reload, further along.
  await expect(writing).toContainText(/tick[4-9]/, { timeout: 15_000 })
  await expect(status(p)).toHaveText(/Idle/, { timeout: 30_000 })
  await expect(writing).toHaveCount(0)
  await expect(p.getByText(/tick0 tick1/)).toBeVisible()

  const { api, close } = apiClient(shepherd)
  try {
    const [project] = await api.projects.list.query()
    const [session] = await api.sessions.list.query({ projectId: project!.id })
    const db = await api.messages.after.query({ sessionId: session!.id, afterSeq: 0, limit: 1000 })
    const dbSeqs = db.messages.map((m) => m.seq)
    expect(dbSeqs).toEqual(Array.from({ length: dbSeqs.length }, (_, i) => i + 1))
    await expect.poll(() => renderedSeqs(p)).toEqual(dbSeqs)
    // And the same after another turn.
    await p.getByLabel('Prompt', { exact: true }).fill('[[text:after reload]]')
    await p.getByLabel('Prompt', { exact: true }).press('Enter')
    await expect(p.getByText('after reload', { exact: true })).toBeVisible({ timeout: 20_000 })
    await expect(status(p)).toHaveText(/Idle/)
    const db2 = await api.messages.after.query({ sessionId: session!.id, afterSeq: 0, limit: 1000 })
    await expect.poll(() => renderedSeqs(p)).toEqual(db2.messages.map((m) => m.seq))
  } finally {
    close()
  }
})

test('a running agent that goes silent is flagged as stalled, with exactly one toast', async ({ page, shepherd }) => {
  test.setTimeout(90_000)
  await openApp(page, shepherd)
  await addProject(page, folder('stall'), 'Stall demo')
  const { api, close } = apiClient(shepherd)
  try {
    const [project] = await api.projects.list.query()
    await api.projects.updateSettings.mutate({ id: project!.id, stallThresholdMs: 30_000 })
  } finally {
    close()
  }
  const p = pane(page, 'Stall demo')
  // The fake model answers nothing for 45 s (a streaming answer would count as activity).
  await startSession(p, 'Refactor the billing module [[silent:45]]')
  await expect(status(p)).toHaveText(/Running/, { timeout: 20_000 })
  await expect(status(p)).toHaveText(/Stalled/, { timeout: 45_000 })
  const toast = page.getByRole('group', { name: 'Stall demo: agent stalled' })
  await expect(toast).toHaveCount(1)
  await expect(toast).toContainText('No activity for 30 s')
  await expect(page.getByRole('button', { name: '1 session needs you' })).toBeVisible()
  await expect(page.getByRole('navigation', { name: 'Projects' }).getByRole('img', { name: '1 agent stalled' })).toBeVisible()
  await expect(p.getByText(/No output for \d/)).toBeVisible()
  await tidyTitles(shepherd)
  await expect(p.getByRole('button', { name: 'Sessions' })).toHaveAccessibleDescription('Refactor the billing module')

  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme })
    await settle(page)
    await page.screenshot({ path: docsShotPath(`stall-toast-${colorScheme}.png`), animations: 'disabled' })
  }

  await p.getByRole('button', { name: 'Stop' }).click()
  await expect(status(p)).toHaveText(/Interrupted/, { timeout: 15_000 })
  await expect(page.getByRole('group', { name: 'Stall demo: agent stalled' })).toHaveCount(1)
})

test('two projects side by side stream at once; layout, switcher and unread marks', async ({ page, shepherd }) => {
  test.setTimeout(90_000)
  await openApp(page, shepherd)
  await addProject(page, folder('acme-web'), 'Acme Web')
  await addProject(page, folder('billing-service'), 'Billing service')
  const nav = page.getByRole('navigation', { name: 'Projects' })
  await nav.getByRole('button', { name: 'Open Acme Web beside' }).click()
  const a = pane(page, 'Acme Web')
  const b = pane(page, 'Billing service')
  await expect(a).toBeVisible()
  await expect(b).toBeVisible()

  await startSession(a, 'Check the build [[bash:echo build ok]]', 'Accept edits, ask for commands')
  await startSession(
    b,
    'Plan the invoice export [[text:Here is the plan:\n\n1. Add an `exportInvoices()` query\n2. Stream rows as **CSV**\n3. Cover it with a test\n\n```ts\nexport async function exportInvoices(db: Db) {\n  return db.invoices.stream({ format: "csv" })\n}\n```\n\nSee https://example.com/csv for the format.]]'
  )
  await expect(a.getByText('DONE. Tool output was: build ok')).toBeVisible({ timeout: 30_000 })
  await expect(b.locator('[data-kind="assistant"]').getByText('Here is the plan:')).toBeVisible({ timeout: 30_000 })
  await expect(b.getByRole('link', { name: 'https://example.com/csv' })).toHaveAttribute('target', '_blank')
  await expect(status(a)).toHaveText(/Idle/)
  await expect(status(b)).toHaveText(/Idle/)

  // Both stream at the same time (long enough that neither is done before both are checked on a loaded machine).
  await a.getByLabel('Prompt', { exact: true }).fill('[[slow:15]]')
  await a.getByLabel('Prompt', { exact: true }).press('Enter')
  await b.getByLabel('Prompt', { exact: true }).fill('[[slow:15]]')
  await b.getByLabel('Prompt', { exact: true }).press('Enter')
  await expect(status(a)).toHaveText(/Running/)
  await expect(status(b)).toHaveText(/Running/)
  await expect(nav.getByRole('img', { name: '1 agent running' })).toHaveCount(2)
  // Each pane shows its answer while it is written.
  await expect(a.getByRole('group', { name: 'The agent is writing' })).toContainText('tick1', { timeout: 15_000 })
  await expect(b.getByRole('group', { name: 'The agent is writing' })).toContainText('tick1', { timeout: 15_000 })
  await tidyTitles(shepherd)
  await expect(b.getByRole('button', { name: 'Sessions' })).toHaveAccessibleDescription('Plan the invoice export')

  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme })
    await dismissToasts(page)
    await settle(page)
    await page.screenshot({ path: docsShotPath(`panes-busy-${colorScheme}.png`), animations: 'disabled' })
  }
  await page.emulateMedia({ colorScheme: 'light' })
  await expect(status(a)).toHaveText(/Idle/, { timeout: 30_000 })
  await expect(status(b)).toHaveText(/Idle/, { timeout: 30_000 })
  await expect(a.getByText(/tick0 tick1/)).toBeVisible()
  await expect(b.getByText(/tick0 tick1/)).toBeVisible()

  // The layout survives a reload.
  await page.reload()
  await expect(a).toBeVisible()
  await expect(b).toBeVisible()

  // A session that finishes while its pane is closed is marked unread in the sidebar.
  await b.getByLabel('Prompt', { exact: true }).fill('[[slow:4]]')
  await b.getByLabel('Prompt', { exact: true }).press('Enter')
  await expect(status(b)).toHaveText(/Running/)
  await b.getByRole('button', { name: 'Close pane Billing service' }).click()
  await expect(b).toHaveCount(0)
  const unread = nav.getByRole('img', { name: '1 unread session' })
  await expect(unread).toBeVisible({ timeout: 20_000 })

  // Ctrl+K jumps to it; seeing it clears the mark.
  await page.keyboard.press('Control+K')
  const switcher = page.getByRole('dialog', { name: 'Go to project or session' })
  await switcher.getByRole('combobox', { name: 'Filter projects and sessions' }).fill('billing')
  await switcher.getByRole('combobox').press('Enter')
  await expect(switcher).toHaveCount(0)
  await expect(b).toBeVisible()
  await expect(unread).toHaveCount(0)
})

test('retention removes the oldest unpinned finished session, never a pinned one', async ({ page, shepherd }) => {
  test.setTimeout(90_000)
  await openApp(page, shepherd)
  await addProject(page, folder('retention'), 'Retention')
  const { api, close } = apiClient(shepherd)
  try {
    const [project] = await api.projects.list.query()
    await api.projects.updateSettings.mutate({ id: project!.id, retentionCount: 1 })
  } finally {
    close()
  }
  const p = pane(page, 'Retention')
  const picker = p.getByRole('button', { name: 'Sessions' })
  const history = p.getByRole('list', { name: 'Session history' })

  for (const name of ['first', 'second']) {
    await startSession(p, `${name} [[text:${name} done]]`)
    await expect(p.getByText(`${name} done`, { exact: true })).toBeVisible({ timeout: 30_000 })
    await p.getByRole('button', { name: 'Stop' }).click()
    await expect(status(p)).toHaveText(/Interrupted/, { timeout: 15_000 })
  }
  // Pin the first session from the history list.
  await picker.click()
  await history.getByRole('button', { name: 'Pin first [[text:first done]]', exact: true }).click()
  await expect(history.getByRole('button', { name: 'Unpin first [[text:first done]]', exact: true })).toBeVisible()
  await page.keyboard.press('Escape')

  // Retention keeps the newest finished session plus pinned ones (running ones are never counted or
  // removed); it runs when a turn completes and at startup.
  await startSession(p, 'third [[text:third done]]')
  await expect(p.getByText('third done', { exact: true })).toBeVisible({ timeout: 30_000 })
  await p.getByRole('button', { name: 'Stop' }).click()
  await expect(status(p)).toHaveText(/Interrupted/, { timeout: 15_000 })
  await picker.click()
  await expect(history.getByRole('listitem')).toHaveCount(3)
  await page.reload()
  await picker.click()
  await expect(history.getByRole('button', { name: 'third [[text:third done]]', exact: true })).toBeVisible()
  await expect(history.getByRole('button', { name: 'first [[text:first done]]', exact: true })).toBeVisible()
  await expect(history.getByRole('button', { name: 'second [[text:second done]]', exact: true })).toHaveCount(0)
  await expect(history.getByRole('listitem')).toHaveCount(2)
})

test('settings screenshots', async ({ page, shepherd }) => {
  await openApp(page, shepherd)
  await addProject(page, folder('settings-demo'), 'Acme Web')
  await page.getByRole('button', { name: 'Settings', exact: true }).click()
  await expect(page.getByLabel('Stall warning after (minutes)')).toBeVisible()
  await expect(page.getByRole('list', { name: 'Installed agent CLIs' }).getByText('Found').first()).toBeVisible()
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme })
    await dismissToasts(page)
    await settle(page)
    await page.screenshot({ path: docsShotPath(`settings-${colorScheme}.png`), animations: 'disabled' })
  }
  // The controls × agents table, top of the card at the top of the view.
  await page.getByRole('heading', { name: 'Agent capabilities' }).evaluate((el) => {
    // Scroll only the settings' own scroll area (scrollIntoView would also shift the window).
    const section = el.closest('section')!
    const scroller = section.closest('.scroll')!
    scroller.scrollTop += section.getBoundingClientRect().top - scroller.getBoundingClientRect().top - 16
  })
  await expect(page.getByRole('table', { name: 'What each agent supports' })).toBeVisible()
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme })
    await settle(page)
    await page.screenshot({ path: docsShotPath(`agents-${colorScheme}.png`), animations: 'disabled' })
  }
})

test('a 100 000-message session opens at once and only renders what is in view', async ({ page, shepherd }) => {
  test.setTimeout(90_000)
  await openApp(page, shepherd)
  await addProject(page, folder('huge'), 'Huge')

  // Seed the database directly: 100k messages of every kind in one finished session.
  const { default: Database } = await import('better-sqlite3')
  const db = new Database(join(shepherd.dataDir, 'shepherd.db'))
  db.pragma('busy_timeout = 10000')
  const project = db.prepare('SELECT id, path FROM projects').get() as { id: string; path: string }
  const N = 100_000
  const id = randomUUID()
  const t0 = Date.now() - N * 1000
  db.prepare(
    `INSERT INTO sessions (id, project_id, provider, model, permission_mode, cwd, title, status, last_seq, last_activity_at, created_at, updated_at)
     VALUES (?, ?, 'claude', NULL, 'default', ?, 'A very long session', 'done', ?, ?, ?, ?)`
  ).run(id, project.id, project.path, N, t0 + N * 1000, t0, t0 + N * 1000)
  const insert = db.prepare(
    `INSERT INTO messages (session_id, seq, kind, text, tool_name, tool_input, tool_path, tool_use_id, parent_id, is_error, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, 0, ?)`
  )
  db.transaction(() => {
    for (let seq = 1; seq <= N; seq++) {
      const at = t0 + seq * 1000
      switch (seq % 5) {
        case 1:
          insert.run(id, seq, 'user', `Prompt number ${seq}: please look at the next file`, null, null, null, null, at)
          break
        case 2:
          insert.run(
            id,
            seq,
            'assistant',
            `**Answer ${seq}**: here is what I found in \`src/file-${seq}.ts\`:\n\n- one thing\n- another thing`,
            null,
            null,
            null,
            null,
            at
          )
          break
        case 3:
          insert.run(id, seq, 'tool_call', '', 'Bash', JSON.stringify({ command: `grep -n todo src/file-${seq}.ts` }), null, `tu_${seq}`, at)
          break
        case 4:
          insert.run(
            id,
            seq,
            'tool_result',
            Array.from({ length: 6 }, (_, i) => `src/file-${seq}.ts:${i + 1}: // todo ${i}`).join('\n'),
            null,
            null,
            null,
            `tu_${seq - 1}`,
            at
          )
          break
        default:
          insert.run(id, seq, 'system', `Checkpoint ${seq}`, null, null, null, null, at)
      }
    }
  })()
  db.close()

  const opened = Date.now()
  await page.reload()
  const p = pane(page, 'Huge')
  await expect(p.locator(`[data-seq="${N}"]`)).toBeVisible()
  expect(Date.now() - opened).toBeLessThan(5_000)
  const transcript = p.getByRole('region', { name: 'Transcript' })
  expect(await transcript.locator('[data-seq]').count()).toBeLessThan(120)

  // Scrolling to the top pages older messages in; the DOM stays small.
  const minSeq = () => transcript.locator('[data-seq]').evaluateAll((els) => Math.min(...els.map((e) => Number(e.getAttribute('data-seq')))))
  let lowest = await minSeq()
  // Past the 2,000-message window: the newest pages are dropped on the way up (issue 11 item 16).
  // Each scroll to the top must move the view up; how many rows one step adds depends on row heights,
  // so step until the window is passed (bounded), not a fixed number of times.
  for (let i = 0; i < 40 && lowest >= N - 2800; i++) {
    await transcript.evaluate((el) => {
      el.scrollTop = 0
    })
    await expect.poll(minSeq).toBeLessThan(lowest)
    lowest = await minSeq()
  }
  expect(lowest).toBeLessThan(N - 2800)
  expect(await transcript.locator('[data-seq]').count()).toBeLessThan(150)

  // Jump to the first message, and to the first message of a day, without loading what is between.
  const jumps = p.getByRole('group', { name: 'Jump in the transcript' })
  await jumps.getByRole('button', { name: 'First message' }).click()
  await expect(p.locator('[data-seq="1"]')).toBeVisible()
  const day2 = new Date(t0 + N * 1000)
  const midnight = new Date(day2.getFullYear(), day2.getMonth(), day2.getDate()).getTime()
  const firstOfDay = Math.max(1, Math.ceil((midnight - t0) / 1000))
  const iso = `${day2.getFullYear()}-${String(day2.getMonth() + 1).padStart(2, '0')}-${String(day2.getDate()).padStart(2, '0')}`
  await transcript.evaluate((el) => {
    el.scrollTop = el.scrollTop + 300
  })
  await jumps.getByLabel('Jump to day').fill(iso)
  await expect(p.locator(`[data-seq="${firstOfDay}"][data-hit]`)).toBeVisible()
  await expect(p.locator(`[data-seq="${firstOfDay - 1}"]`)).toHaveCount(1)

  // Back to the tail in one click.
  await p.getByRole('button', { name: 'Jump to latest' }).click()
  await expect(p.locator(`[data-seq="${N}"]`)).toBeVisible()
  await expect(p.getByRole('button', { name: 'Jump to latest' })).toHaveCount(0)
})

test('BP-1: a page frozen for 5 s while an agent floods events ends equal to the database, with no gaps or duplicates', async ({ page, shepherd }) => {
  test.setTimeout(90_000)
  await openApp(page, shepherd)
  await addProject(page, folder('flood'), 'Flood')
  await useFakeAgent(shepherd)
  const { api, close } = apiClient(shepherd)
  try {
    const [project] = await api.projects.list.query()
    const p = pane(page, 'Flood')
    await startSession(p, '[[events:20000:5000]] flood')
    await expect(p.locator('[data-kind="assistant"]').first()).toBeVisible({ timeout: 20_000 })
    const [session] = await api.sessions.list.query({ projectId: project!.id })
    // The page's main thread does nothing else for 5 s: it reads no events meanwhile.
    await page.evaluate(() => {
      const end = Date.now() + 5_000
      while (Date.now() < end) {
        /* busy */
      }
    })
    await expect(status(p)).toHaveText(/Idle/, { timeout: 30_000 })
    const db = await api.messages.page.query({ sessionId: session!.id, beforeSeq: null, limit: 100 })
    const last = db.messages.at(-1)!.seq
    await expect(p.locator(`[data-seq="${last}"]`)).toBeVisible({ timeout: 10_000 })
    const seqs = await renderedSeqs(p)
    expect(new Set(seqs).size).toBe(seqs.length)
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => seqs[0]! + i))
    expect(seqs.at(-1)).toBe(last)
    expect(last).toBeGreaterThanOrEqual(20_001)
  } finally {
    close()
  }
})

/** Mount a tmpfs of `bytes` on `dir`; false where this machine does not allow it (not root, no CAP_SYS_ADMIN). */
function mountTmpfs(dir: string, bytes: number): boolean {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${bytes}`, 'tmpfs', dir], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

test('DB-2: a full disk pauses the agent with a banner; after space is freed it goes on and nothing is lost', async ({ page, shepherd }) => {
  test.setTimeout(120_000)
  await openApp(page, shepherd)
  await addProject(page, folder('full-disk'), 'Full disk')
  // Move the data dir onto a tmpfs of 32 MiB (room for the WAL, which grows to 16 MiB before SQLite
  // checkpoints it), of which a filler file takes all but ~600 KB.
  const SIZE = 32 * 1024 * 1024
  await shepherd.stop()
  const saved = mkdtempSync(join(tmpdir(), 'shepherd-saved-'))
  cpSync(shepherd.dataDir, saved, { recursive: true })
  const mounted = mountTmpfs(shepherd.dataDir, SIZE)
  if (!mounted) rmSync(saved, { recursive: true, force: true })
  test.skip(!mounted, 'mounting a tmpfs needs root (CAP_SYS_ADMIN) on this machine')
  const filler = join(shepherd.dataDir, 'filler.bin')
  try {
    cpSync(saved, shepherd.dataDir, { recursive: true })
    const used = readdirSync(shepherd.dataDir).reduce((n, f) => n + statSync(join(shepherd.dataDir, f)).size, 0)
    writeFileSync(filler, Buffer.alloc(SIZE - used - 600 * 1024))
    await shepherd.restart()
    await openApp(page, shepherd)
    await useFakeAgent(shepherd)
    const p = pane(page, 'Full disk')
    // 3,000 lines of ~1 KB: about 3 MB to store, far more than the space left.
    await startSession(p, `[[events:3000:1000]] ${'x'.repeat(900)}`)
    const banner = page.getByRole('alert').filter({ hasText: 'cannot save to its database' })
    await expect(banner).toBeVisible({ timeout: 30_000 })
    await expect(banner).toContainText('the disk is full')
    await page.screenshot({ path: test.info().outputPath('disk-full.png') })
    await expect(status(p)).toHaveText(/Running|Stalled/)

    rmSync(filler) // the user frees space
    await expect(banner).toHaveCount(0, { timeout: 30_000 })
    await expect(status(p)).toHaveText(/Idle/, { timeout: 60_000 })
    const check = apiClient(shepherd)
    try {
      const [project] = await check.api.projects.list.query()
      const [session] = await check.api.sessions.list.query({ projectId: project!.id })
      const seqs: number[] = []
      for (let after = 0; ;) {
        const page1 = await check.api.messages.after.query({ sessionId: session!.id, afterSeq: after, limit: 1000 })
        seqs.push(...page1.messages.map((m) => m.seq))
        if (page1.messages.length < 1000) break
        after = seqs.at(-1)!
      }
      // Every line the agent printed is stored, in order, once: the prompt, the init line, 3,000 answers.
      expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1))
      expect(seqs.length).toBeGreaterThanOrEqual(3_001)
    } finally {
      check.close()
    }
  } finally {
    await shepherd.stop()
    try {
      execFileSync('umount', ['-l', shepherd.dataDir], { stdio: 'ignore' })
    } catch (err) {
      console.warn(`could not unmount the test tmpfs at ${shepherd.dataDir}: ${String(err)}`)
    }
    rmSync(saved, { recursive: true, force: true })
  }
})
