/**
 * Issue 11 items 5 and 8, as the user sees them, against the REAL Claude Code: a 40,000-character
 * answer (longer than the 16,000-character preview) is read in full after "Show all"; Markdown shows
 * tag-like text, a backslash before `]` and control characters as the agent wrote them.
 */
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
