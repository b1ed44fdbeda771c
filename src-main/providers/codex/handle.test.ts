/**
 * The handle against a real child process: `fixtures/fake-app-server.mjs` stands in for
 * `codex app-server` and echoes what it receives, so these tests check the exact JSON-RPC the
 * handle writes (the real CLI is covered by test/integration/codex-supervisor.test.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { ShepherdError } from '../../shared/errors'
import type { PermissionMode } from '../../shared/status'
import type { ProviderEvent, ProviderExit } from '../types'
import { CodexHandle, COMMAND_STILL_RUNNING, type CodexSessionOptions } from './handle'

const dir = mkdtempSync(join(tmpdir(), 'shepherd-codex-handle-'))
const fakeServer = fileURLToPath(new URL('fixtures/fake-app-server.mjs', import.meta.url))
const handles: CodexHandle[] = []
afterEach(async () => {
  await Promise.all(handles.splice(0).map((h) => h.stop(500)))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

type Received = { id?: unknown; method?: string; params?: any; result?: any; error?: any }

async function start(opts: Partial<CodexSessionOptions> = {}, argv = [fakeServer, 'app-server']) {
  const handle = await CodexHandle.spawn(
    process.execPath,
    { cwd: dir, env: { PATH: process.env.PATH ?? '' }, model: null, permissionMode: 'default', systemPrompt: null, ...opts },
    argv
  )
  handles.push(handle)
  const events: ProviderEvent[] = []
  const exits: ProviderExit[] = []
  let wake: () => void = () => {}
  handle.onEvent((e) => {
    events.push(e)
    wake()
  })
  handle.onExit((exit) => {
    exits.push(exit)
    wake()
  })
  const waitFor = async (match: (e: ProviderEvent) => boolean, from = 0): Promise<number> => {
    for (;;) {
      const i = events.findIndex((e, j) => j >= from && match(e))
      if (i >= 0) return i
      if (exits.length > 0) throw new Error(`exited before the expected event; stderr: ${exits[0]?.stderrTail}`)
      await new Promise<void>((r) => (wake = r))
    }
  }
  const waitExit = async () => {
    while (exits.length === 0) await new Promise<void>((r) => (wake = r))
    return exits[0] as ProviderExit
  }
  /** What the handle wrote, as echoed back by the fake server. */
  const received = (): Received[] =>
    events.flatMap((e) => {
      if (e.kind !== 'raw' || e.stream !== 'stdout') return []
      const m = JSON.parse(e.data) as { method?: string; params?: Received }
      return m.method === 'test/received' && m.params ? [m.params] : []
    })
  const sent = (method: string) => received().filter((m) => m.method === method)
  return { handle, events, exits, waitFor, waitExit, received, sent }
}

const isTurn = (state: string) => (e: ProviderEvent) => e.kind === 'turn' && e.state === state
const texts = (events: ProviderEvent[]) => events.flatMap((e) => (e.kind === 'message' ? [`${e.message.kind}: ${e.message.text}`] : []))

describe('CodexHandle with a stand-in app-server', () => {
  it('initialize → initialized → thread/start with cwd, policy, sandbox, model and instructions; then cli_session', async () => {
    const r = await start({ model: 'gpt-5.5-mini', systemPrompt: 'Be brief.', permissionMode: 'plan' })
    await r.waitFor((e) => e.kind === 'cli_session')
    expect(r.received().map((m) => m.method)).toEqual(['initialize', 'initialized', 'thread/start'])
    expect(r.sent('initialize')[0]?.params).toEqual({
      clientInfo: { name: 'shepherd', title: 'Shepherd', version: '0.1.0' },
      capabilities: { experimentalApi: true, requestAttestation: false }
    })
    expect(r.sent('thread/start')[0]?.params).toEqual({
      cwd: dir,
      approvalPolicy: 'untrusted',
      sandbox: 'read-only',
      model: 'gpt-5.5-mini',
      developerInstructions: 'Be brief.'
    })
    expect(r.events.find((e) => e.kind === 'cli_session')).toEqual({ kind: 'cli_session', cliSessionId: 'thread-new', model: 'gpt-5.5-mini' })
    expect(texts(r.events)).toEqual([`system: Codex 0.169.0 · model gpt-5.5-mini · cwd ${dir} · sandbox read-only · approvals untrusted`])
    expect(r.handle.threadId).toBe('thread-new')
  })

  it('send → turn/start with the text input; reply, usage, idle', async () => {
    const r = await start()
    await r.handle.send('hello there')
    await r.waitFor(isTurn('idle'))
    expect(r.sent('turn/start')[0]?.params).toEqual({ threadId: 'thread-new', input: [{ type: 'text', text: 'hello there', text_elements: [] }] })
    expect(texts(r.events)).toContain('assistant: echo: hello there')
    const usage = r.events.find((e) => e.kind === 'usage')
    expect(usage).toEqual({
      kind: 'usage',
      usage: { inputTokens: 100, outputTokens: 20, cacheReadTokens: 0, cacheWriteTokens: 0, contextTokens: 120, contextWindow: 1000, costKnown: false }
    })
    // Every stdout line is also kept raw; replies produce no other events (the fake's echo is unknown to the parser).
    expect(r.events.filter((e) => e.kind === 'raw' && e.stream !== 'stdout' && !e.data.includes('test/received'))).toEqual([])
  })

  it('setModel / setPermissionMode apply to the next turn/start only (Codex keeps them)', async () => {
    const r = await start({ permissionMode: 'default' })
    await r.handle.setModel('gpt-5.4')
    await r.handle.setPermissionMode('bypassPermissions')
    await r.handle.send('one')
    await r.waitFor(isTurn('idle'))
    await r.handle.setPermissionMode('acceptEdits')
    await r.handle.send('two')
    await r.waitFor(isTurn('idle'), r.events.findIndex(isTurn('idle')) + 1)
    await r.handle.send('three')
    const starts = () => r.sent('turn/start').map((m) => ({ ...m.params, input: undefined, threadId: undefined }))
    await r.waitFor(() => starts().length === 3)
    expect(starts()[0]).toMatchObject({ model: 'gpt-5.4', approvalPolicy: 'never', sandboxPolicy: { type: 'dangerFullAccess' } })
    // workspace-write reuses the policy Codex reported at thread/start (the user's config tweaks survive).
    expect(starts()[1]).toMatchObject({
      approvalPolicy: 'on-request',
      sandboxPolicy: { type: 'workspaceWrite', writableRoots: ['/extra'], networkAccess: true }
    })
    expect(starts()[1]).not.toHaveProperty('model')
    expect(Object.keys(starts()[2]!).filter((k) => starts()[2]![k as keyof ReturnType<typeof starts>[number]] !== undefined)).toEqual([])
  })

  it('setModel(null) goes back to the model Codex picked at thread/start', async () => {
    const r = await start()
    await r.waitFor((e) => e.kind === 'cli_session')
    await r.handle.setModel('other')
    await r.handle.setModel(null)
    await r.handle.send('x')
    await r.waitFor(isTurn('idle'))
    expect(r.sent('turn/start')[0]?.params.model).toBe('gpt-5.5')
  })

  it.each<[PermissionMode, string, string]>([
    ['default', 'untrusted', 'workspace-write'],
    ['acceptEdits', 'on-request', 'workspace-write'],
    ['plan', 'untrusted', 'read-only'],
    ['bypassPermissions', 'never', 'danger-full-access']
  ])('permission mode %s → approvalPolicy %s + sandbox %s at thread start', async (mode, policy, sandbox) => {
    const r = await start({ permissionMode: mode })
    await r.waitFor((e) => e.kind === 'cli_session')
    expect(r.sent('thread/start')[0]?.params).toMatchObject({ approvalPolicy: policy, sandbox })
  })

  it('approvals: accept once, accept for the session, decline with a reason (sent as turn/steer)', async () => {
    const r = await start()
    const decide = async (decision: Parameters<CodexHandle['answerApproval']>[1]) => {
      const from = r.events.length
      await r.handle.send('[[approve]]')
      const i = await r.waitFor((e) => e.kind === 'approval_request', from)
      const req = r.events[i]
      if (req?.kind !== 'approval_request') throw new Error('no approval')
      expect(req.request).toMatchObject({ toolName: 'Bash', input: { command: 'touch x', cwd: '/p' }, toolUseId: 'cmd-1' })
      await r.handle.answerApproval(req.request.requestId, decision)
      await r.waitFor(isTurn('idle'), from)
      return texts(r.events.slice(from))
    }
    expect(await decide({ behavior: 'allow', scope: 'once' })).toContain('assistant: decision: "accept"')
    expect(await decide({ behavior: 'allow', scope: 'session' })).toContain('assistant: decision: "acceptForSession"')
    const declined = await decide({ behavior: 'deny', message: 'not that one' })
    expect(declined).toContain('assistant: decision: "decline"')
    expect(declined).toContain('tool_result: The command was declined.')
    expect(r.sent('turn/steer')).toEqual([
      expect.objectContaining({
        method: 'turn/steer',
        params: {
          threadId: 'thread-new',
          expectedTurnId: 'turn-3',
          input: [{ type: 'text', text: 'I declined that command: not that one', text_elements: [] }]
        }
      })
    ])
    // The answers went back under the server's own request ids.
    expect(
      r
        .received()
        .filter((m) => m.method === undefined && m.result?.decision)
        .map((m) => [m.id, m.result.decision])
    ).toEqual([
      [0, 'accept'],
      [1, 'acceptForSession'],
      [2, 'decline']
    ])
    await expect(r.handle.answerApproval('0', { behavior: 'allow', scope: 'once' })).rejects.toMatchObject({ code: 'NOT_FOUND' })
  })

  it('file-change approvals carry the changes from the started item', async () => {
    const r = await start()
    await r.handle.send('[[patch]]')
    const i = await r.waitFor((e) => e.kind === 'approval_request')
    const req = r.events[i]
    expect(req).toMatchObject({
      kind: 'approval_request',
      request: { toolName: 'Edit', description: 'needs a write', input: { changes: [{ path: '/p/a.txt' }] } }
    })
    if (req?.kind === 'approval_request') await r.handle.answerApproval(req.request.requestId, { behavior: 'deny', message: '' })
    await r.waitFor(isTurn('idle'))
    expect(texts(r.events)).toContain('assistant: decision: "decline"')
    expect(r.sent('turn/steer')).toEqual([]) // no reason given: nothing to add
  })

  it('answers server requests it does not support with an error instead of leaving Codex waiting', async () => {
    const r = await start()
    await r.handle.send('[[unsupported]]')
    await r.waitFor(isTurn('idle'))
    expect(texts(r.events).find((t) => t.startsWith('assistant: tool call answer'))).toContain('Shepherd does not support item/tool/call')
    expect(r.events.some((e) => e.kind === 'raw' && e.stream === 'unknown' && e.data.includes('item/tool/call'))).toBe(true)
    // Not silent: the pane gets an error row saying what was refused.
    expect(r.events.some((e) => e.kind === 'message' && e.message.kind === 'error' && e.message.text.includes('item/tool/call'))).toBe(true)
  })

  it('request_user_input becomes a question; the answer goes back per question id', async () => {
    const r = await start()
    await r.handle.send('[[question]]')
    const ev = r.events[await r.waitFor((e) => e.kind === 'question_request')]
    if (ev?.kind !== 'question_request') throw new Error('no question')
    expect(ev.request.fields[0]).toMatchObject({ id: 'q1', label: 'Pick', type: 'enum', allowOther: false, required: true })
    expect(ev.request.canDecline).toBe(false)
    await r.handle.answerQuestion(ev.request.requestId, { action: 'accept', values: { q1: 'A' } })
    await r.waitFor(isTurn('idle'))
    expect(texts(r.events)).toContain('assistant: user input answer: {"answers":{"q1":{"answers":["A"]}}}')
  })

  it('an MCP form with a field Shepherd cannot show is declined with an error row', async () => {
    const r = await start()
    await r.handle.send('[[elicit]]')
    await r.waitFor(isTurn('idle'))
    expect(texts(r.events)).toContain('assistant: elicitation answer: {"action":"decline","content":null,"_meta":null}')
    expect(r.events.some((e) => e.kind === 'message' && e.message.kind === 'error' && /docs sent a form .*tags \(array\)/.test(e.message.text))).toBe(true)
    expect(r.events.some((e) => e.kind === 'question_request')).toBe(false)
  })

  it('interrupt → turn/interrupt for the running turn → idle with the interrupted note', async () => {
    const r = await start()
    await r.handle.send('[[hang]]')
    await r.waitFor(isTurn('running'))
    await r.handle.interrupt()
    await r.waitFor(isTurn('idle'))
    expect(r.sent('turn/interrupt')[0]?.params).toEqual({ threadId: 'thread-new', turnId: 'turn-1' })
    expect(texts(r.events)).toContain('system: Interrupted')
    // Nothing in flight: no request.
    await r.handle.interrupt()
    expect(r.sent('turn/interrupt')).toHaveLength(1)
  })

  it('Esc during a command asks the app-server to end it; when it cannot, the pane says the command still runs (issue 11 #11)', async () => {
    const r = await start()
    await r.handle.send('[[command]]')
    await r.waitFor((e) => e.kind === 'message' && e.message.kind === 'tool_call')
    await r.handle.interrupt()
    await r.waitFor(isTurn('idle'))
    // This stand-in does not know the (experimental) method: the user is told, on the call's row.
    expect(r.sent('thread/backgroundTerminals/terminate')[0]?.params).toEqual({ threadId: 'thread-new', processId: 'p-9' })
    const note = await r.waitFor((e) => e.kind === 'message' && e.message.text === COMMAND_STILL_RUNNING)
    expect(r.events[note]).toMatchObject({ message: { kind: 'system', toolUseId: 'cmd-9' } })
    // A stderr warning that matters is reported once, however often the CLI prints it.
    expect(r.events.filter((e) => e.kind === 'cli_warning')).toEqual([{ kind: 'cli_warning', text: 'Codex warns: the sandbox helper is missing' }])
  })

  it('an interrupt before the thread is ready drops the prompt instead of starting the turn', async () => {
    const r = await start()
    const sending = r.handle.send('too late')
    await r.handle.interrupt()
    await sending
    const idle = await r.waitFor(isTurn('idle'))
    expect(r.events[idle]).toEqual({ kind: 'turn', state: 'idle', reason: { message: 'turn interrupted' } })
    expect(r.sent('turn/start')).toEqual([])
  })

  it('turn/start refused → error message and turn error; the handle stays usable', async () => {
    const r = await start()
    await r.handle.send('[[refuse]]')
    const i = await r.waitFor(isTurn('error'))
    expect(r.events[i]).toEqual({ kind: 'turn', state: 'error', reason: { message: 'Codex refused the prompt: turn refused' } })
    await r.handle.send('next')
    await r.waitFor(isTurn('idle'))
    expect(texts(r.events)).toContain('assistant: echo: next')
  })

  it('resume: thread/resume with the id (no full history); fork: thread/fork → the new id', async () => {
    const resumed = await start({ resumeThreadId: 'thread-old' })
    await resumed.waitFor((e) => e.kind === 'cli_session')
    expect(resumed.sent('thread/resume')[0]?.params).toEqual({
      threadId: 'thread-old',
      cwd: dir,
      approvalPolicy: 'untrusted',
      sandbox: 'workspace-write',
      excludeTurns: true
    })
    expect(resumed.events.find((e) => e.kind === 'cli_session')).toMatchObject({ cliSessionId: 'thread-old' })

    const forked = await start({ resumeThreadId: 'thread-old', fork: true })
    await forked.waitFor((e) => e.kind === 'cli_session')
    expect(forked.sent('thread/fork')[0]?.params).toMatchObject({ threadId: 'thread-old', excludeTurns: true })
    expect(forked.events.find((e) => e.kind === 'cli_session')).toMatchObject({ cliSessionId: 'thread-forked' })
    expect(texts(forked.events)[0]).toMatch(/forked from thread-old$/)
  })

  it('a stale resume id: no cli_session, the process ends, the exit says why; send resolves quietly', async () => {
    const r = await start({ resumeThreadId: 'stale' })
    await r.handle.send('hello') // resolves: the exit reports the failure
    const exit = await r.waitExit()
    expect(exit.stderrTail).toContain('Codex could not resume the conversation: no rollout found for thread id stale')
    expect(r.events.some((e) => e.kind === 'cli_session' || e.kind === 'turn')).toBe(false)
    await expect(r.handle.send('again')).rejects.toBeInstanceOf(ShepherdError)
  })

  it('thread/start refused: error message and turn error, then the process is closed (exit 0, reason in the tail)', async () => {
    const r = await start({ model: 'bad-model' })
    await r.handle.send('hello')
    const exit = await r.waitExit()
    const message = 'Codex could not start the conversation: unknown model bad-model'
    expect(r.events.filter((e) => e.kind !== 'raw')).toEqual([
      { kind: 'message', message: { kind: 'error', text: message, isError: true } },
      { kind: 'turn', state: 'error', reason: { message } }
    ])
    expect(exit.code).toBe(0)
    expect(exit.stderrTail).toContain(message)
    expect(r.sent('turn/start')).toEqual([])
  })

  it('a server that dies before answering initialize: onExit with its stderr, send after that is refused', async () => {
    const dead = await CodexHandle.spawn(
      process.execPath,
      { cwd: dir, env: { PATH: process.env.PATH ?? '', FAKE_EXIT_AT_START: '2' }, model: null, permissionMode: 'default', systemPrompt: null },
      [fakeServer, 'app-server']
    )
    handles.push(dead)
    const exit = await new Promise<ProviderExit>((resolve) => dead.onExit(resolve))
    expect(exit.code).toBe(2)
    expect(exit.stderrTail).toContain('config.toml is broken')
    await expect(dead.send('x')).rejects.toMatchObject({ code: 'UNAVAILABLE' })
  })

  it('the process dying mid-turn: pending approvals are cancelled, onExit fires once after the last event', async () => {
    const r = await start()
    await r.handle.send('[[approve]]')
    const i = await r.waitFor((e) => e.kind === 'approval_request')
    const req = r.events[i]
    const exitP = r.waitExit()
    await r.handle.stop(1000)
    await exitP
    expect(r.events.at(-1)).toEqual({ kind: 'approval_cancelled', requestId: req?.kind === 'approval_request' ? req.request.requestId : '?' })
    expect(r.exits).toHaveLength(1)
    await expect(r.handle.send('x')).rejects.toMatchObject({ code: 'UNAVAILABLE' })
  })

  it('a process that exits on its own reports its code', async () => {
    const r = await start()
    await r.handle.send('[[exit]]')
    const exit = await r.waitExit()
    expect(exit.code).toBe(3)
  })

  it('a missing binary is AGENT_NOT_FOUND with the install hint', async () => {
    await expect(
      CodexHandle.spawn(join(dir, 'no-such-codex'), { cwd: dir, env: {}, model: null, permissionMode: 'default', systemPrompt: null })
    ).rejects.toMatchObject({
      code: 'AGENT_NOT_FOUND',
      message: expect.stringContaining('npm install -g @openai/codex')
    })
  })
})
