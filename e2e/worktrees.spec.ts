/**
 * Session worktrees through the UI with REAL agent CLIs (Claude Code, and Codex) against the fake
 * model server: the agent writes in its own worktree (never the main checkout), the Changes view
 * shows it, Commit and Merge put it on the base branch, Discard removes worktree and branch; two
 * sessions edit the same file in their own worktrees, the second merge conflicts and is refused
 * (nothing changed), then a rebase stops on the conflict and the agent resolves it from the
 * prefilled prompt, and that merge goes through. Also the docs screenshots of the Changes view and
 * the merge dialog, light and dark.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Locator, Page } from '@playwright/test'
import { apiClient, expect, providerTest } from './agents'
import { openApp } from './fixtures'

const DOCS = join(__dirname, '..', 'docs')
const GIT_ENV = {
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_AUTHOR_NAME: 'Test',
  GIT_AUTHOR_EMAIL: 'test@example.invalid',
  GIT_COMMITTER_NAME: 'Test',
  GIT_COMMITTER_EMAIL: 'test@example.invalid'
}
const test = providerTest.extend({
  // The host's git must not read the machine's git config; it commits as a test identity.
  shepherdEnv: async ({ agentSandbox }, use) => use({ ...agentSandbox.env, ...GIT_ENV })
})

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, env: { ...process.env, ...GIT_ENV }, encoding: 'utf8' })
}

function initRepo(dir: string) {
  git(dir, 'init', '-q', '-b', 'main')
  // The agent's own git (rebase --continue) runs with its sandboxed HOME: identity from the repo.
  git(dir, 'config', 'user.name', 'Agent')
  git(dir, 'config', 'user.email', 'agent@example.invalid')
  writeFileSync(join(dir, 'shared.txt'), 'base\n')
  writeFileSync(join(dir, 'app.js'), Array.from({ length: 30 }, (_, i) => `export const value${i} = ${i}\n`).join(''))
  git(dir, 'add', '-A')
  git(dir, 'commit', '-q', '-m', 'initial')
}

const pane = (page: Page, name: string) => page.getByRole('region', { name, exact: true })
const status = (p: Locator) => p.getByRole('status', { name: 'Session status' })

async function addProject(page: Page, path: string, name: string) {
  await page.getByRole('button', { name: 'Add project', exact: true }).click()
  const dialog = page.getByRole('dialog', { name: 'Add project' })
  await dialog.getByLabel('Project folder path').fill(path)
  await dialog.getByLabel('Name').fill(name)
  await dialog.getByRole('button', { name: 'Add project' }).click()
  await expect(dialog).toBeHidden()
}

/** Start a session in its own worktree, allowing each command it asks for, until it is idle. */
async function startInWorktree(p: Locator, agentName: string, prompt: string) {
  await expect(p.getByTestId('own-worktree')).toBeChecked({ timeout: 10_000 })
  await p.getByLabel('Agent').selectOption({ label: agentName })
  await p.getByLabel('Permissions').selectOption({ label: 'Accept edits, ask for commands' })
  const box = p.getByLabel('Prompt', { exact: true })
  await box.fill(prompt)
  await box.press('Enter')
  await expect(box).toHaveValue('', { timeout: 30_000 })
  await allowUntilIdle(p)
}

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
  throw new Error('the agent did not finish')
}

test.describe('Claude Code', () => {
  test.use({ agent: 'claude' })

  test('own worktree: changes view, commit, merge, conflict refused, rebase resolved by the agent, discard', async ({ page, shepherd, agentSandbox }) => {
    test.setTimeout(420_000)
    const repo = agentSandbox.projectDir
    initRepo(repo)
    await openApp(page, shepherd)
    await addProject(page, repo, 'Demo')
    const p = pane(page, 'Demo')

    // ---- session A writes two files in its worktree ------------------------------------------
    await startInWorktree(
      p,
      'Claude Code',
      `Session A [[bash:printf 'from A\\n' > shared.txt && printf 'notes\\n' > notes.txt && sed -i 's/value3 = 3/value3 = 33/' app.js]]`
    )
    const badge = p.getByTestId('changes-badge')
    await expect(badge).toHaveText(/3 files changed/, { timeout: 15_000 })
    // The main checkout is untouched.
    expect(readFileSync(join(repo, 'shared.txt'), 'utf8')).toBe('base\n')
    expect(existsSync(join(repo, 'notes.txt'))).toBe(false)
    const { api, close } = apiClient(shepherd)
    const [project] = await api.projects.list.query()
    const sessionA = (await api.sessions.list.query({ projectId: project!.id }))[0]!
    const wtA = (await api.worktrees.get.query({ sessionId: sessionA.id }))!
    expect(readFileSync(join(wtA.path, 'notes.txt'), 'utf8')).toBe('notes\n')
    expect(wtA.branch).toMatch(/^shepherd\/session-a-bash-printf-from-a-n-shared-txt-[0-9a-f]{6}$|^shepherd\/session-a/)

    // ---- session B edits the same file in its own worktree -----------------------------------
    await p.getByRole('button', { name: 'New session' }).click()
    // It also writes a 2,000-line file, whose diff is drawn windowed (BigDiff.svelte).
    await startInWorktree(p, 'Claude Code', `Session B [[bash:printf 'from B\\n' > shared.txt && seq 2000 | sed 's/.*/export const v& = &/' > big.js]]`)
    await expect(badge).toHaveText(/2 files changed/, { timeout: 15_000 })
    const sessionB = (await api.sessions.list.query({ projectId: project!.id })).find((s) => s.id !== sessionA.id)!
    const wtB = (await api.worktrees.get.query({ sessionId: sessionB.id }))!
    expect(readFileSync(join(wtB.path, 'shared.txt'), 'utf8')).toBe('from B\n')
    expect(readFileSync(join(wtA.path, 'shared.txt'), 'utf8')).toBe('from A\n')

    // ---- B: commit and merge -------------------------------------------------------------------
    await badge.click()
    const view = page.getByTestId('changes-view')
    await expect(view.getByTestId('changed-files')).toContainText('shared.txt')
    // The big file: only the rows in view are in the DOM, with line numbers, +, and syntax colours.
    await view.getByRole('button', { name: /big\.js/ }).click()
    const bigDiff = view.getByTestId('file-diff').locator('[data-lines]')
    await expect(bigDiff).toHaveAttribute('data-lines', '2001')
    await expect(view.getByTestId('file-diff')).toContainText('export const v1 = 1')
    await expect(view.locator('.d2h-ins .hljs .hljs-keyword').first()).toHaveText('export')
    expect(await view.locator('.d2h-diff-tbody tr').count()).toBeLessThan(300)
    // Every row is exactly the height the window arithmetic assumes (BigDiff's ROW_PX).
    const heights = await view.locator('.d2h-diff-tbody tr').evaluateAll((rows) => rows.slice(0, 30).map((r) => r.getBoundingClientRect().height))
    expect(new Set(heights)).toEqual(new Set([18]))
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme })
      await page.waitForTimeout(200)
      await page.screenshot({ path: join(DOCS, `changes-big-${colorScheme}.png`), animations: 'disabled' })
    }
    await page.emulateMedia({ colorScheme: 'light' })
    await view.locator('.diff-pane').evaluate((el) => (el.scrollTop = 18 * 1500))
    await expect(view.getByTestId('file-diff')).toContainText('export const v1500 = 1500')
    await expect(view.locator('.line-num2', { hasText: /^1$/ })).toHaveCount(0)
    await view.getByRole('button', { name: /shared\.txt/ }).click()
    await expect(view.getByTestId('file-diff')).toContainText('from B')
    await view.getByRole('button', { name: 'Commit…' }).click()
    await expect(view.getByLabel('Commit message')).toHaveValue(/^Session B/)
    await view.getByRole('button', { name: 'Commit all changes' }).click()
    await expect(view.getByText(/uncommitted/)).toHaveCount(0)
    await view.getByRole('button', { name: 'Merge…' }).click()
    const merge = page.getByTestId('merge-dialog')
    await merge.getByLabel(/Merge commit/).check()
    await page.getByRole('button', { name: 'Merge', exact: true }).click()
    await expect(merge).toHaveCount(0)
    expect(git(repo, 'show', 'main:shared.txt')).toBe('from B\n')
    expect(readFileSync(join(repo, 'shared.txt'), 'utf8')).toBe('from B\n')
    await page.keyboard.press('Escape')
    await expect(view).toHaveCount(0)

    // ---- A: the merge conflicts and is refused, changing nothing -------------------------------
    await p.getByRole('button', { name: 'Sessions' }).click()
    await p
      .getByRole('list', { name: 'Session history' })
      .getByRole('button', { name: /^Session A/ })
      .first()
      .click()
    await expect(badge).toHaveText(/3 files changed/, { timeout: 15_000 })
    await badge.click()
    await expect(view.getByTestId('changed-files')).toContainText('notes.txt')
    await view.getByRole('button', { name: /notes\.txt/ }).click()
    await expect(view.getByTestId('file-diff')).toContainText('notes')
    await view.getByRole('button', { name: /app\.js/ }).click()
    await expect(view.getByTestId('file-diff')).toContainText('value3 = 33')
    await view.getByRole('button', { name: 'Side by side' }).click()
    await expect(view.locator('.d2h-files-diff')).toBeVisible()
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme })
      await page.waitForTimeout(200)
      await page.screenshot({ path: join(DOCS, `changes-${colorScheme}.png`), animations: 'disabled' })
    }
    await page.emulateMedia({ colorScheme: 'light' })
    await view.getByRole('button', { name: 'Unified' }).click()
    await view.getByRole('button', { name: 'Commit…' }).click()
    await view.getByRole('button', { name: 'Commit all changes' }).click()
    await expect(view.getByText(/uncommitted/)).toHaveCount(0)
    const mainBefore = git(repo, 'rev-parse', 'main')
    await view.getByRole('button', { name: 'Merge…' }).click()
    await page.getByRole('button', { name: 'Merge', exact: true }).click()
    const refused = merge.getByTestId('merge-refused')
    await expect(refused).toContainText('would conflict')
    await expect(refused).toContainText('shared.txt')
    expect(git(repo, 'rev-parse', 'main')).toBe(mainBefore)
    expect(git(repo, 'status', '--porcelain')).toBe('')
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme })
      await page.waitForTimeout(200)
      await page.screenshot({ path: join(DOCS, `merge-${colorScheme}.png`), animations: 'disabled' })
    }
    await page.emulateMedia({ colorScheme: 'light' })

    // ---- rebase: stops on the conflict; the agent resolves it from the prefilled prompt ---------
    await page.getByRole('button', { name: 'Rebase onto main' }).click()
    const prompt = merge.getByLabel('Ask the agent to resolve them')
    await expect(prompt).toHaveValue(/conflicts in:\n- shared\.txt/)
    await prompt.fill(
      `${await prompt.inputValue()}\n[[bash:printf 'from A and B\\n' > shared.txt && git add shared.txt && git -c core.editor=true rebase --continue]]`
    )
    await page.getByRole('button', { name: 'Send to the agent' }).click()
    await expect(merge).toHaveCount(0)
    await page.keyboard.press('Escape')
    await expect(view).toHaveCount(0)
    await expect(status(p)).toHaveText(/Running|Waiting/, { timeout: 30_000 })
    await allowUntilIdle(p)
    await expect.poll(() => git(wtA.path, 'status', '--porcelain=v1').trim(), { timeout: 20_000 }).toBe('')
    expect(readFileSync(join(wtA.path, 'shared.txt'), 'utf8')).toBe('from A and B\n')
    await badge.click()
    await view.getByRole('button', { name: 'Merge…' }).click()
    await merge.getByLabel(/Squash/).check()
    await page.getByRole('button', { name: 'Squash and merge' }).click()
    await expect(merge).toHaveCount(0)
    expect(git(repo, 'show', 'main:shared.txt')).toBe('from A and B\n')
    expect(git(repo, 'show', 'main:notes.txt')).toBe('notes\n')
    expect((await api.worktrees.setup.query({ projectId: project!.id })).mergeMode).toBe('squash')

    // ---- discard: nothing is lost (merged); worktree and branch are removed ------------------
    await page.keyboard.press('Escape')
    await expect(view).toHaveCount(0)
    await p.getByRole('button', { name: 'Stop' }).click()
    await expect(status(p)).toHaveText(/Interrupted|Done/, { timeout: 15_000 })
    await badge.click()
    await view.getByRole('button', { name: 'Discard…' }).click()
    const discard = page.getByTestId('discard-dialog')
    await expect(discard).toContainText('Nothing is lost')
    await page.getByRole('button', { name: 'Discard worktree and branch' }).click()
    await expect(view).toHaveCount(0)
    expect(existsSync(wtA.path)).toBe(false)
    expect(git(repo, 'branch', '--list', wtA.branch)).toBe('')
    close()
  })
})

test.describe('Codex', () => {
  test.use({ agent: 'codex' })

  test('own worktree: the agent writes there, Changes shows it, Merge puts it on main, Discard removes worktree and branch', async ({
    page,
    shepherd,
    agentSandbox
  }) => {
    test.setTimeout(180_000)
    const repo = agentSandbox.projectDir
    initRepo(repo)
    await openApp(page, shepherd)
    await addProject(page, repo, 'Demo')
    const p = pane(page, 'Demo')
    await startInWorktree(p, 'Codex', `Add a file [[bash:printf 'by codex\\n' > codex.txt]]`)
    const badge = p.getByTestId('changes-badge')
    await expect(badge).toHaveText(/1 file changed/, { timeout: 15_000 })
    expect(existsSync(join(repo, 'codex.txt'))).toBe(false)
    await badge.click()
    const view = page.getByTestId('changes-view')
    await expect(view.getByTestId('file-diff')).toContainText('by codex')
    await view.getByRole('button', { name: 'Commit…' }).click()
    await view.getByRole('button', { name: 'Commit all changes' }).click()
    await expect(view.getByText(/uncommitted/)).toHaveCount(0)
    await view.getByRole('button', { name: 'Merge…' }).click()
    await page.getByRole('button', { name: /^(Merge|Squash and merge)$/ }).click()
    await expect(page.getByTestId('merge-dialog')).toHaveCount(0)
    expect(git(repo, 'show', 'main:codex.txt')).toBe('by codex\n')
    const { api, close } = apiClient(shepherd)
    const [project] = await api.projects.list.query()
    const [s] = await api.sessions.list.query({ projectId: project!.id })
    const wt = (await api.worktrees.get.query({ sessionId: s!.id }))!
    close()
    await page.keyboard.press('Escape')
    await expect(view).toHaveCount(0)
    await p.getByRole('button', { name: 'Stop' }).click()
    await expect(status(p)).toHaveText(/Interrupted|Done/, { timeout: 15_000 })
    await badge.click()
    await view.getByRole('button', { name: 'Discard…' }).click()
    await page.getByRole('button', { name: 'Discard worktree and branch' }).click()
    await expect(view).toHaveCount(0)
    expect(existsSync(wt.path)).toBe(false)
    expect(git(repo, 'branch', '--list', wt.branch)).toBe('')
  })
})
