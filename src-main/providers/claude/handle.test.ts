/**
 * The handle against real child processes: `fixtures/replay-cli.mjs` replays recorded Claude
 * exchanges (strict about what we write), inline scripts cover failure modes.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { ShepherdError } from '../../shared/errors'
import type { ProviderEvent, ProviderExit } from '../types'
import { ClaudeHandle, DENIED_WITHOUT_REASON } from './handle'

const dir = mkdtempSync(join(tmpdir(), 'shepherd-claude-handle-'))
const fixture = (name: string) => fileURLToPath(new URL(`fixtures/${name}`, import.meta.url))
const handles: ClaudeHandle[] = []
afterEach(async () => {
  await Promise.all(handles.splice(0).map((h) => h.stop(500)))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

async function start(argv: string[], extraEnv: Record<string, string> = {}, controlTimeoutMs?: number) {
  const handle = await ClaudeHandle.spawn(process.execPath, argv, { cwd: dir, env: { PATH: process.env.PATH ?? '', ...extraEnv }, controlTimeoutMs })
  handles.push(handle)
  const events: ProviderEvent[] = []
  const exits: { exit: ProviderExit; eventsSoFar: number }[] = []
  let wake: () => void = () => {}
  handle.onEvent((e) => {
    events.push(e)
    wake()
  })
  handle.onExit((exit) => {
    exits.push({ exit, eventsSoFar: events.length })
    wake()
  })
  /** Resolves with the index of the first event at or after `from` that matches. */
  const waitFor = async (match: (e: ProviderEvent) => boolean, from = 0): Promise<number> => {
    for (;;) {
      const i = events.findIndex((e, j) => j >= from && match(e))
      if (i >= 0) return i
      if (exits.length > 0) throw new Error(`exited before the expected event; stderr: ${exits[0]?.exit.stderrTail}`)
      await new Promise<void>((r) => (wake = r))
    }
  }
  const waitExit = async () => {
    while (exits.length === 0) await new Promise<void>((r) => (wake = r))
    return exits[0] as { exit: ProviderExit; eventsSoFar: number }
  }
  return { handle, events, exits, waitFor, waitExit }
}

const replay = (name: string, log?: string) => start([fixture('replay-cli.mjs'), fixture(`${name}.jsonl`)], log ? { REPLAY_LOG: log } : {})
const isTurn = (state: string) => (e: ProviderEvent) => e.kind === 'turn' && e.state === state
const texts = (events: ProviderEvent[]) => events.flatMap((e) => (e.kind === 'message' ? [`${e.message.kind}: ${e.message.text}`] : []))

describe('ClaudeHandle with a replayed CLI', () => {
  it('multi-turn: events in order, every stdout line as raw, onExit once after the last event', async () => {
    const r = await replay('streamjson-multiturn')
    await r.handle.send('first turn [[text:Reply one]]')
    const idle1 = await r.waitFor(isTurn('idle'))
    await r.handle.send('second turn [[bash:echo hi-from-turn-2]]')
    await r.waitFor(isTurn('idle'), idle1 + 1)
    const { exit, eventsSoFar } = await r.waitExit()
    expect(exit.code).toBe(0)
    expect(eventsSoFar).toBe(r.events.length)
    expect(r.events.filter((e) => e.kind === 'raw' && e.stream === 'stdout')).toHaveLength(9)
    expect(texts(r.events).filter((t) => !t.startsWith('system'))).toEqual([
      'assistant: Reply one',
      'assistant: I will run a command.',
      'tool_call: Bash: echo hi-from-turn-2',
      'tool_result: hi-from-turn-2',
      'assistant: DONE. Tool output was: hi-from-turn-2'
    ])
    expect(r.exits).toHaveLength(1)
    await expect(r.handle.send('too late')).rejects.toMatchObject({ code: 'UNAVAILABLE' })
  })

  /** Replays the recorded can_use_tool run: the first command is allowed, the second denied with `denyMessage`; returns what was written. */
  async function approveThenDeny(logName: string, denyMessage: string) {
    const log = join(dir, logName)
    const r = await replay('streamjson-can_use_tool', log)
    r.handle.onEvent((e) => {
      if (e.kind !== 'approval_request') return
      const allow = (e.request.input as { command: string }).command.includes('allowed')
      void r.handle.answerApproval(e.request.requestId, allow ? { behavior: 'allow', scope: 'once' } : { behavior: 'deny', message: denyMessage })
    })
    await r.handle.send('make a file [[bash:touch allowed-by-host.txt]]')
    const idle1 = await r.waitFor(isTurn('idle'))
    await r.handle.send('make another [[bash:touch denied-by-host.txt]]')
    await r.waitFor(isTurn('idle'), idle1 + 1)
    const written = readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; response?: { response: { behavior: string; message?: string }; request_id: string } })
    return { r, answers: written.filter((w) => w.type === 'control_response').map((w) => w.response) }
  }

  it('approvals: allow sends the original input, deny sends message + interrupt:false', async () => {
    const { r, answers } = await approveThenDeny('approvals.log', 'Denied by test harness')
    expect(answers).toEqual([
      {
        subtype: 'success',
        request_id: 'a84f588d-2904-4763-9cfe-90ecf90af660',
        response: { behavior: 'allow', updatedInput: { command: 'touch allowed-by-host.txt', description: 'Run scripted command' } }
      },
      {
        subtype: 'success',
        request_id: '09e1e87e-f9e0-4937-bb2a-dc45f05e845f',
        response: { behavior: 'deny', message: 'Denied by test harness', interrupt: false }
      }
    ])
    expect(texts(r.events)).toContain('tool_result: Denied by test harness')
    await expect(r.handle.answerApproval('a84f588d-2904-4763-9cfe-90ecf90af660', { behavior: 'allow', scope: 'once' })).rejects.toMatchObject({
      code: 'NOT_FOUND'
    })
  })

  it('a denial without a reason tells the CLI only that the user denied it (no invented reason) (issue 11 #12)', async () => {
    const { answers } = await approveThenDeny('deny-no-reason.log', '   ')
    expect(answers.map((a) => a?.response).find((x) => x?.behavior === 'deny')?.message).toBe(DENIED_WITHOUT_REASON)
  })

  it('approval with scope session adds the addRules suggestions, kept in the session', async () => {
    const log = join(dir, 'session-scope.log')
    const r = await replay('streamjson-can_use_tool', log)
    await r.handle.send('make a file')
    const i = await r.waitFor((e) => e.kind === 'approval_request')
    const req = r.events[i] as Extract<ProviderEvent, { kind: 'approval_request' }>
    await r.handle.answerApproval(req.request.requestId, { behavior: 'allow', scope: 'session' })
    await r.waitFor(isTurn('idle'))
    const answer = JSON.parse(readFileSync(log, 'utf8').trim().split('\n')[1] as string) as { response: { response: Record<string, unknown> } }
    expect(answer.response.response.updatedPermissions).toEqual([
      { type: 'addRules', rules: [{ toolName: 'Bash', ruleContent: 'touch allowed-by-host.txt' }], behavior: 'allow', destination: 'session' }
    ])
  })

  it('interrupt: control answered, turn ends idle with one "Interrupted", next turn runs', async () => {
    const r = await replay('streamjson-interrupt-partial-messages')
    await r.handle.send('please be slow [[slow:20]]')
    await r.waitFor(isTurn('running'))
    await r.handle.interrupt()
    const idle = await r.waitFor(isTurn('idle'))
    expect(texts(r.events.slice(0, idle)).filter((t) => t === 'system: Interrupted')).toHaveLength(1)
    await r.handle.send('after interrupt [[text:still alive]]')
    await r.waitFor(isTurn('idle'), idle + 1)
    expect(texts(r.events)).toContain('assistant: still alive')
  })

  it('set_model / set_permission_mode resolve; a refusal rejects with the CLI reason', async () => {
    const r = await replay('streamjson-set_model-set_permission_mode')
    let from = 0
    const turn = async (prompt: string) => {
      await r.handle.send(prompt)
      from = (await r.waitFor(isTurn('idle'), from)) + 1
    }
    await turn('turn on default model [[text:one]]')
    await r.handle.setModel('claude-fake-model-b')
    await turn('turn on model b [[text:two]]')
    await r.handle.setPermissionMode('acceptEdits')
    await turn('write in acceptEdits')
    const err = await r.handle.setPermissionMode('bypassPermissions').catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ShepherdError)
    expect((err as ShepherdError).code).toBe('CONFLICT')
    expect((err as ShepherdError).message).toMatch(/set_permission_mode.*bypass_not_launched/)
    await turn('bash in bypass')
    expect((await r.waitExit()).exit.stderrTail).toContain('unrecognized_model')
  })
})

describe('ClaudeHandle failure modes', () => {
  it('CP-1: killed mid-line → the partial line is a parse_error, then onExit with SIGKILL', async () => {
    const r = await start([
      '-e',
      `process.stdout.write('{"type":"system","subtype":"status"}\\n{"type":"assistant","mess'); process.kill(process.pid, 'SIGKILL')`
    ])
    const { exit, eventsSoFar } = await r.waitExit()
    expect(exit.signal).toBe('SIGKILL')
    expect(eventsSoFar).toBe(r.events.length)
    expect(r.events.at(-1)).toEqual({ kind: 'raw', stream: 'parse_error', data: '{"type":"assistant","mess' })
  })

  it('a control request without an answer times out; pending ones reject when the CLI exits', async () => {
    const r = await start(['-e', `process.stdin.on('data', () => {}); setTimeout(() => process.exit(0), 600)`], {}, 200)
    await expect(r.handle.interrupt()).rejects.toThrow(/did not answer interrupt within 0.2 s/)
    const slow = await ClaudeHandle.spawn(process.execPath, ['-e', `process.stdin.on('data', () => setTimeout(() => process.exit(1), 50))`], {
      cwd: dir,
      env: {}
    })
    handles.push(slow)
    await expect(slow.setModel(null)).rejects.toMatchObject({ code: 'UNAVAILABLE', message: expect.stringMatching(/exited before answering set_model/) })
  })

  it('an interrupt while idle does not turn a later failed turn into "interrupted"', async () => {
    const script = `require('readline').createInterface({ input: process.stdin }).on('line', (l) => {
      const m = JSON.parse(l)
      const out = m.type === 'control_request'
        ? { type: 'control_response', response: { subtype: 'success', request_id: m.request_id, response: {} } }
        : { type: 'result', subtype: 'error_during_execution', is_error: true, errors: ['tool crashed'] }
      console.log(JSON.stringify(out))
    })`
    const r = await start(['-e', script])
    await r.handle.interrupt()
    await r.handle.send('go')
    const i = await r.waitFor((e) => e.kind === 'turn')
    expect(r.events[i]).toEqual({ kind: 'turn', state: 'error', reason: { message: 'tool crashed', apiErrorStatus: null } })
  })

  it('answers unsupported control requests with an error instead of leaving the CLI waiting', async () => {
    const script = `console.log(JSON.stringify({ type: 'control_request', request_id: 'h1', request: { subtype: 'hook_callback' } }));
      process.stdin.once('data', (d) => { process.stderr.write(String(d)); process.exit(0) })`
    const r = await start(['-e', script])
    const { exit } = await r.waitExit()
    expect(JSON.parse(exit.stderrTail)).toEqual({
      type: 'control_response',
      response: { subtype: 'error', request_id: 'h1', error: 'Shepherd does not support hook_callback' }
    })
    // …and says so in the transcript (issue 13: never a silent refusal).
    expect(r.events.some((e) => e.kind === 'message' && e.message.kind === 'error' && e.message.text.includes('hook_callback'))).toBe(true)
  })

  it('an MCP elicitation becomes a form; the answer is the control response', async () => {
    const request = {
      subtype: 'elicitation',
      mcp_server_name: 'docs',
      message: 'Your name?',
      mode: 'form',
      requested_schema: { type: 'object', properties: { b: { type: 'boolean' }, a: { type: 'string', title: 'A' } }, required: ['a'] },
      property_order: ['a', 'b']
    }
    const script = `console.log(JSON.stringify({ type: 'control_request', request_id: 'e1', request: ${JSON.stringify(request)} }));
      process.stdin.once('data', (d) => { process.stderr.write(String(d)); process.exit(0) })`
    const r = await start(['-e', script])
    const ev = r.events[await r.waitFor((e) => e.kind === 'question_request')]
    if (ev?.kind !== 'question_request') throw new Error('no form')
    expect(ev.request).toMatchObject({ requestId: 'e1', source: 'mcp', title: 'MCP server docs asks', message: 'Your name?', canDecline: true })
    expect(ev.request.fields.map((f) => `${f.id}:${f.type}:${f.required}`)).toEqual(['a:string:true', 'b:boolean:false'])
    await r.handle.answerQuestion(ev.request.requestId, { action: 'accept', values: { a: 'x', b: true } })
    const { exit } = await r.waitExit()
    expect(JSON.parse(exit.stderrTail)).toEqual({
      type: 'control_response',
      response: { subtype: 'success', request_id: 'e1', response: { action: 'accept', content: { a: 'x', b: true } } }
    })
  })

  it('events produced before the first listener are delivered, not lost', async () => {
    const handle = await ClaudeHandle.spawn(process.execPath, ['-e', `console.log('{"type":"mystery"}')`], { cwd: dir, env: {} })
    handles.push(handle)
    await new Promise((r) => setTimeout(r, 300))
    const seen: string[] = []
    handle.onEvent((e) => seen.push(e.kind === 'raw' ? e.stream : e.kind))
    const exit = await new Promise<ProviderExit>((r) => handle.onExit(r))
    expect(exit.code).toBe(0)
    expect(seen).toEqual(['stdout', 'unknown'])
  })

  it('stop() resolves with the exit and is safe to repeat', async () => {
    const r = await start(['-e', `setInterval(() => {}, 1000)`])
    const exit = await r.handle.stop(2000)
    expect(exit.signal).toBe('SIGTERM')
    expect(await r.handle.stop(2000)).toBe(exit)
    expect((await r.waitExit()).exit).toEqual(exit)
  })
})
