/**
 * The real OpenCode CLI (pinned 1.18.33) through the web host and the fake model server: a sub-agent
 * (OpenCode's `task` tool) started in "Ask first" mode shows nested under its task call in the pane,
 * live, and asks for its file edit and its command with the pane's approval card, exactly as its
 * parent would; the model row names the model OpenCode uses.
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { expect, providerTest as test } from './agents'
import { openApp } from './fixtures'
import { addProject, pane, send, status } from './ui'

test.use({ agent: 'opencode' })

test('an OpenCode sub-agent is nested under its task call and asks for approval in "ask" mode', async ({ page, shepherd, agentSandbox }) => {
  test.setTimeout(180_000)
  const dir = agentSandbox.projectDir
  const p = pane(page, 'Demo')
  await openApp(page, shepherd)
  await addProject(page, dir, 'Demo')
  await p.getByLabel('Agent').selectOption({ label: 'OpenCode' }, { timeout: 10_000 })
  await p.getByLabel('Permissions').selectOption({ label: 'Ask before edits and commands' })
  await send(p, 'delegate [[agent:please {{write:sub-e2e.txt|from the sub-agent}} {{then-bash:touch ran-e2e.txt}}]]', 30_000)

  // The task call, then the sub-agent's own rows indented under it while it works.
  await expect(p.getByRole('button', { name: 'task · Scripted sub-agent', exact: true })).toBeVisible({ timeout: 60_000 })
  const edit = p.getByRole('group', { name: 'Allow edit?' })
  await expect(edit).toBeVisible({ timeout: 60_000 })
  await expect(edit).toContainText('(subagent)')
  await expect(status(p)).toHaveText(/Waiting for approval/)
  expect(existsSync(join(dir, 'sub-e2e.txt'))).toBe(false)
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme })
    await page.screenshot({ path: test.info().outputPath(`subagent-approval-${colorScheme}.png`), animations: 'disabled' })
  }
  await page.emulateMedia({ colorScheme: 'light' })
  await edit.getByRole('button', { name: 'Allow once' }).click()

  const bash = p.getByRole('group', { name: 'Allow bash?' })
  await expect(bash).toBeVisible({ timeout: 60_000 })
  await expect(bash).toContainText('touch ran-e2e.txt')
  expect(existsSync(join(dir, 'sub-e2e.txt'))).toBe(true)
  expect(existsSync(join(dir, 'ran-e2e.txt'))).toBe(false)
  await bash.getByRole('button', { name: 'Allow once' }).click()

  await expect(status(p)).toHaveText(/Idle/, { timeout: 60_000 })
  expect(existsSync(join(dir, 'ran-e2e.txt'))).toBe(true)
  // Both requests were answered: no "needs your approval" toast is left (nor shown late).
  await expect(page.getByText('Demo: needs your approval')).toHaveCount(0, { timeout: 5_000 })
  const nested = p.locator('.row.nested')
  await expect(nested.filter({ hasText: 'touch ran-e2e.txt' }).first()).toBeVisible()
  await expect(nested.locator('.who.sub').first()).toHaveText(/Sub-agent/)
  // Collapsing the task call hides the sub-agent's rows.
  await p.getByRole('button', { name: /Hide sub-agent/ }).click()
  await expect(nested).toHaveCount(0)
  await p.getByRole('button', { name: /Show sub-agent/ }).click()
  await expect(nested.first()).toBeVisible()
  // The header names the model OpenCode used (from its config), not "default".
  await expect(p.getByLabel('Model', { exact: true })).toHaveValue('fake/fake-model')
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme })
    await page.screenshot({ path: test.info().outputPath(`subagent-done-${colorScheme}.png`), animations: 'disabled' })
  }
})
