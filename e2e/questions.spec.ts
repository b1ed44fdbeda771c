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

test.describe('Claude Code', () => {
  test.use({ agent: 'claude' })

  test("claude: an MCP server's form shows in the pane and is filled in and sent from the inbox (listed there as a question)", async ({
    page,
    shepherd,
    agentSandbox
  }) => {
    test.setTimeout(120_000)
    // A user-scope stdio MCP server that elicits (test/support/elicit-mcp-server.mjs), in the CLI's own config.
    const server = join(__dirname, '..', 'test', 'support', 'elicit-mcp-server.mjs')
    writeFileSync(
      join(agentSandbox.env.CLAUDE_CONFIG_DIR!, '.claude.json'),
      JSON.stringify({ hasCompletedOnboarding: true, mcpServers: { elicit: { type: 'stdio', command: process.execPath, args: [server] } } })
    )
    const p = pane(page, 'Demo')
    await openApp(page, shepherd)
    await addProject(page, agentSandbox.projectDir, 'Demo')
    await p.getByLabel('Agent').selectOption({ label: 'Claude Code' }, { timeout: 10_000 })
    await send(p, '[[call:mcp__elicit__ask_form|{}]]', 30_000)
    // The CLI asks before it runs an MCP tool.
    const allow = p.getByRole('group', { name: /^Allow / })
    await expect(allow).toBeVisible({ timeout: 30_000 })
    await allow.getByRole('button', { name: 'Allow once' }).click()

    const card = p.getByRole('form', { name: 'MCP server elicit asks' })
    await expect(card).toBeVisible({ timeout: 30_000 })
    await expect(card).toContainText('Tell the test server about your order')
    // The inbox lists it as a question, with the same card: it is answered there.
    await page
      .getByRole('button', { name: /^Inbox/ })
      .first()
      .click()
    await expect(page.getByText('MCP server elicit asks: your answer is needed').first()).toBeVisible()
    const form = page.getByRole('form', { name: 'MCP server elicit asks' })
    await expect(form).toBeVisible()
    // A required field left empty is refused by the server, named on its field.
    await form.getByRole('radio', { name: 'Large' }).check()
    await form.getByRole('button', { name: 'Send answer' }).click()
    await expect(form.getByRole('alert')).toContainText(/Name/)
    await form.getByLabel('Name').fill('Ada')
    await form.getByLabel('Count').fill('3')
    await form.getByRole('checkbox', { name: 'Urgent' }).check()
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme })
      await form.screenshot({ path: docsShotPath(`mcp-form-${colorScheme}.png`), animations: 'disabled' })
    }
    await page.emulateMedia({ colorScheme: 'light' })
    await form.getByLabel('Name').press('Enter')
    await expect(form).toHaveCount(0, { timeout: 15_000 })
    await page.getByRole('button', { name: 'Demo' }).first().click()

    await expect(p.getByText(/^DONE\. Tool output was: FORM accept .*"name":"Ada"/)).toBeVisible({ timeout: 30_000 })
  })
})
