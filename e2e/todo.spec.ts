/**
 * Issue 11 item 12: an agent's to-do list is a checklist that updates in place, for the real CLIs —
 * OpenCode's todowrite, Codex's update_plan (a plan update the Codex
 * provider used to drop) — through the fake model server's [[todo:…]] directive. Five items, all shown
 * (the old rendering cut the JSON after two); a second update becomes the checklist and the first a
 * one-line step.
 */
import { appendFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect, providerTest as test } from './agents'
import { openApp } from './fixtures'
import { docsShotPath } from './docs-shots'
import type { SandboxProvider } from './provider-sandboxes'
import { addProject, pane, send, status } from './ui'

const TODO_FIRST = '[[todo:x:Read the parser|~:Map plan updates|-:Render a checklist|-:Write the tests|-:Take screenshots]]'
const TODO_SECOND = '[[todo:x:Read the parser|x:Map plan updates|x:Render a checklist|~:Write the tests|-:Take screenshots]]'

// Claude Code 2.1.330 in print mode (how Shepherd runs it) refuses TodoWrite and its task tools ("disabled
// for this session"; only CLAUDE_CODE_ENABLE_TASKS, which Shepherd does not pass, turns them on): its lists
// come from imported interactive sessions, covered by src-renderer/panes/todo-list.test.ts.
const CASES: { id: SandboxProvider; name: string; title: string; first: string; second: string; firstDone: number; step: string }[] = [
  {
    id: 'codex',
    name: 'Codex',
    title: 'Plan',
    first: TODO_FIRST,
    second: TODO_SECOND,
    firstDone: 1,
    step: 'Plan updated · 1 of 5 done · now: Map plan updates'
  },
  {
    id: 'opencode',
    name: 'OpenCode',
    title: 'To-do list',
    first: TODO_FIRST,
    second: TODO_SECOND,
    firstDone: 1,
    step: 'To-do list updated · 1 of 5 done · now: Map plan updates'
  }
]

for (const c of CASES) {
  test.describe(c.name, () => {
    test.use({ agent: c.id })
    test(`${c.id}: the to-do list is a checklist updated in place`, async ({ page, shepherd, agentSandbox }) => {
      test.setTimeout(150_000)
      // The pinned Codex offers its update_plan tool for the fake model only when the config asks for it.
      if (c.id === 'codex') appendFileSync(join(agentSandbox.env.CODEX_HOME!, 'config.toml'), '\n[tools.update_plan]\nenabled = true\n')
      await openApp(page, shepherd)
      await addProject(page, agentSandbox.projectDir, 'Todo')
      const p = pane(page, 'Todo')
      await p.getByLabel('Agent').selectOption({ label: c.name }, { timeout: 10_000 })
      await p.getByLabel('Permissions').selectOption({ label: 'Accept edits, ask for commands' })
      await send(p, c.first, 30_000)
      const latest = p.locator('[data-todo="latest"]')
      await expect(latest).toBeVisible({ timeout: 60_000 })
      await expect(latest.getByRole('listitem')).toHaveCount(5)
      await expect(latest.getByRole('listitem', { name: 'Take screenshots (to do)' })).toBeVisible()
      await expect(latest).toContainText(`${c.firstDone} of 5 done`)
      await expect(status(p)).toHaveText(/Idle/, { timeout: 60_000 })

      await send(p, c.second, 30_000)
      await expect(latest).toContainText('3 of 5 done', { timeout: 60_000 })
      await expect(p.locator('[data-todo="latest"]')).toHaveCount(1)
      await expect(latest.getByRole('listitem', { name: 'Write the tests (in progress)' })).toBeVisible()
      await expect(latest.getByRole('listitem', { name: 'Render a checklist (done)' })).toBeVisible()
      const step = p.locator('[data-todo="step"]')
      // The earlier state is a one-line step.
      await expect(step.last()).toBeVisible()
      await expect(step).toHaveCount(1)
      await expect(step.filter({ hasText: c.step }).first().locator('summary')).toHaveText(c.step)
      await expect(status(p)).toHaveText(/Idle/, { timeout: 60_000 })
      if (c.id === 'opencode') {
        for (const colorScheme of ['light', 'dark'] as const) {
          await page.emulateMedia({ colorScheme })
          await page.screenshot({ path: docsShotPath(`todo-${colorScheme}.png`), animations: 'disabled' })
        }
      }
    })
  })
}
