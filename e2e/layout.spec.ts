/**
 * Issue 11 item 18: four panes fit side by side in any window ≥ 1280 px wide (none cut off at the
 * right edge, no sideways scrolling), and a reload shows no "done" toasts from turns that ended before
 * it — toasts are for what happened while the user was looking. Against the REAL Claude Code.
 */
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Page } from '@playwright/test'
import { apiClient, expect, test } from './agents'
import { openApp } from './fixtures'
import { docsShotPath } from './docs-shots'
import { addProject, pane, startSession, status } from './ui'

const NAMES = ['Alpha', 'Bravo', 'Charlie', 'Delta']

async function fourPanes(page: Page, root: string): Promise<void> {
  for (const name of NAMES) {
    const dir = join(root, name.toLowerCase())
    mkdirSync(dir, { recursive: true })
    await addProject(page, dir, name)
  }
  const nav = page.getByRole('navigation', { name: 'Projects' })
  for (const name of NAMES.slice(0, 3)) await nav.getByRole('button', { name: `Open ${name} beside` }).click()
  for (const name of NAMES) await expect(pane(page, name)).toBeVisible()
}

/** Every pane wholly inside the window, and the pane row not scrolling sideways. */
async function expectAllFit(page: Page, width: number): Promise<void> {
  for (const name of NAMES) {
    const box = await pane(page, name).boundingBox()
    expect(box, name).not.toBeNull()
    expect(box!.x + box!.width, `${name}'s right edge`).toBeLessThanOrEqual(width + 0.5)
    expect(box!.width, `${name}'s width`).toBeGreaterThanOrEqual(230)
  }
  const overflow = await page.locator('.panes').evaluate((el) => el.scrollWidth - el.clientWidth)
  expect(overflow).toBeLessThanOrEqual(0)
}

for (const [width, height] of [
  [1280, 800],
  [1400, 900]
] as const) {
  test(`four panes fit at ${width}×${height}; a reload shows no old "done" toasts`, async ({ page, shepherd, sandbox }) => {
    test.setTimeout(120_000)
    await page.setViewportSize({ width, height })
    await openApp(page, shepherd)
    await fourPanes(page, sandbox.projectDir)
    await expectAllFit(page, width)

    const a = pane(page, 'Alpha')
    await startSession(a, '[[text:Finished the first turn.]]')
    await expect(status(a)).toHaveText(/Idle/, { timeout: 60_000 })
    // Seen while looking: the toast is shown.
    await expect(page.getByRole('group', { name: 'Alpha: done' })).toBeVisible({ timeout: 15_000 })
    await expectAllFit(page, width)

    await page.reload()
    await expect(a.getByText('Finished the first turn.', { exact: true })).toBeVisible({ timeout: 30_000 })
    for (const name of NAMES) await expect(pane(page, name)).toBeVisible()
    await expectAllFit(page, width)
    // Give replayed events time to arrive: still no toast for the turn that ended before the reload.
    await page.waitForTimeout(1_500)
    await expect(page.getByRole('group', { name: /: done$/ })).toHaveCount(0)

    // A turn that ends while no page is open: the next page load shows it in the pane, not as a toast.
    const { api, close } = apiClient(shepherd)
    try {
      const project = (await api.projects.list.query()).find((p) => p.name === 'Alpha')!
      const [session] = await api.sessions.list.query({ projectId: project.id })
      await page.goto('about:blank')
      await api.sessions.send.mutate({ id: session!.id, prompt: '[[text:Finished while away.]]' })
      await expect.poll(async () => (await api.sessions.get.query({ id: session!.id })).status, { timeout: 60_000 }).toBe('idle')
      await expect
        .poll(async () => (await api.messages.page.query({ sessionId: session!.id })).messages.some((m) => m.text === 'Finished while away.'))
        .toBe(true)
    } finally {
      close()
    }
    await openApp(page, shepherd)
    await expect(a.getByText('Finished while away.', { exact: true })).toBeVisible({ timeout: 30_000 })
    await page.waitForTimeout(1_500)
    await expect(page.getByRole('group', { name: /: done$/ })).toHaveCount(0)
    await expectAllFit(page, width)

    if (width === 1280) {
      for (const colorScheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme })
        await page.screenshot({ path: docsShotPath(`four-panes-${colorScheme}.png`), animations: 'disabled' })
      }
    }
  })
}
