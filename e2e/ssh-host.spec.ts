/**
 * A project on an SSH host through the UI (issue 17): a throw-away OpenSSH server on 127.0.0.1
 * (test/support/sshd.ts) whose account `shepherd-remote` plays the host, with the pinned Claude
 * Code on its PATH. Add project with `shepherd-test:/path` → Check host → the unknown host key is
 * shown and trusted → the check lists the CLIs → Add; then one Claude turn runs on the host; the
 * sidebar shows the host connected. Skips with the reason where sshd cannot run (not root).
 */
import { chownSync, readFileSync, statSync } from 'node:fs'
import { expect, test as agentTest } from './agents'
import { openApp } from './fixtures'
import { pane, startSession } from './ui'
import { docsShotPath } from './docs-shots'
import type { Page } from '@playwright/test'
import { sshdSkipReason, startSshd, SSH_ALIAS, type TestSshd } from '../test/support/sshd'

const SCHEMES = ['light', 'dark'] as const
const skip = sshdSkipReason()

/** No hover, caret or toasts in the picture (as e2e/screenshots.spec.ts). */
async function settle(page: Page) {
  await page.mouse.move(1279, 799)
  const close = page.getByRole('button', { name: 'Dismiss notification' })
  while ((await close.count()) > 0) await close.first().click()
  await page.evaluate('document.activeElement && document.activeElement.blur()')
}

const test = agentTest.extend<{ sshd: TestSshd }>({
  // eslint-disable-next-line no-empty-pattern -- Playwright reads the fixture's dependencies from this pattern
  sshd: async ({}, use) => {
    const s = await startSshd()
    await use(s)
    await s.stop()
  },
  shepherdEnv: async ({ sandbox, sshd }, use) => {
    // Claude's config dir must be on the host, owned by its account; ssh reads the test's config file.
    const claudeDir = sshd.remoteDir('e2e-claude-config')
    const st = statSync(claudeDir)
    chownSync(claudeDir, st.uid, st.gid)
    await use({ ...sandbox.env, CLAUDE_CONFIG_DIR: claudeDir, SHEPHERD_SSH_CONFIG: sshd.configFile })
  }
})

test.skip(Boolean(skip), `SSH host e2e skipped: ${skip}`)

test('add a project on an SSH host (trust its key, see the check) and run one Claude turn there', async ({ page, shepherd, sshd }) => {
  test.setTimeout(120_000)
  const dir = sshd.remoteDir('e2e app')
  await openApp(page, shepherd)
  await page.getByRole('button', { name: 'Add project', exact: true }).click()
  const dialog = page.getByRole('dialog', { name: 'Add project' })
  await dialog.getByLabel('Project folder path').fill(`${SSH_ALIAS}:${dir}`)
  await dialog.getByRole('button', { name: 'Check host' }).click()
  // The host key is unknown: shown, never trusted silently.
  const check = dialog.getByRole('region', { name: 'Host check' })
  await expect(check).toContainText('Unknown host key', { timeout: 30_000 })
  await expect(check).toContainText('SHA256:')
  for (const colorScheme of SCHEMES) {
    await page.emulateMedia({ colorScheme })
    await settle(page)
    await page.screenshot({ path: docsShotPath(`ssh-host-key-${colorScheme}.png`), animations: 'disabled' })
  }
  await check.getByRole('button', { name: 'Trust this host key' }).click()
  await expect(check).toContainText('Claude Code', { timeout: 30_000 })
  // The version pinned in test/agents (what the host's linked CLI reports).
  const pins = JSON.parse(readFileSync('test/agents/package.json', 'utf8')) as { dependencies: Record<string, string> }
  await expect(check).toContainText(String(pins.dependencies['@anthropic-ai/claude-code']))
  await expect(check).toContainText(`${dir} — found`)
  for (const colorScheme of SCHEMES) {
    await page.emulateMedia({ colorScheme })
    await settle(page)
    await page.screenshot({ path: docsShotPath(`ssh-host-check-${colorScheme}.png`), animations: 'disabled' })
  }
  await dialog.getByRole('button', { name: 'Add project' }).click()
  await expect(dialog).toBeHidden({ timeout: 30_000 })

  const p = pane(page, 'e2e app')
  await startSession(p, 'hello [[text:Hello from the SSH host]]')
  await expect(p.getByText('Hello from the SSH host', { exact: true })).toBeVisible({ timeout: 60_000 })
  const hosts = page.getByRole('region', { name: 'SSH hosts' })
  await expect(hosts).toContainText(SSH_ALIAS)
  await expect(hosts).toContainText('connected')
  for (const colorScheme of SCHEMES) {
    await page.emulateMedia({ colorScheme })
    await settle(page)
    await page.screenshot({ path: docsShotPath(`ssh-host-session-${colorScheme}.png`), animations: 'disabled' })
  }
})
