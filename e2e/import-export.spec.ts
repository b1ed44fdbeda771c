/**
 * Issue 15, items 3 and 4 through the UI, with the REAL pinned Claude Code (e2e/agents.ts sandbox,
 * fake model server): the CLI itself writes a session into the sandbox HOME; adding its folder offers
 * the import; the imported session shows its transcript and a follow-up prompt resumes the CLI's own
 * conversation (the model receives the earlier turn). Then the session is exported as Markdown, JSON
 * and HTML from the pane header (browser downloads) and the files are checked; one row is copied as
 * Markdown. (The docs screenshots of the import offer come from e2e/import-fixtures.spec.ts.)
 */
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import type { Locator, Page } from '@playwright/test'
import { apiClient, expect, test } from './agents'
import { openApp } from './fixtures'
import { agentBinary } from './provider-sandboxes'

const WORD = 'zebra-4711'

test.use({ viewport: { width: 1280, height: 800 } })

function pane(page: Page, name: string): Locator {
  return page.getByRole('region', { name, exact: true })
}

test('import a session the real Claude Code wrote, resume it, export it in each format', async ({ page, shepherd, sandbox, model, context }) => {
  test.setTimeout(180_000)
  // The CLI on its own, outside Shepherd, as a user had used it before.
  // (Asynchronously: the fake model server answers from this same process.)
  const out = await new Promise<string>((resolveOut, reject) => {
    const child = spawn(agentBinary('claude'), ['-p', `remember the word ${WORD} [[text:Noted: ${WORD}.]]`, '--output-format', 'json'], {
      cwd: sandbox.projectDir,
      env: sandbox.env,
      stdio: ['ignore', 'pipe', 'pipe']
    })
    let text = ''
    let err = ''
    child.stdout.on('data', (c: Buffer) => (text += c.toString()))
    child.stderr.on('data', (c: Buffer) => (err += c.toString()))
    child.on('error', reject)
    child.on('exit', (code) => (code === 0 ? resolveOut(text) : reject(new Error(`claude -p exited ${code}: ${err}`))))
  })
  const cliId = (JSON.parse(out) as { session_id: string }).session_id
  expect(cliId).toMatch(/^[0-9a-f-]{36}$/)

  await openApp(page, shepherd)
  await page.getByRole('button', { name: 'Add project', exact: true }).click()
  const add = page.getByRole('dialog', { name: 'Add project' })
  await add.getByLabel('Project folder path').fill(sandbox.projectDir)
  await add.getByLabel('Name').fill('Old work')
  await add.getByRole('button', { name: 'Add project' }).click()

  const offer = page.getByRole('dialog', { name: 'Import existing sessions' })
  await expect(offer).toBeVisible()
  await expect(offer).toContainText('Found 1 Claude Code session for this folder — import?')
  await offer.getByRole('button', { name: 'Import 1 session' }).click()
  const done = page.getByRole('dialog', { name: 'Import finished' })
  await expect(done).toContainText('1 new session')
  await done.getByRole('button', { name: 'Close' }).click()

  // The imported session is in the picker: open it, its transcript is there.
  const p = pane(page, 'Old work')
  await p.getByRole('button', { name: 'Sessions' }).click()
  await page
    .getByRole('dialog', { name: 'Sessions in Old work' })
    .getByRole('button', { name: `remember the word ${WORD} [[text:Noted: ${WORD}.]]`, exact: true })
    .click()
  await expect(p.getByText(`Noted: ${WORD}.`, { exact: true })).toBeVisible()

  // Resume it in Shepherd: the real CLI continues its own conversation (the model gets the first turn).
  const before = model.requests.length
  const box = p.getByLabel('Prompt', { exact: true })
  await box.fill('what was the word? [[text:Resumed with context.]]')
  await box.press('Enter')
  await expect(p.getByText('Resumed with context.', { exact: true })).toBeVisible({ timeout: 60_000 })
  const followUp = model.requests.slice(before).find((r) => JSON.stringify(r.body ?? '').includes('what was the word?'))
  expect(JSON.stringify(followUp?.body ?? '')).toContain(`remember the word ${WORD}`)
  expect(JSON.stringify(followUp?.body ?? '')).toContain(`Noted: ${WORD}.`)

  const { api, close } = apiClient(shepherd)
  try {
    const project = (await api.projects.list.query()).find((x) => x.name === 'Old work')!
    const session = (await api.sessions.list.query({ projectId: project.id })).find((s) => s.cliSessionId !== null)!
    await expect.poll(async () => (await api.sessions.get.query({ id: session.id })).status).toMatch(/idle|done/)
    const stored = await api.messages.after.query({ sessionId: session.id, afterSeq: 0, limit: 1000 })

    // Export each format from the pane header; the browser downloads it.
    const files: Record<string, string> = {}
    for (const [format, label] of [
      ['md', 'Markdown'],
      ['json', 'JSON'],
      ['html', 'HTML']
    ] as const) {
      await p.getByRole('button', { name: 'Export session' }).click()
      const download = page.waitForEvent('download')
      await page.getByRole('menuitem', { name: new RegExp(`^${label}`) }).click()
      const d = await download
      expect(d.suggestedFilename()).toMatch(new RegExp(`\\.${format}$`))
      const path = await d.path()
      files[format] = readFileSync(path, 'utf8')
    }
    expect(files.md).toMatch(/^# remember the word/)
    expect(files.md).toContain('## Turn 1')
    expect(files.md).toContain('## Turn 2')
    expect(files.md).toContain(`Noted: ${WORD}.`)
    expect(files.md).toContain(`(up to seq ${stored.lastSeq})`)
    const doc = JSON.parse(files.json!)
    expect(doc).toMatchObject({ format: 'shepherd-session', version: 1, session: { id: session.id, cliSessionId: expect.any(String) } })
    expect(doc.messages.map((m: { seq: number; text: string }) => [m.seq, m.text])).toEqual(stored.messages.map((m) => [m.seq, m.text]))
    expect(files.html).toContain('<!doctype html>')
    expect(files.html).not.toMatch(/<script/i)
    expect(files.html).toContain('Resumed with context.')
    expect(files.html).toContain('[[text:Noted: zebra-4711.]]') // the prompt, escaped text (no markup in it)

    // The HTML opens as a page on its own and makes no requests.
    const viewer = await context.newPage()
    const requests: string[] = []
    viewer.on('request', (r) => requests.push(r.url()))
    await viewer.setContent(files.html!)
    await expect(viewer.getByText('Resumed with context.', { exact: true })).toBeVisible()
    expect(requests).toEqual([])
    await viewer.close()

    // Copy one row as Markdown.
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: shepherd.origin })
    const first = stored.messages.find((m) => m.kind === 'user')!
    await p.getByRole('region', { name: 'Transcript' }).getByText(first.text, { exact: true }).hover()
    await p.getByRole('button', { name: `Copy message ${first.seq} as Markdown` }).click()
    await expect.poll(() => page.evaluate('navigator.clipboard.readText()')).toContain(`**You** · `)
    expect(await page.evaluate('navigator.clipboard.readText()')).toContain(first.text)

    // Importing again finds nothing new (the resumed turns are Shepherd's own now).
    const again = await api.imports.scan.query({ projectId: project.id })
    expect(again.pending).toBe(0)
  } finally {
    close()
  }
})
