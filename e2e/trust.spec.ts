/**
 * Issue 12 through the real web host and Chromium: the access token never reaches another local
 * server, a forged Host header is refused, an old tab recovers after a restart (stable token) or
 * says what to do after the token was replaced (Settings, --rotate-token).
 */
import { createServer as createHttpServer, request, type IncomingHttpHeaders } from 'node:http'
import { createServer } from 'node:net'
import type { Page } from '@playwright/test'
import { expect, openApp, test } from './fixtures'

async function freePort(): Promise<number> {
  return new Promise<number>((resolve) => {
    const srv = createServer()
    srv.listen(0, '127.0.0.1', () => {
      const p = (srv.address() as { port: number }).port
      srv.close(() => resolve(p))
    })
  })
}

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
