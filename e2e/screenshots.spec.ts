/**
 * Product screenshots for the docs (docs/*.png), light and dark, at 1280×800. Project folders live at
 * fixed paths so the images only change when the UI does.
 */
import { mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Page } from '@playwright/test'
import { expect, openApp, test } from './fixtures'
import { docsShotPath } from './docs-shots'

const DEMO = join(tmpdir(), 'shepherd-demo')
const SCHEMES = ['light', 'dark'] as const

test.use({ viewport: { width: 1280, height: 800 } })

async function settle(page: Page) {
  // No hover effects, no caret, no toasts in the picture.
  await page.mouse.move(1279, 799)
  const close = page.getByRole('button', { name: 'Dismiss notification' })
  while ((await close.count()) > 0) await close.first().click()
  await expect(page.getByRole('button', { name: 'Dismiss notification' })).toHaveCount(0)
  // A string, not a function: the e2e tsconfig has no DOM types.
  await page.evaluate('document.activeElement && document.activeElement.blur()')
}

test('empty state', async ({ page, shepherd }) => {
  await openApp(page, shepherd)
  await expect(page.getByRole('heading', { name: 'Supervise your coding agents' })).toBeVisible()
  for (const colorScheme of SCHEMES) {
    await page.emulateMedia({ colorScheme })
    await settle(page)
    await page.screenshot({ path: docsShotPath(`empty-${colorScheme}.png`), animations: 'disabled' })
  }
})

test('project open', async ({ page, shepherd }) => {
  await openApp(page, shepherd)
  const projects: [string, string | null][] = [
    ['acme-web', 'Acme Web'],
    ['billing-service', null],
    ['docs-site', null],
    ['infra', 'Infrastructure (Terraform)']
  ]
  for (const [folder, name] of projects) {
    const path = join(DEMO, folder)
    mkdirSync(path, { recursive: true })
    await page.getByRole('button', { name: 'Add project', exact: true }).click()
    const dialog = page.getByRole('dialog', { name: 'Add project' })
    await dialog.getByLabel('Project folder path').fill(path)
    if (name) await dialog.getByLabel('Name').fill(name)
    await dialog.getByRole('button', { name: 'Add project' }).click()
    await expect(dialog).toBeHidden()
  }
  await page.getByRole('navigation', { name: 'Projects' }).getByRole('button', { name: 'Acme Web', exact: true }).click()
  await expect(page.getByRole('heading', { name: 'Acme Web', level: 1 })).toBeVisible()
  for (const colorScheme of SCHEMES) {
    await page.emulateMedia({ colorScheme })
    await settle(page)
    await page.screenshot({ path: docsShotPath(`project-${colorScheme}.png`), animations: 'disabled' })
  }
})
