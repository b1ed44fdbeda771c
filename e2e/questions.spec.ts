/**
 * A question from the REAL Codex (pinned, test/agents) answered in the pane (issue 13): the fake
 * model calls Codex's request_user_input tool (the `default_mode_request_user_input` feature), the
 * pane shows the question card with its choices, the session "needs you", the answer is chosen with
 * the keyboard and sent, and the model's next reply quotes it. Screenshots of the card, light and dark.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect, providerTest as test } from './agents'
import { docsShotPath } from './docs-shots'
import { openApp } from './fixtures'
import { addProject, pane, send, status } from './ui'

const ASK = {
  questions: [
    {
      id: 'colour',
      header: 'Colour',
      question: 'Which colour should the button be?',
      options: [
        { label: 'Red', description: 'warm and loud' },
        { label: 'Blue', description: 'calm, matches the logo' }
      ]
    }
  ]
}

test.use({ agent: 'codex' })

test('codex: a question the agent asks is answered in the pane with the keyboard', async ({ page, shepherd, agentSandbox }) => {
  test.setTimeout(120_000)
  const config = join(agentSandbox.env.CODEX_HOME!, 'config.toml')
  writeFileSync(config, readFileSync(config, 'utf8').replace('[features]\n', '[features]\ndefault_mode_request_user_input = true\n'))
  const p = pane(page, 'Demo')
  await openApp(page, shepherd)
  await addProject(page, agentSandbox.projectDir, 'Demo')
  await p.getByLabel('Agent').selectOption({ label: 'Codex' }, { timeout: 10_000 })
  await send(p, `[[call:request_user_input|${JSON.stringify(ASK)}]]`, 30_000)

  const card = p.getByRole('form', { name: 'Codex asks' })
  await expect(card).toBeVisible({ timeout: 30_000 })
  await expect(card.getByRole('group', { name: /Colour/ })).toContainText('Which colour should the button be?')
  await expect(status(p)).toHaveText(/approval|input|needs/i)
  // Codex offers free text too ("Other").
  await expect(card.getByRole('radio')).toHaveCount(3)
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme })
    await card.screenshot({ path: docsShotPath(`question-${colorScheme}.png`), animations: 'disabled' })
  }
  await page.emulateMedia({ colorScheme: 'light' })

  // Keyboard only: focus the first choice, arrow to the second, Enter submits the form.
  await card.getByRole('radio', { name: /Red/ }).focus()
  await page.keyboard.press('Space')
  await page.keyboard.press('ArrowDown')
  await expect(card.getByRole('radio', { name: /Blue/ })).toBeChecked()
  await card.getByRole('button', { name: 'Send answer' }).focus()
  await page.keyboard.press('Enter')

  await expect(card).toHaveCount(0, { timeout: 15_000 })
  await expect(p.getByText(/^DONE\. Tool output was: .*Blue/)).toBeVisible({ timeout: 30_000 })
  await expect(status(p)).toHaveText(/Idle/)
})
