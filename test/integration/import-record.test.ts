/**
 * Runs the REAL pinned Claude Code and Codex (against the fake model server) in sandbox homes so they
 * write their own transcript files, then imports those files. With RECORD_IMPORT_FIXTURES=1 the files
 * are copied into src-main/import/fixtures/ (the small real samples the unit tests read).
 */
import { afterAll, describe, expect, it } from 'vitest'
import { copyFileSync, mkdirSync, readdirSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { startFakeModelServer, type FakeModelServer } from '../support/fake-model-server.mjs'
import { claudeBinaryPath, makeAgentSandbox, REPO_ROOT } from '../support/agents'
import { codexBinaryPath, makeCodexSandbox } from '../support/codex-sandbox'
import { testCore } from '../support/core'
import { waitFor } from '../support/live'
import { ClaudeProvider } from '../../src-main/providers/claude/provider'
import { CodexProvider } from '../../src-main/providers/codex/provider'
import { ImportService } from '../../src-main/import/service'

const RECORD = process.env.RECORD_IMPORT_FIXTURES === '1'
const FIXTURES = join(REPO_ROOT, 'src-main', 'import', 'fixtures')
const cleanups: (() => unknown)[] = []
let server: FakeModelServer
afterAll(async () => {
  for (const c of cleanups.reverse()) await c()
  await server?.close()
})

function walk(dir: string): string[] {
  const out: string[] = []
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name)
    if (e.isDirectory()) out.push(...walk(p))
    else out.push(p)
  }
  return out
}

async function idleAfter(t: ReturnType<typeof testCore>, id: string, text: string) {
  return waitFor(
    `turn with ${text}`,
    async () => {
      for (const a of await t.caller.sessions.approvals({}))
        await t.caller.sessions.answerApproval({ approvalId: a.id, decision: { behavior: 'allow', scope: 'once' } })
      const cur = t.core.supervisor.getSession(id)
      return cur.status === 'idle' && t.core.store.messagesAfter(id, 0, 1000).some((m) => m.kind === 'assistant' && m.text.includes(text)) ? cur : null
    },
    90_000
  )
}

describe('transcripts written by the real CLIs import into Shepherd', () => {
  it('Claude Code: tool call, thinking, sub-agent, second turn', async () => {
    server ??= await startFakeModelServer()
    const sb = makeAgentSandbox(server.url)
    cleanups.push(() => sb.cleanup())
    const t = testCore({ providers: [new ClaudeProvider()], hostEnv: sb.env })
    cleanups.push(t.cleanup)
    const st = await t.caller.settings.get()
    await t.caller.settings.update({ providers: { ...st.providers, claude: { ...st.providers.claude, cliPath: claudeBinaryPath() } } })
    const project = await t.caller.projects.add({ path: sb.projectDir })
    const s = await t.caller.sessions.start({ projectId: project.id, prompt: 'please [[bash:echo hello-import]]', permissionMode: 'acceptEdits' })
    await idleAfter(t, s.id, 'DONE.')
    await t.caller.sessions.send({ id: s.id, prompt: '[[thinking:pondering the import]]' })
    await idleAfter(t, s.id, 'Thought about it.')
    await t.caller.sessions.send({ id: s.id, prompt: 'delegate [[agent:look around the sub-agent way]]' })
    await idleAfter(t, s.id, 'DONE.')
    const cli = t.core.supervisor.getSession(s.id).cliSessionId
    await t.caller.sessions.stop({ id: s.id })
    const files = walk(join(sb.configDir, 'projects')).filter((f) => f.endsWith('.jsonl'))
    expect(files.some((f) => f.includes(cli!))).toBe(true)
    if (RECORD) {
      for (const f of files) {
        const rel = relative(join(sb.configDir, 'projects'), f).split('/').slice(1).join('/')
        const dest = join(FIXTURES, 'claude', rel)
        mkdirSync(join(dest, '..'), { recursive: true })
        copyFileSync(f, dest)
      }
    }
    // A fresh Shepherd (another data dir) imports what the CLI wrote.
    const t2 = testCore({ providers: [new ClaudeProvider()], hostEnv: sb.env })
    cleanups.push(t2.cleanup)
    const p2 = await t2.caller.projects.add({ path: sb.projectDir })
    const svc = new ImportService(t2.core.store, t2.core.hub, sb.env)
    const found = svc.scan(p2.id)
    expect(found.claude.sessions).toBeGreaterThanOrEqual(1)
    const res = await svc.run(p2.id).done
    expect(res.errors).toEqual([])
    const sessions = t2.core.store.listSessions(p2.id)
    const imported = sessions.find((x) => x.cli_session_id === cli)!
    const msgs = t2.core.store.messagesAfter(imported.id, 0, 1000)
    expect(msgs.some((m) => m.kind === 'tool_call' && m.tool_name === 'Bash')).toBe(true)
    expect(msgs.some((m) => m.kind === 'tool_result' && m.text.includes('hello-import'))).toBe(true)
    expect(msgs.some((m) => m.kind === 'thinking' && m.text.includes('pondering the import'))).toBe(true)
    expect(msgs.some((m) => m.parent_id !== null)).toBe(true)
    expect(imported.input_tokens).toBeGreaterThan(0)
    for (const f of files) expect(statSync(f).size).toBeGreaterThan(0)
    // Resumable: a follow-up in the importing Shepherd continues the CLI's conversation.
    const st2 = await t2.caller.settings.get()
    await t2.caller.settings.update({ providers: { ...st2.providers, claude: { ...st2.providers.claude, cliPath: claudeBinaryPath() } } })
    const before = server.requests.length
    await t2.caller.sessions.send({ id: imported.id, prompt: 'after import [[text:continued]]' })
    await idleAfter(t2, imported.id, 'continued')
    const req = server.requests.slice(before).find((r) => JSON.stringify(r.body ?? '').includes('after import'))
    expect(JSON.stringify(req?.body ?? '')).toContain('hello-import')
  }, 240_000)

  it('Codex: tool call, reasoning, second turn', async () => {
    server ??= await startFakeModelServer()
    const sb = makeCodexSandbox(server.url)
    cleanups.push(() => sb.cleanup())
    const t = testCore({ providers: [new CodexProvider()], hostEnv: sb.env })
    cleanups.push(t.cleanup)
    const st = await t.caller.settings.get()
    await t.caller.settings.update({ defaultProvider: 'codex', providers: { ...st.providers, codex: { ...st.providers.codex, cliPath: codexBinaryPath() } } })
    const project = await t.caller.projects.add({ path: sb.projectDir })
    const s = await t.caller.sessions.start({
      projectId: project.id,
      provider: 'codex',
      prompt: 'please [[bash:echo hello-import]]',
      permissionMode: 'acceptEdits'
    })
    await idleAfter(t, s.id, 'DONE.')
    await t.caller.sessions.send({ id: s.id, prompt: '[[thinking:pondering the import]]' })
    await idleAfter(t, s.id, 'Thought about it.')
    const cli = t.core.supervisor.getSession(s.id).cliSessionId
    await t.caller.sessions.stop({ id: s.id })
    const files = walk(join(sb.codexHome, 'sessions')).filter((f) => f.endsWith('.jsonl'))
    expect(files.length).toBeGreaterThan(0)
    if (RECORD) {
      for (const f of files) {
        const dest = join(FIXTURES, 'codex', relative(join(sb.codexHome, 'sessions'), f))
        mkdirSync(join(dest, '..'), { recursive: true })
        copyFileSync(f, dest)
      }
    }
    const t2 = testCore({ providers: [new CodexProvider()], hostEnv: sb.env })
    cleanups.push(t2.cleanup)
    const p2 = await t2.caller.projects.add({ path: sb.projectDir })
    const svc = new ImportService(t2.core.store, t2.core.hub, sb.env)
    expect(svc.scan(p2.id).codex.sessions).toBeGreaterThanOrEqual(1)
    const res = await svc.run(p2.id).done
    expect(res.errors).toEqual([])
    const imported = t2.core.store.listSessions(p2.id).find((x) => x.cli_session_id === cli)!
    const msgs = t2.core.store.messagesAfter(imported.id, 0, 1000)
    expect(msgs.some((m) => m.kind === 'tool_call')).toBe(true)
    expect(msgs.some((m) => m.kind === 'tool_result' && m.text.includes('hello-import'))).toBe(true)
    expect(msgs.some((m) => m.kind === 'user' && m.text.includes('[[thinking:pondering the import]]'))).toBe(true)
    expect(imported.input_tokens).toBeGreaterThan(0)
    const st2 = await t2.caller.settings.get()
    await t2.caller.settings.update({ providers: { ...st2.providers, codex: { ...st2.providers.codex, cliPath: codexBinaryPath() } } })
    const before = server.requests.length
    await t2.caller.sessions.send({ id: imported.id, prompt: 'after import [[text:continued]]' })
    await idleAfter(t2, imported.id, 'continued')
    const req = server.requests.slice(before).find((r) => JSON.stringify(r.body ?? '').includes('after import'))
    expect(JSON.stringify(req?.body ?? '')).toContain('hello-import')
    expect(t2.core.supervisor.getSession(imported.id).cliSessionId).toBe(cli)
  }, 240_000)
})
