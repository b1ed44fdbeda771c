/**
 * Issue 11 items 5 and 8, as the user sees them, against the REAL Claude Code: a 40,000-character
 * answer (longer than the 16,000-character preview) is read in full after "Show all"; Markdown shows
 * tag-like text, a backslash before `]` and control characters as the agent wrote them.
 */
import { randomUUID } from 'node:crypto'
import { join } from 'node:path'
import { expect, test } from './agents'
import { openApp } from './fixtures'
import { docsShotPath } from './docs-shots'
import { addProject, pane, send, startSession, status } from './ui'

test('a 40,000-character answer is read in full', async ({ page, shepherd, sandbox }) => {
  test.setTimeout(120_000)
  await openApp(page, shepherd)
  await addProject(page, sandbox.projectDir, 'Long')
  const p = pane(page, 'Long')
  await startSession(p, '[[long:40000]]')
  await expect(status(p)).toHaveText(/Idle/, { timeout: 60_000 })

  const answer = p.locator('[data-kind="assistant"]').last()
  await expect(answer).toContainText('Line 00001 of the long answer')
  // Only the preview came over the wire: the end is not there yet, and the row says how much there is.
  await expect(answer).not.toContainText('END OF THE LONG ANSWER')
  const showAll = answer.getByRole('button', { name: 'Show all (40,000 characters)' })
  await expect(showAll).toBeVisible()
  await showAll.click()
  await expect(answer).toContainText('END OF THE LONG ANSWER')
  const text = (await answer.textContent()) ?? ''
  // Every line is there, in order, none lost between the preview and the end.
  const numbers = [...text.matchAll(/Line (\d{5}) of the long answer/g)].map((m) => Number(m[1]))
  expect(numbers.length).toBeGreaterThan(700)
  expect(numbers).toEqual(numbers.map((_, i) => i + 1))
  await answer.getByRole('button', { name: 'Show less' }).click()
  await expect(answer).not.toContainText('END OF THE LONG ANSWER')
})

test('Markdown shows tags, backslashes and control characters as written', async ({ page, shepherd, sandbox }) => {
  test.setTimeout(120_000)
  await openApp(page, shepherd)
  await addProject(page, sandbox.projectDir, 'Fidelity')
  const p = pane(page, 'Fidelity')
  await startSession(p, '[[text:The CLI adds <tools-used>Read</tools-used> here, and the regex a\\] stays.]]')
  const answer = p.locator('[data-kind="assistant"]').last()
  await expect(answer).toContainText('The CLI adds <tools-used>Read</tools-used> here, and the regex a\\] stays.', { timeout: 60_000 })
  await expect(status(p)).toHaveText(/Idle/, { timeout: 60_000 })

  await send(p, '[[controls]]', 30_000)
  await expect(p.locator('[data-kind="assistant"]').last()).toContainText('Control characters: NUL[NUL] ESC[ESC] BEL[BEL].', { timeout: 60_000 })
  await expect(status(p)).toHaveText(/Idle/, { timeout: 60_000 })
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme })
    await page.screenshot({ path: docsShotPath(`fidelity-${colorScheme}.png`), animations: 'disabled' })
  }
})

test('a 5 MB tool input opens as its fields, with real line breaks, only the lines in view in the DOM', async ({ page, shepherd, sandbox }) => {
  test.setTimeout(120_000)
  await openApp(page, shepherd)
  await addProject(page, sandbox.projectDir, 'Big input')
  // A finished session with one Write call whose content is 5 MB (seeded: no CLI writes that in a test run).
  const { default: Database } = await import('better-sqlite3')
  const db = new Database(join(shepherd.dataDir, 'shepherd.db'))
  db.pragma('busy_timeout = 10000')
  const project = db.prepare('SELECT id, path FROM projects').get() as { id: string; path: string }
  const id = randomUUID()
  const now = Date.now()
  const lines = Array.from({ length: 80_000 }, (_, i) => `line ${String(i + 1).padStart(6, '0')} ` + 'x'.repeat(50))
  const content = lines.join('\n')
  expect(content.length).toBeGreaterThan(5_000_000)
  db.prepare(
    `INSERT INTO sessions (id, project_id, provider, model, permission_mode, cwd, title, status, last_seq, last_activity_at, created_at, updated_at)
     VALUES (?, ?, 'claude', NULL, 'default', ?, 'Big write', 'done', 2, ?, ?, ?)`
  ).run(id, project.id, project.path, now, now, now)
  const insert = db.prepare(
    `INSERT INTO messages (session_id, seq, kind, text, tool_name, tool_input, tool_path, tool_use_id, parent_id, is_error, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, 0, ?)`
  )
  insert.run(id, 1, 'user', 'Write the big file', null, null, null, null, now)
  insert.run(id, 2, 'tool_call', '', 'Write', JSON.stringify({ file_path: `${project.path}/big.txt`, content }), `${project.path}/big.txt`, 'tu_big', now)
  db.close()

  await page.reload()
  const p = pane(page, 'Big input')
  const call = p.getByRole('button', { name: 'Write · big.txt' })
  await expect(call).toBeVisible({ timeout: 30_000 })
  await call.click()
  const box = p.getByRole('document', { name: 'content' })
  await expect(box).toBeVisible()
  await expect(box).toHaveAttribute('data-lines', '80000')
  // Real line breaks, not `\n`; and only a window of lines is in the DOM.
  const shown = (await box.textContent()) ?? ''
  expect(shown).toContain('line 000001 ')
  expect(shown).not.toContain('\\n')
  expect(shown.length).toBeLessThan(20_000)
  // The end is one scroll away.
  await box.evaluate((el) => {
    el.scrollTop = el.scrollHeight
  })
  await expect(box).toContainText('line 080000 ')
  // The page still answers: the composer takes text.
  await p.getByLabel('Prompt', { exact: true }).fill('still responsive')
  await expect(p.getByLabel('Prompt', { exact: true })).toHaveValue('still responsive')
})
