/** What the specs do through the UI again and again: add a project, find its pane, start a session. */
import type { Locator, Page } from '@playwright/test'
import { expect } from './fixtures'

export async function addProject(page: Page, path: string, name?: string): Promise<void> {
  await page.getByRole('button', { name: 'Add project', exact: true }).click()
  const dialog = page.getByRole('dialog', { name: 'Add project' })
  await dialog.getByLabel('Project folder path').fill(path)
  if (name) await dialog.getByLabel('Name').fill(name)
  await dialog.getByRole('button', { name: 'Add project' }).click()
  await expect(dialog).toBeHidden()
}

/** A project's pane (a region named after the project). */
export function pane(page: Page, name: string): Locator {
  return page.getByRole('region', { name, exact: true })
}

export function status(p: Locator): Locator {
  return p.getByRole('status', { name: 'Session status' })
}

/** Start a session from the pane's new-session form. */
export async function startSession(p: Locator, prompt: string, permissions?: string): Promise<void> {
  const start = p.getByRole('button', { name: 'Start session' })
  const newButton = p.getByRole('button', { name: 'New session', exact: true })
  await expect(start.or(newButton).first()).toBeVisible()
  if (!(await start.isVisible())) await newButton.first().click()
  if (permissions) await p.getByLabel('Permissions').selectOption({ label: permissions })
  await p.getByLabel('Prompt', { exact: true }).fill(prompt)
  await p.getByLabel('Prompt', { exact: true }).press('Enter')
  await expect(p.getByRole('button', { name: 'Start session' })).toHaveCount(0)
}

/** Type a prompt and press Enter; the box empties once Shepherd took it (a start waits for the CLI to be up). */
export async function send(p: Locator, prompt: string, timeout = 5_000): Promise<void> {
  const box = p.getByLabel('Prompt', { exact: true })
  await box.fill(prompt)
  await box.press('Enter')
  await expect(box).toHaveValue('', { timeout })
}
