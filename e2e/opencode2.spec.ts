/**
 * OpenCode 2 (the real pinned `@opencode/cli` 2.1.2, installed as `opencode` on PATH) in the web
 * host, against the fake model server: the provider sees a 2.x binary and drives it over
 * `opencode acp`. A session asks before a shell command (approval card), the allowed call and its
 * output show in the pane, cost and tokens in the header; Esc interrupts a streaming answer; after a
 * host restart the next prompt resumes the same OpenCode conversation.
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import type { LoggedRequest } from '../test/support/fake-model-server.mjs'
import { apiClient, expect, providerTest as test } from './agents'
import { docsShotPath } from './docs-shots'
import { openApp } from './fixtures'
import { addProject, pane, send, status } from './ui'

const bodyText = (r: LoggedRequest): string => JSON.stringify(r.body ?? '')
const isAgentRequest = (r: LoggedRequest): boolean => {
  const b = r.body as { tools?: unknown[] } | null
  return Array.isArray(b?.tools) && b.tools.length > 0
}

test.use({ agent: 'opencode2' })

test('OpenCode 2: a shell call approved and shown in the pane, Esc interrupts, resume after a host restart', async ({
  page,
  shepherd,
  model,
  agentSandbox
}) => {
  test.setTimeout(180_000)
  const dir = agentSandbox.projectDir
  const p = pane(page, 'Demo2')

  await openApp(page, shepherd)
  await addProject(page, dir, 'Demo2')
  await expect(p.getByText('No sessions yet')).toBeVisible()
  await p.getByLabel('Agent').selectOption({ label: 'OpenCode' }, { timeout: 10_000 })
  await p.getByLabel('Permissions').selectOption({ label: 'Ask before edits and commands' })
  await send(p, 'please [[bash:touch made-by-oc2.txt]]', 30_000)
  await expect(p.getByRole('button', { name: 'Start session' })).toHaveCount(0)

  // The provider chose the 2.x driver (its start row says so).
  await expect(p.getByText(/OpenCode 2\.1\.2 over ACP/)).toBeVisible({ timeout: 30_000 })

  // ---- approval, then the tool call and its result in the pane --------------------------------
  const card = p.getByRole('group', { name: 'Allow shell?' })
  await expect(card).toBeVisible({ timeout: 30_000 })
  await expect(card).toContainText('touch made-by-oc2.txt')
  await expect(status(p)).toHaveText(/Waiting for approval/)
  await card.getByRole('button', { name: 'Allow once' }).click()
  await expect(card).toHaveCount(0)
  await expect(p.getByRole('button', { name: /^shell · touch made-by-oc2\.txt/ })).toBeVisible({ timeout: 30_000 })
  await expect(p.locator('[data-kind="tool_result"]').first()).toContainText('Output of shell')
  await expect(p.getByText(/^DONE\. Tool output was:/)).toBeVisible({ timeout: 30_000 })
  await expect(status(p)).toHaveText(/Idle/)
  expect(existsSync(join(dir, 'made-by-oc2.txt'))).toBe(true)
  await expect(p.getByText(/^\d+(\.\d)?[kM]? tokens$/)).toBeVisible()
  await expect(p.getByText(/^\$\d+\.\d+$/)).toBeVisible()
  // The approval toast has done its job: out of the picture.
  for (const b of await page.getByRole('button', { name: 'Dismiss notification' }).all()) await b.click()
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme })
    await p.screenshot({ path: docsShotPath(`opencode2-${colorScheme}.png`), animations: 'disabled' })
  }
  await page.emulateMedia({ colorScheme: 'light' })
  const { api, close } = apiClient(shepherd)
  try {
    const [project] = await api.projects.list.query()
    const [s] = await api.sessions.list.query({ projectId: project!.id })
    expect(s!.provider).toBe('opencode')
    expect(s!.cliSessionId).toMatch(/^ses_/)
    expect(s!.totals.costUsd).toBeGreaterThan(0)
  } finally {
    close()
  }

  // ---- Esc interrupts a streaming answer ----------------------------------------------------------
  await send(p, '[[slow:20]]')
  const writing = p.getByRole('group', { name: 'The agent is writing' })
  await expect(writing).toContainText('tick1', { timeout: 20_000 })
  const disconnects = model.disconnects.length
  await p.getByLabel('Prompt', { exact: true }).press('Escape')
  await expect(status(p)).toHaveText(/Idle/, { timeout: 15_000 })
  await expect(p.getByRole('region', { name: 'Transcript' }).getByText('Interrupted', { exact: true })).toBeVisible()
  await expect.poll(() => model.disconnects.length, { timeout: 10_000 }).toBeGreaterThan(disconnects)
  await send(p, '[[text:after interrupt]]')
  await expect(p.getByText('after interrupt', { exact: true })).toBeVisible({ timeout: 30_000 })

  // ---- a host restart: the next prompt resumes the same OpenCode session ---------------------------
  await shepherd.restart()
  await page.goto(shepherd.url)
  await expect(status(p)).toHaveText(/Interrupted/, { timeout: 15_000 })
  await expect(p.getByText('after interrupt', { exact: true })).toBeVisible()
  const before = model.requests.length
  await send(p, '[[text:resumed]]', 30_000)
  await expect(p.getByText('resumed', { exact: true })).toBeVisible({ timeout: 30_000 })
  await expect(status(p)).toHaveText(/Idle/)
  const resumed = model.requests.slice(before).filter((r) => isAgentRequest(r) && bodyText(r).includes('[[text:resumed]]'))
  expect(resumed.length).toBeGreaterThan(0)
  expect(bodyText(resumed[0]!)).toContain('touch made-by-oc2.txt')
  // The replayed history is not shown twice.
  await expect(p.getByText('after interrupt', { exact: true })).toHaveCount(1)
})
