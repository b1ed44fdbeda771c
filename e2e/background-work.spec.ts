/**
 * Claude Code 2.1.332 (real CLI, fake model server) starts work that outlives its answer: the pane
 * says the turn is not over while that work runs (no "done" yet, no stall), names it, and ends the
 * turn when it has finished (issue 13 item 3).
 */
import { mkdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, test } from './agents'
import { openApp } from './fixtures'
import { addProject, pane, startSession, status } from './ui'
import { docsShotPath } from './docs-shots'

test('a background command: the pane shows it running after the answer, then the turn ends', async ({ page, shepherd }) => {
  const dir = join(tmpdir(), 'shepherd-demo', 'background-work')
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  await openApp(page, shepherd)
  await addProject(page, dir, 'Dev server')
  const p = pane(page, 'Dev server')
  await startSession(p, 'start it [[bgbash:sleep 12; echo bg-done]]', 'Accept edits, ask for commands')
  const allow = p.getByRole('button', { name: 'Allow once' })
  const bar = p.getByTestId('background-work')
  await expect(bar.or(allow).first()).toBeVisible({ timeout: 60_000 })
  if (await allow.isVisible()) await allow.click()
  // The agent answered, the command still runs: shown, and the session is not done.
  await expect(bar).toContainText('still running in the background: Run scripted command', { timeout: 60_000 })
  await expect(p.getByText('Command running in the background: Run scripted command')).toBeVisible()
  await expect(status(p)).toHaveText(/Running/)
  // A prompt goes to the agent now (it waits for input), not after the background work.
  await expect(p.getByLabel('Prompt', { exact: true })).toHaveAttribute('placeholder', /background work keeps running/)
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme })
    await page.screenshot({ path: docsShotPath(`background-work-${colorScheme}.png`), animations: 'disabled' })
  }
  // When it ends, Claude Code tells the model; then the turn is over.
  await expect(p.getByText(/completed \(exit code 0\)/).first()).toBeVisible({ timeout: 60_000 })
  await expect(p.getByText(/^NOTED: /)).toBeVisible({ timeout: 30_000 })
  await expect(status(p)).toHaveText(/Idle|Done/, { timeout: 30_000 })
  await expect(bar).toHaveCount(0)
})
