/**
 * One UI flow against each REAL agent CLI (Claude Code, Codex CLI, OpenCode; pinned, test/agents)
 * through the web host and the fake model server (e2e/agents.ts `providerTest`,
 * e2e/provider-sandboxes.ts): start a session with a tool call → tokens and cost in the header; a
 * second turn; Esc interrupts a slow turn; one approval allowed (it really runs) and one denied with
 * a reason (it does not); a live model switch; and after a host restart the pane shows the old
 * transcript and the next prompt resumes the same conversation at the CLI.
 *
 * Everything is driven through the UI; the fake server's `requests` and the API (database) are only
 * used to check what the UI cannot show.
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import type { LoggedRequest } from '../test/support/fake-model-server.mjs'
import { apiClient, expect, providerTest as test } from './agents'
import { openApp } from './fixtures'
import type { SandboxProvider } from './provider-sandboxes'
import { addProject, pane, send, status } from './ui'

interface ProviderCase {
  id: SandboxProvider
  /** Label of the option in the new-session form's "Agent" select (the provider's displayName). */
  name: string
  /** Accessible name of the tool-call row for `[[bash:echo hi]]`: "<tool name> · <command>". */
  echoCall: string
  /** The fake model's final answer after `echo hi`: it quotes the tool output the CLI sent back. */
  done: RegExp
  /** Name of the approval card for a shell command ("Allow <tool name>?"). */
  bashCard: string
  /** Whether `echo hi` needs an approval under "Accept edits, ask for commands". */
  echoAsks: boolean
  /** After "Deny" with the reason "not this file": the tool error row, then the model's answer. */
  denied: { result: string; answer: string }
  /** The pane header's cost figure, and whether the CLI reports a price at all. */
  cost: RegExp
  costKnown: boolean
  /** What to type into the header's "Model" field, and what the fake server then sees as `model`. */
  model: { set: string; sent: string }
}

const PROVIDERS: ProviderCase[] = [
  {
    id: 'claude',
    name: 'Claude Code',
    // Claude Code's own tool is `Bash`, its input `{command}`.
    echoCall: 'Bash · echo hi',
    done: /^DONE\. Tool output was: hi$/,
    bashCard: 'Allow Bash?',
    // Claude Code runs commands it considers read-only (echo) without asking in acceptEdits.
    echoAsks: false,
    // The deny message is the tool result itself (is_error).
    denied: { result: 'not this file', answer: 'DONE. Tool ERROR was: not this file' },
    // Claude Code reports `total_cost_usd` per result.
    cost: /^\$\d+\.\d+$/,
    costKnown: true,
    // Any model name goes to the API as is.
    model: { set: 'claude-test-model-b', sent: 'claude-test-model-b' }
  },
  {
    id: 'codex',
    // CODEX_DISPLAY_NAME is "Codex" (the pane header's PROVIDER_NAMES says "Codex CLI").
    name: 'Codex',
    // Codex runs commands as `commandExecution` items; the provider names them `Bash` (tool_path = command).
    echoCall: 'Bash · echo hi',
    // Codex hands the model its exec report (chunk id, wall time, exit code), the output last.
    done: /^DONE\. Tool output was: Chunk ID: \w+\nWall time: [\d.]+ seconds\nProcess exited with code 0\nOriginal token count: \d+\nOutput:\nhi$/,
    bashCard: 'Allow Bash?',
    // acceptEdits = approval policy on-request in the workspace-write sandbox: no question.
    echoAsks: false,
    // Codex's decline carries no message: Shepherd sends the reason as input to the same turn.
    denied: { result: 'The command was declined.', answer: 'ACK: I declined that command: not this file' },
    // Codex reports tokens but no price (capabilities.costKnown = false).
    cost: /^cost n\/a$/,
    costKnown: false,
    // Another slug Codex 0.169 knows (as in test/integration/codex-supervisor.test.ts).
    model: { set: 'gpt-5.4', sent: 'gpt-5.4' }
  },
  {
    id: 'opencode',
    name: 'OpenCode',
    // OpenCode's tool is `bash` (lower case), tool_path = command.
    echoCall: 'bash · echo hi',
    done: /^DONE\. Tool output was: hi$/,
    bashCard: 'Allow bash?',
    // acceptEdits = OpenCode rules edit: allow, bash: ask (every command).
    echoAsks: true,
    // OpenCode wraps the feedback in its own sentence; Chat Completions has no error flag, hence "output".
    denied: {
      result: 'The user rejected permission to use this specific tool call with the following feedback: not this file',
      answer: 'DONE. Tool output was: The user rejected permission to use this specific tool call with the following feedback: not this file'
    },
    // Per-step cost from the model's price in opencode.json (provider-sandboxes.ts).
    cost: /^\$\d+\.\d+$/,
    costKnown: true,
    // OpenCode wants `provider/model` (the provider rejects a bare id); the model API gets the bare id.
    model: { set: 'fake/fake-model-2', sent: 'fake-model-2' }
  }
]

/** The body of a request as text (for "did the model see X" checks). */
const bodyText = (r: LoggedRequest): string => JSON.stringify(r.body ?? '')
/** A request of the agent loop (it offers tools), as opposed to side requests such as titles. */
const isAgentRequest = (r: LoggedRequest): boolean => {
  const b = r.body as { tools?: unknown[] } | null
  return Array.isArray(b?.tools) && b.tools.length > 0
}

for (const pc of PROVIDERS) {
  test.describe(pc.name, () => {
    test.use({ agent: pc.id })

    test(`${pc.id}: tool call, second turn, interrupt, approvals, model switch, resume after restart`, async ({ page, shepherd, model, agentSandbox }) => {
      test.setTimeout(180_000)
      const dir = agentSandbox.projectDir
      const p = pane(page, 'Demo')

      // ---- 1. a session with a tool call ------------------------------------------------------
      await openApp(page, shepherd)
      await addProject(page, dir, 'Demo')
      await expect(p.getByText('No sessions yet')).toBeVisible()
      await p.getByLabel('Agent').selectOption({ label: pc.name }, { timeout: 10_000 })
      // After the agent: choosing one resets the permission mode to that provider's default.
      await p.getByLabel('Permissions').selectOption({ label: 'Accept edits, ask for commands' })
      // `opencode serve` takes a few seconds to boot before the session exists.
      await send(p, 'please [[bash:echo hi]]', 30_000)
      await expect(p.getByRole('button', { name: 'Start session' })).toHaveCount(0)

      const tool = pc.echoCall.split(' · ')[0]!
      const call = p.getByRole('button', { name: pc.echoCall, exact: true })
      const card = p.getByRole('group', { name: pc.bashCard })
      await expect(call).toBeVisible({ timeout: 30_000 })
      if (pc.echoAsks) {
        await expect(card).toBeVisible({ timeout: 30_000 })
        await expect(card).toContainText('echo hi')
        await card.getByRole('button', { name: 'Allow once' }).click()
        await expect(card).toHaveCount(0)
      }
      await expect(p.locator('[data-kind="tool_result"]').first()).toHaveText(`Output of ${tool} hi`)
      await expect(p.getByText(pc.done)).toBeVisible({ timeout: 30_000 })
      await expect(status(p)).toHaveText(/Idle/)
      await expect(p.getByText(/^\d+(\.\d)?[kM]? tokens$/)).toBeVisible()
      await expect(p.getByText(pc.cost)).toBeVisible()
      const { api, close } = apiClient(shepherd)
      try {
        const [project] = await api.projects.list.query()
        const [s] = await api.sessions.list.query({ projectId: project!.id })
        expect(s!.provider).toBe(pc.id)
        expect(s!.totals.inputTokens + s!.totals.outputTokens).toBeGreaterThan(0)
        expect(s!.totals.costKnown).toBe(pc.costKnown)
        if (pc.costKnown) expect(s!.totals.costUsd).toBeGreaterThan(0)
      } finally {
        close()
      }

      // ---- 2. a second turn ---------------------------------------------------------------------
      await send(p, '[[text:second answer]]')
      await expect(p.getByText('second answer', { exact: true })).toBeVisible({ timeout: 30_000 })
      await expect(status(p)).toHaveText(/Idle/)

      // ---- 3. Esc interrupts a slow turn --------------------------------------------------------
      await send(p, '[[slow:20]]')
      await expect(status(p)).toHaveText(/Running/, { timeout: 20_000 })
      await expect.poll(() => model.requests.some((r) => isAgentRequest(r) && bodyText(r).includes('[[slow:20]]')), { timeout: 20_000 }).toBe(true)
      // The answer shows while it is written, growing, before any message is stored.
      const writing = p.getByRole('group', { name: 'The agent is writing' })
      await expect(writing).toContainText('tick1', { timeout: 15_000 })
      await expect(writing).toContainText('tick3', { timeout: 10_000 })
      const disconnects = model.disconnects.length
      const pressed = Date.now()
      await p.getByLabel('Prompt', { exact: true }).press('Escape')
      await expect(status(p)).toHaveText(/Idle/, { timeout: 10_000 })
      expect(Date.now() - pressed).toBeLessThan(10_000)
      await expect(p.getByRole('region', { name: 'Transcript' }).getByText('Interrupted', { exact: true })).toBeVisible()
      // The draft became the stored message: what had streamed stays, once.
      await expect(writing).toHaveCount(0)
      await expect(p.locator('[data-kind="assistant"]').filter({ hasText: /tick0 tick1 tick2 tick3/ })).toHaveCount(1)
      // The CLI really dropped the model stream.
      await expect.poll(() => model.disconnects.length, { timeout: 5_000 }).toBeGreaterThan(disconnects)
      await send(p, '[[text:after interrupt]]')
      await expect(p.getByText('after interrupt', { exact: true })).toBeVisible({ timeout: 30_000 })
      await expect(status(p)).toHaveText(/Idle/)

      // ---- 4. approvals: ask first; allow once runs the command, a denial does not ---------------
      await p.getByLabel('Permission mode').selectOption({ label: 'Ask first' })
      await expect(p.getByText('Permission mode set to default.')).toBeVisible()
      await send(p, '[[bash:touch allowed.txt]]')
      await expect(card).toBeVisible({ timeout: 30_000 })
      await expect(card).toContainText('touch allowed.txt')
      await expect(status(p)).toHaveText(/Waiting for approval/)
      await card.getByRole('button', { name: 'Allow once' }).click()
      await expect(card).toHaveCount(0)
      await expect(p.getByRole('button', { name: `${tool} · touch allowed.txt`, exact: true })).toBeVisible({ timeout: 30_000 })
      await expect(status(p)).toHaveText(/Idle/, { timeout: 30_000 })
      expect(existsSync(join(dir, 'allowed.txt'))).toBe(true)

      await send(p, '[[bash:touch denied.txt]]')
      await expect(card).toBeVisible({ timeout: 30_000 })
      await expect(card).toContainText('touch denied.txt')
      await card.getByLabel('Reason for denying (optional)').fill('not this file')
      await card.getByRole('button', { name: 'Deny' }).click()
      await expect(card).toHaveCount(0)
      const deniedResult = p.locator('[data-kind="tool_result"]').last()
      await expect(deniedResult).toContainText(`Tool error of ${tool}`, { timeout: 30_000 })
      await expect(deniedResult).toContainText(pc.denied.result)
      // The reason reached the model (the fake model quotes it back).
      await expect(p.getByText(pc.denied.answer, { exact: true })).toBeVisible({ timeout: 30_000 })
      await expect(status(p)).toHaveText(/Idle/, { timeout: 30_000 })
      expect(existsSync(join(dir, 'denied.txt'))).toBe(false)

      // ---- 5. live model switch -----------------------------------------------------------------
      await p.getByLabel('Model', { exact: true }).fill(pc.model.set)
      await p.getByLabel('Model', { exact: true }).press('Enter')
      await expect(p.getByText(`Model set to ${pc.model.set}.`)).toBeVisible()
      await send(p, '[[model]]')
      await expect(p.getByText(`MODEL: ${pc.model.sent}`, { exact: true })).toBeVisible({ timeout: 30_000 })
      await expect(status(p)).toHaveText(/Idle/)

      // ---- 6. a host restart: the old transcript, then the CLI resumes the same conversation -----
      await shepherd.restart()
      await page.goto(shepherd.url)
      await expect(status(p)).toHaveText(/Interrupted/, { timeout: 15_000 })
      await expect(p.getByText('second answer', { exact: true })).toBeVisible()
      await expect(p.getByText(`MODEL: ${pc.model.sent}`, { exact: true })).toBeVisible()
      // The session's model and permission mode survive the restart.
      await expect(p.getByLabel('Model', { exact: true })).toHaveValue(pc.model.set)
      await expect(p.getByLabel('Permission mode')).toHaveValue('default')
      const before = model.requests.length
      // The CLI starts again first (`opencode serve` boots for a few seconds).
      await send(p, '[[text:resumed]]', 30_000)
      await expect(p.getByText('resumed', { exact: true })).toBeVisible({ timeout: 30_000 })
      await expect(status(p)).toHaveText(/Idle/)
      // The CLI sent the earlier turns along: it is the same conversation, not a fresh one.
      const resumed = model.requests.slice(before).filter((r) => isAgentRequest(r) && bodyText(r).includes('[[text:resumed]]'))
      expect(resumed.length).toBeGreaterThan(0)
      expect(bodyText(resumed[0]!)).toContain('please [[bash:echo hi]]')
      expect(bodyText(resumed[0]!)).toContain('second answer')
      expect((resumed[0]!.body as { model?: string }).model).toBe(pc.model.sent)
    })
  })
}
