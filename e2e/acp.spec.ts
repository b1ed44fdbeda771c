/**
 * A generic ACP agent through the UI: the REAL `opencode acp` (test/agents, pinned) against the fake
 * model server, set up from Settings by its command line. What the agent cannot do is marked in the
 * pane (the deny-reason box is disabled, "not told a reason"), a mode it lacks is refused with its
 * list of modes, and what it can do works: tool call, approval allowed and denied, model switch.
 */
import { mkdirSync, writeFileSync, existsSync } from 'node:fs'
import { join } from 'node:path'
import type { Locator } from '@playwright/test'
import { expect, providerTest as test } from './agents'
import { openApp } from './fixtures'
import { pane } from './ui'

test.use({ agent: 'opencode' })

const status = (p: Locator) => p.getByRole('status', { name: 'Session status' })
const prompt = (p: Locator) => p.getByLabel('Prompt', { exact: true })

async function send(p: Locator, text: string) {
  await prompt(p).fill(text)
  await prompt(p).press('Enter')
}

test('an ACP agent (opencode acp) set up from Settings: tool call, approvals, what it cannot do is marked', async ({ page, shepherd, agentSandbox }) => {
  // Each step waits on `opencode acp` (2–7 s to start on a busy 2-core machine).
  test.setTimeout(180_000)
  // The project asks before shell commands (OpenCode's own rules → ACP permission requests).
  const dir = join(agentSandbox.projectDir, 'acp-demo')
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, 'opencode.json'), JSON.stringify({ $schema: 'https://opencode.ai/config.json', permission: { bash: 'ask', edit: 'ask' } }))

  await openApp(page, shepherd)
  // Settings: the agent's command line; the check that follows the save probes it (initialize).
  await page.getByRole('button', { name: 'Settings', exact: true }).click()
  await page.getByLabel('Agent command').fill('opencode acp')
  await page.getByRole('button', { name: 'Save settings' }).click()
  await expect(page.getByRole('status').filter({ hasText: 'Settings saved' })).toBeVisible()
  const acpItem = page.getByRole('list', { name: 'Installed agent CLIs' }).getByRole('listitem').filter({ hasText: 'ACP agent' })
  await expect(acpItem).toContainText(/Found · 1\.18\.33/, { timeout: 30_000 })
  const table = page.getByRole('table', { name: 'What each agent supports' })
  // Learnt from the probe: opencode acp loads and forks sessions; it never hears a deny reason.
  await expect(
    table
      .getByRole('row', { name: /^Resume after a restart/ })
      .getByRole('cell')
      .nth(3)
  ).toHaveText(/^✓ Yes/)
  await expect(
    table
      .getByRole('row', { name: /^Deny with a reason/ })
      .getByRole('cell')
      .nth(3)
  ).toHaveText(/^✕ No/)
  await page.getByRole('button', { name: 'Back to projects' }).click()

  await page.getByRole('button', { name: 'Add project', exact: true }).click()
  const dialog = page.getByRole('dialog', { name: 'Add project' })
  await dialog.getByLabel('Project folder path').fill(dir)
  await dialog.getByLabel('Name').fill('ACP demo')
  await dialog.getByRole('button', { name: 'Add project' }).click()
  const p = pane(page, 'ACP demo')

  await p.getByLabel('Agent').selectOption({ label: 'ACP agent' })
  // Shown once the agents were detected (the probe made when Settings saved is reused).
  await expect(p.getByText(/ACP agent runs this as/)).toContainText('default', { timeout: 30_000 })
  await send(p, 'please [[bash:echo hi]]')

  const card = p.getByRole('group', { name: /^Allow bash\?/ })
  await expect(card).toBeVisible({ timeout: 60_000 })
  await expect(status(p)).toHaveText(/Waiting for approval/)
  // ACP carries no reason: the box says so instead of swallowing what the user types.
  const reason = card.getByLabel('Reason for denying (optional)')
  await expect(reason).toBeDisabled()
  await expect(reason).toHaveAttribute('placeholder', 'This agent is not told a reason')
  await card.getByRole('button', { name: 'Allow once' }).click()
  await expect(p.getByText('DONE. Tool output was: hi')).toBeVisible({ timeout: 60_000 })
  await expect(status(p)).toHaveText(/Idle/)
  await expect(p.getByText(/^\$\d/)).toBeVisible()

  // Denied: the command does not run.
  await send(p, '[[bash:touch denied.txt]]')
  await expect(card).toBeVisible({ timeout: 60_000 })
  await card.getByRole('button', { name: 'Deny' }).click()
  await expect(card).toHaveCount(0)
  await expect(status(p)).toHaveText(/Idle/, { timeout: 60_000 })
  expect(existsSync(join(dir, 'denied.txt'))).toBe(false)

  // OpenCode's ACP modes are build and plan: "Never ask" has no match and is refused, with its modes.
  const mode = p.getByLabel('Permission mode')
  await expect(mode).toBeEnabled()
  await mode.selectOption('bypassPermissions')
  await expect(page.getByRole('group', { name: 'Could not switch the permission mode' })).toContainText('its modes: build, plan')
  await expect(mode).toHaveValue('default')

  // The model is one of the agent's own (OpenCode's `model` option) and switches live.
  await p.getByLabel('Model', { exact: true }).fill('fake/fake-model-2')
  await p.getByLabel('Model', { exact: true }).press('Enter')
  await expect(p.getByText('Model set to fake/fake-model-2.')).toBeVisible()
  await send(p, '[[model]]')
  await expect(p.getByText('MODEL: fake-model-2')).toBeVisible({ timeout: 60_000 })

  // The answer shows while it is written (ACP message chunks), and Esc (session/cancel) keeps what came.
  await send(p, '[[slow:20]]')
  const writing = p.getByRole('group', { name: 'The agent is writing' })
  await expect(writing).toContainText('tick2', { timeout: 30_000 })
  await p.getByLabel('Prompt', { exact: true }).press('Escape')
  await expect(status(p)).toHaveText(/Idle/, { timeout: 15_000 })
  await expect(writing).toHaveCount(0)
  await expect(p.locator('[data-kind="assistant"]').filter({ hasText: /tick0 tick1 tick2/ })).toHaveCount(1)
})
