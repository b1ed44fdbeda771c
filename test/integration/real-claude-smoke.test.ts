// Smoke test: the REAL Claude Code CLI (pinned in test/agents/package.json, installed on demand by
// scripts/install-test-agents.mjs) in long-lived stream-json mode against the fake model server.
// Fully offline: the CLI only talks to 127.0.0.1.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import path from 'node:path'
import { startFakeModelServer, type FakeModelServer } from '../support/fake-model-server.mjs'
import {
  CLAUDE_STREAM_JSON_ARGS,
  REPO_ROOT,
  claudeBinaryPath,
  makeAgentSandbox,
  pinnedClaudeVersion,
  startJsonlProcess,
  userLine,
  type AgentSandbox,
  type JsonlProcess
} from '../support/agents'

let server: FakeModelServer
let sandbox: AgentSandbox
let claude: JsonlProcess
const canUseToolRequests: any[] = []

beforeAll(async () => {
  // Idempotent; silent and ~50 ms when the pinned CLI is already installed.
  const install = spawnSync(process.execPath, [path.join(REPO_ROOT, 'scripts', 'install-test-agents.mjs')], { encoding: 'utf8', timeout: 280_000 })
  if (install.status !== 0) throw new Error(`install-test-agents failed:\n${install.stderr}`)

  server = await startFakeModelServer()
  sandbox = makeAgentSandbox(server.url, { maxRetries: 1 })
  claude = startJsonlProcess(claudeBinaryPath(), [...CLAUDE_STREAM_JSON_ARGS], { cwd: sandbox.projectDir, env: sandbox.env })
  // With --permission-prompt-tool stdio, tools needing approval arrive as can_use_tool: allow them.
  claude.onMessage((m) => {
    if (m.type === 'control_request' && m.request?.subtype === 'can_use_tool') {
      canUseToolRequests.push(m)
      claude.send({
        type: 'control_response',
        response: { subtype: 'success', request_id: m.request_id, response: { behavior: 'allow', updatedInput: m.request.input } }
      })
    }
  })
}, 300_000)

afterAll(async () => {
  claude?.kill()
  await server?.close()
  sandbox?.cleanup()
})

const isResult = (m: any): boolean => m.type === 'result'
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

describe('real Claude Code against the fake model server', () => {
  it('answers a text turn', async () => {
    claude.send(userLine('hello [[text:Smoke reply one]]'))
    const init = await claude.waitFor((m) => m.type === 'system' && m.subtype === 'init', 20_000)
    const initMs = claude.times[claude.messages.indexOf(init)]
    console.info(`[smoke] spawn -> system/init: ${initMs} ms`)
    expect(init.claude_code_version).toBe(pinnedClaudeVersion())
    expect(init.cwd).toBe(sandbox.projectDir)
    expect(init.session_id).toMatch(/^[0-9a-f-]{36}$/)
    expect(init.apiKeySource).toBe('ANTHROPIC_API_KEY')

    const result = await claude.waitFor(isResult, 20_000)
    expect(result).toMatchObject({ subtype: 'success', is_error: false, result: 'Smoke reply one', session_id: init.session_id })
    expect(result.total_cost_usd).toBeGreaterThan(0)
    const assistant = claude.messages.find((m) => m.type === 'assistant')
    expect(assistant.message.content).toEqual([{ type: 'text', text: 'Smoke reply one' }])

    const req = server.requests.find((r) => r.method === 'POST' && r.url.startsWith('/v1/messages'))!
    expect(req.url).toBe('/v1/messages?beta=true')
    expect(req.headers['x-api-key']).toBe('fake-key')
    expect(req.body.stream).toBe(true)
    // the traffic switch keeps the CLI away from the connectivity preflight
    expect(server.requests.some((r) => r.url.startsWith('/api/hello'))).toBe(false)
  }, 30_000)

  it('runs a Bash tool call and reports its output', async () => {
    const from = claude.messages.length
    claude.send(userLine('run it [[bash:echo hi]]'))
    const result = await claude.waitFor(isResult, 30_000, from)
    const turn = claude.messages.slice(from)

    const toolUse = turn.find((m) => m.type === 'assistant' && m.message.content[0]?.type === 'tool_use')?.message.content[0]
    expect(toolUse).toMatchObject({ type: 'tool_use', name: 'Bash', input: { command: 'echo hi' } })
    const toolResult = turn.find((m) => m.type === 'user' && m.message.content?.[0]?.type === 'tool_result')?.message.content[0]
    expect(toolResult).toMatchObject({ tool_use_id: toolUse.id, content: 'hi', is_error: false })
    expect(result).toMatchObject({ is_error: false, result: 'DONE. Tool output was: hi' })
    // A read-only `echo` is auto-approved by the CLI's own rules; anything that did ask was allowed.
    for (const r of canUseToolRequests) expect(r.request.tool_name).toBe('Bash')

    const lastReq = server.requests.at(-1)!
    const lastMsg = lastReq.body.messages.filter((m: any) => m.role !== 'system').at(-1)
    expect(lastMsg.content.some((b: any) => b.type === 'tool_result' && b.tool_use_id === toolUse.id)).toBe(true)
  }, 40_000)

  it('asks the host via can_use_tool for a mutating command and runs it when allowed', async () => {
    const from = claude.messages.length
    const asked = canUseToolRequests.length
    claude.send(userLine('make a file [[bash:touch made-by-smoke.txt]]'))
    const result = await claude.waitFor(isResult, 30_000, from)
    expect(canUseToolRequests.length).toBe(asked + 1)
    expect(canUseToolRequests.at(-1).request).toMatchObject({ tool_name: 'Bash', input: { command: 'touch made-by-smoke.txt' } })
    expect(result).toMatchObject({ is_error: false, result: 'DONE. Tool output was: (Bash completed with no output)' })
    expect(existsSync(path.join(sandbox.projectDir, 'made-by-smoke.txt'))).toBe(true)
  }, 40_000)

  it('interrupts a slow reply: the CLI closes the stream and the server records the disconnect', async () => {
    const from = claude.messages.length
    const disconnectsBefore = server.disconnects.length
    const requestsBefore = server.requests.length
    claude.send(userLine('be slow [[slow:20]]'))
    const t0 = Date.now()
    while (!server.requests.slice(requestsBefore).some((r) => r.url.startsWith('/v1/messages')) && Date.now() - t0 < 20_000) await sleep(20)
    await sleep(600) // a couple of ticks
    claude.send({ type: 'control_request', request_id: 'smoke_interrupt_1', request: { subtype: 'interrupt' } })
    const ack = await claude.waitFor((m) => m.type === 'control_response' && m.response?.request_id === 'smoke_interrupt_1', 10_000, from)
    expect(ack.response.subtype).toBe('success')
    const result = await claude.waitFor(isResult, 10_000, from)
    expect(result.is_error).toBe(true)
    const t1 = Date.now()
    while (server.disconnects.length === disconnectsBefore && Date.now() - t1 < 5_000) await sleep(20)
    expect(server.disconnects.length).toBe(disconnectsBefore + 1)
    expect(server.disconnects.at(-1)!.ticksSent).toBeLessThan(20)
  }, 40_000)

  it('surfaces an API error as result.is_error', async () => {
    const from = claude.messages.length
    claude.send(userLine('[[error:500]]'))
    const result = await claude.waitFor(isResult, 30_000, from)
    // An API failure still has subtype "success": test is_error.
    expect(result).toMatchObject({ is_error: true, api_error_status: 500 })
    expect(result.result).toContain('500')
    // maxRetries: 1 in the sandbox -> exactly one system/api_retry before giving up
    expect(claude.messages.slice(from).filter((m) => m.type === 'system' && m.subtype === 'api_retry')).toHaveLength(1)
  }, 40_000)

  it('recovers on the next turn', async () => {
    const from = claude.messages.length
    // Claude Code merges this prompt with the failed one into a single user message (one text
    // block each); the fake server answers from the newest block.
    claude.send(userLine('again [[text:recovered]]'))
    const result = await claude.waitFor(isResult, 30_000, from)
    expect(result).toMatchObject({ is_error: false, result: 'recovered' })
  }, 40_000)

  // Quirk: the exit code after EOF reflects the LAST turn (1 if it ended in is_error).
  it('exits 0 after stdin EOF', async () => {
    claude.end()
    const exit = await claude.exited
    expect(exit).toEqual({ code: 0, signal: null })
    expect(claude.nonJson).toEqual([])
  }, 20_000)
})
