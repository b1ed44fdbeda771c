/**
 * The generic ACP provider driving the real OpenCode CLI as an ACP agent (`opencode acp`, pinned,
 * test-only install) through the real supervisor and store, against the project's fake model
 * server (Chat Completions), offline. The agent command comes from settings (`providers.acp.command`).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { existsSync, readFileSync, symlinkSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { startFakeModelServer, type FakeModelServer } from '../support/fake-model-server.mjs'
import { makeAcpSandbox, opencodeAcpBinary, type AcpSandbox } from '../support/acp-sandbox'
import { testCore } from '../support/core'
import { draftsOf, groupGone, recordEvents, seqsOf, waitFor, waitForRaw, waitForStatus } from '../support/live'
import { AcpProvider } from '../../src-main/providers/acp/provider'

let server: FakeModelServer
let sandbox: AcpSandbox
let cleanups: (() => unknown)[] = []

beforeAll(async () => {
  server = await startFakeModelServer()
  sandbox = makeAcpSandbox(server.url)
})
afterEach(async () => {
  for (const c of cleanups.reverse()) await c()
  cleanups = []
})
afterAll(async () => {
  sandbox?.cleanup()
  await server?.close()
})

async function core(opts: { dataDir?: string; projectDir?: string } = {}) {
  // The command is read from settings at each start, as the app wires it.
  let readCommand: () => readonly string[] | undefined = () => undefined
  const provider = new AcpProvider({ command: () => readCommand() })
  const t = testCore({ providers: [provider], hostEnv: sandbox.env, dataDir: opts.dataDir })
  const settings = t.core.createContext().settings
  readCommand = () => settings.get().providers.acp.command
  cleanups.push(t.cleanup)
  const s = await t.caller.settings.get()
  // A command line as a user types it, split without a shell.
  await t.caller.settings.update({
    defaultProvider: 'acp',
    providers: { ...s.providers, acp: { ...s.providers.acp, command: `'${opencodeAcpBinary()}' acp` } }
  })
  const rec = recordEvents(t.core)
  cleanups.push(rec.stop)
  const dir = opts.projectDir ?? sandbox.projectDir
  const projects = await t.caller.projects.list()
  const project = projects.find((p) => p.path === dir) ?? (await t.caller.projects.add({ path: dir }))
  return { ...t, provider, project, events: rec.events }
}
type C = Awaited<ReturnType<typeof core>>

const msgs = (c: C, id: string) => c.core.store.messagesAfter(id, 0, 1000)
const hasText = (c: C, id: string, text: string) => msgs(c, id).some((m) => m.kind === 'assistant' && m.text.includes(text))
const idleWith = (c: C, id: string, text: string) => {
  const cur = c.core.supervisor.getSession(id)
  return cur.status === 'idle' && hasText(c, id, text) ? cur : null
}

/** Per test: each spawns 1–3 `opencode acp` processes (2–7 s to start on a busy 2-core machine). */
const T = 120_000

describe('ACP provider with `opencode acp` through the supervisor (real CLI, fake model server)', () => {
  it(
    'start → tool call → tool result → final text → idle with cost/tokens; second turn; live model and mode switches',
    async () => {
      const c = await core()
      expect((await c.caller.settings.get()).providers.acp.command).toEqual([opencodeAcpBinary(), 'acp'])
      const s = await c.caller.sessions.start({ projectId: c.project.id, prompt: 'please [[bash:echo hello-acp]]' })
      const done = await waitFor('first turn', () => idleWith(c, s.id, 'DONE. Tool output was: hello-acp'), 60_000)
      const m = msgs(c, s.id)
      expect(m.map((x) => x.kind)).toEqual(['user', 'assistant', 'tool_call', 'tool_result', 'assistant'])
      expect(m[2]).toMatchObject({ tool_name: 'bash', tool_path: 'echo hello-acp' })
      expect(m[3]?.text).toBe('hello-acp\n')
      expect(m[3]?.tool_use_id).toBe(m[2]?.tool_use_id)
      expect(done.cliSessionId).toMatch(/^ses_/)
      expect(done.model).toBe('fake/fake-model')
      expect(done.totals.inputTokens).toBeGreaterThan(0)
      expect(done.totals.outputTokens).toBeGreaterThan(0)
      expect(done.totals.costUsd).toBeGreaterThan(0)
      expect(done.totals.costKnown).toBe(true)
      expect(done.totals.contextWindow).toBe(200_000)
      expect(c.core.store.countRaw(s.id, 'stdout')).toBeGreaterThan(5)
      // What the agent offered is now reflected in the provider's capabilities.
      expect(c.provider.capabilities).toEqual({
        interrupt: true,
        approvals: true,
        resume: true,
        fork: true,
        setModel: true,
        setPermissionMode: true,
        costKnown: true
      })
      // … and in the controls table the UI shows (Settings, marks on the pane's controls).
      expect(c.provider.controls).toMatchObject({
        model: { level: 'partial' },
        permissionMode: { level: 'partial' },
        resume: { level: 'yes' },
        fork: { level: 'yes' },
        cost: { level: 'yes' },
        denyReason: { level: 'no' },
        interrupt: { level: 'yes' }
      })
      expect((await c.caller.settings.providers()).find((p) => p.id === 'acp')?.controls.fork.level).toBe('yes')

      await c.caller.sessions.send({ id: s.id, prompt: '[[text:second answer]]' })
      const two = await waitFor('second turn', () => idleWith(c, s.id, 'second answer'))
      expect(two.totals.costUsd).toBeGreaterThan(done.totals.costUsd)
      expect(two.cliSessionId).toBe(done.cliSessionId)
      expect(c.events.some((e) => e.type === 'agent.cost' && e.sessionId === s.id)).toBe(true)

      // Model: OpenCode's `model` config option.
      await c.caller.sessions.setModel({ id: s.id, model: 'fake/fake-model-2' })
      await c.caller.sessions.send({ id: s.id, prompt: '[[model]]' })
      await waitFor('model echo', () => idleWith(c, s.id, 'MODEL: fake-model-2'))
      // Permission mode: OpenCode's `mode` option has build and plan only.
      await expect(c.caller.sessions.setPermissionMode({ id: s.id, mode: 'bypassPermissions' })).rejects.toThrow(
        /no mode for “bypassPermissions” \(its modes: build, plan\)/
      )
      expect(c.core.supervisor.getSession(s.id).permissionMode).toBe('default')
      await c.caller.sessions.setPermissionMode({ id: s.id, mode: 'plan' })
      await c.caller.sessions.send({ id: s.id, prompt: '[[write:planned.txt|no]]' })
      await waitFor('plan-mode turn', () => {
        const cur = c.core.supervisor.getSession(s.id)
        return cur.status === 'idle' && msgs(c, s.id).some((x) => x.kind === 'tool_result' && x.is_error === 1) ? cur : null
      })
      expect(existsSync(join(sandbox.projectDir, 'planned.txt'))).toBe(false)
      expect(seqsOf(c.core, s.id)).toEqual(Array.from({ length: seqsOf(c.core, s.id).length }, (_, i) => i + 1))
    },
    T
  )

  it(
    'interrupt (session/cancel) → idle with a note, next prompt works; stop kills the group; a stale id restarts fresh with a note',
    async () => {
      const c = await core()
      const s = await c.caller.sessions.start({ projectId: c.project.id, prompt: '[[slow:20]]' })
      // The model request with tools (not OpenCode's title request, which sees the prompt too).
      await waitFor('streaming to start', () => server.requests.some((r) => r.body?.tools && JSON.stringify(r.body).includes('[[slow:20]]')), 60_000)
      await waitForRaw(c.dataDir, s.id, 'the first streamed chunk', (line) => line.includes('tick0'))
      await waitFor('the answer to stream live', () => draftsOf(c.events, s.id).some((t) => t.startsWith('tick0 tick1')))
      const pid = c.core.store.getSession(s.id)?.pid
      server.reset()
      await c.caller.sessions.interrupt({ id: s.id })
      const after = await waitForStatus(c.core, s.id, ['idle'], 10_000)
      expect(after.statusReason?.message).toMatch(/interrupted/)
      expect(msgs(c, s.id).some((m) => m.kind === 'system' && m.text === 'Interrupted')).toBe(true)
      expect(msgs(c, s.id).some((m) => m.kind === 'assistant' && m.text.startsWith('tick0'))).toBe(true)
      await waitFor('the model server to see the disconnect', () => server.disconnects.length > 0, 5000)
      await c.caller.sessions.send({ id: s.id, prompt: '[[text:after interrupt]]' })
      await waitFor('turn after interrupt', () => idleWith(c, s.id, 'after interrupt'))
      expect(c.core.store.getSession(s.id)?.pid).toBe(pid)

      // Stop in the middle of a turn: the whole process group goes, the session is interrupted.
      await c.caller.sessions.send({ id: s.id, prompt: '[[slow:20]] again' })
      await waitForStatus(c.core, s.id, ['running'])
      const stopped = await c.caller.sessions.stop({ id: s.id })
      expect(stopped.status).toBe('interrupted')
      expect(groupGone(pid!)).toBe(true)

      // The agent no longer knows the conversation: session/load fails → fresh start, with a note.
      c.core.store.updateSession(s.id, { cli_session_id: 'ses_doesnotexist000000000000' })
      await c.caller.sessions.send({ id: s.id, prompt: '[[text:fresh start]]' })
      await waitFor('fresh turn', () => idleWith(c, s.id, 'fresh start'), 60_000)
      const note = msgs(c, s.id).find((m) => m.kind === 'system' && m.text.startsWith('Could not resume'))
      expect(note?.text).toMatch(/could not load conversation ses_doesnotexist/)
      expect(c.core.supervisor.getSession(s.id).cliSessionId).toMatch(/^ses_(?!doesnotexist)/)
    },
    T
  )

  it(
    'approvals (OpenCode `ask` rules → session/request_permission): allowed, denied; OpenCode writes through a symlink even when Shepherd refuses',
    async () => {
      const c = await core({ projectDir: sandbox.askProjectDir })
      const s = await c.caller.sessions.start({ projectId: c.project.id, prompt: '[[write:allowed.txt|yes]]' })
      const a1 = await waitFor('approval', async () => (await c.caller.sessions.approvals({ projectId: c.project.id }))[0], 60_000)
      expect(c.core.supervisor.getSession(s.id).status).toBe('waiting_approval')
      expect(a1.toolName).toBe('write')
      expect(a1.description).toBe(join(sandbox.askProjectDir, 'allowed.txt'))
      // The tool call is in the transcript before the approval is answered.
      expect(msgs(c, s.id).some((m) => m.kind === 'tool_call' && m.tool_name === 'write')).toBe(true)
      await c.caller.sessions.answerApproval({ approvalId: a1.id, decision: { behavior: 'allow', scope: 'once' } })
      await waitFor('allowed turn', () => idleWith(c, s.id, 'DONE. Tool output was: Wrote file successfully'))
      expect(readFileSync(join(sandbox.askProjectDir, 'allowed.txt'), 'utf8')).toBe('yes')

      await c.caller.sessions.send({ id: s.id, prompt: '[[bash:echo should-not-run]]' })
      const a2 = await waitFor('second approval', async () => (await c.caller.sessions.approvals({ projectId: c.project.id }))[0])
      expect(a2.toolName).toBe('bash')
      await c.caller.sessions.answerApproval({ approvalId: a2.id, decision: { behavior: 'deny', message: 'not this one' } })
      await waitFor('denied turn', () => {
        const cur = c.core.supervisor.getSession(s.id)
        return cur.status === 'idle' && msgs(c, s.id).some((m) => m.kind === 'tool_result' && m.is_error === 1 && /rejected permission/.test(m.text))
      })
      expect(msgs(c, s.id).some((m) => m.kind === 'tool_result' && m.text.includes('should-not-run'))).toBe(false)

      // OpenCode quirk (1.18.33): it calls fs/write_text_file, Shepherd refuses a path that leaves the
      // project through a symlink, and OpenCode writes the file itself anyway and reports success
      // (the client call is only a notification to it). Client-side containment cannot stop OpenCode's
      // own tools; its permission rules (`ask`, `external_directory`) are what guards them. If this
      // starts failing, OpenCode began honouring the client's answer: flip the last assertion.
      symlinkSync(sandbox.outsideDir, join(sandbox.askProjectDir, 'link-out'))
      await c.caller.sessions.send({ id: s.id, prompt: '[[write:link-out/evil.txt|x]]' })
      const a3 = await waitFor('symlink approval', async () => (await c.caller.sessions.approvals({ projectId: c.project.id }))[0])
      await c.caller.sessions.answerApproval({ approvalId: a3.id, decision: { behavior: 'allow', scope: 'once' } })
      await waitFor('symlink turn', () => idleWith(c, s.id, 'DONE. Tool output was: Wrote file successfully'))
      const db = new Database(join(c.dataDir, 'shepherd.db'), { readonly: true })
      try {
        const writes = db.prepare(`SELECT data FROM raw_events WHERE session_id = ? AND data LIKE '%fs/write_text_file%'`).all(s.id) as { data: string }[]
        expect(writes.map((r) => (JSON.parse(r.data) as { params: { path: string } }).params.path)).toEqual([
          join(sandbox.askProjectDir, 'allowed.txt'),
          join(sandbox.askProjectDir, 'link-out', 'evil.txt')
        ])
      } finally {
        db.close()
      }
      expect(existsSync(join(sandbox.outsideDir, 'evil.txt'))).toBe(true)
    },
    T
  )

  it(
    'resumes (session/load) after the core is torn down and rebuilt, then forks (session/fork)',
    async () => {
      const first = await core()
      const s = await first.caller.sessions.start({ projectId: first.project.id, prompt: 'remember PAPAYA [[text:ok]]' })
      await waitFor('first turn', () => idleWith(first, s.id, 'ok'), 60_000)
      const before = first.core.supervisor.getSession(s.id)
      await first.core.dispose()

      const second = await core({ dataDir: first.dataDir })
      expect(second.core.supervisor.getSession(s.id).status).toBe('interrupted')
      server.reset()
      await second.caller.sessions.send({ id: s.id, prompt: '[[text:resumed]]' })
      const resumed = await waitFor('resumed turn', () => idleWith(second, s.id, 'resumed'), 60_000)
      expect(resumed.cliSessionId).toBe(before.cliSessionId)
      // The agent really continued the conversation: the model saw the earlier prompt.
      expect(server.requests.some((r) => JSON.stringify(r.body ?? '').includes('remember PAPAYA'))).toBe(true)
      // The replayed history was not added to the transcript again.
      expect(msgs(second, s.id).filter((m) => m.kind === 'assistant' && m.text === 'ok')).toHaveLength(1)
      // ACP reports a cumulative session cost; after a restart its baseline is unknown, so the first
      // resumed turn adds nothing rather than the whole history twice.
      expect(resumed.totals.costUsd).toBeCloseTo(before.totals.costUsd, 9)

      const fork = await second.caller.sessions.fork({ id: s.id, prompt: '[[text:forked]]' })
      await waitFor('forked turn', () => idleWith(second, fork.id, 'forked'), 60_000)
      const forked = second.core.supervisor.getSession(fork.id)
      expect(forked.cliSessionId).toMatch(/^ses_/)
      expect(forked.cliSessionId).not.toBe(before.cliSessionId)
      // The fork's cost starts from the source's cumulative cost (known in this app run): only its own turn counts.
      expect(forked.totals.costUsd).toBeGreaterThan(0)
      expect(forked.totals.costUsd).toBeLessThan(resumed.totals.costUsd + 0.02)
    },
    T
  )
})
