/**
 * Import and export through the UI without running an agent: a sandbox HOME holds transcripts the
 * pinned Claude Code and Codex wrote (src-main/import/fixtures, recorded by
 * test/integration/import-record.test.ts), placed where each CLI keeps them for the project folder.
 * Import both from the project's sidebar action, watch it finish, open the Codex one and export it.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import type { Page } from '@playwright/test'
import { expect, openApp, test as base } from './fixtures'
import { agentBinary } from './provider-sandboxes'

const FIX = resolve(__dirname, '../src-main/import/fixtures')
const DOCS = resolve(__dirname, '../docs')

interface Sandbox {
  root: string
  project: string
}

const walk = (x: string): string[] => readdirSync(x, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(x, e.name)) : [join(x, e.name)]))

const test = base.extend<{ sb: Sandbox }>({
  // eslint-disable-next-line no-empty-pattern -- Playwright reads the fixture's dependencies from this pattern
  sb: async ({}, use) => {
    const root = mkdtempSync(join(tmpdir(), 'shepherd-e2e-import-'))
    // A fixed folder (like e2e/screenshots.spec.ts) so the docs screenshots only change with the UI.
    const project = join(tmpdir(), 'shepherd-demo', 'legacy-app')
    mkdirSync(project, { recursive: true })
    const claudeDir = join(root, 'home', '.claude', 'projects', project.replace(/[^a-zA-Z0-9]/g, '-'))
    mkdirSync(claudeDir, { recursive: true })
    cpSync(join(FIX, 'claude'), claudeDir, { recursive: true })
    cpSync(join(FIX, 'codex'), join(root, 'home', '.codex', 'sessions'), { recursive: true })
    for (const f of walk(join(root, 'home'))) {
      writeFileSync(
        f,
        readFileSync(f, 'utf8').replaceAll('/tmp/shepherd-agent-MyNCzl/project', project).replaceAll('/tmp/shepherd-codex-E4gXxH/project', project)
      )
    }
    await use({ root, project })
    rmSync(root, { recursive: true, force: true })
  },
  // The host finds the CLIs' folders through HOME (no CLAUDE_CONFIG_DIR / CODEX_HOME: the defaults).
  shepherdEnv: async ({ sb }, use) => {
    // The pinned `claude` on PATH when installed, so the new-session form in the screenshots looks as a user's would.
    const bin = join(sb.root, 'bin')
    mkdirSync(bin)
    try {
      symlinkSync(agentBinary('claude'), join(bin, 'claude'))
    } catch {
      /* not installed: the form says so */
    }
    await use({ HOME: join(sb.root, 'home'), CLAUDE_CONFIG_DIR: '', CODEX_HOME: '', PATH: `${bin}:${process.env.PATH ?? ''}` })
  }
})

test.use({ viewport: { width: 1280, height: 800 } })

async function quiet(page: Page) {
  await page.mouse.move(1279, 799)
  await expect(page.getByRole('button', { name: 'Dismiss notification' })).toHaveCount(0, { timeout: 20_000 })
  await page.evaluate('document.activeElement && document.activeElement.blur()')
}

test("import both CLIs' sessions from the project menu, then export one in each format", async ({ page, shepherd, sb }) => {
  test.setTimeout(90_000)
  await openApp(page, shepherd)
  await page.getByRole('button', { name: 'Add project', exact: true }).click()
  const add = page.getByRole('dialog', { name: 'Add project' })
  await add.getByLabel('Project folder path').fill(sb.project)
  await add.getByRole('button', { name: 'Add project' }).click()
  const offer = page.getByRole('dialog', { name: 'Import existing sessions' })
  await expect(offer).toContainText('Found 1 Claude Code session and 1 Codex session for this folder — import?')
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme })
    await quiet(page)
    await page.screenshot({ path: join(DOCS, `import-${colorScheme}.png`), animations: 'disabled' })
  }
  await page.emulateMedia({ colorScheme: 'light' })
  await offer.getByRole('button', { name: 'Not now' }).click()
  await expect(offer).toBeHidden()

  // Later, from the project's actions in the sidebar.
  const nav = page.getByRole('navigation', { name: 'Projects' })
  await nav.getByRole('button', { name: 'legacy-app', exact: true }).hover()
  await nav.getByRole('button', { name: 'Import sessions into legacy-app' }).click()
  await offer.getByRole('button', { name: 'Import 2 sessions' }).click()
  const done = page.getByRole('dialog', { name: 'Import finished' })
  await expect(done).toContainText('2 new sessions')
  await expect(done.getByRole('progressbar', { name: 'Import progress' })).toHaveAttribute('aria-valuenow', '100')
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme })
    await quiet(page)
    await page.screenshot({ path: join(DOCS, `import-done-${colorScheme}.png`), animations: 'disabled' })
  }
  await page.emulateMedia({ colorScheme: 'light' })
  await done.getByRole('button', { name: 'Close' }).click()

  // Nothing new on a second look.
  await nav.getByRole('button', { name: 'legacy-app', exact: true }).hover()
  await nav.getByRole('button', { name: 'Import sessions into legacy-app' }).click()
  const again = page.getByRole('dialog', { name: 'Import existing sessions' })
  await expect(again).toContainText('No new Claude Code or Codex sessions for this folder.')
  await again.getByRole('button', { name: 'Close' }).click()

  // The Codex session: its command, output and reasoning are in the pane.
  const p = page.getByRole('region', { name: 'legacy-app', exact: true })
  await p.getByRole('button', { name: 'Sessions' }).click()
  const picker = page.getByRole('dialog', { name: 'Sessions in legacy-app' })
  await expect(picker.getByRole('button', { name: /^please \[\[bash:echo hello-import\]\]$/ })).toHaveCount(2)
  await picker
    .getByRole('button', { name: /^please \[\[bash:echo hello-import\]\]$/ })
    .first()
    .click()
  await expect(p.getByTitle('Agent', { exact: true })).toHaveText('Codex') // the newest of the two
  await expect(p.getByRole('button', { name: /echo hello-import/ })).toBeVisible()
  await expect(p.getByText('pondering the import', { exact: true })).toHaveCount(1)

  await p.getByRole('button', { name: 'Export session' }).click()
  await expect(page.getByRole('menu', { name: 'Export as' })).toBeVisible()
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme })
    await page.screenshot({ path: join(DOCS, `export-menu-${colorScheme}.png`), animations: 'disabled' })
  }
  await page.emulateMedia({ colorScheme: 'light' })
  const texts: Record<string, string> = {}
  for (const label of ['Markdown', 'JSON', 'HTML']) {
    if (!(await page.getByRole('menu', { name: 'Export as' }).isVisible())) await p.getByRole('button', { name: 'Export session' }).click()
    const download = page.waitForEvent('download')
    await page.getByRole('menuitem', { name: new RegExp(`^${label}`) }).click()
    texts[label] = readFileSync(await (await download).path(), 'utf8')
  }
  expect(texts.Markdown).toContain('**Tool call:')
  expect(texts.Markdown).toContain('hello-import')
  const doc = JSON.parse(texts.JSON!)
  expect(doc.version).toBe(1)
  expect(doc.messages.length).toBeGreaterThan(4)
  expect(texts.HTML).not.toMatch(/<script/i)
  expect(texts.HTML).toContain('hello-import')
})
