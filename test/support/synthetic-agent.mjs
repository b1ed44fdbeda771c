#!/usr/bin/env node
// Synthetic `claude` for benchmarks (npm run bench, test/bench-ci): speaks the same stream-json
// stdin/stdout protocol as test/support/fake-agent.mjs (a user line runs one turn that ends with a
// `result` line; control requests get control responses; exit on stdin EOF once idle), so the real
// ClaudeProvider drives it. Each turn emits a realistic Claude Code mix at a controlled rate:
// thinking (with a signature), assistant text, tool calls (Read, Bash, Grep, Edit) and tool results
// of varied sizes (most small, some large, a few ~100 KB, duplicated in `tool_use_result` like the
// real CLI), usage on every assistant line and a cost line (`result`) per turn. Zero dependencies.
//
// One stdout line = one content block = one transcript message, so "events" below are lines.
//
// Prompt directives:
//   [[synth:N:RATE]]   N event lines at RATE lines/s (0 or omitted = as fast as the pipe takes them)
//   [[seed:S]]         PRNG seed for the content mix (default 1)
// Env defaults when the prompt has no [[synth]]: SYNTH_EVENTS (default 20), SYNTH_RATE (default 0).
//
// Every event line carries a stamp `⟦t=<ms>#<i>⟧` at the start of its text (thinking, text, tool
// result) or in the tool input's `description` (tool calls): <ms> is the wall-clock time the line was
// written (performance.timeOrigin + performance.now(), fractional ms), <i> its 0-based index in the
// turn. Benchmarks read it back from the stored or pushed message to measure latency and order.
//
// On a broken stdout pipe (the host was killed) the agent exits at once, like the real CLI.

import { randomUUID } from 'node:crypto'
import { StringDecoder } from 'node:string_decoder'

const VERSION = '2.1.330-synthetic'
const argv = process.argv.slice(2)
if (argv.includes('--version')) {
  process.stdout.write(`${VERSION} (Claude Code)\n`)
  process.exit(0)
}

function argValue(...names) {
  for (let i = 0; i < argv.length; i++) {
    for (const n of names) {
      if (argv[i] === n) return argv[i + 1]
      if (argv[i].startsWith(n + '=')) return argv[i].slice(n.length + 1)
    }
  }
  return undefined
}

const state = {
  model: argValue('--model') ?? 'claude-opus-5-5',
  permissionMode: argValue('--permission-mode') ?? 'default',
  sessionId: argv.includes('--fork-session') ? randomUUID() : (argValue('--session-id', '--resume') ?? randomUUID()),
  totalCost: 0,
  eof: false,
  busy: false,
  /** @type {AbortController | null} */
  abort: null
}
/** @type {string[]} */
const queue = []

process.stdout.on('error', () => process.exit(0))

function write(data) {
  return new Promise((resolve) => {
    if (process.stdout.write(data)) resolve()
    else process.stdout.once('drain', resolve)
  })
}
const emit = (obj) => write(JSON.stringify(obj) + '\n')
const sleep = (ms, signal) =>
  new Promise((resolve) => {
    if (signal?.aborted) return resolve()
    const t = setTimeout(done, ms)
    function done() {
      clearTimeout(t)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    signal?.addEventListener('abort', done, { once: true })
  })
const now = () => performance.timeOrigin + performance.now()

// ---------------------------------------------------------------------------------------------
// content: a seeded PRNG and word/code pools

function mulberry32(seed) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const WORDS = (
  'the a to of and in is it that for on with this as be by we at from should will can file function test ' +
  'error value return type session store event message renderer supervisor commit batch query index update config ' +
  'module import export async await promise handler stream buffer parse line agent project pane status seq cost ' +
  'token model tool result call check look run build fix change edit read write path line column'
).split(' ')
const CODE = [
  "import { describe, expect, it } from 'vitest'",
  'export function applyBatch(state: State, batch: Message[]): State {',
  '  for (const m of batch) if (m.seq > state.lastSeq) state.items.push(m)',
  '  return { ...state, lastSeq: batch[batch.length - 1]?.seq ?? state.lastSeq }',
  '}',
  "  const rows = db.prepare('SELECT * FROM messages WHERE session_id = ? ORDER BY seq').all(id)",
  "  if (!row) throw new ShepherdError('NOT_FOUND', `no session with id ${id}`)",
  '    await writer.flush()',
  '// The debounce window bounds commits per second while keeping latency low.',
  'const DEFAULT_DEBOUNCE_MS = 15',
  '  expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1))',
  '  "dependencies": { "better-sqlite3": "12.11.1", "ws": "8.23.0" },',
  'src/supervisor/session-events.ts:42:    this.#outbox.push(messageToDTO(row))',
  '   PASS  test/integration/faults.test.ts (12 tests) 4312ms',
  '\tat Object.<anonymous> (/work/main/src-main/store/writer.ts:71:18)'
]
const FILES = [
  'src/store/writer.ts',
  'src/supervisor/session-runner.ts',
  'src/api/routers/events.ts',
  'test/integration/faults.test.ts',
  'src/renderer/stores/project-store.svelte.ts',
  'package.json',
  'README.md',
  'src/providers/claude/parser.ts'
]
const COMMANDS = [
  'npm test -- --run',
  'git status --short',
  'ls -la src',
  'npx tsc --noEmit -p tsconfig.node.json',
  'rg -n "flush\\(" src',
  'node scripts/bench.mjs --only=1'
]

function makeContent(seed) {
  const rnd = mulberry32(seed)
  const pick = (arr) => arr[Math.floor(rnd() * arr.length)]
  const int = (lo, hi) => lo + Math.floor(rnd() * (hi - lo + 1))
  const sentence = () => {
    const n = int(6, 18)
    let s = ''
    for (let i = 0; i < n; i++) s += (i ? ' ' : '') + pick(WORDS)
    return s[0].toUpperCase() + s.slice(1) + '.'
  }
  const prose = (chars) => {
    let s = ''
    while (s.length < chars) s += (s ? ' ' : '') + sentence()
    return s
  }
  const code = (chars) => {
    let s = ''
    let n = 1
    while (s.length < chars) s += `${String(n++).padStart(6)}\t${pick(CODE)}\n`
    return s
  }
  /** Tool result size: most small, some medium, few large, rare huge (bytes). */
  const resultSize = () => {
    const r = rnd()
    if (r < 0.6) return int(40, 800)
    if (r < 0.89) return int(800, 6_000)
    if (r < 0.99) return int(6_000, 20_000)
    return int(30_000, 100_000)
  }
  return { rnd, pick, int, prose, code, resultSize }
}

// ---------------------------------------------------------------------------------------------
// line templates: pre-serialized JSON split around placeholders, so emitting a line is a few
// string concatenations (the agent must not be the bottleneck of a throughput benchmark)

// Private-use characters: JSON.stringify keeps them as they are (it would escape control characters).
const P_STAMP = '\ue000S\ue000'
const P_TOOL = '\ue000T\ue000'
const P_UUID = '\ue000U\ue000'
const P_MSG = '\ue000M\ue000'
const PLACEHOLDER = /\ue000([STUM])\ue000/g

/** A template: literal parts and, between them, the placeholder keys (S, T, U, M). */
function compile(obj) {
  const json = JSON.stringify(obj)
  const parts = []
  const keys = []
  let last = 0
  for (const m of json.matchAll(PLACEHOLDER)) {
    parts.push(json.slice(last, m.index))
    keys.push(m[1])
    last = m.index + m[0].length
  }
  parts.push(json.slice(last))
  return { parts, keys }
}

function assistantLine(block, usage) {
  return {
    type: 'assistant',
    message: {
      id: P_MSG,
      type: 'message',
      role: 'assistant',
      model: state.model,
      content: [block],
      stop_reason: null,
      stop_sequence: null,
      usage,
      context_management: null
    },
    parent_tool_use_id: null,
    session_id: state.sessionId,
    uuid: P_UUID,
    timestamp: '2026-11-23T08:47:08.383Z',
    request_id: 'req_' + P_MSG
  }
}

/**
 * One "API call" of an agent loop: optional thinking, a short text, a tool call and its result.
 * Returns the line templates in order and whether each starts a new assistant message id.
 */
function makeCycle(c) {
  const usage = {
    input_tokens: c.int(2_000, 90_000),
    output_tokens: c.int(1, 900),
    cache_creation_input_tokens: c.int(0, 4_000),
    cache_read_input_tokens: c.int(0, 80_000)
  }
  const lines = []
  if (c.rnd() < 0.35) {
    const signature =
      'Ev' + Array.from({ length: c.int(200, 600) }, () => 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'[c.int(0, 63)]).join('')
    lines.push(assistantLine({ type: 'thinking', thinking: P_STAMP + ' ' + c.prose(c.int(150, 1_800)), signature }, usage))
  }
  lines.push(assistantLine({ type: 'text', text: P_STAMP + ' ' + c.prose(c.int(40, 600)) }, usage))
  const tool = c.pick(['Read', 'Read', 'Bash', 'Grep', 'Edit'])
  let input
  let result
  let toolUseResult
  const size = c.resultSize()
  if (tool === 'Read') {
    const filePath = '/work/project/' + c.pick(FILES)
    input = { file_path: filePath, description: P_STAMP }
    result = c.code(size)
    toolUseResult = {
      type: 'text',
      file: { filePath, content: result, numLines: result.split('\n').length - 1, startLine: 1, totalLines: result.split('\n').length - 1 }
    }
  } else if (tool === 'Bash') {
    input = { command: c.pick(COMMANDS), description: P_STAMP + ' Run the command', timeout: 120000 }
    result = c.code(size)
    toolUseResult = { stdout: result, stderr: '', interrupted: false, isImage: false, noOutputExpected: false }
  } else if (tool === 'Grep') {
    input = { pattern: c.pick(WORDS), path: '/work/project/src', output_mode: 'content', '-n': true, description: P_STAMP }
    result = c.code(Math.min(size, 4_000))
    toolUseResult = { mode: 'content', numFiles: c.int(1, 12), filenames: [], content: result, numLines: result.split('\n').length - 1 }
  } else {
    const filePath = '/work/project/' + c.pick(FILES)
    const oldString = c.code(c.int(40, 400))
    const newString = c.code(c.int(40, 400))
    input = { file_path: filePath, old_string: oldString, new_string: newString, replace_all: false, description: P_STAMP }
    result = `The file ${filePath} has been updated. Here's the result of running \`cat -n\` on a snippet of the edited file:\n` + c.code(Math.min(size, 3_000))
    toolUseResult = { filePath, oldString, newString, originalFile: null, structuredPatch: [], userModified: false, replaceAll: false }
  }
  lines.push(assistantLine({ type: 'tool_use', id: P_TOOL, name: tool, input }, usage))
  lines.push({
    type: 'user',
    message: { role: 'user', content: [{ tool_use_id: P_TOOL, type: 'tool_result', content: P_STAMP + ' ' + result, is_error: c.rnd() < 0.03 }] },
    parent_tool_use_id: null,
    session_id: state.sessionId,
    uuid: P_UUID,
    timestamp: '2026-11-23T08:47:08.431Z',
    tool_use_result: toolUseResult,
    tool_result_meta: [{ id: P_TOOL, permission_decision: { decision: 'accept', source: 'config', reason_type: 'mode' } }]
  })
  return lines.map(compile)
}

/** A fixed pool of cycles per seed, reused round-robin with fresh ids and stamps. */
const POOL_SIZE = 256
const pools = new Map()
function poolFor(seed) {
  let pool = pools.get(seed)
  if (!pool) {
    const c = makeContent(seed)
    pool = Array.from({ length: POOL_SIZE }, () => makeCycle(c))
    pools.set(seed, pool)
  }
  return pool
}

let lineCounter = 0
let toolCounter = 0
let msgCounter = 0

/** Yields event lines forever (in cycles); `stamp(i)` gives the stamp text for line i. */
function* eventLines(seed) {
  const pool = poolFor(seed)
  const pid = process.pid
  for (let k = 0; ; k++) {
    const cycle = pool[k % pool.length]
    const tool = `toolu_synth${pid}_${++toolCounter}`
    const msg = `msg_synth${pid}_${++msgCounter}`
    for (const t of cycle) {
      const values = { T: tool, M: msg, U: `synth-${pid}-${++lineCounter}` }
      yield (stamp) => {
        let s = t.parts[0]
        for (let j = 0; j < t.keys.length; j++) s += (t.keys[j] === 'S' ? stamp : values[t.keys[j]]) + t.parts[j + 1]
        return s + '\n'
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// protocol messages

function initMessage() {
  return {
    type: 'system',
    subtype: 'init',
    cwd: process.cwd(),
    session_id: state.sessionId,
    tools: ['Task', 'Bash', 'Edit', 'Glob', 'Grep', 'Read', 'Write', 'WebFetch', 'WebSearch'],
    mcp_servers: [],
    model: state.model,
    permissionMode: state.permissionMode,
    slash_commands: ['compact', 'clear', 'model', 'cost'],
    apiKeySource: 'ANTHROPIC_API_KEY',
    claude_code_version: VERSION,
    output_style: 'default',
    agents: ['general-purpose'],
    skills: [],
    plugins: [],
    capabilities: ['interrupt_receipt_v1'],
    uuid: randomUUID()
  }
}

function resultMessage({ text, started, events, isError = false, subtype = 'success', terminalReason = 'completed' }) {
  const inputTokens = 4_000 + events * 40
  const outputTokens = isError ? 0 : 50 + events * 12
  const cost = isError ? 0 : Math.round(inputTokens * 3 + outputTokens * 15) / 1e6
  state.totalCost = Math.round((state.totalCost + cost) * 1e6) / 1e6
  const durationMs = Math.round(now() - started)
  return {
    type: 'result',
    subtype,
    is_error: isError,
    duration_ms: durationMs,
    duration_api_ms: durationMs,
    num_turns: 1,
    result: text,
    stop_reason: isError ? null : 'end_turn',
    session_id: state.sessionId,
    total_cost_usd: state.totalCost,
    usage: { input_tokens: inputTokens, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: outputTokens },
    modelUsage: {
      [state.model]: {
        inputTokens,
        outputTokens,
        cacheReadInputTokens: 0,
        cacheCreationInputTokens: 0,
        webSearchRequests: 0,
        costUSD: cost,
        contextWindow: 200000,
        maxOutputTokens: 32000,
        costBasis: 'list'
      }
    },
    permission_denials: [],
    terminal_reason: terminalReason,
    uuid: randomUUID()
  }
}

function parseDirectives(text) {
  const d = {}
  const re = /\[\[([a-z0-9-]+)(?::([^\]]*))?\]\]/g
  let m
  while ((m = re.exec(text))) if (d[m[1]] === undefined) d[m[1]] = m[2] ?? ''
  return d
}

function promptText(message) {
  const c = message?.message?.content
  if (typeof c === 'string') return c
  if (Array.isArray(c))
    return c
      .filter((b) => b && b.type === 'text')
      .map((b) => b.text)
      .join('\n')
  return ''
}

// ---------------------------------------------------------------------------------------------
// one turn

/** Bytes per write when emitting as fast as possible (one pipe-sized chunk). */
const CHUNK_BYTES = 64 * 1024

async function runTurn(line) {
  const d = parseDirectives(promptText(JSON.parse(line)))
  const [nStr, rateStr] = (d.synth ?? '').split(':')
  const n = Math.max(0, Number.parseInt(nStr ?? '', 10) || Number(process.env.SYNTH_EVENTS) || (d.synth === undefined ? 20 : 0))
  const rate = Math.max(0, Number(rateStr ?? '') || (d.synth === undefined ? Number(process.env.SYNTH_RATE) || 0 : 0))
  const seed = Number.parseInt(d.seed ?? '1', 10) || 1
  const started = now()
  const abort = new AbortController()
  state.abort = abort
  const signal = abort.signal

  await emit(initMessage())
  const lines = eventLines(seed)
  let i = 0
  const t0 = now()
  while (i < n && !signal.aborted) {
    // Everything due by now goes out in one write (at most CHUNK_BYTES), each line stamped now.
    const due = rate > 0 ? Math.min(n, Math.floor(((now() - t0) * rate) / 1000) + 1) : n
    let batch = ''
    const t = now().toFixed(3)
    while (i < due && batch.length < CHUNK_BYTES) {
      batch += lines.next().value(`⟦t=${t}#${i}⟧`)
      i++
    }
    if (batch) await write(batch)
    if (rate > 0 && i < n) {
      const next = t0 + ((i + 0.0001) * 1000) / rate
      await sleep(Math.max(0, next - now()), signal)
    }
  }
  let result
  if (signal.aborted) {
    await emit({
      type: 'user',
      message: { role: 'user', content: [{ type: 'text', text: '[Request interrupted by user]' }] },
      parent_tool_use_id: null,
      session_id: state.sessionId,
      uuid: randomUUID()
    })
    result = resultMessage({ text: '', started, events: i, isError: true, subtype: 'error_during_execution', terminalReason: 'aborted' })
  } else {
    result = resultMessage({ text: `SYNTH ${i}`, started, events: i })
  }
  state.abort = null
  await emit(result)
}

// ---------------------------------------------------------------------------------------------
// control protocol (the subset the provider uses)

function controlResponse(requestId, response) {
  return emit({ type: 'control_response', response: { subtype: 'success', request_id: requestId, response } })
}

async function handleControl(msg) {
  const requestId = msg.request_id
  const req = msg.request ?? {}
  switch (req.subtype) {
    case 'initialize':
      return controlResponse(requestId, {
        commands: [],
        agents: [],
        output_style: 'default',
        models: [],
        pid: process.pid,
        claude_code_version: VERSION,
        current_permission_mode: state.permissionMode
      })
    case 'interrupt':
      if (req.cancel_queued) queue.length = 0
      state.abort?.abort()
      return controlResponse(requestId, { still_queued: [] })
    case 'set_model':
      state.model = req.model && req.model !== 'default' ? String(req.model) : 'claude-opus-5-5'
      return controlResponse(requestId, { model: state.model })
    case 'set_permission_mode':
      state.permissionMode = String(req.mode)
      return controlResponse(requestId, { mode: state.permissionMode })
    case 'get_binary_version':
      return controlResponse(requestId, { version: VERSION })
    default:
      return emit({
        type: 'control_response',
        response: { subtype: 'error', request_id: requestId, error: `Unsupported control request subtype: ${req.subtype}` }
      })
  }
}

// ---------------------------------------------------------------------------------------------
// main loop

async function pump() {
  if (state.busy) return
  state.busy = true
  try {
    while (queue.length) await runTurn(queue.shift())
  } finally {
    state.busy = false
  }
  maybeExit()
}

function maybeExit() {
  if (state.eof && !state.busy && queue.length === 0) process.exit(0)
}

function onLine(line) {
  if (!line.trim()) return
  let msg
  try {
    msg = JSON.parse(line)
  } catch {
    return
  }
  if (msg.type === 'user') {
    queue.push(line)
    void pump()
  } else if (msg.type === 'control_request') {
    void handleControl(msg)
  }
}

const decoder = new StringDecoder('utf8')
let buf = ''
process.stdin.on('data', (chunk) => {
  buf += decoder.write(chunk)
  let nl
  while ((nl = buf.indexOf('\n')) !== -1) {
    const l = buf.slice(0, nl)
    buf = buf.slice(nl + 1)
    onLine(l)
  }
})
process.stdin.on('end', () => {
  buf += decoder.end()
  if (buf) onLine(buf)
  buf = ''
  state.eof = true
  maybeExit()
})
process.stdin.on('error', () => {
  state.eof = true
  maybeExit()
})
