/**
 * The importers on transcripts the real pinned CLIs wrote (./fixtures): what lands in the store,
 * idempotence, appended turns, malformed/truncated/oversized lines, concurrent runs, cancel, and that
 * the CLIs' files are never touched.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { appendFileSync, cpSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createHash as hash } from 'node:crypto'
import { testCore } from '../../test/support/core'
import { tempDir } from '../../test/support/temp'
import { encodeClaudePath } from './discover'
import { ImportService } from './service'

const FIX = join(__dirname, 'fixtures')
const CLAUDE_ID = '868c0796-ce4a-43c3-bdb8-ecee0d66b5e0'
const CLAUDE_CWD = '/tmp/shepherd-agent-MyNCzl/project'
const CODEX_CWD = '/tmp/shepherd-codex-E4gXxH/project'
const CODEX_ID = '01a24cf0-1c64-7b61-88a8-84b81156673c'

const cleanups: (() => unknown)[] = []
afterEach(async () => {
  for (const c of cleanups.reverse()) await c()
  cleanups.length = 0
})

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]))
}

/** A sandbox HOME holding the fixtures as the CLIs keep them, recorded cwd pointed at `project`. */
async function sandbox() {
  const t = tempDir('shepherd-import-')
  cleanups.push(t.cleanup)
  const project = join(t.dir, 'my project')
  mkdirSync(project)
  const claudeDir = join(t.dir, 'claude-config')
  const codexHome = join(t.dir, 'codex-home')
  const cdir = join(claudeDir, 'projects', encodeClaudePath(project))
  mkdirSync(cdir, { recursive: true })
  cpSync(join(FIX, 'claude'), cdir, { recursive: true })
  cpSync(join(FIX, 'codex'), join(codexHome, 'sessions'), { recursive: true })
  for (const f of [...walk(cdir), ...walk(join(codexHome, 'sessions'))]) {
    if (!f.endsWith('.jsonl')) continue
    writeFileSync(f, readFileSync(f, 'utf8').replaceAll(CLAUDE_CWD, project).replaceAll(CODEX_CWD, project))
  }
  const env = { HOME: join(t.dir, 'nohome'), CLAUDE_CONFIG_DIR: claudeDir, CODEX_HOME: codexHome }
  const core = testCore()
  cleanups.push(core.cleanup)
  const p = await core.caller.projects.add({ path: project })
  const svc = new ImportService(core.core.store, core.core.hub, env)
  const claudeMain = join(cdir, `${CLAUDE_ID}.jsonl`)
  const codexFile = walk(join(codexHome, 'sessions'))[0]!
  return { ...core, project: p, projectPath: project, svc, env, claudeMain, codexFile, cdir }
}

type S = Awaited<ReturnType<typeof sandbox>>
const sessionsOf = (s: S) => s.core.store.listSessions(s.project.id)
const bySid = (s: S, cli: string) => sessionsOf(s).find((x) => x.cli_session_id === cli)!
const msgs = (s: S, id: string) => s.core.store.messagesAfter(id, 0, 1000)
const digest = (files: string[]) => files.map((f) => `${f}:${statSync(f).mtimeMs}:${hash('sha256').update(readFileSync(f)).digest('hex')}`).join('\n')

describe("import of the CLIs' own transcripts", () => {
  it('scan counts what each CLI has for the folder (CLAUDE_CONFIG_DIR, CODEX_HOME honoured)', async () => {
    const s = await sandbox()
    expect(s.svc.scan(s.project.id)).toMatchObject({ claude: { sessions: 1, pending: 1 }, codex: { sessions: 1, pending: 1 }, pending: 2 })
    // Another folder has nothing.
    const other = await s.caller.projects.add({ path: join(s.projectPath, '..') })
    expect(s.svc.scan(other.id)).toMatchObject({ claude: { sessions: 0 }, pending: s.svc.scan(other.id).codex.pending })
  })

  it('Claude Code: prompts, answers, thinking, tool calls/results, the sub-agent under its call, tokens and cost, CLI id', async () => {
    const s = await sandbox()
    const before = digest(walk(join(s.env.CLAUDE_CONFIG_DIR, 'projects')))
    const job = await s.svc.run(s.project.id).done
    expect(job).toMatchObject({ state: 'done', sessionsAdded: 2, skippedCount: 0, errors: [] })
    const row = bySid(s, CLAUDE_ID)
    expect(row).toMatchObject({
      provider: 'claude',
      status: 'done',
      pinned: 1,
      title: 'please [[bash:echo hello-import]]',
      model: 'claude-opus-5-5',
      cost_known: 1
    })
    expect(row.cost_usd).toBeCloseTo(0.305296, 5)
    expect(row.input_tokens).toBeGreaterThan(1000)
    expect(row.output_tokens).toBeGreaterThan(0)
    const m = msgs(s, row.id)
    expect(m.map((x) => x.seq)).toEqual(m.map((_, i) => i + 1))
    expect(m.filter((x) => x.kind === 'user').map((x) => x.text)).toEqual([
      'please [[bash:echo hello-import]]',
      '[[thinking:pondering the import]]',
      'delegate [[agent:look around the sub-agent way]]',
      'look around the sub-agent way'
    ])
    const bash = m.find((x) => x.kind === 'tool_call' && x.tool_name === 'Bash')!
    expect(bash.tool_path).toBe('echo hello-import')
    expect(m.find((x) => x.kind === 'tool_result' && x.tool_use_id === bash.tool_use_id)?.text).toBe('hello-import')
    expect(m.find((x) => x.kind === 'thinking')?.text).toBe('pondering the import')
    const agentCall = m.find((x) => x.kind === 'tool_call' && ['Agent', 'Task'].includes(x.tool_name ?? ''))!
    const sub = m.filter((x) => x.parent_id !== null)
    expect(sub.length).toBeGreaterThanOrEqual(2)
    expect(new Set(sub.map((x) => x.parent_id))).toEqual(new Set([agentCall.tool_use_id]))
    expect(sub.some((x) => x.kind === 'assistant' && x.text.startsWith('ACK: look around'))).toBe(true)
    // Right after the call's result (the launch), before the main thread goes on.
    const launched = m.find((x) => x.kind === 'tool_result' && x.tool_use_id === agentCall.tool_use_id)!
    expect(sub[0]!.seq).toBe(launched.seq + 1)
    expect(m.at(-1)!.parent_id).toBeNull()
    // Attachments, api-request records, queue operations are not rows.
    expect(m.some((x) => x.text.includes('<system-reminder>'))).toBe(false)
    expect(digest(walk(join(s.env.CLAUDE_CONFIG_DIR, 'projects')))).toBe(before) // never modified
  })

  it('Codex: prompts without injected context, command as Bash, its output, reasoning, tokens (cost n/a)', async () => {
    const s = await sandbox()
    await s.svc.run(s.project.id).done
    const row = bySid(s, CODEX_ID)
    expect(row).toMatchObject({ provider: 'codex', cost_known: 0, cost_usd: 0, model: 'gpt-5.5', context_window: 258400 })
    expect(row.input_tokens).toBe(32246)
    expect(row.output_tokens).toBe(222)
    const m = msgs(s, row.id)
    expect(m.filter((x) => x.kind === 'user').map((x) => x.text)).toEqual(['please [[bash:echo hello-import]]', '[[thinking:pondering the import]]'])
    const call = m.find((x) => x.kind === 'tool_call')!
    expect(call).toMatchObject({ tool_name: 'Bash', tool_path: 'echo hello-import', text: 'Bash: echo hello-import' })
    expect(m.find((x) => x.kind === 'tool_result' && x.tool_use_id === call.tool_use_id)?.text).toContain('hello-import')
    expect(m.find((x) => x.kind === 'thinking')?.text).toBe('pondering the import')
    expect(m.filter((x) => x.kind === 'assistant').map((x) => x.text)).toContain('Thought about it.')
  })

  it('is idempotent, and a re-run adds exactly the turns appended since (same result as one import)', async () => {
    const s = await sandbox()
    const full = readFileSync(s.claudeMain, 'utf8')
    const lines = full.split('\n').filter(Boolean)
    const cut = Math.floor(lines.length / 2)
    // The file as it was mid-session, with the next line half written (no newline yet).
    writeFileSync(s.claudeMain, lines.slice(0, cut).join('\n') + '\n' + lines[cut]!.slice(0, 40))
    await s.svc.run(s.project.id).done
    const first = msgs(s, bySid(s, CLAUDE_ID).id).length
    expect(first).toBeGreaterThan(0)
    const again = await s.svc.run(s.project.id).done
    expect(again).toMatchObject({ sessionsAdded: 0, sessionsUpdated: 0, messagesAdded: 0, skippedCount: 0 })
    expect(msgs(s, bySid(s, CLAUDE_ID).id)).toHaveLength(first)
    // The CLI finishes the line and appends the rest of the session.
    writeFileSync(s.claudeMain, full)
    expect(s.svc.scan(s.project.id)).toMatchObject({ claude: { pending: 1 } })
    const third = await s.svc.run(s.project.id).done
    expect(third).toMatchObject({ sessionsAdded: 0, sessionsUpdated: 1, skippedCount: 0 })
    const after = msgs(s, bySid(s, CLAUDE_ID).id)
    // Same rows as importing the whole file at once.
    const ref = await sandbox()
    await ref.svc.run(ref.project.id).done
    const strip = (r: ReturnType<typeof msgs>) => r.map(({ session_id: _s, ...rest }) => rest)
    expect(strip(after)).toEqual(strip(msgs(ref, bySid(ref, CLAUDE_ID).id)))
    expect(bySid(s, CLAUDE_ID).input_tokens).toBe(bySid(ref, CLAUDE_ID).input_tokens)
    expect(sessionsOf(s)).toHaveLength(2)
    expect(s.svc.scan(s.project.id).pending).toBe(0)
    expect((await s.svc.run(s.project.id).done).messagesAdded).toBe(0)
  })

  it('malformed and truncated lines are reported with file and line and skipped; the rest imports', async () => {
    const s = await sandbox()
    const lines = readFileSync(s.codexFile, 'utf8').split('\n').filter(Boolean)
    lines.splice(9, 0, '{"timestamp": "2026-12-06T19:58:54.100Z", "type": "response_item", "payload": {"type": "mess') // truncated
    lines.splice(3, 0, 'not json at all')
    writeFileSync(s.codexFile, lines.join('\n') + '\n')
    const job = await s.svc.run(s.project.id).done
    expect(job.state).toBe('done')
    expect(job.skippedCount).toBe(2)
    expect(job.skipped.map((x) => [x.file, x.line])).toEqual([
      [s.codexFile, 4],
      [s.codexFile, 11]
    ])
    expect(job.skipped[0]!.reason).toMatch(/not valid JSON/)
    expect(msgs(s, bySid(s, CODEX_ID).id).some((x) => x.kind === 'tool_result' && x.text.includes('hello-import'))).toBe(true)
  })

  it('a 30 MB line imports; a line over the limit is skipped and reported, never held whole', async () => {
    const s = await sandbox()
    const big = 'x'.repeat(30 * 1024 * 1024)
    const line = JSON.stringify({
      type: 'response_item',
      timestamp: '2026-12-06T20:00:00.000Z',
      payload: { type: 'function_call_output', call_id: 'call_big', output: big }
    })
    appendFileSync(s.codexFile, line + '\n')
    await s.svc.run(s.project.id).done
    const res = msgs(s, bySid(s, CODEX_ID).id).find((x) => x.tool_use_id === 'call_big')
    expect(res?.text.length).toBe(big.length)
    const s2 = await sandbox()
    appendFileSync(s2.codexFile, line + '\n')
    const svc = new ImportService(s2.core.store, s2.core.hub, s2.env, { maxLineBytes: 1024 * 1024, chunkBytes: 64 * 1024 })
    const job = await svc.run(s2.project.id).done
    expect(job.skipped).toEqual([expect.objectContaining({ file: s2.codexFile, reason: expect.stringMatching(/longer than the limit/) })])
    expect(msgs(s2, bySid(s2, CODEX_ID).id).some((x) => x.kind === 'assistant')).toBe(true)
  })

  it('two imports of the same folder at once: the second joins the first, nothing twice', async () => {
    const s = await sandbox()
    const a = s.svc.run(s.project.id)
    const b = s.svc.run(s.project.id)
    expect(b.done).toBe(a.done)
    // A second service over the same database (another window's request) after the first.
    await Promise.all([a.done, b.done])
    const other = new ImportService(s.core.store, s.core.hub, s.env)
    expect((await other.run(s.project.id).done).messagesAdded).toBe(0)
    expect(sessionsOf(s)).toHaveLength(2)
  })

  it('cancel stops a long import with what was committed kept consistent; the next run finishes it', async () => {
    const s = await sandbox()
    // A long Codex file: the recorded turn repeated 3,000 times (~60 MB).
    const body = readFileSync(s.codexFile, 'utf8').split('\n').filter(Boolean)
    const turn = body.slice(1).join('\n') + '\n'
    writeFileSync(s.codexFile, body[0] + '\n')
    for (let i = 0; i < 3000; i++) appendFileSync(s.codexFile, turn)
    const svc = new ImportService(s.core.store, s.core.hub, s.env, { chunkBytes: 64 * 1024 })
    const run = svc.run(s.project.id)
    await new Promise((r) => setTimeout(r, 5))
    while (run.job.bytesDone === 0 && run.job.state === 'running') await new Promise((r) => setTimeout(r, 5))
    svc.cancel(s.project.id)
    const job = await run.done
    expect(job.state).toBe('cancelled')
    expect(job.bytesDone).toBeLessThan(job.bytesTotal)
    const partial = bySid(s, CODEX_ID) ? msgs(s, bySid(s, CODEX_ID).id).length : 0
    const done = await svc.run(s.project.id).done
    expect(done.state).toBe('done')
    const id = bySid(s, CODEX_ID).id
    const ref = await sandbox()
    await ref.svc.run(ref.project.id).done
    const perCopy = msgs(ref, bySid(ref, CODEX_ID).id).length
    // Every row once: as many as 3,000 copies of the recorded file give, seqs without gaps.
    expect(s.core.store.maxSeq(id)).toBe(3000 * perCopy)
    expect(s.core.store.pageMessages(id, null, 1000).at(-1)!.seq).toBe(3000 * perCopy)
    expect((s.core as unknown as { store: { pageMessages: unknown } }).store).toBeTruthy()
    expect(partial).toBeLessThan(3000 * perCopy)
  })

  it('sessions Shepherd ran itself are not imported as copies', async () => {
    const s = await sandbox()
    const now = Date.now()
    s.core.store.insertSession({
      id: 'own',
      projectId: s.project.id,
      provider: 'claude',
      model: null,
      permissionMode: 'default',
      cwd: s.projectPath,
      title: 'mine',
      systemPrompt: null,
      extraEnv: {},
      status: 'done',
      now
    })
    s.core.store.updateSession('own', { cli_session_id: CLAUDE_ID })
    expect(s.svc.scan(s.project.id).claude).toEqual({ sessions: 0, pending: 0 })
    await s.svc.run(s.project.id).done
    expect(sessionsOf(s).filter((x) => x.cli_session_id === CLAUDE_ID)).toHaveLength(1)
  })
})

describe('a session continued in Shepherd after its import', () => {
  it('is not offered again: what the CLI appends is the conversation Shepherd stored live', async () => {
    const s = await sandbox()
    await s.svc.run(s.project.id).done
    const row = bySid(s, CLAUDE_ID)
    // Shepherd resumed it: its own turn is stored, and the CLI appends the same turn to its file.
    s.core.store.insertMessages([
      {
        session_id: row.id,
        seq: row.last_seq + 1,
        kind: 'user',
        text: 'follow-up in Shepherd',
        tool_name: null,
        tool_input: null,
        tool_path: null,
        tool_use_id: null,
        parent_id: null,
        is_error: 0,
        created_at: Date.now()
      }
    ])
    s.core.store.updateSession(row.id, { last_seq: row.last_seq + 1 })
    appendFileSync(
      s.claudeMain,
      JSON.stringify({ type: 'user', message: { role: 'user', content: 'follow-up in Shepherd' }, timestamp: new Date().toISOString() }) + '\n'
    )
    expect(s.svc.scan(s.project.id).pending).toBe(0)
    const job = await s.svc.run(s.project.id).done
    expect(job.messagesAdded).toBe(0)
    expect(msgs(s, row.id).filter((m) => m.text === 'follow-up in Shepherd')).toHaveLength(1)
  })
})

describe('a file the CLI appends to while it is being imported', () => {
  it('takes complete lines as they come, leaves a half-written one, and the next run adds the rest once', async () => {
    const s = await sandbox()
    const body = readFileSync(s.codexFile, 'utf8').split('\n').filter(Boolean)
    const turn = body.slice(1).join('\n') + '\n'
    writeFileSync(s.codexFile, body[0] + '\n' + turn.repeat(400))
    const svc = new ImportService(s.core.store, s.core.hub, s.env, { chunkBytes: 16 * 1024 })
    const run = svc.run(s.project.id)
    // While it reads: the CLI appends more turns, the last one cut mid-line.
    let appended = 0
    while (run.job.state === 'running' && appended < 50) {
      appendFileSync(s.codexFile, turn)
      appended++
      await new Promise((r) => setTimeout(r, 2))
    }
    appendFileSync(s.codexFile, turn.slice(0, 100))
    const first = await run.done
    expect(first.state).toBe('done')
    expect(first.skippedCount).toBe(0)
    appendFileSync(s.codexFile, turn.slice(100))
    await svc.run(s.project.id).done
    const ref = await sandbox()
    await ref.svc.run(ref.project.id).done
    const perCopy = msgs(ref, bySid(ref, CODEX_ID).id).length
    const id = bySid(s, CODEX_ID).id
    expect(s.core.store.maxSeq(id)).toBe((400 + appended + 1) * perCopy)
    expect(s.core.store.messagesAfter(id, 0, 1000).map((m) => m.seq)).toEqual(
      Array.from({ length: Math.min(1000, (400 + appended + 1) * perCopy) }, (_, i) => i + 1)
    )
  })
})

describe('a transcript with nothing to show', () => {
  it('creates no empty session, is not offered again, and imports once turns appear', async () => {
    const s = await sandbox()
    const codexLines = readFileSync(s.codexFile, 'utf8').split('\n').filter(Boolean)
    writeFileSync(s.codexFile, codexLines[0] + '\n') // session_meta only
    const job = await s.svc.run(s.project.id).done
    expect(job.sessionsAdded).toBe(1) // the Claude Code one
    expect(sessionsOf(s).filter((x) => x.provider === 'codex')).toHaveLength(0)
    expect(s.svc.scan(s.project.id).codex).toEqual({ sessions: 1, pending: 0 })
    writeFileSync(s.codexFile, codexLines.join('\n') + '\n')
    expect(s.svc.scan(s.project.id).codex.pending).toBe(1)
    expect((await s.svc.run(s.project.id).done).sessionsAdded).toBe(1)
    expect(msgs(s, bySid(s, CODEX_ID).id).some((m) => m.kind === 'tool_call')).toBe(true)
  })
})
