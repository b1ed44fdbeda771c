/**
 * AcpHandle against a scripted ACP agent (`fixtures/fake-acp-agent.mjs`) run as a real child:
 * the client side of ACP (fs, terminals, permissions), session setup, resume and failure paths.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { execFileSync } from 'node:child_process'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { ShepherdError } from '../../shared/errors'
import type { ProviderEvent, ProviderExit } from '../types'
import { AcpHandle, type AcpHandleOptions } from './handle'
import { groupAlive } from '../process'

const base = realpathSync(mkdtempSync(path.join(tmpdir(), 'shepherd-acp-handle-')))
const proj = path.join(base, 'proj')
const outside = path.join(base, 'outside')
mkdirSync(proj)
mkdirSync(outside)
writeFileSync(path.join(proj, 'in.txt'), 'inside text')
writeFileSync(path.join(outside, 'secret.txt'), 'secret')
const FAKE = fileURLToPath(new URL('fixtures/fake-acp-agent.mjs', import.meta.url))

const handles: AcpHandle[] = []
afterEach(async () => {
  await Promise.all(handles.splice(0).map((h) => h.stop(500)))
})
afterAll(() => rmSync(base, { recursive: true, force: true }))

async function open(opts: Partial<AcpHandleOptions> = {}, env: Record<string, string> = {}) {
  const handle = await AcpHandle.open({
    binaryPath: process.execPath,
    args: [FAKE],
    cwd: proj,
    env: { PATH: process.env.PATH ?? '', ...env },
    model: null,
    permissionMode: 'default',
    systemPrompt: null,
    ...opts
  })
  handles.push(handle)
  const events: ProviderEvent[] = []
  const exits: ProviderExit[] = []
  let wake: () => void = () => {}
  handle.onEvent((e) => {
    events.push(e)
    wake()
  })
  handle.onExit((e) => {
    exits.push(e)
    wake()
  })
  const waitFor = async (match: (e: ProviderEvent) => boolean, from = 0): Promise<ProviderEvent> => {
    for (;;) {
      const hit = events.find((e, j) => j >= from && match(e))
      if (hit) return hit
      if (exits.length > 0) throw new Error(`exited first: ${exits[0]?.stderrTail}`)
      await new Promise<void>((r) => (wake = r))
    }
  }
  /** Send a prompt and wait for its turn to end; returns the texts of the messages of that turn. */
  const turn = async (prompt: string) => {
    const from = events.length
    await handle.send(prompt)
    const end = await waitFor((e) => e.kind === 'turn', from)
    const msgs = events.slice(from).flatMap((e) => (e.kind === 'message' ? [e.message] : []))
    return {
      end,
      msgs,
      text: msgs
        .filter((m) => m.kind === 'assistant')
        .map((m) => m.text)
        .join('\n')
    }
  }
  const waitExit = async () => {
    while (exits.length === 0) await new Promise<void>((r) => (wake = r))
    return exits[0] as ProviderExit
  }
  return { handle, events, exits, waitFor, turn, waitExit }
}

describe('AcpHandle: setup', () => {
  it('initialize advertises fs + terminal + elicitation forms, session/new gives the cli session; prompts stream and end idle with usage', async () => {
    const a = await open({ systemPrompt: 'be brief' })
    const init = a.events.find((e) => e.kind === 'raw' && e.data.includes('"echo"'))
    expect(init && init.kind === 'raw' && JSON.parse(init.data).result.echo.clientCapabilities).toEqual({
      fs: { readTextFile: true, writeTextFile: true },
      terminal: true,
      elicitation: { form: {} }
    })
    expect(a.events.find((e) => e.kind === 'cli_session')).toEqual({ kind: 'cli_session', cliSessionId: 'fake-1', model: null })
    expect(a.handle.agent).toMatchObject({ name: 'Fake ACP', version: '9.9.9', loadSession: true, canSetModel: false, canSetMode: false })
    const one = await a.turn('hello')
    // The system prompt goes first, as its own block, on the first prompt only.
    expect(one.text).toBe('[2 blocks] echo: hello')
    expect(one.end).toEqual({ kind: 'turn', state: 'idle' })
    expect(a.events.find((e) => e.kind === 'usage')).toEqual({
      kind: 'usage',
      usage: {
        inputTokens: 10,
        outputTokens: 2,
        cacheReadTokens: 0,
        cacheWriteTokens: 0,
        contextTokens: 100,
        contextWindow: 1000,
        costKnown: true,
        costUsdDelta: 0.5
      }
    })
    expect((await a.turn('again')).text).toBe('echo: again')
  })

  it('an agent asking for sign-in fails the start with a clear error', async () => {
    await expect(open({}, { FAKE_ACP_AUTH: '1' })).rejects.toThrow(/needs you to sign in/)
  })

  it('a program that is not an ACP agent fails the start (no hang), quoting its stderr', async () => {
    const p = AcpHandle.open({
      binaryPath: process.execPath,
      args: ['-e', 'console.error("usage: not-acp"); process.exit(2)'],
      cwd: proj,
      env: { PATH: process.env.PATH ?? '' },
      model: null,
      permissionMode: 'default',
      systemPrompt: null
    })
    await expect(p).rejects.toThrow(ShepherdError)
    await expect(p).rejects.toThrow(/usage: not-acp/)
  })

  it('resume: session/load replays history, which is not shown again', async () => {
    const a = await open({ resumeCliSessionId: 'old-1' })
    expect(a.events.find((e) => e.kind === 'cli_session')).toMatchObject({ cliSessionId: 'old-1' })
    const t = await a.turn('next')
    expect(t.text).toBe('echo: next') // no system prompt block on a resumed conversation either
    expect(a.events.some((e) => e.kind === 'message' && /old (prompt|answer)/.test(e.message.text))).toBe(false)
  })

  it('resume of a stale id: the agent is stopped before any cli session, the exit says why', async () => {
    const a = await open({ resumeCliSessionId: 'stale' })
    await a.handle.send('dropped') // the supervisor restarts fresh with it
    const exit = await a.waitExit()
    expect(a.events.some((e) => e.kind === 'cli_session')).toBe(false)
    expect(exit.stderrTail.trim().split('\n').pop()).toMatch(/could not load conversation stale: .*no such session/)
  })

  it('resume with an agent without loadSession: same stale path', async () => {
    const a = await open({ resumeCliSessionId: 'old-1' }, { FAKE_ACP_CAPS: '{"loadSession":false}' })
    const exit = await a.waitExit()
    expect(a.events.some((e) => e.kind === 'cli_session')).toBe(false)
    expect(exit.stderrTail).toMatch(/cannot resume conversations over ACP/)
  })
})

describe('AcpHandle: the client side (files and terminals stay in the project)', () => {
  it('reads and writes inside the project; refuses outside, sibling and symlinked paths', async () => {
    const a = await open()
    expect((await a.turn(`read:${path.join(proj, 'in.txt')}`)).text).toBe('read: inside text')
    expect((await a.turn(`read:${path.join(outside, 'secret.txt')}`)).text).toMatch(/^read error -32602: .*outside the project folder/)
    expect((await a.turn(`read:${proj}/../outside/secret.txt`)).text).toMatch(/outside the project folder/)
    expect((await a.turn(`read:${path.join(proj, 'missing.txt')}`)).text).toMatch(/^read error -32002/)
    expect((await a.turn(`write:${path.join(proj, 'new', 'file.txt')}|hello`)).text).toBe('written')
    expect(readFileSync(path.join(proj, 'new', 'file.txt'), 'utf8')).toBe('hello')
    expect((await a.turn(`write:${path.join(outside, 'evil.txt')}|x`)).text).toMatch(/^write error -32602/)
    expect((await a.turn(`write:${proj}-evil/x.txt|x`)).text).toMatch(/^write error -32602/)
    expect(existsSync(path.join(outside, 'evil.txt'))).toBe(false)
  })

  it('runs terminal commands without a shell, in the project, and shows their output as the tool result', async () => {
    const a = await open()
    const t = await a.turn(`term:${JSON.stringify({ command: process.execPath, args: ['-e', 'console.log(process.cwd()); console.log("$HOME;|")'] })}`)
    expect(t.text).toContain('"exitCode":0')
    expect(t.text).toContain(JSON.stringify(`${proj}\n$HOME;|\n`).slice(1, -1))
    const result = t.msgs.find((m) => m.kind === 'tool_result')
    expect(result?.text).toBe(`${proj}\n$HOME;|\n`)
    const bad = await a.turn(`term:${JSON.stringify({ command: 'ls', cwd: outside })}`)
    expect(bad.text).toMatch(/term error: .*outside the project folder/)
  })

  it('terminal output keeps the newest bytes within outputByteLimit', async () => {
    const a = await open()
    const t = await a.turn(
      `term:${JSON.stringify({ command: process.execPath, args: ['-e', 'process.stdout.write("a".repeat(100) + "TAIL")'], outputByteLimit: 10 })}`
    )
    expect(t.text).toContain('"output":"aaaaaaTAIL","truncated":true')
  })

  it('stop kills terminals still running (their whole process group)', async () => {
    const a = await open()
    const from = a.events.length
    await a.handle.send(`term:${JSON.stringify({ command: process.execPath, args: ['-e', 'setInterval(() => {}, 1000)'] })}`)
    await a.waitFor((e) => e.kind === 'message' && e.message.kind === 'tool_call', from)
    await a.handle.stop(500)
    // The terminal's group is gone too (it was in its own group, killed explicitly).
    await new Promise((r) => setTimeout(r, 100))
    expect(execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' })).not.toContain('setInterval(() => {}, 1000)')
  })

  it('unknown client methods answer "method not found"', async () => {
    const a = await open()
    expect((await a.turn('call:session/unknown_thing')).text).toMatch(/-32601/)
  })
})

describe('AcpHandle: approvals, interrupt, modes and models', () => {
  it('permission → approval_request; allow once / always / deny pick the matching option', async () => {
    const a = await open()
    for (const [decision, expected] of [
      [{ behavior: 'allow', scope: 'once' }, '{"outcome":"selected","optionId":"o1"}'],
      [{ behavior: 'allow', scope: 'session' }, '{"outcome":"selected","optionId":"o2"}'],
      [{ behavior: 'deny', message: 'no' }, '{"outcome":"selected","optionId":"o3"}']
    ] as const) {
      const from = a.events.length
      await a.handle.send('ask')
      const req = await a.waitFor((e) => e.kind === 'approval_request', from)
      if (req.kind !== 'approval_request') throw new Error('unreachable')
      expect(req.request).toMatchObject({ toolName: 'bash', input: { command: 'rm -rf build' }, description: 'rm -rf build', toolUseId: 'tc-ask' })
      // The tool call is in the transcript before the approval.
      const callIdx = a.events.findIndex((e, j) => j >= from && e.kind === 'message' && e.message.kind === 'tool_call')
      expect(callIdx).toBeGreaterThanOrEqual(from)
      expect(callIdx).toBeLessThan(a.events.indexOf(req))
      await a.handle.answerApproval(req.request.requestId, decision)
      await a.waitFor((e) => e.kind === 'turn', from)
      expect(a.events.slice(from).some((e) => e.kind === 'message' && e.message.text === `outcome ${expected}`)).toBe(true)
      await expect(a.handle.answerApproval(req.request.requestId, decision)).rejects.toThrow(/no longer pending/)
    }
  })

  it('interrupt cancels an open approval (approval_cancelled) and the turn ends idle with a note', async () => {
    const a = await open()
    await a.handle.send('ask')
    const req = await a.waitFor((e) => e.kind === 'approval_request')
    await a.handle.interrupt()
    const end = await a.waitFor((e) => e.kind === 'turn')
    expect(end).toEqual({ kind: 'turn', state: 'idle' })
    expect(a.events).toContainEqual({ kind: 'approval_cancelled', requestId: req.kind === 'approval_request' ? req.request.requestId : '' })
    expect(a.events).toContainEqual({ kind: 'message', message: { kind: 'system', text: 'Interrupted' } })
  })

  it('interrupt of a long turn: session/cancel → stopReason cancelled → idle; next prompt works', async () => {
    const a = await open()
    await a.handle.send('slow')
    await a.waitFor((e) => e.kind === 'raw' && e.data.includes('working'))
    await a.handle.interrupt()
    expect(await a.waitFor((e) => e.kind === 'turn')).toEqual({ kind: 'turn', state: 'idle' })
    expect(a.events.some((e) => e.kind === 'message' && e.message.text === 'working')).toBe(true)
    expect((await a.turn('after')).text).toBe('echo: after')
  })

  it('refusal and errors end the turn in error', async () => {
    const a = await open()
    expect((await a.turn('refuse')).end).toMatchObject({ kind: 'turn', state: 'error', reason: { message: 'the agent refused to continue' } })
    const f = await a.turn('fail')
    expect(f.end).toEqual({ kind: 'turn', state: 'error', reason: { message: 'model exploded' } })
    expect(f.msgs).toContainEqual({ kind: 'error', text: 'model exploded', isError: true })
  })

  it('no modes/models offered: switching is refused (never ignored); starting with a mode leaves a note', async () => {
    const a = await open({ permissionMode: 'plan', model: 'big' })
    const notes = a.events.flatMap((e) => (e.kind === 'message' && e.message.kind === 'system' ? [e.message.text] : []))
    expect(notes).toEqual([
      expect.stringMatching(/does not let Shepherd choose its model.*“big” was not applied/),
      expect.stringMatching(/offers no modes.*“plan” was not applied/)
    ])
    await expect(a.handle.setModel('x')).rejects.toMatchObject({ code: 'UNAVAILABLE' })
    await expect(a.handle.setPermissionMode('acceptEdits')).rejects.toMatchObject({ code: 'UNAVAILABLE' })
  })

  it('config options (OpenCode style): model and mode set with session/set_config_option; unmapped modes refused', async () => {
    const setup = {
      configOptions: [
        {
          id: 'model',
          name: 'Model',
          category: 'model',
          type: 'select',
          currentValue: 'fake/a',
          options: [
            { value: 'fake/a', name: 'A' },
            { value: 'fake/b', name: 'B' }
          ]
        },
        {
          id: 'mode',
          name: 'Mode',
          category: 'mode',
          type: 'select',
          currentValue: 'build',
          options: [
            { value: 'build', name: 'build' },
            { value: 'plan', name: 'plan' }
          ]
        }
      ]
    }
    const a = await open({ model: 'fake/b', permissionMode: 'plan' }, { FAKE_ACP_SETUP: JSON.stringify(setup) })
    expect(a.events.find((e) => e.kind === 'cli_session')).toMatchObject({ model: 'fake/b' })
    expect(a.handle.agent).toMatchObject({ canSetModel: true, canSetMode: true })
    await a.handle.setPermissionMode('default') // → the agent's starting mode, "build"
    await a.handle.setModel(null) // → the agent's starting model
    await expect(a.handle.setPermissionMode('bypassPermissions')).rejects.toThrow(/no mode for “bypassPermissions” \(its modes: build, plan\)/)
    await expect(a.handle.setModel('bad-model')).rejects.toMatchObject({ code: 'CONFLICT' })
    const log = (await a.turn('controls')).text.split('\n').map((l) => l.replace(/"sessionId":"fake-\d+",/, ''))
    expect(log).toEqual([
      'session/set_config_option {"configId":"model","value":"fake/b"}',
      'session/set_config_option {"configId":"mode","value":"plan"}',
      'session/set_config_option {"configId":"mode","value":"build"}',
      'session/set_config_option {"configId":"model","value":"fake/a"}'
    ])
  })

  it('legacy modes/models (Gemini / Claude adapter style): set_mode and set_model', async () => {
    const setup = {
      modes: {
        currentModeId: 'default',
        availableModes: [
          { id: 'default', name: 'Default' },
          { id: 'acceptEdits', name: 'Accept edits' },
          { id: 'plan', name: 'Plan' },
          { id: 'bypassPermissions', name: 'Bypass' }
        ]
      },
      models: {
        currentModelId: 'm1',
        availableModels: [
          { modelId: 'm1', name: 'M1' },
          { modelId: 'm2', name: 'M2' }
        ]
      }
    }
    const a = await open({ permissionMode: 'acceptEdits' }, { FAKE_ACP_SETUP: JSON.stringify(setup) })
    await a.handle.setPermissionMode('bypassPermissions')
    await a.handle.setModel('m2')
    const log = (await a.turn('controls')).text.split('\n').map((l) => l.replace(/"sessionId":"fake-\d+",/, ''))
    expect(log).toEqual(['session/set_mode {"modeId":"acceptEdits"}', 'session/set_mode {"modeId":"bypassPermissions"}', 'session/set_model {"modelId":"m2"}'])
  })
})

describe('AcpHandle: exit', () => {
  it('the agent dying mid-turn: partial text shown, approvals cancelled, exit reported once', async () => {
    const a = await open()
    await a.handle.send('ask')
    const req = await a.waitFor((e) => e.kind === 'approval_request')
    process.kill(a.handle.pid as number, 'SIGKILL')
    const exit = await a.waitExit()
    expect(exit.signal).toBe('SIGKILL')
    expect(a.events).toContainEqual({ kind: 'approval_cancelled', requestId: req.kind === 'approval_request' ? req.request.requestId : '' })
    expect(a.events.some((e) => e.kind === 'turn')).toBe(false) // the runner reports the exit
    await expect(a.handle.send('x')).rejects.toThrow(/not running/)
    expect(groupAlive(a.handle.pid as number)).toBe(false)
  })
})

describe('AcpHandle: a program that is not in ACP mode', () => {
  it('a silent program fails the start after the initialize timeout, with a hint about the command', async () => {
    const p = AcpHandle.open({
      binaryPath: process.execPath,
      args: ['-e', 'setInterval(() => {}, 1000)'],
      cwd: proj,
      env: { PATH: process.env.PATH ?? '' },
      model: null,
      permissionMode: 'default',
      systemPrompt: null,
      startTimeoutMs: 300
    })
    await expect(p).rejects.toThrow(/did not answer initialize within .*It must start the agent in ACP mode/)
  })
})
