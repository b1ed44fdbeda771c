/**
 * The OpenCode handle and server pool against `fixtures/fake-opencode.mjs` (a scripted stand-in
 * for `opencode serve`): request bodies, basic auth, the racy idle, approvals, resync after a lost
 * event stream, stale resume, server death, sharing. The real binary is covered by
 * test/integration/opencode-supervisor.test.ts.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { ProviderEvent, ProviderExit, StartOptions } from '../types'
import { OpenCodeProvider } from './provider'
import type { OpenCodeHandle } from './handle'
import { permissionRules } from './permissions'
import { OpenCodeServerPool } from './server-pool'

const FAKE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'fake-opencode.mjs')
chmodSync(FAKE, 0o755)

interface Logged {
  method: string
  path: string
  body: any
}

const cleanups: (() => unknown)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

function setup() {
  const cwd = mkdtempSync(path.join(os.tmpdir(), 'oc-handle-'))
  // The fake is a 1.x binary: its sessions are OpenCodeHandles.
  const provider = new OpenCodeProvider() as Omit<OpenCodeProvider, 'start'> & { start(o: StartOptions): Promise<OpenCodeHandle> }
  cleanups.push(() => rmSync(cwd, { recursive: true, force: true }))
  cleanups.push(() => provider.shutdown())
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: cwd }
  const opts = (o: Partial<StartOptions> = {}): StartOptions => ({
    sessionId: 's1',
    cwd,
    model: 'fake/fake-model',
    permissionMode: 'default',
    systemPrompt: 'Be brief.',
    env,
    binaryPath: FAKE,
    ...o
  })
  return { provider, cwd, env, opts }
}

function watch(handle: OpenCodeHandle) {
  const events: ProviderEvent[] = []
  let exit: ProviderExit | null = null
  handle.onEvent((e) => events.push(e))
  handle.onExit((e) => (exit = e))
  return { events, exit: () => exit }
}

async function until<T>(what: string, f: () => T | null | undefined | false, ms = 5000): Promise<T> {
  const end = Date.now() + ms
  for (;;) {
    const v = f()
    if (v) return v
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 10))
  }
}

async function testApi(handle: OpenCodeHandle, route: string, body?: unknown): Promise<any> {
  const base = (handle as unknown as { lease: { server: { url: string } } }).lease.server.url
  const res = await fetch(base + route, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body)
  })
  return res.json()
}
const log = async (h: OpenCodeHandle): Promise<{ requests: Logged[]; unauthorized: number }> => testApi(h, '/_test/requests')
const turnEnds = (events: ProviderEvent[]) => events.filter((e) => e.kind === 'turn')

describe('OpenCode handle (fake server)', () => {
  it('creates the session with the mode’s rules, prompts with our message id, model and system prompt; completion ignores the late idle', async () => {
    const { provider, opts } = setup()
    const h = await provider.start(opts())
    const w = watch(h)
    expect(w.events[0]).toMatchObject({
      kind: 'message',
      message: { kind: 'system', text: expect.stringContaining('OpenCode 0.0.0-fake · model fake/fake-model') }
    })
    expect(w.events[1]).toEqual({ kind: 'cli_session', cliSessionId: h.cliSessionId, model: 'fake/fake-model' })
    expect(h.pid).toBeGreaterThan(0)
    await h.send('hello')
    await until('turn end', () => turnEnds(w.events).length === 1)
    const msgs = w.events.flatMap((e) => (e.kind === 'message' ? [e.message] : []))
    expect(msgs.at(-1)).toMatchObject({ kind: 'assistant', text: 'reply to hello' })
    expect(w.events.find((e) => e.kind === 'usage')).toMatchObject({
      usage: { costUsdDelta: 0.25, inputTokens: 100, outputTokens: 10, cacheReadTokens: 5, contextTokens: 105 }
    })
    expect(turnEnds(w.events)).toEqual([{ kind: 'turn', state: 'idle' }])

    const { requests, unauthorized } = await log(h)
    expect(unauthorized).toBe(0)
    expect(requests.find((r) => r.path === '/session')?.body).toEqual({ permission: permissionRules('default') })
    const prompt = requests.find((r) => r.path.endsWith('/prompt_async'))!.body
    expect(prompt).toMatchObject({ parts: [{ type: 'text', text: 'hello' }], model: { providerID: 'fake', modelID: 'fake-model' }, system: 'Be brief.' })
    expect(prompt.messageID).toMatch(/^msg_[0-9a-f]{12}[0-9A-Za-z]{14}$/)

    // A request without the password is refused by the server.
    const base = (h as unknown as { lease: { server: { url: string } } }).lease.server.url
    expect((await fetch(base + '/session/status')).status).toBe(401)
  })

  it('model switch applies to the next prompt; a mode switch PATCHes the rules at once; bad models are refused', async () => {
    const { provider, opts } = setup()
    const h = await provider.start(opts({ model: null }))
    const w = watch(h)
    await h.setModel('openrouter/anthropic/claude-x')
    await h.setPermissionMode('plan')
    await h.send('one')
    await until('turn', () => turnEnds(w.events).length === 1)
    await expect(h.setModel('gpt-5')).rejects.toThrow(/provider\/model/)
    await h.setModel(null)
    await h.send('two')
    await until('turn', () => turnEnds(w.events).length === 2)
    const { requests } = await log(h)
    const prompts = requests.filter((r) => r.path.endsWith('/prompt_async')).map((r) => r.body)
    expect(prompts[0].model).toEqual({ providerID: 'openrouter', modelID: 'anthropic/claude-x' })
    expect(prompts[1].model).toBeUndefined()
    expect(requests.find((r) => r.method === 'PATCH')?.body).toEqual({ permission: permissionRules('plan') })
  })

  it('approvals: once / always / reject with and without feedback; a reply from elsewhere cancels', async () => {
    const { provider, opts } = setup()
    const h = await provider.start(opts())
    const w = watch(h)
    const ask = async () => {
      const r = await testApi(h, '/_test/permission', { sessionID: h.cliSessionId })
      await until('approval event', () => w.events.some((e) => e.kind === 'approval_request' && e.request.requestId === r.id))
      return r.id as string
    }
    await h.answerApproval(await ask(), { behavior: 'allow', scope: 'once' })
    await h.answerApproval(await ask(), { behavior: 'allow', scope: 'session' })
    await h.answerApproval(await ask(), { behavior: 'deny', message: 'not that' })
    await h.answerApproval(await ask(), { behavior: 'deny', message: '  ' })
    const { requests } = await log(h)
    expect(requests.filter((r) => r.path.startsWith('/permission/')).map((r) => r.body)).toEqual([
      { reply: 'once' },
      { reply: 'always' },
      { reply: 'reject', message: 'not that' },
      { reply: 'reject' }
    ])
    expect(w.events.filter((e) => e.kind === 'approval_cancelled')).toEqual([])
    await expect(h.answerApproval('per_unknown', { behavior: 'allow', scope: 'once' })).rejects.toThrow(/no longer pending/)

    // Answered by another client (OpenCode's TUI): the request is withdrawn here.
    const other = await ask()
    const base = (h as unknown as { lease: { server: { client: { request: (m: string, p: string, b?: unknown) => Promise<unknown> } } } }).lease.server.client
    await base.request('POST', `/permission/${other}/reply`, { reply: 'once' })
    await until('cancel', () => w.events.some((e) => e.kind === 'approval_cancelled' && e.requestId === other))
  })

  it('recovers a completion missed while the event stream was down (resync from the stored messages)', async () => {
    const { provider, opts } = setup()
    const h = await provider.start(opts())
    const w = watch(h)
    await h.send('HOLD this')
    const { requests } = await log(h)
    expect(requests.some((r) => r.path.endsWith('/prompt_async'))).toBe(true)
    await new Promise((r) => setTimeout(r, 50))
    await testApi(h, '/_test/drop', {})
    await testApi(h, '/_test/complete', { sessionID: h.cliSessionId })
    await until('turn end after resync', () => turnEnds(w.events).length === 1, 8000)
    expect(w.events.some((e) => e.kind === 'message' && e.message.text === 'reply to HOLD this')).toBe(true)
    expect(w.events.filter((e) => e.kind === 'usage')).toHaveLength(1)
    // The stream works again.
    await h.send('after')
    await until('next turn', () => turnEnds(w.events).length === 2)
  })

  it('a completion published before the last part updates: the parts are fetched before the turn ends', async () => {
    const { provider, opts } = setup()
    const h = await provider.start(opts())
    const w = watch(h)
    await h.send('EARLY bird')
    await until('turn end', () => turnEnds(w.events).length === 1)
    const afterTurn = w.events.slice(w.events.findIndex((e) => e.kind === 'turn'))
    const before = w.events.slice(
      0,
      w.events.findIndex((e) => e.kind === 'turn')
    )
    expect(before.some((e) => e.kind === 'message' && e.message.text === 'reply to EARLY bird')).toBe(true)
    expect(before.filter((e) => e.kind === 'usage')).toHaveLength(1)
    // The late part events change nothing (beyond raw records).
    await new Promise((r) => setTimeout(r, 400))
    const notRaw = (events: ProviderEvent[]) => events.filter((e) => e.kind !== 'raw')
    expect(notRaw(w.events.slice(w.events.findIndex((e) => e.kind === 'turn')))).toEqual(notRaw(afterTurn))
  })

  it('an idle check started for one turn never ends the next one (abort → late idle hints → next prompt)', async () => {
    const { provider, opts } = setup()
    const h = await provider.start(opts())
    const w = watch(h)
    const client = (h as unknown as { lease: { server: { client: { request: (m: string, p: string, b?: unknown) => Promise<{ body: any }> } } } }).lease.server
      .client
    const sid = h.cliSessionId
    await h.send('HOLD one')
    const asst = await (async () => {
      for (;;) {
        const msgs = (await client.request('GET', `/session/${sid}/message`)).body as { info: { role: string } }[]
        const a = msgs.find((m) => m.info.role === 'assistant')
        if (a) return a.info as unknown as { id: string; parentID: string }
        await new Promise((r) => setTimeout(r, 10))
      }
    })()
    await new Promise((r) => setTimeout(r, 50))
    // The status check answers "idle" late: by then turn one is over and turn two has begun.
    await testApi(h, '/_test/status', { idle: true, delayMs: 300 })
    const aborted = { name: 'MessageAbortedError', data: { message: 'Aborted' } }
    await testApi(h, '/_test/emit', {
      events: [
        { type: 'session.error', properties: { sessionID: sid, error: aborted } },
        { type: 'session.idle', properties: { sessionID: sid } },
        { type: 'session.idle', properties: { sessionID: sid } },
        {
          type: 'message.updated',
          properties: { sessionID: sid, info: { ...asst, role: 'assistant', sessionID: sid, time: { created: 1, completed: 2 }, error: aborted } }
        }
      ]
    })
    await until('turn one ends', () => turnEnds(w.events).length === 1)
    await h.send('HOLD two')
    await new Promise((r) => setTimeout(r, 700))
    expect(turnEnds(w.events)).toHaveLength(1)
    await testApi(h, '/_test/status', { idle: false })
  })

  it('a resume of an unknown session exits early (the supervisor then starts afresh); a known one is reused, a fork gets a new id', async () => {
    const { provider, opts } = setup()
    const first = await provider.start(opts())
    const stale = await provider.start(opts({ resumeCliSessionId: 'ses_gone' }))
    const w = watch(stale)
    await until('early exit', () => w.exit())
    expect(w.exit()).toMatchObject({ code: 1, stderrTail: expect.stringContaining('ses_gone') })
    await expect(stale.send('ignored')).resolves.toBeUndefined()
    expect(w.events.some((e) => e.kind === 'cli_session')).toBe(false)

    const again = await provider.start(opts({ resumeCliSessionId: first.cliSessionId, permissionMode: 'acceptEdits' }))
    expect(again.cliSessionId).toBe(first.cliSessionId)
    const fork = await provider.start(opts({ resumeCliSessionId: first.cliSessionId, fork: true }))
    expect(fork.cliSessionId).not.toBe(first.cliSessionId)
    const { requests } = await log(first)
    expect(requests.filter((r) => r.method === 'PATCH').map((r) => r.path)).toEqual([`/session/${first.cliSessionId}`, `/session/${fork.cliSessionId}`])
    expect(requests.find((r) => r.method === 'PATCH')?.body).toEqual({ permission: permissionRules('acceptEdits') })
  })

  it('one server per folder and environment, stopped with its last session; a dying server ends its sessions', async () => {
    const { provider, opts, env } = setup()
    const a = await provider.start(opts())
    const b = await provider.start(opts())
    const c = await provider.start(opts({ env: { ...env, EXTRA: '1' } }))
    expect(a.pid).toBe(b.pid)
    expect(c.pid).not.toBe(a.pid)
    expect(provider.pool.size).toBe(2)
    const wa = watch(a)
    const wb = watch(b)
    const wc = watch(c)
    await a.stop(1000)
    expect(wa.exit()).toEqual({ code: 0, signal: null, stderrTail: '' })
    expect(() => process.kill(b.pid!, 0)).not.toThrow()
    await b.send('still here')
    await until('b turn', () => turnEnds(wb.events).length === 1)
    await b.stop(1000)
    expect(() => process.kill(b.pid!, 0)).toThrow()
    expect(provider.pool.size).toBe(1)

    process.kill(c.pid!, 'SIGKILL')
    await until('c exit', () => wc.exit())
    expect(wc.exit()).toMatchObject({ signal: 'SIGKILL' })
    expect(provider.pool.size).toBe(0)
    await expect(c.send('x')).rejects.toThrow(/not running/)
  })
})

describe('OpenCode handle: late tool updates, sub-agents, warm-up (fake server)', () => {
  /** Like `until`, for a check that must await (the request log). */
  async function untilAsync(what: string, f: () => Promise<boolean>, ms = 5000): Promise<void> {
    const end = Date.now() + ms
    while (!(await f())) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
      await new Promise((r) => setTimeout(r, 20))
    }
  }
  /** The held turn's assistant message (the fake server keeps it in storage). */
  async function heldAssistant(h: OpenCodeHandle): Promise<{ id: string; parentID: string }> {
    const client = (h as unknown as { lease: { server: { client: { request: (m: string, p: string) => Promise<{ body: any }> } } } }).lease.server.client
    for (;;) {
      const msgs = (await client.request('GET', `/session/${h.cliSessionId}/message`)).body as { info: { role: string; id: string; parentID: string } }[]
      const a = msgs.find((m) => m.info.role === 'assistant')
      if (a) return a.info
      await new Promise((r) => setTimeout(r, 10))
    }
  }
  const toolPart = (sid: string, messageID: string, status: string, extra: object = {}) => ({
    type: 'message.part.updated',
    properties: {
      sessionID: sid,
      part: {
        id: 'prt_tool1',
        messageID,
        sessionID: sid,
        type: 'tool',
        tool: 'bash',
        callID: 'call_1',
        state: { status, input: { command: 'sleep 20' }, ...extra }
      }
    }
  })

  it('an abort whose idle comes BEFORE the tool’s final update: the update still lands on its call, then the turn ends', async () => {
    const { provider, opts } = setup()
    const h = await provider.start(opts({ permissionMode: 'bypassPermissions' }))
    const w = watch(h)
    const sid = h.cliSessionId
    await h.send('HOLD tool')
    const asst = await heldAssistant(h)
    await testApi(h, '/_test/emit', { events: [toolPart(sid, asst.id, 'running')] })
    await until('the call', () => w.events.some((e) => e.kind === 'message' && e.message.kind === 'tool_call'))
    await h.interrupt()
    await testApi(h, '/_test/status', { idle: true })
    const aborted = { name: 'MessageAbortedError', data: { message: 'Aborted' } }
    await testApi(h, '/_test/emit', {
      events: [
        { type: 'session.error', properties: { sessionID: sid, error: aborted } },
        { type: 'session.status', properties: { sessionID: sid, status: { type: 'idle' } } },
        { type: 'session.idle', properties: { sessionID: sid } }
      ]
    })
    // As recorded from OpenCode 1.18.33 (fixtures/serve-abort-tool.jsonl), only later:
    await new Promise((r) => setTimeout(r, 300))
    await testApi(h, '/_test/emit', {
      events: [toolPart(sid, asst.id, 'completed', { output: 'started\n\n\n<shell_metadata>\nUser aborted the command\n</shell_metadata>', metadata: {} })]
    })
    await until('turn ends', () => turnEnds(w.events).length === 1)
    const kinds = w.events.flatMap((e) => (e.kind === 'message' ? [`${e.message.kind}: ${e.message.text}`] : e.kind === 'turn' ? [`turn ${e.state}`] : []))
    expect(kinds.slice(-4)).toEqual(['tool_call: bash: sleep 20', 'tool_result: started\n\n[User aborted the command]', 'system: Interrupted', 'turn idle'])
    await testApi(h, '/_test/status', { idle: false })
  })

  it('a sub-agent’s request is answered as the session’s mode says: bypass allows it without a card, default shows the card', async () => {
    const { provider, opts } = setup()
    const h = await provider.start(opts({ permissionMode: 'bypassPermissions' }))
    const w = watch(h)
    const sid = h.cliSessionId
    const child = 'ses_child1'
    const asked = (id: string, permission: string) => ({
      type: 'permission.asked',
      properties: { id, sessionID: child, permission, patterns: ['x'], metadata: { command: 'touch x' }, always: ['touch *'] }
    })
    await testApi(h, '/_test/emit', {
      events: [{ type: 'session.created', properties: { sessionID: child, info: { id: child, parentID: sid } } }, asked('per_a', 'bash')]
    })
    await untilAsync('the answer', async () => (await log(h)).requests.some((r) => r.path === '/permission/per_a/reply'))
    expect((await log(h)).requests.find((r) => r.path === '/permission/per_a/reply')?.body).toEqual({ reply: 'once' })
    expect(w.events.some((e) => e.kind === 'approval_request')).toBe(false)

    await h.setPermissionMode('plan')
    await testApi(h, '/_test/emit', { events: [asked('per_b', 'edit')] })
    await untilAsync('the refusal', async () => (await log(h)).requests.some((r) => r.path === '/permission/per_b/reply'))
    expect((await log(h)).requests.find((r) => r.path === '/permission/per_b/reply')?.body).toMatchObject({ reply: 'reject' })

    await h.setPermissionMode('default')
    await testApi(h, '/_test/emit', { events: [asked('per_c', 'bash')] })
    await until('the card', () => w.events.some((e) => e.kind === 'approval_request' && e.request.requestId === 'per_c'))
    expect((await log(h)).requests.some((r) => r.path === '/permission/per_c/reply')).toBe(false)
  })

  it('every server gets the sub-agent fallback rules in its inline config, merged with the user’s', async () => {
    const { provider, opts, env } = setup()
    const h = await provider.start(opts({ env: { ...env, OPENCODE_CONFIG_CONTENT: '{"model":"fake/fake-model"}' } }))
    const pid = h.pid!
    const environ = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0')
    const content = environ.find((l) => l.startsWith('OPENCODE_CONFIG_CONTENT='))!.slice('OPENCODE_CONFIG_CONTENT='.length)
    expect(JSON.parse(content)).toEqual({ model: 'fake/fake-model', permission: { edit: 'ask', bash: 'ask' } })
  })

  it('prewarm starts the project’s server once; the session that follows uses it; an unused warm server stops after its idle time', async () => {
    const { cwd, env, opts } = setup()
    const provider = new OpenCodeProvider({ pool: new OpenCodeServerPool(undefined, 400) })
    cleanups.push(() => provider.shutdown())
    await provider.prewarm({ cwd, env, binaryPath: FAKE })
    await provider.prewarm({ cwd, env, binaryPath: FAKE })
    expect(provider.pool.size).toBe(1)
    expect(provider.pool.warmCount).toBe(1)
    const h = await provider.start(opts())
    const pid = h.pid!
    await until('the warm-up to end', () => provider.pool.warmCount === 0, 3000)
    // The session still holds the server; it stops with the session.
    expect(() => process.kill(pid, 0)).not.toThrow()
    await h.stop(1000)
    expect(provider.pool.size).toBe(0)

    await provider.prewarm({ cwd, env, binaryPath: FAKE })
    const warm = provider.pool.size
    expect(warm).toBe(1)
    await until('the unused server to stop', () => provider.pool.size === 0, 3000)
  })
})
