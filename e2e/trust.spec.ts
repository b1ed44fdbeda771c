/**
 * Issue 12 through the real web host and Chromium: the access token never reaches another local
 * server, a forged Host header is refused, an old tab recovers after a restart (stable token) or
 * says what to do after the token was replaced (Settings, --rotate-token).
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs'
import { createServer as createHttpServer, request, type IncomingHttpHeaders } from 'node:http'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import type { Locator, Page } from '@playwright/test'
import { apiClient } from './agents'
import { expect, openApp, test, type ShepherdHost } from './fixtures'

async function freePort(): Promise<number> {
  return new Promise<number>((resolve) => {
    const srv = createServer()
    srv.listen(0, '127.0.0.1', () => {
      const p = (srv.address() as { port: number }).port
      srv.close(() => resolve(p))
    })
  })
}

// Host restarts, agent turns and screenshots: more than 30 s on a loaded 2-core machine.
test.describe.configure({ timeout: 90_000 })

const refusedNotice = (page: Page) => page.getByRole('alert').filter({ hasText: 'access token is not accepted' })

test('another local server never receives any Shepherd credential, whatever the page does', async ({ page, context, shepherd }) => {
  // An agent's dev server on another 127.0.0.1 port, recording every request it gets.
  const seen: Array<{ url: string; headers: IncomingHttpHeaders }> = []
  const other = createHttpServer((req, res) => {
    seen.push({ url: req.url ?? '', headers: req.headers })
    res.writeHead(200, { 'Content-Type': 'text/html', 'Access-Control-Allow-Origin': '*' }).end('<p>dev server</p>')
  })
  await new Promise<void>((r) => other.listen(0, '127.0.0.1', () => r()))
  const otherUrl = `http://127.0.0.1:${(other.address() as { port: number }).port}`
  try {
    await openApp(page, shepherd)
    // The token left the address bar; the page holds it in this tab's storage only.
    expect(page.url()).not.toContain(shepherd.token)
    expect(await context.cookies()).toEqual([])

    // Every way the page or the browser can reach the other server (credentials included where possible).
    await page.evaluate(async (url) => {
      await fetch(`${url}/fetch`, { credentials: 'include', mode: 'no-cors' }).catch(() => {})
    }, otherUrl)
    await context.request.get(`${otherUrl}/context-request`)
    const tab = await context.newPage()
    await tab.goto(`${otherUrl}/new-tab`)
    await tab.close()
    await page.evaluate((url) => void ((globalThis as unknown as { location: { href: string } }).location.href = `${url}/navigated`), otherUrl)
    await expect.poll(() => seen.some((r) => r.url === '/navigated')).toBe(true)

    expect(seen.length).toBeGreaterThanOrEqual(3)
    for (const r of seen) {
      expect(r.headers.cookie, r.url).toBeUndefined()
      expect(r.headers.authorization, r.url).toBeUndefined()
      expect(JSON.stringify(r), r.url).not.toContain(shepherd.token)
    }
  } finally {
    await new Promise<void>((r) => other.close(() => r()))
  }
})

test('a forged Host header is refused by the real host; localhost with our port works', async ({ page, shepherd }) => {
  const port = Number(new URL(shepherd.origin).port)
  const status = (host: string) =>
    new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/', headers: { host } }, (res) => {
        res.resume()
        resolve(res.statusCode ?? 0)
      })
      req.on('error', reject)
      req.end()
    })
  expect(await status(`attacker.example:${port}`)).toBe(421)
  expect(await status(`127.0.0.1:${port + 1}`)).toBe(421)
  expect(await status(`127.0.0.1:${port}`)).toBe(200)

  await openApp(page, { ...shepherd, url: shepherd.url.replace('127.0.0.1', 'localhost') })
})

test('a second tab and a second browser profile opened from the printed address both work', async ({ page, browser, shepherd }) => {
  await openApp(page, shepherd)
  const second = await page.context().newPage()
  await openApp(second, shepherd)
  const otherProfile = await browser.newContext()
  try {
    const third = await otherProfile.newPage()
    await openApp(third, shepherd)
    // Without the address's token (a bookmark of the bare origin, in a fresh profile): explained.
    const bare = await otherProfile.newPage()
    await bare.goto(shepherd.origin)
    await expect(refusedNotice(bare)).toBeVisible({ timeout: 15_000 })
    await expect(refusedNotice(bare)).toContainText('Open Shepherd with the address it printed')
  } finally {
    await otherProfile.close()
  }
})

test.describe('after a restart', () => {
  test.use({
    // eslint-disable-next-line no-empty-pattern -- Playwright reads the fixture's dependencies from this pattern
    shepherdEnv: async ({}, use) => {
      await use({ PORT: String(await freePort()) })
    }
  })

  test('the old tab recovers by itself (the token is kept in the data dir)', async ({ page, shepherd }) => {
    await openApp(page, shepherd)
    const before = shepherd.url
    await shepherd.restart()
    expect(shepherd.url).toBe(before)
    await expect(page.getByText('Reconnecting…')).toHaveCount(0, { timeout: 15_000 })
    await page.reload()
    await expect(page.getByRole('button', { name: 'Add project', exact: true })).toBeVisible()
    await expect(refusedNotice(page)).toHaveCount(0)
  })

  test('after --rotate-token the old tab says what to do, and the new address works in it', async ({ page, shepherd }) => {
    await openApp(page, shepherd)
    const before = shepherd.url
    await shepherd.restart(['--rotate-token'])
    expect(shepherd.url).not.toBe(before)
    await expect(refusedNotice(page)).toBeVisible({ timeout: 15_000 })
    for (const theme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: theme })
      await refusedNotice(page).screenshot({ path: join(DOCS, `access-refused-${theme}.png`) })
    }
    await page.getByLabel("Shepherd's address").fill('http://127.0.0.1:1/?token=nope')
    await page.getByRole('button', { name: 'Use this address' }).click()
    await expect(page.getByText('That is not a Shepherd address')).toBeVisible()
    await page.getByLabel("Shepherd's address").fill(shepherd.url)
    await page.getByRole('button', { name: 'Use this address' }).click()
    await expect(page.getByRole('button', { name: 'Add project', exact: true })).toBeVisible()
    await expect(refusedNotice(page)).toHaveCount(0, { timeout: 15_000 })
  })

  test('"New access token" in Settings keeps this tab, tells the others, and survives a restart', async ({ page, shepherd }) => {
    await openApp(page, shepherd)
    const other = await page.context().newPage()
    await openApp(other, shepherd)

    await page.getByRole('button', { name: 'Settings', exact: true }).click()
    const section = page.getByRole('region', { name: 'Browser access' })
    await section.getByRole('button', { name: 'New access token' }).click()
    await section.getByRole('button', { name: 'Replace the token now' }).click()
    const shown = section.getByRole('status').locator('code')
    await expect(shown).toContainText('#token=')
    const newUrl = (await shown.textContent()) ?? ''
    expect(newUrl).not.toBe(shepherd.url)
    for (const theme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: theme })
      await section.screenshot({ path: join(DOCS, `access-token-settings-${theme}.png`) })
    }

    await expect(refusedNotice(other)).toBeVisible({ timeout: 15_000 })
    // This tab goes on working, also after a restart of the host (the new token was stored).
    await shepherd.restart()
    expect(shepherd.url).toBe(newUrl)
    await expect(page.getByText('Reconnecting…')).toHaveCount(0, { timeout: 15_000 })
    await page.reload()
    await expect(page.getByRole('button', { name: 'Add project', exact: true })).toBeVisible()
    await expect(page.getByText('Loading projects…')).toHaveCount(0)
    await expect(refusedNotice(page)).toHaveCount(0)
  })
})

// ---- approval cards, toasts and agent text, with the scripted fake `claude` (test/support/fake-agent.mjs) ----

const FAKE_AGENT_PATH = resolve(__dirname, '../test/support/fake-agent.mjs')
const DOCS = resolve(__dirname, '../docs')

async function useFakeAgent(shepherd: ShepherdHost): Promise<void> {
  const { api, close } = apiClient(shepherd)
  try {
    const s = await api.settings.get.query()
    await api.settings.update.mutate({ providers: { ...s.providers, claude: { ...s.providers.claude, cliPath: FAKE_AGENT_PATH } } })
  } finally {
    close()
  }
}

async function projectWithSession(page: Page, shepherd: ShepherdHost, prompt: string): Promise<Locator> {
  await useFakeAgent(shepherd)
  await openApp(page, shepherd)
  const dir = mkdtempSync(join(tmpdir(), 'shepherd-trust-'))
  await page.getByRole('button', { name: 'Add project', exact: true }).click()
  const dialog = page.getByRole('dialog', { name: 'Add project' })
  await dialog.getByLabel('Project folder path').fill(dir)
  await dialog.getByLabel('Name').fill('trust')
  await dialog.getByRole('button', { name: 'Add project' }).click()
  await expect(dialog).toBeHidden()
  const p = page.getByRole('region', { name: 'trust', exact: true })
  await p.getByLabel('Prompt', { exact: true }).fill(prompt)
  await p.getByLabel('Prompt', { exact: true }).press('Enter')
  return p
}

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url')

function overlaps(a: { x: number; y: number; width: number; height: number }, b: { x: number; y: number; width: number; height: number }): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height
}

test('a Codex-style write outside the project: the card shows the path, flagged, every diff line, and what "for this session" allows', async ({
  page,
  shepherd
}) => {
  const outside = '/home/someone/.bashrc'
  const spec = {
    tool: 'Edit',
    input: {
      changes: [
        { path: outside, kind: { type: 'update' }, diff: '@@ -1,2 +1,2 @@\n keep\n--- old (a removed "-- old" line)\n+++ new (an added "++ new" line)\n' }
      ],
      grantRoot: null
    },
    suggestions: [{ type: 'addRules', rules: [{ toolName: 'Edit', ruleContent: '/home/someone/**' }], behavior: 'allow', destination: 'localSettings' }]
  }
  const p = await projectWithSession(page, shepherd, `[[permission-json:${b64(spec)}]]`)
  const card = p.getByRole('group', { name: 'Allow Edit?' })
  await expect(card).toBeVisible({ timeout: 20_000 })
  const path = card.getByRole('listitem').filter({ hasText: outside })
  await expect(path).toBeVisible()
  await expect(path).toContainText('outside the project')
  await expect(path).toContainText('a shell startup file')
  // Flagged in red: the danger colour, not the text colour.
  const colours = await path.evaluate((el) => {
    const colour = (e: object) => (globalThis as unknown as { getComputedStyle(e: object): { color: string } }).getComputedStyle(e).color
    return { flagged: colour(el.querySelector('.path-text')!), normal: colour(el.closest('.card')!.querySelector('.title')!) }
  })
  expect(colours.flagged).not.toBe(colours.normal)
  // Every diff line, "--"/"++" content included.
  const diff = card.getByRole('group', { name: /^Changes/ })
  await expect(diff).toContainText('-- old (a removed "-- old" line)')
  await expect(diff).toContainText('++ new (an added "++ new" line)')
  await expect(card.getByText('Allow for this session:')).toBeVisible()
  await expect(card).toContainText('Claude Code allows Edit(/home/someone/**) for the rest of this session')

  // The "needs your approval" toast never covers the card or the composer, and goes once answered.
  const toast = page.getByRole('status', { name: 'Notifications' }).getByText('needs your approval')
  await expect(toast).toBeVisible()
  const toastBox = (await page.getByRole('status', { name: 'Notifications' }).locator('.toast').first().boundingBox())!
  for (const el of [card, p.locator('.composer')]) expect(overlaps(toastBox, (await el.boundingBox())!)).toBe(false)
  await page.setViewportSize({ width: 1280, height: 800 })
  for (const theme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: theme })
    await card.screenshot({ path: join(DOCS, `approval-outside-${theme}.png`) })
  }
  await card.getByRole('button', { name: 'Deny' }).click()
  await expect(card).toHaveCount(0)
  await expect(toast).toHaveCount(0)
})

test('a 2,000-character command is shown in full and wrapped', async ({ page, shepherd }) => {
  let command = 'echo begin'
  for (let i = 0; command.length < 1_990; i++) command += ` && printf 'step-${i}'`
  command = (command + ' ; END').slice(0, 2_000)
  expect(command).toHaveLength(2_000)
  const p = await projectWithSession(page, shepherd, `[[permission:${command}]]`)
  const card = p.getByRole('group', { name: 'Allow Bash?' })
  await expect(card).toBeVisible({ timeout: 20_000 })
  const shown = card.getByLabel('Command')
  await expect(shown).toHaveText(command)
  expect(await card.textContent()).not.toContain('…')
  // Wrapped: no horizontal scrolling, every character laid out.
  const box = await shown.evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth }))
  expect(box.scroll).toBeLessThanOrEqual(box.client)
  await p.screenshot({ path: join(DOCS, 'approval-command-light.png') })
  await card.getByRole('button', { name: 'Allow once' }).click()
  await expect(card).toHaveCount(0)
})

test('16,000 characters of "_a" from an agent are shown as plain text, every character kept', async ({ page, shepherd }) => {
  const text = '_a'.repeat(8_000)
  const p = await projectWithSession(page, shepherd, `[[text:${text}]]`)
  await expect(p.getByText('Shown as plain text: too much Markdown markup to format quickly.')).toBeVisible({ timeout: 20_000 })
  const plain = p.locator('.md-plain').last()
  expect(await plain.textContent()).toBe(text)
})

test.describe('the real host process', () => {
  test.skip(process.platform === 'win32', 'POSIX modes')

  test('keeps its data dir 0700 (folders in it too) and database, WAL, SHM and token file 0600', async ({ page, shepherd }) => {
    await openApp(page, shepherd)
    expect(statSync(shepherd.dataDir).mode & 0o777).toBe(0o700)
    const files = readdirSync(shepherd.dataDir)
    expect(files).toEqual(expect.arrayContaining(['shepherd.db', 'shepherd.db-wal', 'shepherd.db-shm', 'web-token']))
    // Files 0600; folders in it (e.g. `ssh/` with the ControlMaster sockets) 0700, like the data dir.
    for (const f of files) {
      const st = statSync(join(shepherd.dataDir, f))
      expect([f, st.mode & 0o777]).toEqual([f, st.isDirectory() ? 0o700 : 0o600])
    }
  })

  test('refuses a short or patterned SHEPHERD_TOKEN with a clear message', async () => {
    for (const token of ['short', 'e2eReconnectToken'.padEnd(64, '0'), 'ab'.repeat(40)]) {
      const dataDir = mkdtempSync(join(tmpdir(), 'shepherd-e2e-token-'))
      try {
        const child = spawn(process.execPath, [resolve(__dirname, '../out/main/host.js')], {
          env: { ...process.env, PORT: '0', SHEPHERD_DATA_DIR: dataDir, SHEPHERD_TOKEN: token },
          stdio: ['ignore', 'pipe', 'pipe']
        })
        let out = ''
        child.stdout.on('data', (d) => (out += String(d)))
        child.stderr.on('data', (d) => (out += String(d)))
        const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)))
        expect(code).toBe(1)
        expect(out).toContain('Shepherd could not start: SHEPHERD_TOKEN is not accepted:')
        expect(out).not.toContain('SHEPHERD_URL')
      } finally {
        rmSync(dataDir, { recursive: true, force: true })
      }
    }
  })
})
