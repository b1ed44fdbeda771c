/**
 * Issue 11 #17: an idle Claude Code session beyond the bound is put to sleep (its process stopped)
 * and stays Idle ("asleep · wakes on your next prompt"); the next prompt shows "waking up…" while
 * the CLI resumes, then the reply — which the fake model server's [[history]] makes from the earlier
 * prompts, so it proves the same conversation went on.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { expect, test, apiClient } from './agents'
import { openApp } from './fixtures'
import { docsShotPath } from './docs-shots'
import { addProject, pane, startSession, status } from './ui'

/** The CLI process resuming conversation `cliId` (`claude … --resume <id>`), if it runs. */
function resumingPid(cliId: string): number | null {
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue
    try {
      const argv = readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0')
      if (argv.some((a) => a === cliId || a === `--resume=${cliId}`) && argv.some((a) => a.startsWith('--resume'))) return Number(d)
    } catch {
      /* gone meanwhile */
    }
  }
  return null
}

/** What [[history]] answers after the first prompt: only the same conversation knows it. */
const REPLY = 'HISTORY: [[text:first answer]] remember apple'

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
    // (A string: the specs are type-checked without the DOM library.)
    await page.evaluate(`(() => {
      const needles = ${JSON.stringify(['waking up…', REPLY])}
      window.__seen = {}
      const look = () => {
        const text = document.body.innerText
        for (const n of needles) if (!window.__seen[n] && text.includes(n)) window.__seen[n] = performance.now()
      }
      new MutationObserver(look).observe(document.body, { subtree: true, childList: true, characterData: true })
    })()`)
    await p.getByLabel('Prompt', { exact: true }).fill('[[history]] what did I say?')
    await p.getByLabel('Prompt', { exact: true }).press('Enter')
    // For the docs picture: hold the resuming CLI still (SIGSTOP) while "waking up…" is shown.
    let resuming: number | null = null
    await expect.poll(() => (resuming = resumingPid(cliId!)), { timeout: 30_000, intervals: [10] }).toBeTruthy()
    process.kill(resuming!, 'SIGSTOP')
    try {
      const shown = await p
        .getByText('waking up…')
        .waitFor({ timeout: 5_000 })
        .then(
          () => true,
          () => false
        )
      if (shown) {
        for (const colorScheme of ['light', 'dark'] as const) {
          await page.emulateMedia({ colorScheme })
          await p.screenshot({ path: docsShotPath(`idle-waking-${colorScheme}.png`), animations: 'disabled' })
        }
        await page.emulateMedia({ colorScheme: 'light' })
      }
    } finally {
      process.kill(resuming!, 'SIGCONT')
    }
    await expect(p.getByText(REPLY, { exact: true })).toBeVisible({ timeout: 60_000 })
    await expect(status(p)).toHaveText(/Idle/, { timeout: 30_000 })
    const seen = (await page.evaluate('window.__seen')) as Record<string, number>
    expect(seen['waking up…']).toBeGreaterThan(0)
    expect(seen['waking up…']!).toBeLessThan(seen[REPLY]!)
    await expect(p.getByText('waking up…')).toHaveCount(0)
    expect((await api.sessions.get.query({ id: session!.id })).cliSessionId).toBe(cliId)
  } finally {
    close()
  }
})

test('Settings: idle agents kept and the sleep time, explained and saved', async ({ page, shepherd }) => {
  const { api, close } = apiClient(shepherd)
  try {
    await openApp(page, shepherd)
    await page.getByRole('button', { name: 'Settings', exact: true }).click()
    const kept = page.getByLabel('Idle agents kept running')
    const after = page.getByLabel('Sleep after idle for (minutes)')
    await expect(kept).toHaveValue('4')
    await expect(after).toHaveValue('10')
    const section = page.getByRole('region', { name: 'Sessions' })
    await section.scrollIntoViewIfNeeded()
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme })
      await section.screenshot({ path: docsShotPath(`idle-settings-${colorScheme}.png`), animations: 'disabled' })
    }
    await page.emulateMedia({ colorScheme: 'light' })

    // Too short a sleep time and too many kept are explained before saving.
    await after.fill('0.05')
    await kept.fill('40')
    await page.getByRole('button', { name: 'Save settings' }).click()
    await expect(after).toHaveAccessibleDescription(/at least 5 seconds/)
    await expect(kept).toHaveAccessibleDescription(/Between 0 and 32 agents/)
    await after.fill('2.5')
    await kept.fill('2')
    await page.getByRole('button', { name: 'Save settings' }).click()
    await expect(page.getByText('All changes saved.')).toBeVisible()
    const saved = await api.settings.get.query()
    expect(saved.idleAgentsKept).toBe(2)
    expect(saved.sleepAfterIdleMs).toBe(150_000)
  } finally {
    close()
  }
})
