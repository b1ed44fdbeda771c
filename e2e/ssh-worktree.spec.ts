/**
 * A session worktree for a project on an SSH host, through the UI (issue 17): a throw-away OpenSSH
 * server on 127.0.0.1 (test/support/sshd.ts), the account `shepherd-remote` as the host with real
 * git and the pinned Claude Code there. Add `shepherd-test:/…` (trust its key), start in an own
 * worktree (made on the host), the agent writes a file there, the Changes view shows it with its
 * diff, Commit and Merge put it on `main` on the host. Docs screenshots of the host's Changes view,
 * light and dark. Skips with the reason where sshd cannot run (not root).
 */
import { execFileSync } from 'node:child_process'
import { chownSync, existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import type { Locator, Page } from '@playwright/test'
import { expect, test as agentTest } from './agents'
import { openApp } from './fixtures'
import { pane, status } from './ui'
import { docsShotPath } from './docs-shots'
import { makeRepo } from '../test/support/git-repo'
import { REMOTE_USER, sshdSkipReason, startSshd, SSH_ALIAS, type TestSshd } from '../test/support/sshd'

const SCHEMES = ['light', 'dark'] as const
const skip = sshdSkipReason()

/** No toasts in the picture (dismissed before the Changes view covers them). */
async function dismissToasts(page: Page) {
  const close = page.getByRole('button', { name: 'Dismiss notification' })
  while ((await close.count()) > 0) await close.first().click()
}

/** No hover or caret in the picture. */
async function settle(page: Page) {
  await page.mouse.move(1279, 799)
  await page.evaluate('document.activeElement && document.activeElement.blur()')
}

/** Allow each command the agent asks for until the session is idle with a tool result. */
async function allowUntilIdle(p: Locator) {
  const deadline = Date.now() + 90_000
  while (Date.now() < deadline) {
    const allow = p.getByRole('button', { name: 'Allow once' })
    if (await allow.count())
      await allow
        .first()
        .click()
        .catch(() => {})
    if (/Idle/.test((await status(p).textContent()) ?? '') && (await p.locator('[data-kind="tool_result"]').count()) > 0) return
    await p.page().waitForTimeout(200)
  }
  throw new Error('the session did not finish')
}

const test = agentTest.extend<{ sshd: TestSshd }>({
  // eslint-disable-next-line no-empty-pattern -- Playwright reads the fixture's dependencies from this pattern
  sshd: async ({}, use) => {
    const s = await startSshd()
    await use(s)
    rmSync(path.join(s.remoteHome, '.shepherd-worktrees'), { recursive: true, force: true })
    await s.stop()
  },
  shepherdEnv: async ({ sandbox, sshd }, use) => {
    const claudeDir = sshd.remoteDir('e2e-wt-claude-config')
    const st = statSync(claudeDir)
    chownSync(claudeDir, st.uid, st.gid)
    await use({ ...sandbox.env, CLAUDE_CONFIG_DIR: claudeDir, SHEPHERD_SSH_CONFIG: sshd.configFile })
  }
})

test.skip(Boolean(skip), `SSH host e2e skipped: ${skip}`)

test('a worktree on the SSH host: the agent works there, Changes shows it, commit and merge run git there', async ({ page, shepherd, sshd }) => {
  test.setTimeout(240_000)
  // The host's git commits as its account's identity (a user's host has one).
  const cfg = path.join(sshd.remoteHome, '.gitconfig')
  const madeCfg = !existsSync(cfg)
  if (madeCfg) {
    writeFileSync(cfg, '[user]\n\tname = Remote Test\n\temail = remote@example.invalid\n')
    execFileSync('chown', [`${REMOTE_USER}:${REMOTE_USER}`, cfg])
  }
  try {
    const repo = makeRepo(path.join(sshd.remoteDir('e2e wt'), 'host app'), { 'app.txt': 'hello\n' })
    execFileSync('chown', ['-R', `${REMOTE_USER}:${REMOTE_USER}`, repo])
    await openApp(page, shepherd)
    await page.getByRole('button', { name: 'Add project', exact: true }).click()
    const dialog = page.getByRole('dialog', { name: 'Add project' })
    await dialog.getByLabel('Project folder path').fill(`${SSH_ALIAS}:${repo}`)
    await dialog.getByRole('button', { name: 'Check host' }).click()
    const check = dialog.getByRole('region', { name: 'Host check' })
    await expect(check).toContainText('Unknown host key', { timeout: 30_000 })
    await check.getByRole('button', { name: 'Trust this host key' }).click()
    await expect(check).toContainText(`${repo} — found`, { timeout: 30_000 })
    await dialog.getByRole('button', { name: 'Add project' }).click()
    await expect(dialog).toBeHidden({ timeout: 30_000 })

    const p = pane(page, 'host app')
    // The project is a repository on the host: "own worktree" is offered (git ran there to say so).
    await expect(p.getByTestId('own-worktree')).toBeChecked({ timeout: 30_000 })
    const box = p.getByLabel('Prompt', { exact: true })
    await box.fill(`Host work [[bash:printf 'from the host\\n' > host.txt]]`)
    await box.press('Enter')
    await expect(box).toHaveValue('', { timeout: 30_000 })
    await allowUntilIdle(p)
    const badge = p.getByTestId('changes-badge')
    await expect(badge).toHaveText(/1 file changed/, { timeout: 30_000 })
    expect(existsSync(path.join(repo, 'host.txt'))).toBe(false)
    await dismissToasts(page)
    await badge.click()
    const view = page.getByTestId('changes-view')
    await expect(view.getByTestId('changed-files')).toContainText('host.txt')
    await expect(view.getByTestId('file-diff')).toContainText('from the host')
    for (const colorScheme of SCHEMES) {
      await page.emulateMedia({ colorScheme })
      await settle(page)
      await page.screenshot({ path: docsShotPath(`ssh-changes-${colorScheme}.png`), animations: 'disabled' })
    }
    await view.getByRole('button', { name: 'Commit…' }).click()
    await view.getByRole('button', { name: 'Commit all changes' }).click()
    await expect(view.getByText(/uncommitted/)).toHaveCount(0)
    await view.getByRole('button', { name: 'Merge…' }).click()
    const merge = page.getByTestId('merge-dialog')
    await merge.getByLabel(/Merge commit/).check()
    await page.getByRole('button', { name: 'Merge', exact: true }).click()
    await expect(merge).toHaveCount(0)
    // On the host: main has the file, in its checkout too (fast-forwarded there by git on the host).
    await expect.poll(() => existsSync(path.join(repo, 'host.txt'))).toBe(true)
    expect(readFileSync(path.join(repo, 'host.txt'), 'utf8')).toBe('from the host\n')
    expect(statSync(path.join(repo, 'host.txt')).uid).toBe(statSync(repo).uid)
  } finally {
    if (madeCfg) rmSync(cfg, { force: true })
  }
})
