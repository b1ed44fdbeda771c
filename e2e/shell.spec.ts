/**
 * The app shell against the web host: first run, projects (add / rename / remove / validation /
 * persistence / live updates), the access token, settings and reconnecting.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Page } from '@playwright/test'
import WebSocket from 'ws'
import { expect, openApp, test } from './fixtures'
import { addProject } from './ui'

let scratch: string

test.beforeEach(() => {
  scratch = mkdtempSync(join(tmpdir(), 'shepherd-projects-'))
})
test.afterEach(() => {
  rmSync(scratch, { recursive: true, force: true })
})

function makeFolder(name: string): string {
  const dir = join(scratch, name)
  mkdirSync(dir, { recursive: true })
  return dir
}

function projectButton(page: Page, name: string) {
  return page.getByRole('navigation', { name: 'Projects' }).getByRole('button', { name, exact: true })
}

test('first run shows what Shepherd does and how to start', async ({ page, shepherd }) => {
  await openApp(page, shepherd)
  await expect(page.getByRole('heading', { name: 'Supervise your coding agents' })).toBeVisible()
  await expect(page.getByRole('heading', { name: 'Add a project folder' })).toBeVisible()
  await expect(page.getByRole('heading', { name: 'Start an agent' })).toBeVisible()
  await page.getByRole('button', { name: 'Add your first project' }).click()
  await expect(page.getByRole('dialog', { name: 'Add project' })).toBeVisible()
  await expect(page.getByLabel('Project folder path')).toBeFocused()
  await page.keyboard.press('Escape')
  await expect(page.getByRole('dialog')).toHaveCount(0)
})

test('adds, renames and removes a project', async ({ page, shepherd }) => {
  const folder = makeFolder('acme-web')
  await openApp(page, shepherd)

  await addProject(page, folder)
  await expect(projectButton(page, 'acme-web')).toHaveAttribute('aria-current', 'page')
  await expect(projectButton(page, 'acme-web')).toHaveAccessibleDescription(new RegExp(folder.replace(/[/\\.]/g, '\\$&')))
  const pane = page.getByRole('region', { name: 'acme-web' })
  await expect(pane.getByRole('heading', { name: 'acme-web' })).toBeVisible()
  await expect(pane.getByText(folder)).toBeVisible()
  await expect(pane.getByText('No sessions yet')).toBeVisible()
  await expect(page.getByRole('status').filter({ hasText: 'Added acme-web' })).toBeVisible()

  // Rename inline: Enter saves.
  await page.getByRole('button', { name: 'Rename project acme-web' }).click()
  const field = page.getByRole('textbox', { name: 'Rename project' })
  await expect(field).toBeFocused()
  await field.fill('Acme Web')
  await field.press('Enter')
  await expect(projectButton(page, 'Acme Web')).toBeVisible()
  await expect(page.getByRole('heading', { name: 'Acme Web' })).toBeVisible()

  // Escape cancels a rename.
  await page.getByRole('button', { name: 'Rename project Acme Web' }).click()
  await page.getByRole('textbox', { name: 'Rename project' }).fill('Something else')
  await page.getByRole('textbox', { name: 'Rename project' }).press('Escape')
  await expect(projectButton(page, 'Acme Web')).toBeVisible()

  // An empty name is refused inline.
  await page.getByRole('button', { name: 'Rename project Acme Web' }).click()
  await page.getByRole('textbox', { name: 'Rename project' }).fill('   ')
  await page.getByRole('textbox', { name: 'Rename project' }).press('Enter')
  await expect(page.getByRole('textbox', { name: 'Rename project' })).toHaveAccessibleDescription('A project name cannot be empty.')
  await page.getByRole('textbox', { name: 'Rename project' }).press('Escape')

  // Remove: the confirmation says what is deleted and what is not; Cancel keeps it.
  await page.getByRole('button', { name: 'Remove project Acme Web' }).click()
  const confirm = page.getByRole('dialog', { name: 'Remove “Acme Web”?' })
  await expect(confirm).toContainText('sessions and transcripts will be deleted from Shepherd')
  await expect(confirm).toContainText('stay untouched on disk')
  await expect(confirm).toContainText(folder)
  await confirm.getByRole('button', { name: 'Cancel' }).click()
  await expect(projectButton(page, 'Acme Web')).toBeVisible()

  await page.getByRole('button', { name: 'Remove project Acme Web' }).click()
  await page.getByRole('dialog', { name: 'Remove “Acme Web”?' }).getByRole('button', { name: 'Remove project' }).click()
  await expect(projectButton(page, 'Acme Web')).toHaveCount(0)
  await expect(page.getByRole('heading', { name: 'Supervise your coding agents' })).toBeVisible()
  expect(existsSync(folder)).toBe(true)
})

test('bad folder paths get a clear inline error', async ({ page, shepherd }) => {
  const folder = makeFolder('api')
  const file = join(scratch, 'notes.txt')
  writeFileSync(file, 'hello')
  await openApp(page, shepherd)
  await addProject(page, folder)

  await page.getByRole('button', { name: 'Add project', exact: true }).click()
  const dialog = page.getByRole('dialog', { name: 'Add project' })
  const path = dialog.getByLabel('Project folder path')
  const submit = dialog.getByRole('button', { name: 'Add project' })

  const cases: [string, RegExp][] = [
    ['', /Enter the folder path of your project/],
    [join(scratch, 'does-not-exist'), /No folder exists at .*does-not-exist/],
    ['relative/path', /"relative\/path" is not an absolute path/],
    [file, /notes\.txt is a file, not a folder/],
    [folder, /is already a project/]
  ]
  for (const [value, message] of cases) {
    await path.fill(value)
    await submit.click()
    await expect(path).toHaveAttribute('aria-invalid', 'true')
    await expect(path).toHaveAccessibleDescription(message)
    await expect(dialog.getByRole('alert')).toHaveText(message)
    await expect(path).toBeFocused()
  }
  // Typing clears the error.
  await path.fill(makeFolder('web'))
  await expect(path).not.toHaveAttribute('aria-invalid', 'true')
  await submit.click()
  await expect(dialog).toBeHidden()
  await expect(projectButton(page, 'web')).toBeVisible()
})

test('projects survive a reload and a host restart', async ({ page, shepherd }) => {
  await openApp(page, shepherd)
  await addProject(page, makeFolder('one'))
  await addProject(page, makeFolder('two'), 'Second project')
  await projectButton(page, 'one').click()

  await page.reload()
  await expect(projectButton(page, 'one')).toBeVisible()
  await expect(projectButton(page, 'Second project')).toBeVisible()
  // The selection is remembered too.
  await expect(projectButton(page, 'one')).toHaveAttribute('aria-current', 'page')

  await shepherd.restart()
  await openApp(page, shepherd)
  await expect(page.getByRole('navigation', { name: 'Projects' }).getByRole('listitem')).toHaveCount(2)
  await expect(projectButton(page, 'Second project')).toBeVisible()
})

test('a damaged database is moved aside, the app starts with a fresh one and says so (DB-5)', async ({ page, shepherd }) => {
  await openApp(page, shepherd)
  await addProject(page, makeFolder('lost'))
  await shepherd.stop()
  const db = join(shepherd.dataDir, 'shepherd.db')
  writeFileSync(db, Buffer.alloc(32_768, 0x5a))
  await shepherd.restart()
  await openApp(page, shepherd)
  const banner = page.getByRole('alert').filter({ hasText: 'database was damaged' })
  await expect(banner).toBeVisible()
  await expect(banner).toContainText('a new, empty database')
  const moved = readdirSync(shepherd.dataDir).filter((n) => /^shepherd\.db\.corrupt-/.test(n) && !/-(wal|shm)$/.test(n))
  expect(moved).toHaveLength(1)
  await expect(banner).toContainText(moved[0]!)
  // The app works on the fresh database.
  await addProject(page, makeFolder('fresh'))
  await expect(projectButton(page, 'fresh')).toBeVisible()
  // Dismissed once, gone for good (also after a reload).
  await banner.getByRole('button', { name: 'Dismiss' }).click()
  await expect(banner).toHaveCount(0)
  await page.reload()
  await expect(projectButton(page, 'fresh')).toBeVisible()
  await expect(page.getByRole('alert').filter({ hasText: 'database was damaged' })).toHaveCount(0)
})

test('changes made in another window appear live', async ({ page, context, shepherd }) => {
  await openApp(page, shepherd)
  const other = await context.newPage()
  await openApp(other, shepherd)

  await addProject(other, makeFolder('shared'))
  await expect(projectButton(page, 'shared')).toBeVisible()

  await other.getByRole('button', { name: 'Rename project shared' }).click()
  await other.getByRole('textbox', { name: 'Rename project' }).fill('Shared repo')
  await other.getByRole('textbox', { name: 'Rename project' }).press('Enter')
  await expect(projectButton(page, 'Shared repo')).toBeVisible()

  await other.getByRole('button', { name: 'Remove project Shared repo' }).click()
  await other.getByRole('button', { name: 'Remove project', exact: true }).click()
  await expect(projectButton(page, 'Shared repo')).toHaveCount(0)
  await expect(page.getByRole('heading', { name: 'Supervise your coding agents' })).toBeVisible()
})

test('the API refuses connections without the token; static files hold no credential', async ({ shepherd }) => {
  // Static files are public (no data in them) and never set a cookie.
  const index = await fetch(`${shepherd.origin}/`)
  expect(index.status).toBe(200)
  expect(index.headers.get('set-cookie')).toBeNull()
  expect(await index.text()).not.toContain(shepherd.token)

  const wsUrl = shepherd.origin.replace(/^http/, 'ws') + '/'
  const closedWith = (url: string, token: string | null) =>
    new Promise<number>((resolve, reject) => {
      const ws = new WebSocket(url)
      ws.on('open', () => {
        if (token !== null) ws.send(JSON.stringify({ method: 'connectionParams', data: { token } }))
        ws.send(JSON.stringify({ id: 1, method: 'query', params: { path: 'app.info' } }))
      })
      ws.on('message', (d) => {
        if (String(d).includes('"result"')) reject(new Error(`a procedure ran: ${String(d).slice(0, 200)}`))
      })
      ws.on('close', (code) => resolve(code))
      ws.on('error', () => {})
    })
  expect(await closedWith(wsUrl, null)).toBe(4401)
  expect(await closedWith(`${wsUrl}?connectionParams=1`, '0'.repeat(shepherd.token.length))).toBe(4401)
  // The old way (token in the query) is not accepted any more.
  expect(await closedWith(`${wsUrl}?token=${shepherd.token}`, null)).toBe(4401)

  // Control: the token in the connection params is accepted and the procedure runs.
  const answer = await new Promise<string>((resolve, reject) => {
    const ws = new WebSocket(`${wsUrl}?connectionParams=1`)
    ws.on('open', () => {
      ws.send(JSON.stringify({ method: 'connectionParams', data: { token: shepherd.token } }))
      ws.send(JSON.stringify({ id: 1, method: 'query', params: { path: 'app.info' } }))
    })
    ws.on('message', (d) => {
      ws.close()
      resolve(String(d))
    })
    ws.on('close', (code) => reject(new Error(`closed with ${code}`)))
  })
  expect(answer).toContain('"host":"web"')
})

test('Ctrl+O focuses "Add project"', async ({ page, shepherd }) => {
  await openApp(page, shepherd)
  await page.getByRole('heading', { name: 'Supervise your coding agents' }).click()
  await page.keyboard.press('Control+O')
  await expect(page.getByRole('button', { name: 'Add project', exact: true })).toBeFocused()
  await page.keyboard.press('Enter')
  await expect(page.getByRole('dialog', { name: 'Add project' })).toBeVisible()
})

test.describe('settings', () => {
  async function openSettings(page: Page) {
    await page.getByRole('button', { name: 'Settings', exact: true }).click()
    await expect(page.getByRole('heading', { name: 'Settings', level: 1 })).toBeVisible()
    await expect(page.getByLabel('Stall warning after (minutes)')).toBeVisible()
  }

  test('a saved value is kept after a reload', async ({ page, shepherd }) => {
    await openApp(page, shepherd)
    await openSettings(page)
    await expect(page.getByLabel('Stall warning after (minutes)')).toHaveValue('15')
    await page.getByLabel('Stall warning after (minutes)').fill('2.5')
    await page.getByLabel('Sessions kept per project').fill('12')
    await page.getByLabel('Extra environment variables').fill('HTTPS_PROXY=http://proxy.local:3128')
    await page.getByRole('switch', { name: 'An agent stalls' }).uncheck()
    await page.getByRole('group', { name: 'Claude Code' }).getByLabel('Model').fill('claude-sonnet-4-5')
    await expect(page.getByText('You have unsaved changes.')).toBeVisible()
    await page.getByRole('button', { name: 'Save settings' }).click()
    await expect(page.getByRole('status').filter({ hasText: 'Settings saved' })).toBeVisible()
    await expect(page.getByText('All changes saved.')).toBeVisible()

    await page.reload()
    await openSettings(page)
    await expect(page.getByLabel('Stall warning after (minutes)')).toHaveValue('2.5')
    await expect(page.getByLabel('Sessions kept per project')).toHaveValue('12')
    await expect(page.getByLabel('Extra environment variables')).toHaveValue('HTTPS_PROXY=http://proxy.local:3128')
    await expect(page.getByRole('switch', { name: 'An agent stalls' })).not.toBeChecked()
    await expect(page.getByRole('switch', { name: 'An agent finishes' })).toBeChecked()
    await expect(page.getByRole('group', { name: 'Claude Code' }).getByLabel('Model')).toHaveValue('claude-sonnet-4-5')
  })

  test('a reserved extra env key gets an inline error and nothing is saved', async ({ page, shepherd }) => {
    await openApp(page, shepherd)
    await openSettings(page)
    const env = page.getByLabel('Extra environment variables')
    await env.fill('FOO=1\nANTHROPIC_API_KEY=x')
    await page.getByRole('button', { name: 'Save settings' }).click()
    await expect(env).toHaveAttribute('aria-invalid', 'true')
    await expect(env).toHaveAccessibleDescription(/ANTHROPIC_API_KEY cannot be set here: agent settings and API keys are managed by Shepherd/)
    await expect(page.getByRole('alert').filter({ hasText: 'ANTHROPIC_API_KEY' }).first()).toBeVisible()
    await expect(env).toBeFocused()

    await page.reload()
    await openSettings(page)
    await expect(page.getByLabel('Extra environment variables')).toHaveValue('')
  })

  test('out-of-range numbers are explained before saving', async ({ page, shepherd }) => {
    await openApp(page, shepherd)
    await openSettings(page)
    const stall = page.getByLabel('Stall warning after (minutes)')
    await stall.fill('0.2')
    await page.getByLabel('Remove sessions older than (days)').fill('400')
    await page.getByRole('button', { name: 'Save settings' }).click()
    await expect(stall).toHaveAttribute('aria-invalid', 'true')
    await expect(stall).toHaveAccessibleDescription(/at least 0\.5 minutes/)
    await expect(page.getByLabel('Remove sessions older than (days)')).toHaveAccessibleDescription(/Between 1 and 365 days/)
    await expect(stall).toBeFocused()
    await expect(page.getByLabel('Extra environment variables')).not.toHaveAttribute('aria-invalid', 'true')
  })

  test('the theme can be forced and is remembered', async ({ page, shepherd }) => {
    await page.emulateMedia({ colorScheme: 'light' })
    await openApp(page, shepherd)
    const html = page.locator('html')
    const LIGHT_BG = 'rgb(255, 255, 255)'
    await expect(html).toHaveCSS('background-color', LIGHT_BG)
    await openSettings(page)
    await page.getByRole('radiogroup', { name: 'Theme' }).getByRole('radio', { name: 'Dark' }).check()
    await expect(html).toHaveAttribute('data-theme', 'dark')
    await expect(html).not.toHaveCSS('background-color', LIGHT_BG)
    await page.reload()
    await expect(html).toHaveAttribute('data-theme', 'dark')
    await expect(html).not.toHaveCSS('background-color', LIGHT_BG)
    await openSettings(page)
    await page.getByRole('radio', { name: 'Match system' }).check()
    await expect(html).not.toHaveAttribute('data-theme', /.+/)
    await expect(html).toHaveCSS('background-color', LIGHT_BG)
  })

  test('lists the agent CLIs it looked for', async ({ page, shepherd }) => {
    await openApp(page, shepherd)
    await openSettings(page)
    const list = page.getByRole('list', { name: 'Installed agent CLIs' })
    await expect(list.getByRole('listitem').first()).toContainText('Claude Code')
    await expect(list.getByRole('listitem').first()).toContainText(/Found|Not found/)
    await page.getByRole('button', { name: 'Back to projects' }).click()
    await expect(page.getByRole('heading', { name: 'Supervise your coding agents' })).toBeVisible()
  })

  test('shows the controls × agents table and each agent’s permission modes; a missing agent cannot be the default', async ({ page, shepherd }) => {
    // The agent CLIs are not on this host's PATH: every agent is "Not found" here.
    await openApp(page, shepherd)
    await openSettings(page)
    const table = page.getByRole('table', { name: 'What each agent supports' })
    await expect(table.getByRole('columnheader')).toHaveText(['Control', 'Claude Code', 'Codex', 'OpenCode', 'ACP agent'])
    const cost = table.getByRole('row', { name: /^Cost in USD/ })
    await expect(cost.getByRole('cell')).toHaveText([/^✓ Yes :/, /^✕ No :/, /^✓ Yes :/, /^\? Depends :/])
    await expect(cost.getByRole('cell').nth(1)).toHaveAttribute('title', /tokens only.*cost n\/a/)
    const reason = table.getByRole('row', { name: /^Deny with a reason/ })
    // OpenCode: partly (2.x over ACP cannot carry a reason; 1.x can).
    await expect(reason.getByRole('cell')).toHaveText([/^✓ Yes :/, /^◐ Partly :/, /^◐ Partly :/, /^✕ No :/])

    // The notes of one agent in full.
    await page.getByLabel('Details for', { exact: true }).selectOption({ label: 'Codex' })
    const notes = page.getByRole('definition').filter({ hasText: 'turn/start' })
    await expect(notes.first()).toBeVisible()
    await expect(notes.first().locator('code').first()).toHaveText('turn/start')

    const modes = page.getByRole('table', { name: 'Permission modes in each agent’s terms' })
    const ask = modes.getByRole('row', { name: /^Ask before edits and commands/ })
    await expect(ask.getByRole('cell').nth(1)).toContainText('approval: untrusted · sandbox: workspace-write')
    await expect(ask.getByRole('cell').nth(2)).toContainText('edit: ask · bash: ask')
    // The chosen mode's mapping sits under each agent's own mode setting.
    const codex = page.getByRole('group', { name: 'Codex' })
    await codex.getByLabel('Permission mode').selectOption('plan')
    await expect(codex.getByText('approval: untrusted · sandbox: read-only')).toBeVisible()

    const defaultAgent = page.getByLabel('Default agent')
    await expect(defaultAgent.getByRole('option', { name: 'Codex (not installed)' })).toBeDisabled()
    await expect(defaultAgent.getByRole('option', { name: /^Claude Code/ })).toBeEnabled()
  })
})

test.describe('connection', () => {
  // A fixed port, so after a restart the page's address is still valid (the token is kept in the data dir).
  test.use({
    // eslint-disable-next-line no-empty-pattern -- Playwright reads the fixture's dependencies from this pattern
    shepherdEnv: async ({}, use) => {
      const port = await new Promise<number>((resolve) => {
        const srv = createServer()
        srv.listen(0, '127.0.0.1', () => {
          const p = (srv.address() as { port: number }).port
          srv.close(() => resolve(p))
        })
      })
      await use({ PORT: String(port) })
    }
  })

  test('shows "Reconnecting…" while the host is down, then recovers and resyncs', async ({ page, shepherd }) => {
    await openApp(page, shepherd)
    await expect(page.getByText('Reconnecting…')).toHaveCount(0)

    await shepherd.stop()
    await expect(page.getByRole('status').filter({ hasText: 'Reconnecting…' })).toBeVisible()

    // While the page was away, a project was added (here: by another client after the restart).
    await shepherd.restart()
    await expect(page.getByText('Reconnecting…')).toHaveCount(0, { timeout: 15_000 })
    const other = await page.context().newPage()
    await openApp(other, shepherd)
    await addProject(other, makeFolder('after-restart'))
    await expect(projectButton(page, 'after-restart')).toBeVisible()
  })
})
