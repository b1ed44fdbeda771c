/**
 * Issue 11: after a prompt is sent, the pane keeps following the tail. The activity bar that appears
 * as a turn starts shrinks the transcript in the same frame as its jump to the bottom; that must not
 * be read as the user scrolling up. 30 prompts in a row against the REAL Claude Code: each reply is in
 * view with no click, and only the user's own scrolling ends following.
 */
import { expect, test } from './agents'
import { openApp } from './fixtures'
import { addProject, pane, send, startSession, status } from './ui'

const PROMPTS = 30

test('30 prompts in a row: every reply is in view without a click', async ({ page, shepherd, sandbox }) => {
  test.setTimeout(240_000)
  await openApp(page, shepherd)
  await addProject(page, sandbox.projectDir, 'Follow')
  const p = pane(page, 'Follow')
  const transcript = p.getByRole('region', { name: 'Transcript' })
  // Several lines per reply, so rows pile up well past the viewport within a few turns.
  const reply = (i: number) => `[[text:Reply number ${i}.\n\nline two\n\nline three\n\nline four]]`

  await startSession(p, reply(1))
  for (let i = 1; i <= PROMPTS; i++) {
    if (i > 1) await send(p, reply(i), 30_000)
    const last = p.getByText(`Reply number ${i}.`, { exact: true })
    await expect(last).toBeInViewport({ timeout: 30_000 })
    await expect(transcript).toHaveAttribute('data-following', 'true')
    await expect(p.getByRole('button', { name: 'Jump to latest' })).toHaveCount(0)
    await expect(status(p)).toHaveText(/Idle/, { timeout: 30_000 })
  }

  // The user's own scroll (the wheel) is what stops following; the next reply then waits below.
  await transcript.hover()
  await page.mouse.wheel(0, -600)
  await expect(transcript).toHaveAttribute('data-following', 'false')
  await send(p, '[[text:After scrolling up.]]', 30_000)
  await expect(p.getByRole('button', { name: /Jump to latest/ })).toBeVisible({ timeout: 30_000 })
  await p.getByRole('button', { name: /Jump to latest/ }).click()
  await expect(p.getByText('After scrolling up.', { exact: true })).toBeInViewport()
})
