/**
 * Issue 11 #17: an idle Claude Code session beyond the bound is put to sleep (its process stopped)
 * and stays Idle ("asleep · wakes on your next prompt"); the next prompt shows "waking up…" while
 * the CLI resumes, then the reply — which the fake model server's [[history]] makes from the earlier
 * prompts, so it proves the same conversation went on.
 */
import { expect, test, apiClient } from './agents'
import { openApp } from './fixtures'
import { docsShotPath } from './docs-shots'
import { addProject, pane, send, startSession, status } from './ui'

test('an idle session sleeps, then "waking up…" and the reply in the same conversation', async ({ page, shepherd, sandbox }) => {
  test.setTimeout(120_000)
  const { api, close } = apiClient(shepherd)
  try {
    await api.settings.update.mutate({ idleAgentsKept: 0, sleepAfterIdleMs: 5_000 })
    await openApp(page, shepherd)
    await addProject(page, sandbox.projectDir, 'Sleepy')
    const p = pane(page, 'Sleepy')
    await startSession(p, '[[text:first answer]] remember apple')
    await expect(p.getByText('first answer', { exact: true })).toBeVisible({ timeout: 30_000 })
    const [session] = await api.sessions.list.query({ projectId: (await api.projects.list.query())[0]!.id })
    const cliId = (await api.sessions.get.query({ id: session!.id })).cliSessionId
    expect(cliId).toBeTruthy()

    // Idle → asleep by the timer: still "Idle", never Stopped or Done.
    await expect(status(p)).toContainText('asleep · wakes on your next prompt', { timeout: 30_000 })
    await expect(status(p)).toContainText('Idle')
    expect((await api.sessions.get.query({ id: session!.id })).statusReason?.code).toBe('asleep')
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme })
      await p.screenshot({ path: docsShotPath(`idle-asleep-${colorScheme}.png`), animations: 'disabled' })
    }
    await page.emulateMedia({ colorScheme: 'light' })

    // Record when "waking up…" and the reply first appear (the wake can be quicker than a poll).
    await page.evaluate(() => {
      const w = window as unknown as { __seen: Record<string, number> }
      w.__seen = {}
      const look = () => {
        const text = document.body.innerText
        for (const needle of ['waking up…', 'HISTORY: [[text:first answer]] remember apple']) if (!w.__seen[needle] && text.includes(needle)) w.__seen[needle] = performance.now()
      }
      new MutationObserver(look).observe(document.body, { subtree: true, childList: true, characterData: true })
    })
    await send(p, '[[history]] what did I say?', 30_000)
    await expect(p.getByText('HISTORY: [[text:first answer]] remember apple', { exact: true })).toBeVisible({ timeout: 60_000 })
    await expect(status(p)).toHaveText(/Idle/, { timeout: 30_000 })
    const seen = await page.evaluate(() => (window as unknown as { __seen: Record<string, number> }).__seen)
    expect(seen['waking up…']).toBeGreaterThan(0)
    expect(seen['waking up…']!).toBeLessThan(seen['HISTORY: [[text:first answer]] remember apple']!)
    await expect(p.getByText('waking up…')).toHaveCount(0)
    expect((await api.sessions.get.query({ id: session!.id })).cliSessionId).toBe(cliId)
  } finally {
    close()
  }
})
