/**
 * Issue 16 end to end with the real Claude Code against the fake model server: the inbox lists an
 * approval from a project that is not on screen and answering it there unblocks the agent; ten
 * sessions finishing within seconds give one grouped toast; the usage view shows the day's cost by
 * project; a session over its budget shows the over-budget panel in its pane. Also the docs
 * screenshots of the inbox, an over-budget pane and the usage view, light and dark.
 */
import { existsSync, mkdirSync } from 'node:fs'
import { join, resolve } from 'node:path'
import type { Locator, Page } from '@playwright/test'
import { apiClient, expect, test } from './agents'
import { openApp } from './fixtures'

const DOCS = resolve(__dirname, '../docs')
const SCHEMES = ['light', 'dark'] as const

test.use({ viewport: { width: 1280, height: 800 } })

const pane = (page: Page, name: string): Locator => page.getByRole('region', { name, exact: true })

async function settle(page: Page) {
  await page.mouse.move(1279, 799)
  const close = page.getByRole('button', { name: 'Dismiss notification' })
  while ((await close.count()) > 0) await close.first().click()
  await page.evaluate('document.activeElement && document.activeElement.blur()')
}

test('the inbox lists an approval from another project; answering it there unblocks the agent', async ({ page, shepherd, sandbox }) => {
  test.setTimeout(120_000)
  const { api, close } = apiClient(shepherd)
  try {
    const other = join(sandbox.root, 'billing-service')
    mkdirSync(other, { recursive: true })
    const third = join(sandbox.root, 'docs-site')
    mkdirSync(third, { recursive: true })
    const front = await api.projects.add.mutate({ path: sandbox.projectDir, name: 'Acme Web' })
    const back = await api.projects.add.mutate({ path: other, name: 'Billing Service' })
    const docs = await api.projects.add.mutate({ path: third, name: 'Docs Site' })
    // Two more things that need the user in a third project: a finished turn and a failed one.
    const fin = await api.sessions.start.mutate({ projectId: docs.id, prompt: 'Update the changelog [[text:Updated the changelog.]]' })
    const bad = await api.sessions.start.mutate({ projectId: docs.id, prompt: 'Deploy the preview [[error:500:noretry]]' })
    await expect
      .poll(async () => [(await api.sessions.get.query({ id: fin.id })).status, (await api.sessions.get.query({ id: bad.id })).status], { timeout: 60_000 })
      .toEqual(['idle', 'error'])
    await api.sessions.rename.mutate({ id: fin.id, title: 'Update the changelog' })
    await api.sessions.rename.mutate({ id: bad.id, title: 'Deploy the preview' })
    await openApp(page, shepherd)
    await page.getByRole('navigation', { name: 'Projects' }).getByRole('button', { name: 'Acme Web', exact: true }).click()
    await expect(pane(page, 'Acme Web')).toBeVisible()

    const s = await api.sessions.start.mutate({ projectId: back.id, prompt: 'Rotate the invoice keys [[bash:touch rotated.txt]]', permissionMode: 'default' })
    await api.sessions.rename.mutate({ id: s.id, title: 'Rotate the invoice keys' })
    const nav = page.getByRole('navigation', { name: 'Inbox and usage' })
    await expect(nav.getByTestId('inbox-count')).toHaveText('3', { timeout: 60_000 })
    await expect(page).toHaveTitle('(3) Shepherd')
    expect(front.id).not.toBe(back.id)

    // g i opens the inbox; the item is the other project's approval, answered with the pane's own card.
    await page.keyboard.press('g')
    await page.keyboard.press('i')
    const inbox = page.getByRole('region', { name: /^Inbox/ })
    // Most urgent first: the approval, then the failure, then the finished turn.
    await expect(inbox.getByRole('option')).toHaveText([
      /Needs approval\s*Billing Service · Rotate the invoice keys/,
      /Failed\s*Docs Site · Deploy the preview/,
      /Finished\s*Docs Site · Update the changelog/
    ])
    const card = inbox.getByRole('group', { name: 'Allow Bash?' })
    await expect(card).toContainText('touch rotated.txt')
    for (const colorScheme of SCHEMES) {
      await page.emulateMedia({ colorScheme })
      await settle(page)
      await page.screenshot({ path: join(DOCS, `inbox-${colorScheme}.png`), animations: 'disabled' })
    }
    await card.getByRole('button', { name: 'Allow once' }).click()
    await expect.poll(() => existsSync(join(other, 'rotated.txt')), { timeout: 30_000 }).toBe(true)
    // Unblocked: the turn finishes; the approval left the inbox at once, a "finished" item took its place.
    await expect.poll(async () => (await api.sessions.get.query({ id: s.id })).status, { timeout: 30_000 }).toBe('idle')
    await expect(inbox.getByRole('option')).toHaveText([/Failed\s*Docs Site/, /Finished\s*Billing Service/, /Finished\s*Docs Site/], { timeout: 10_000 })
    // The pane's copy of the approval is answered: a second answer is refused as already answered.
    const approvals = await api.sessions.approvals.query({ projectId: back.id })
    expect(approvals).toEqual([])
    // "Done" clears the failure (kept across a reload); j moves to the next; Enter opens it in its pane,
    // which marks it looked at.
    await inbox.getByRole('option').first().click()
    await inbox.getByRole('button', { name: 'Done' }).click()
    await expect(inbox.getByRole('option')).toHaveCount(2)
    await page.reload()
    await expect(nav.getByTestId('inbox-count')).toHaveText('2')
    await page.keyboard.press('g')
    await page.keyboard.press('i')
    await expect(inbox.getByRole('option').first()).toHaveAttribute('aria-selected', 'true')
    await page.keyboard.press('Enter')
    await expect(pane(page, 'Billing Service')).toBeVisible()
    await expect(nav.getByTestId('inbox-count')).toHaveText('1', { timeout: 10_000 })
    await expect(page).toHaveTitle('(1) Shepherd')
  } finally {
    close()
  }
})

test('ten sessions finishing within seconds give one grouped toast', async ({ page, shepherd, sandbox }) => {
  test.setTimeout(240_000)
  const { api, close } = apiClient(shepherd)
  try {
    const settings = await api.settings.get.query()
    await api.settings.update.mutate({ maxConcurrentSessions: 10, retentionCount: 20 })
    expect(settings.maxConcurrentSessions).toBe(4)
    const project = await api.projects.add.mutate({ path: sandbox.projectDir, name: 'Fleet' })
    const quiet = join(sandbox.root, 'elsewhere')
    mkdirSync(quiet, { recursive: true })
    await api.projects.add.mutate({ path: quiet, name: 'Elsewhere' })
    await openApp(page, shepherd)
    await page.getByRole('navigation', { name: 'Projects' }).getByRole('button', { name: 'Elsewhere', exact: true }).click()
    // Every model reply is held until one moment ([[at:…]]), so the ten turns end within about a second
    // of each other however long the CLIs took to start on a busy machine.
    const at = Date.now() + 30_000
    const ids: string[] = []
    for (let i = 0; i < 10; i++) ids.push((await api.sessions.start.mutate({ projectId: project.id, prompt: `job ${i} [[at:${at}]]` })).id)
    await expect
      .poll(
        async () => {
          const all = await api.sessions.list.query({ projectId: project.id })
          return all.filter((x) => x.status === 'idle').length
        },
        { timeout: 180_000, intervals: [500] }
      )
      .toBe(10)
    const toasts = page.getByRole('status', { name: 'Notifications' })
    await expect(toasts.getByText('10 sessions finished')).toBeVisible({ timeout: 15_000 })
    await expect(toasts.getByText('Fleet: done')).toHaveCount(0)
  } finally {
    close()
  }
})

test('the usage view shows the day\u2019s cost by project; an over-budget session shows its panel in the pane', async ({ page, shepherd, sandbox }) => {
  test.setTimeout(180_000)
  const { api, close } = apiClient(shepherd)
  try {
    const second = join(sandbox.root, 'docs-site')
    mkdirSync(second, { recursive: true })
    const a = await api.projects.add.mutate({ path: sandbox.projectDir, name: 'Acme Web' })
    const b = await api.projects.add.mutate({ path: second, name: 'Docs Site' })
    const big = await api.sessions.start.mutate({
      projectId: a.id,
      prompt: 'Refactor the checkout flow [[usage:1500000:20000]] [[text:Refactored the checkout flow.]]'
    })
    const small = await api.sessions.start.mutate({ projectId: b.id, prompt: 'Fix the broken links [[usage:300000:4000]] [[text:Fixed 12 links.]]' })
    await api.sessions.rename.mutate({ id: big.id, title: 'Refactor the checkout flow' })
    for (const id of [big.id, small.id]) await expect.poll(async () => (await api.sessions.get.query({ id })).status, { timeout: 60_000 }).toBe('idle')
    const costA = (await api.sessions.get.query({ id: big.id })).totals.costUsd
    const costB = (await api.sessions.get.query({ id: small.id })).totals.costUsd
    expect(costA).toBeGreaterThan(costB)

    await openApp(page, shepherd)
    await page.keyboard.press('g')
    await page.keyboard.press('u')
    const usage = page.getByRole('region', { name: 'Usage' })
    await expect(usage.getByTestId('usage-total-cost')).toHaveText(`$${(costA + costB).toFixed(2)}`)
    const today = (await api.usage.daily.query({ days: 7 })).today
    // The table: one row per day, the projects as columns (biggest first), then the total.
    const table = usage.getByRole('table', { name: 'Cost per day by project' })
    await expect(table.getByRole('columnheader')).toHaveText(['Day', 'Acme Web', 'Docs Site', 'Total'])
    await expect(table.getByRole('row').nth(1)).toHaveText(
      new RegExp(`${today}\\s*\\$${costA.toFixed(2)}\\s*\\$${costB.toFixed(2)}\\s*\\$${(costA + costB).toFixed(2)}`)
    )
    // By agent: one column, Claude Code.
    await usage.getByRole('button', { name: 'Agent', exact: true }).click()
    await expect(usage.getByRole('table', { name: 'Cost per day by agent' }).getByRole('columnheader')).toHaveText(['Day', 'Claude Code', 'Total'])
    await usage.getByRole('button', { name: 'Project', exact: true }).click()
    await expect(usage.getByRole('img', { name: /Cost per day, stacked: Acme Web, Docs Site/ })).toBeVisible()
    await expect(usage.locator('canvas')).toHaveCount(1)
    await usage.getByRole('button', { name: '7 days' }).click()
    await expect(usage.getByText('Cost, 7 days')).toBeVisible()
    for (const colorScheme of SCHEMES) {
      await page.emulateMedia({ colorScheme })
      await settle(page)
      await page.screenshot({ path: join(DOCS, `usage-${colorScheme}.png`), animations: 'disabled' })
    }
    // CSV export: one line per day × project × agent × model.
    const download = page.waitForEvent('download')
    await usage.getByRole('button', { name: 'Export CSV' }).click()
    const csvPath = await (await download).path()
    const csv = (await import('node:fs')).readFileSync(csvPath, 'utf8')
    expect(csv.split('\n')[0]).toBe('day,project,agent,model,cost_usd,input_tokens,output_tokens,tokens_without_cost')
    expect(csv).toContain(`${today},Acme Web,claude,`)

    // A cap below what Acme Web's session spent pauses it at once; its pane says so with the actions.
    await api.budgets.setProject.mutate({ projectId: a.id, caps: { sessionUsd: 1 } })
    await page.getByRole('navigation', { name: 'Projects' }).getByRole('button', { name: 'Acme Web', exact: true }).click()
    const p = pane(page, 'Acme Web')
    const panel = p.getByRole('group', { name: 'Over budget — paused' })
    await expect(panel).toBeVisible({ timeout: 10_000 })
    await expect(panel).toContainText(`$${costA.toFixed(2)} of this session's cap of $1.00`)
    const box = p.getByLabel('Prompt', { exact: true })
    await box.fill('Now add tests [[text:Added tests.]]')
    await box.press('Enter')
    await expect(p.getByRole('list', { name: 'Queued prompts' })).toContainText('Now add tests')
    for (const colorScheme of SCHEMES) {
      await page.emulateMedia({ colorScheme })
      await settle(page)
      await page.screenshot({ path: join(DOCS, `over-budget-${colorScheme}.png`), animations: 'disabled' })
    }
    // Raise the cap: the held prompt runs, the panel goes.
    await panel.getByLabel(/Amount to raise the cap by/).fill('100')
    await panel.getByRole('button', { name: 'Raise cap' }).click()
    await expect(panel).toHaveCount(0)
    await expect(p.getByText('Added tests.', { exact: true })).toBeVisible({ timeout: 60_000 })
  } finally {
    close()
  }
})
