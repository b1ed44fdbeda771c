import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import http from 'node:http'
import { spawn } from 'node:child_process'
import { parseDirective, SLOW_TICK_MS, startFakeModelServer, type FakeModelServer } from './fake-model-server.mjs'
import { FAKE_MODEL_SERVER_PATH } from './agents'
import { waitFor } from './live'

let server: FakeModelServer

beforeAll(async () => {
  server = await startFakeModelServer()
})
afterAll(async () => {
  await server.close()
})

interface SseEvent {
  event: string | null
  data: any
}

function parseSse(text: string): SseEvent[] {
  return text
    .split('\n\n')
    .filter((block) => block.trim())
    .map((block) => {
      let event: string | null = null
      const data: string[] = []
      for (const line of block.split('\n')) {
        if (line.startsWith('event: ')) event = line.slice(7)
        else if (line.startsWith('data: ')) data.push(line.slice(6))
      }
      const raw = data.join('\n')
      let parsed: unknown = raw
      try {
        parsed = JSON.parse(raw)
      } catch {
        /* [DONE] */
      }
      return { event, data: parsed }
    })
}

async function post(
  path: string,
  body: unknown,
  headers: Record<string, string> = {}
): Promise<{ status: number; headers: Headers; text: string; json: any; events: SseEvent[] }> {
  const res = await fetch(server.url + path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) })
  const text = await res.text()
  let json: unknown = null
  try {
    json = JSON.parse(text)
  } catch {
    /* SSE */
  }
  return {
    status: res.status,
    headers: res.headers,
    text,
    json,
    events: (res.headers.get('content-type') ?? '').includes('text/event-stream') ? parseSse(text) : []
  }
}

// --- request builders shaped like the recorded CLI requests ---------------------------------

const CLAUDE_TOOLS = [
  { name: 'Bash', input_schema: {} },
  { name: 'Write', input_schema: {} }
]

function anthropicBody(userContent: unknown, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    model: 'claude-opus-5-5',
    stream: true,
    tools: CLAUDE_TOOLS,
    messages: [
      {
        role: 'user',
        content: [
          { type: 'text', text: '<system-reminder>\nignore me [[text:WRONG]]\n</system-reminder>' },
          ...(typeof userContent === 'string' ? [{ type: 'text', text: userContent }] : (userContent as unknown[]))
        ]
      },
      { role: 'system', content: [{ type: 'text', text: '# Environment [[error:500]]' }] }
    ],
    ...extra
  }
}

/** Concatenates the streamed Anthropic content blocks back into blocks. */
function anthropicBlocks(events: SseEvent[]): any[] {
  const blocks: any[] = []
  const json: string[] = []
  for (const { data } of events) {
    if (data.type === 'content_block_start') {
      blocks[data.index] = { ...data.content_block }
      json[data.index] = ''
    } else if (data.type === 'content_block_delta') {
      const b = blocks[data.index]
      if (data.delta.type === 'text_delta') b.text += data.delta.text
      else if (data.delta.type === 'thinking_delta') b.thinking += data.delta.thinking
      else if (data.delta.type === 'signature_delta') b.signature = data.delta.signature
      else if (data.delta.type === 'input_json_delta') json[data.index] += data.delta.partial_json
    } else if (data.type === 'content_block_stop') {
      const b = blocks[data.index]
      if (b.type === 'tool_use') b.input = JSON.parse(json[data.index] || '{}')
    }
  }
  return blocks
}

const CODEX_TOOLS = [
  { type: 'function', name: 'exec_command', parameters: {} },
  { type: 'custom', name: 'apply_patch' }
]

function responsesBody(userText: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    model: 'gpt-5.5',
    stream: true,
    tools: CODEX_TOOLS,
    input: [
      { type: 'message', role: 'developer', content: [{ type: 'input_text', text: 'You are Codex [[text:WRONG]]' }] },
      { type: 'message', role: 'user', content: [{ type: 'input_text', text: '<environment_context>\n  <cwd>x</cwd>\n</environment_context>' }] },
      { type: 'message', role: 'user', content: [{ type: 'input_text', text: userText }] }
    ],
    ...extra
  }
}

/** Final output items from a Responses SSE stream (response.completed), checked against the deltas. */
function responsesOutput(events: SseEvent[]): any[] {
  const completed = events.find((e) => e.event === 'response.completed')
  expect(completed).toBeTruthy()
  const seq = events.map((e) => e.data.sequence_number)
  expect(seq).toEqual(seq.map((_, i) => i))
  return completed!.data.response.output
}

const OPENCODE_TOOLS = ['bash', 'edit', 'read', 'write'].map((name) => ({ type: 'function', function: { name, parameters: {} } }))

function chatBody(userText: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    model: 'fake-model',
    stream: true,
    stream_options: { include_usage: true },
    tools: OPENCODE_TOOLS,
    messages: [
      { role: 'system', content: 'You are opencode [[text:WRONG]]' },
      { role: 'user', content: userText }
    ],
    ...extra
  }
}

function chatResult(events: SseEvent[]): { text: string; reasoning: string; toolCalls: any[]; finish: string | null; usage: any; done: boolean } {
  let text = ''
  let reasoning = ''
  const toolCalls: any[] = []
  let finish: string | null = null
  let usage: any = null
  let done = false
  for (const { data } of events) {
    if (data === '[DONE]') {
      done = true
      continue
    }
    expect(data.object).toBe('chat.completion.chunk')
    if (data.usage) usage = data.usage
    for (const choice of data.choices) {
      const d = choice.delta
      if (d.content) text += d.content
      if (d.reasoning_content) reasoning += d.reasoning_content
      for (const tc of d.tool_calls ?? []) {
        const slot = (toolCalls[tc.index] ??= { id: tc.id, name: '', arguments: '' })
        if (tc.function?.name) slot.name = tc.function.name
        if (tc.function?.arguments) slot.arguments += tc.function.arguments
      }
      if (choice.finish_reason) finish = choice.finish_reason
    }
  }
  return { text, reasoning, toolCalls, finish, usage, done }
}

// ---------------------------------------------------------------------------------------------

describe('parseDirective', () => {
  it('parses every directive', () => {
    expect(parseDirective('x [[bash:echo "a|b"]] y')).toEqual({ kind: 'bash', command: 'echo "a|b"' })
    expect(parseDirective('[[write:dir/f.txt|line1\nline2]]')).toEqual({ kind: 'write', path: 'dir/f.txt', content: 'line1\nline2' })
    expect(parseDirective('[[slow:2]]')).toEqual({ kind: 'slow', seconds: 2 })
    // [[at:T]] is silence until T: a time 5 s ahead is about 5 s, a past one next to nothing.
    expect(parseDirective(`[[at:${Date.now() + 5_000}]]`)).toMatchObject({ kind: 'silent', seconds: expect.closeTo(5, 0) })
    expect(parseDirective('[[at:1000]]')).toEqual({ kind: 'silent', seconds: 0.01 })
    expect(parseDirective('[[text:Hello, world]]')).toEqual({ kind: 'text', text: 'Hello, world' })
    expect(parseDirective('[[thinking:hmm]]')).toEqual({ kind: 'thinking', text: 'hmm' })
    const long = parseDirective('[[long:40000]]') as { kind: string; text: string }
    expect(long.kind).toBe('text')
    expect(long.text).toHaveLength(40_000)
    expect(long.text.endsWith('\nEND OF THE LONG ANSWER')).toBe(true)
    expect(parseDirective('[[controls]]')).toEqual({ kind: 'text', text: 'Control characters: NUL[\u0000] ESC[\u001b] BEL[\u0007].' })
    expect(parseDirective('delegate [[agent:look around]]')).toEqual({ kind: 'agent', prompt: 'look around' })
    expect(parseDirective('[[agent:<<bash:sleep 8>>]]')).toEqual({ kind: 'agent', prompt: '[[bash:sleep 8]]' })
    expect(parseDirective('[[bgbash:sleep 5]]')).toEqual({ kind: 'bash', command: 'sleep 5', background: true })
    expect(parseDirective('[[error:529]]')).toEqual({ kind: 'error', status: 529, noRetry: false })
    expect(parseDirective('[[call:ask|{"a":[1,{"b":2}]}]]')).toEqual({ kind: 'call', name: 'ask', args: { a: [1, { b: 2 }] } })
    expect(parseDirective('[[call:mcp__x__y]]')).toEqual({ kind: 'call', name: 'mcp__x__y', args: {} })
    expect(parseDirective('[[error:500:noretry]]')).toEqual({ kind: 'error', status: 500, noRetry: true })
    expect(parseDirective('[[model]]')).toEqual({ kind: 'model' })
    expect(parseDirective('plain text')).toBeNull()
  })
})

describe('misc routes', () => {
  it('answers HEAD /api/hello, count_tokens, models and 404', async () => {
    const hello = await fetch(server.url + '/api/hello', { method: 'HEAD' })
    expect(hello.status).toBe(200)
    const count = await post('/v1/messages/count_tokens?beta=true', { model: 'm', messages: [{ role: 'user', content: 'x'.repeat(400) }] })
    expect(count.status).toBe(200)
    expect(count.json.input_tokens).toBeGreaterThan(100)
    const models = (await (await fetch(server.url + '/v1/models')).json()) as any
    expect(models.object).toBe('list')
    expect(models.has_more).toBe(false)
    expect(models.data[0]).toMatchObject({ object: 'model', type: 'model' })
    const one = (await (await fetch(server.url + '/v1/models/claude-x')).json()) as any
    expect(one.id).toBe('claude-x')
    const missing = await fetch(server.url + '/nope', { method: 'POST', body: '{}' })
    expect(missing.status).toBe(404)
    expect(((await missing.json()) as any).error.type).toBe('not_found_error')
  })

  it('logs every request with method, url, headers, parsed body and time', async () => {
    const before = server.requests.length
    const t0 = Date.now()
    await post('/prefix/v1/messages?beta=true', anthropicBody('[[text:logged]]'), { 'x-api-key': 'fake-key' })
    const entry = server.requests[before]!
    expect(entry.method).toBe('POST')
    expect(entry.url).toBe('/prefix/v1/messages?beta=true')
    expect(entry.headers['x-api-key']).toBe('fake-key')
    expect(entry.body.model).toBe('claude-opus-5-5')
    expect(entry.t).toBeGreaterThanOrEqual(t0)
  })

  it('calls a log callback and can be reset', async () => {
    const seen: string[] = []
    const s = await startFakeModelServer({ log: (e) => seen.push(e.url) })
    try {
      await fetch(s.url + '/api/hello')
      expect(seen).toEqual(['/api/hello'])
      expect(s.requests).toHaveLength(1)
      s.reset()
      expect(s.requests).toHaveLength(0)
    } finally {
      await s.close()
    }
  })

  it('prints LISTENING <port> when run directly', async () => {
    const child = spawn(process.execPath, [FAKE_MODEL_SERVER_PATH, '0'], { stdio: ['ignore', 'pipe', 'inherit'] })
    try {
      const port = await new Promise<number>((resolve, reject) => {
        let out = ''
        child.stdout!.on('data', (c: Buffer) => {
          out += c.toString()
          const m = /^LISTENING (\d+)$/m.exec(out)
          if (m) resolve(Number(m[1]))
        })
        child.on('exit', () => reject(new Error(`exited early: ${out}`)))
      })
      expect(port).toBeGreaterThan(0)
      const res = await fetch(`http://127.0.0.1:${port}/api/hello`)
      expect(res.status).toBe(200)
    } finally {
      child.kill('SIGTERM')
    }
  })
})

describe('Anthropic Messages', () => {
  it('streams the exact SSE event sequence for a text reply', async () => {
    const r = await post('/v1/messages?beta=true', anthropicBody('please [[text:Hello from fake]]'))
    expect(r.status).toBe(200)
    expect(r.headers.get('content-type')).toContain('text/event-stream')
    const types = r.events.map((e) => e.event)
    expect(types[0]).toBe('message_start')
    expect(types[1]).toBe('ping')
    expect(types.slice(-2)).toEqual(['message_delta', 'message_stop'])
    for (const e of r.events) expect(e.data.type).toBe(e.event)
    expect(types).toContain('content_block_start')
    expect(types).toContain('content_block_stop')
    const start = r.events[0]!.data.message
    expect(start).toMatchObject({ type: 'message', role: 'assistant', model: 'claude-opus-5-5', content: [], stop_reason: null, stop_sequence: null })
    expect(start.id).toMatch(/^msg_/)
    expect(start.usage).toMatchObject({ cache_creation_input_tokens: 0, cache_read_input_tokens: 0 })
    expect(start.usage.input_tokens).toBeGreaterThan(0)
    expect(anthropicBlocks(r.events)).toEqual([{ type: 'text', text: 'Hello from fake' }])
    const delta = r.events.at(-2)!.data
    expect(delta.delta).toEqual({ stop_reason: 'end_turn', stop_sequence: null })
    expect(delta.usage.output_tokens).toBeGreaterThan(0)
  })

  it('ignores <system-reminder> blocks and trailing system messages; ACKs plain prompts', async () => {
    const r = await post('/v1/messages', anthropicBody('just a plain prompt that is rather long, longer than sixty characters in total'))
    const prompt = 'just a plain prompt that is rather long, longer than sixty characters in total'
    expect(anthropicBlocks(r.events)).toEqual([{ type: 'text', text: `ACK: ${prompt.slice(0, 60)}` }])
  })

  it('answers the newest text block when consecutive user turns were merged into one message', async () => {
    const r = await post(
      '/v1/messages',
      anthropicBody([
        { type: 'text', text: 'first [[error:500]]\n' },
        { type: 'text', text: 'second [[text:newest wins]]' }
      ])
    )
    expect(r.status).toBe(200)
    expect(anthropicBlocks(r.events)).toEqual([{ type: 'text', text: 'newest wins' }])
  })

  it('returns a Bash tool call for [[bash:CMD]]', async () => {
    const r = await post('/v1/messages?beta=true', anthropicBody('run it [[bash:echo hi]]'))
    const blocks = anthropicBlocks(r.events)
    expect(blocks[0]).toEqual({ type: 'text', text: 'I will run a command.' })
    expect(blocks[1]).toMatchObject({ type: 'tool_use', name: 'Bash', input: { command: 'echo hi', description: expect.any(String) } })
    expect(blocks[1].id).toMatch(/^toolu_/)
    expect(r.events.at(-2)!.data.delta.stop_reason).toBe('tool_use')
    // the tool-input JSON arrives in several pieces
    expect(r.events.filter((e) => e.data.delta?.type === 'input_json_delta').length).toBeGreaterThan(1)
  })

  it('returns a Write tool call for [[write:PATH|CONTENT]]', async () => {
    const r = await post('/v1/messages', anthropicBody('[[write:notes/a.txt|hello\nworld]]'))
    expect(anthropicBlocks(r.events)[1]).toMatchObject({ type: 'tool_use', name: 'Write', input: { file_path: 'notes/a.txt', content: 'hello\nworld' } })
  })

  it('answers a tool result with DONE / Tool ERROR', async () => {
    const history = (isError: boolean): unknown => ({
      model: 'claude-opus-5-5',
      stream: true,
      tools: CLAUDE_TOOLS,
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'run [[bash:echo hi]]' }] },
        {
          role: 'assistant',
          content: [
            { type: 'text', text: 'I will run a command.' },
            { type: 'tool_use', id: 'toolu_1', name: 'Bash', input: { command: 'echo hi' } }
          ]
        },
        {
          role: 'user',
          content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: isError ? [{ type: 'text', text: 'denied!' }] : 'hi', is_error: isError }]
        },
        { role: 'system', content: 'env' }
      ]
    })
    const ok = await post('/v1/messages', history(false))
    expect(anthropicBlocks(ok.events)).toEqual([{ type: 'text', text: 'DONE. Tool output was: hi' }])
    const bad = await post('/v1/messages', history(true))
    expect(anthropicBlocks(bad.events)).toEqual([{ type: 'text', text: 'DONE. Tool ERROR was: denied!' }])
  })

  it('truncates tool output to 200 characters', async () => {
    const long = 'z'.repeat(500)
    const r = await post('/v1/messages', {
      model: 'm',
      stream: false,
      tools: CLAUDE_TOOLS,
      messages: [
        { role: 'user', content: 'x' },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't', content: long }] }
      ]
    })
    expect(r.json.content[0].text).toBe(`DONE. Tool output was: ${'z'.repeat(200)}`)
  })

  it('emits a thinking block before the text for [[thinking:T]]', async () => {
    const r = await post('/v1/messages', anthropicBody('[[thinking:let me think]]'))
    const blocks = anthropicBlocks(r.events)
    expect(blocks[0]).toMatchObject({ type: 'thinking', thinking: 'let me think' })
    expect(blocks[0].signature).toBeTruthy()
    expect(blocks[1]).toEqual({ type: 'text', text: 'Thought about it.' })
  })

  it('echoes the request model for [[model]]', async () => {
    const r = await post('/v1/messages', anthropicBody('[[model]]', { model: 'claude-fake-b' }))
    expect(anthropicBlocks(r.events)).toEqual([{ type: 'text', text: 'MODEL: claude-fake-b' }])
  })

  it('returns provider-shaped errors for [[error:STATUS]]', async () => {
    for (const [status, type] of [
      [500, 'api_error'],
      [429, 'rate_limit_error'],
      [529, 'overloaded_error']
    ] as const) {
      const r = await post('/v1/messages', anthropicBody(`[[error:${status}]]`))
      expect(r.status).toBe(status)
      expect(r.json).toEqual({ type: 'error', error: { type, message: `fake error ${status}` } })
      expect(r.headers.get('x-should-retry')).toBeNull()
    }
    const noRetry = await post('/v1/messages', anthropicBody('[[error:500:noretry]]'))
    expect(noRetry.headers.get('x-should-retry')).toBe('false')
  })

  it('answers non-streaming requests with one JSON message', async () => {
    const r = await post('/v1/messages', anthropicBody('[[bash:ls]]', { stream: false }))
    expect(r.headers.get('content-type')).toContain('application/json')
    expect(r.json).toMatchObject({
      type: 'message',
      role: 'assistant',
      stop_reason: 'tool_use',
      usage: { cache_creation_input_tokens: 0, cache_read_input_tokens: 0 }
    })
    expect(r.json.content.map((b: any) => b.type)).toEqual(['text', 'tool_use'])
  })

  it('treats requests without tools as side requests', async () => {
    const body = (text: string): unknown => ({ model: 'claude-haiku', stream: false, messages: [{ role: 'user', content: text }] })
    expect((await post('/v1/messages', body('title for: run [[bash:rm -rf /]]'))).json.content).toEqual([{ type: 'text', text: 'Fake title' }])
    expect((await post('/v1/messages', body('[[text:Custom title]]'))).json.content).toEqual([{ type: 'text', text: 'Custom title' }])
    expect((await post('/v1/messages', body('[[error:429]]'))).status).toBe(429)
  })
})

describe('slow streams and disconnects', () => {
  it('streams tick chunks every 250 ms and completes', async () => {
    const t0 = Date.now()
    const r = await post('/v1/messages', anthropicBody('[[slow:0.75]]'))
    const elapsed = Date.now() - t0
    expect(anthropicBlocks(r.events)).toEqual([{ type: 'text', text: 'tick0 tick1 tick2 ' }])
    expect(elapsed).toBeGreaterThanOrEqual(2 * SLOW_TICK_MS - 20)
    expect(r.events.at(-1)!.event).toBe('message_stop')
  })

  it('[[silent:N]] sends nothing for N seconds, then a short text; a client that leaves meanwhile is recorded', async () => {
    const t0 = Date.now()
    const r = await post('/v1/messages', anthropicBody('[[silent:0.5]]'))
    expect(Date.now() - t0).toBeGreaterThanOrEqual(480)
    expect(anthropicBlocks(r.events)).toEqual([{ type: 'text', text: 'Back after 0.5 s.' }])

    const before = server.disconnects.length
    const ac = new AbortController()
    const pending = fetch(server.url + '/v1/chat/completions', {
      method: 'POST',
      body: JSON.stringify(chatBody('[[silent:20]]')),
      headers: { 'content-type': 'application/json' },
      signal: ac.signal
    })
    await new Promise((resolve) => setTimeout(resolve, 200))
    ac.abort()
    await expect(pending).rejects.toThrow()
    await waitFor('the disconnect', () => server.disconnects.length > before, 5000)
  })

  it('stops and records a disconnect as soon as the client goes away', async () => {
    const before = server.disconnects.length
    const reqIndex = server.requests.length
    const chunks: string[] = []
    await new Promise<void>((resolve, reject) => {
      const body = JSON.stringify(anthropicBody('[[slow:20]]'))
      const req = http.request(server.url + '/v1/messages?beta=true', { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
        res.setEncoding('utf8')
        res.on('data', (c: string) => {
          chunks.push(c)
          if (chunks.join('').includes('tick2 ')) {
            req.destroy()
            resolve()
          }
        })
      })
      req.on('error', (err) => {
        if (!(err as NodeJS.ErrnoException).code?.includes('ECONNRESET')) reject(err)
      })
      req.end(body)
    })
    const t0 = Date.now()
    while (server.disconnects.length === before && Date.now() - t0 < 2000) await new Promise((r) => setTimeout(r, 10))
    expect(server.disconnects.length).toBe(before + 1)
    const d = server.disconnects.at(-1)!
    expect(d.requestIndex).toBe(reqIndex)
    expect(d.ticksSent).toBeGreaterThanOrEqual(3)
    expect(d.ticksSent).toBeLessThan(6)
    expect(d.ticksPlanned).toBe(80)
    expect(Date.now() - t0).toBeLessThan(SLOW_TICK_MS * 2)
  })

  it('detects disconnects on the OpenAI routes too', async () => {
    for (const [path, body] of [
      ['/v1/responses', responsesBody('[[slow:10]]')],
      ['/v1/chat/completions', chatBody('[[slow:10]]')]
    ] as const) {
      const before = server.disconnects.length
      const ac = new AbortController()
      const res = await fetch(server.url + path, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: ac.signal
      })
      const reader = res.body!.getReader()
      await reader.read()
      ac.abort()
      const t0 = Date.now()
      while (server.disconnects.length === before && Date.now() - t0 < 2000) await new Promise((r) => setTimeout(r, 10))
      expect(server.disconnects.length, path).toBe(before + 1)
    }
  })
})

describe('OpenAI Responses (Codex)', () => {
  it('streams a text message with the documented events', async () => {
    const r = await post('/v1/responses', responsesBody('hi [[text:Hello Codex]]'), { accept: 'text/event-stream' })
    const types = r.events.map((e) => e.event)
    expect(types).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed'
    ])
    for (const e of r.events) expect(e.data.type).toBe(e.event)
    expect(r.events[0]!.data.response).toMatchObject({ object: 'response', status: 'in_progress', model: 'gpt-5.5', output: [] })
    const output = responsesOutput(r.events)
    expect(output).toEqual([
      {
        type: 'message',
        id: expect.stringMatching(/^msg_/),
        status: 'completed',
        role: 'assistant',
        content: [{ type: 'output_text', text: 'Hello Codex', annotations: [] }]
      }
    ])
    const usage = r.events.at(-1)!.data.response.usage
    expect(usage).toMatchObject({ input_tokens_details: { cached_tokens: 0 }, output_tokens_details: { reasoning_tokens: 0 } })
    expect(usage.total_tokens).toBe(usage.input_tokens + usage.output_tokens)
  })

  it('ignores developer messages and <environment_context>; ACKs plain prompts', async () => {
    const r = await post('/v1/responses', responsesBody('plain codex prompt'))
    expect(responsesOutput(r.events)[0].content[0].text).toBe('ACK: plain codex prompt')
  })

  it('calls exec_command / shell_command / shell, whichever is offered', async () => {
    const call = async (tools: unknown[]): Promise<any> => {
      const r = await post('/v1/responses', responsesBody('[[bash:echo hi]]', { tools }))
      const out = responsesOutput(r.events)
      expect(out[0].content[0].text).toBe('I will run a command.')
      const fc = out[1]
      expect(fc).toMatchObject({ type: 'function_call', status: 'completed' })
      expect(fc.id).toMatch(/^fc_/)
      expect(fc.call_id).toMatch(/^call_/)
      const argsDone = r.events.find((e) => e.event === 'response.function_call_arguments.done')!.data.arguments
      expect(argsDone).toBe(fc.arguments)
      const deltas = r.events
        .filter((e) => e.event === 'response.function_call_arguments.delta')
        .map((e) => e.data.delta)
        .join('')
      expect(deltas).toBe(fc.arguments)
      return { name: fc.name, args: JSON.parse(fc.arguments) }
    }
    expect(await call(CODEX_TOOLS)).toEqual({ name: 'exec_command', args: { cmd: 'echo hi' } })
    expect(await call([{ type: 'function', name: 'shell_command' }])).toEqual({ name: 'shell_command', args: { command: 'echo hi' } })
    expect(await call([{ type: 'function', name: 'shell' }])).toEqual({ name: 'shell', args: { command: ['bash', '-lc', 'echo hi'] } })
  })

  it('writes files through a printf shell call', async () => {
    const r = await post('/v1/responses', responsesBody("[[write:out file.txt|it's here]]"))
    const fc = responsesOutput(r.events)[1]
    expect(fc.name).toBe('exec_command')
    expect(JSON.parse(fc.arguments).cmd).toBe(`printf '%s' 'it'\\''s here' > 'out file.txt'`)
  })

  it('answers function_call_output with DONE', async () => {
    const body = responsesBody('[[bash:echo hi]]')
    ;(body.input as unknown[]).push(
      { type: 'function_call', name: 'exec_command', arguments: '{"cmd":"echo hi"}', call_id: 'call_1' },
      { type: 'function_call_output', call_id: 'call_1', output: 'Process exited with code 0\nOutput:\nhi\n' }
    )
    const r = await post('/v1/responses', body)
    expect(responsesOutput(r.events)[0].content[0].text).toBe('DONE. Tool output was: Process exited with code 0\nOutput:\nhi\n')
  })

  it('emits a reasoning item for [[thinking:T]], echoes the model, errors, JSON mode, side requests', async () => {
    const thinking = responsesOutput((await post('/v1/responses', responsesBody('[[thinking:pondering]]'))).events)
    expect(thinking[0]).toMatchObject({ type: 'reasoning', summary: [{ type: 'summary_text', text: 'pondering' }] })
    expect(thinking[1].content[0].text).toBe('Thought about it.')

    const model = responsesOutput((await post('/v1/responses', responsesBody('[[model]]', { model: 'gpt-5.6-sol' }))).events)
    expect(model[0].content[0].text).toBe('MODEL: gpt-5.6-sol')

    const err = await post('/v1/responses', responsesBody('[[error:500]]'))
    expect(err.status).toBe(500)
    expect(err.json.error).toMatchObject({ message: 'fake error 500', type: 'server_error' })

    const json = await post('/v1/responses', responsesBody('[[text:as json]]', { stream: false }))
    expect(json.json).toMatchObject({ object: 'response', status: 'completed', output: [{ type: 'message', content: [{ text: 'as json' }] }] })

    const side = await post('/v1/responses', responsesBody('summarize [[bash:ls]]', { tools: [] }))
    expect(responsesOutput(side.events)[0].content[0].text).toBe('Fake title')
    // "code mode" models offer tools as an input item instead
    const codeMode = responsesBody('[[bash:ls]]', { tools: [] })
    ;(codeMode.input as unknown[]).unshift({ type: 'additional_tools', tools: [] })
    expect(responsesOutput((await post('/v1/responses', codeMode)).events)[1].type).toBe('function_call')
  })
})

describe('OpenAI Chat Completions (OpenCode)', () => {
  it('streams role, text, finish and usage chunks then [DONE]', async () => {
    const r = await post('/v1/chat/completions', chatBody('"hello [[text:Hi OpenCode]]"'))
    expect(r.events[0]!.data.choices[0].delta).toEqual({ role: 'assistant', content: '' })
    const res = chatResult(r.events)
    expect(res).toMatchObject({ text: 'Hi OpenCode', finish: 'stop', done: true, toolCalls: [] })
    expect(res.usage.total_tokens).toBe(res.usage.prompt_tokens + res.usage.completion_tokens)
    expect(r.events.at(-2)!.data.choices).toEqual([])
  })

  it('calls bash and write with OpenCode argument names', async () => {
    const bash = chatResult((await post('/v1/chat/completions', chatBody('[[bash:echo hi]]'))).events)
    expect(bash.text).toBe('I will run a command.')
    expect(bash.finish).toBe('tool_calls')
    expect(bash.toolCalls[0].name).toBe('bash')
    expect(JSON.parse(bash.toolCalls[0].arguments)).toMatchObject({ command: 'echo hi' })
    const write = chatResult((await post('/v1/chat/completions', chatBody('[[write:/tmp/x|data]]'))).events)
    expect(write.toolCalls[0].name).toBe('write')
    expect(JSON.parse(write.toolCalls[0].arguments)).toEqual({ filePath: '/tmp/x', content: 'data' })
  })

  it('calls OpenCode 2’s tools when those are offered: shell {command}, write {path, content}', async () => {
    const fn = (name: string, properties: Record<string, unknown>) => ({ type: 'function', function: { name, parameters: { type: 'object', properties } } })
    const tools = [
      fn('shell', { command: { type: 'string' }, workdir: { type: 'string' } }),
      fn('write', { path: { type: 'string' }, content: { type: 'string' } })
    ]
    const shell = chatResult((await post('/v1/chat/completions', chatBody('[[bash:echo hi]]', { tools }))).events)
    expect(shell.toolCalls[0].name).toBe('shell')
    expect(JSON.parse(shell.toolCalls[0].arguments)).toEqual({ command: 'echo hi' })
    const write = chatResult((await post('/v1/chat/completions', chatBody('[[write:x.txt|data]]', { tools }))).events)
    expect(write.toolCalls[0].name).toBe('write')
    expect(JSON.parse(write.toolCalls[0].arguments)).toEqual({ path: 'x.txt', content: 'data' })
  })

  it('answers role:tool with DONE; title requests without tools with Fake title; errors', async () => {
    const body = chatBody('run [[bash:echo hi]]')
    ;(body.messages as unknown[]).push(
      { role: 'assistant', content: 'I will run a command.', tool_calls: [{ id: 'c1', type: 'function', function: { name: 'bash', arguments: '{}' } }] },
      { role: 'tool', tool_call_id: 'c1', content: 'hi\n' }
    )
    expect(chatResult((await post('/v1/chat/completions', body)).events).text).toBe('DONE. Tool output was: hi\n')

    const title = chatBody('Generate a title for: "run [[bash:echo hi]]"', { tools: undefined })
    expect(chatResult((await post('/v1/chat/completions', title)).events).text).toBe('Fake title')

    const err = await post('/v1/chat/completions', chatBody('[[error:429]]'))
    expect(err.status).toBe(429)
    expect(err.json.error.type).toBe('rate_limit_exceeded')

    const json = await post('/v1/chat/completions', chatBody('[[model]]', { stream: false, model: 'fake-model-2' }))
    expect(json.json).toMatchObject({
      object: 'chat.completion',
      choices: [{ message: { role: 'assistant', content: 'MODEL: fake-model-2' }, finish_reason: 'stop' }]
    })

    const thinking = chatResult((await post('/v1/chat/completions', chatBody('[[thinking:hmm]]'))).events)
    expect(thinking).toMatchObject({ reasoning: 'hmm', text: 'Thought about it.' })
  })
})
