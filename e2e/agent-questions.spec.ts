/**
 * Questions the agents' own tools ask, answered in the pane (issue 13), with the REAL pinned CLIs:
 * OpenCode 1.18's `question` tool, OpenCode 2.1.2's (an ACP form, its "(other)" field merged into
 * the choice) and Claude Code's AskUserQuestion. Each: the card shows the choices and "Other", the
 * user types their own answer, and the model's next reply quotes it. Screenshots of OpenCode's card.
 */
import { expect, providerTest as test } from './agents'
import { docsShotPath } from './docs-shots'
import { openApp } from './fixtures'
import { addProject, pane, send, status } from './ui'
import type { SandboxProvider } from './provider-sandboxes'

const QUESTION = {
  question: 'Which colour should the button be?',
  header: 'Colour',
  options: [
    { label: 'Red', description: 'warm and loud' },
    { label: 'Blue', description: 'calm, matches the logo' }
  ]
}

const CASES: { id: SandboxProvider; name: string; title: string; prompt: string; shots?: string }[] = [
  {
    id: 'opencode',
    name: 'OpenCode',
    title: 'OpenCode asks',
    prompt: `[[call:question|${JSON.stringify({ questions: [QUESTION] })}]]`,
    shots: 'question-opencode'
  },
  { id: 'opencode2', name: 'OpenCode', title: 'OpenCode asks', prompt: `[[call:question|${JSON.stringify({ questions: [QUESTION] })}]]` },
  {
    id: 'claude',
    name: 'Claude Code',
    title: 'Claude asks',
    prompt: `[[call:AskUserQuestion|${JSON.stringify({ questions: [{ ...QUESTION, multiSelect: false }] })}]]`
  }
]

for (const c of CASES) {
  test.describe(c.id, () => {
    test.use({ agent: c.id })
    test(`${c.id}: the agent's question tool is a card in the pane; an answer of your own reaches the model`, async ({ page, shepherd, agentSandbox }) => {
      test.setTimeout(150_000)
      const p = pane(page, 'Ask')
      await openApp(page, shepherd)
      await addProject(page, agentSandbox.projectDir, 'Ask')
      await p.getByLabel('Agent').selectOption({ label: c.name }, { timeout: 10_000 })
      await send(p, c.prompt, 30_000)

      const card = p.getByRole('form', { name: c.title })
      await expect(card).toBeVisible({ timeout: 60_000 })
      await expect(card.getByRole('group', { name: /Colour/ })).toContainText('Which colour should the button be?')
      await expect(status(p)).toHaveText(/approval|input|needs/i)
      // Not an approval card: no Allow button.
      await expect(p.getByRole('button', { name: 'Allow once' })).toHaveCount(0)
      // The two choices and "Other" (free text).
      await expect(card.getByRole('radio')).toHaveCount(3)
      await card.getByRole('radio', { name: 'Other' }).check()
      await card.getByLabel('Colour: your answer').fill('Teal')
      if (c.shots) {
        for (const colorScheme of ['light', 'dark'] as const) {
          await page.emulateMedia({ colorScheme })
          await card.screenshot({ path: docsShotPath(`${c.shots}-${colorScheme}.png`), animations: 'disabled' })
        }
        await page.emulateMedia({ colorScheme: 'light' })
      }
      await card.getByRole('button', { name: 'Send answer' }).click()
      await expect(card).toHaveCount(0, { timeout: 15_000 })
      await expect(p.getByText(/^DONE\. Tool output was: .*Teal/)).toBeVisible({ timeout: 60_000 })
      await expect(status(p)).toHaveText(/Idle/, { timeout: 30_000 })
    })
  })
}

test.describe('claude multiSelect', () => {
  test.use({ agent: 'claude' })
  test('claude: a multiSelect question is a group of checkboxes; the ticked labels and your own reach the model', async ({ page, shepherd, agentSandbox }) => {
    test.setTimeout(120_000)
    const p = pane(page, 'Multi')
    await openApp(page, shepherd)
    await addProject(page, agentSandbox.projectDir, 'Multi')
    await p.getByLabel('Agent').selectOption({ label: 'Claude Code' }, { timeout: 10_000 })
    const multi = { questions: [{ ...QUESTION, question: 'Which colours may the button have?', multiSelect: true }] }
    await send(p, `[[call:AskUserQuestion|${JSON.stringify(multi)}]]`, 30_000)
    const card = p.getByRole('form', { name: 'Claude asks' })
    await expect(card).toBeVisible({ timeout: 60_000 })
    // Two choices and "Other", as checkboxes.
    await expect(card.getByRole('checkbox')).toHaveCount(3)
    await expect(card.getByRole('radio')).toHaveCount(0)
    // Nothing ticked: the server names the field.
    await card.getByRole('button', { name: 'Send answer' }).click()
    await expect(card.getByRole('alert')).toContainText(/Colour/)
    await card.getByRole('checkbox', { name: /Red/ }).check()
    await card.getByRole('checkbox', { name: /Blue/ }).check()
    await card.getByRole('checkbox', { name: 'Other' }).check()
    await card.getByLabel('Colour: your answer').fill('Teal')
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme })
      await card.screenshot({ path: docsShotPath(`question-multi-${colorScheme}.png`), animations: 'disabled' })
    }
    await page.emulateMedia({ colorScheme: 'light' })
    await card.getByRole('button', { name: 'Send answer' }).click()
    await expect(card).toHaveCount(0, { timeout: 15_000 })
    await expect(p.getByText(/^DONE\. Tool output was: .*Red.*Blue.*Teal/)).toBeVisible({ timeout: 60_000 })
  })
})
