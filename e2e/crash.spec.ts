/**
 * Issue 11 #9: when Shepherd itself dies (kill -9 of the host), its agents stop within 2 s instead of
 * going on with their turn unwatched, and the next start says in the transcript that the turn was
 * cut short and what was lost. Runs the REAL Claude Code against the fake model server (e2e/agents.ts).
 */
import Database from 'better-sqlite3'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { apiClient, expect, test } from './agents'
import { openApp } from './fixtures'

/** Pids of live (non-zombie) processes in process group `pgid` (Linux /proc). */
function groupMembers(pgid: number): number[] {
  const out: number[] = []
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8')
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      if (Number(rest[2]) === pgid && rest[0] !== 'Z' && rest[0] !== 'X') out.push(Number(name))
    } catch {
      /* gone meanwhile */
    }
  }
  return out
}

test.skip(process.platform !== 'linux', 'reads process groups from /proc')

test('kill -9 of the host: the agent is gone 2 s later and the turn is marked cut short', async ({ page, shepherd, model, sandbox }) => {
  const { api, close } = apiClient(shepherd)
  let sessionId: string
  try {
    const project = await api.projects.add.mutate({ path: sandbox.projectDir, name: 'Crash' })
    const session = await api.sessions.start.mutate({ projectId: project.id, prompt: 'stream [[slow:60]]' })
    sessionId = session.id
    // The answer is streaming: the CLI is mid-turn.
    await expect.poll(() => model.requests.some((r) => JSON.stringify(r.body ?? '').includes('[[slow:60]]')), { timeout: 30_000 }).toBe(true)
    await expect.poll(async () => (await api.sessions.get.query({ id: session.id })).status, { timeout: 30_000 }).toBe('running')
  } finally {
    close()
  }

  const db = new Database(join(shepherd.dataDir, 'shepherd.db'), { readonly: true, fileMustExist: true })
  const pid = (db.prepare('SELECT pid FROM sessions WHERE id = ?').get(sessionId) as { pid: number | null }).pid
  db.close()
  expect(pid).toBeGreaterThan(1)
  expect(groupMembers(pid!).length).toBeGreaterThan(0)

  await shepherd.kill()
  const killedAt = Date.now()
  await expect.poll(() => groupMembers(pid!).length, { timeout: 2_000, intervals: [50] }).toBe(0)
  expect(Date.now() - killedAt).toBeLessThan(2_500)

  // The next start: the turn is marked in the transcript, the session is no longer running.
  await shepherd.restart()
  await openApp(page, shepherd)
  await page
    .getByRole('button', { name: /^Crash/ })
    .first()
    .click()
  const pane = page.getByRole('region', { name: 'Crash', exact: true })
  await expect(pane.getByText(/^Cut short: Shepherd stopped unexpectedly while this turn was running/)).toBeVisible({ timeout: 15_000 })
  await expect(pane.getByRole('status', { name: 'Session status' })).toHaveText(/Interrupted/)
})
