#!/usr/bin/env node
// Fake `claude` for supervisor fault tests: speaks the stream-json protocol of
// `claude -p --output-format stream-json --input-format stream-json --verbose` and misbehaves on
// command. Zero dependencies.
//
// stdin (one JSON object per line, like the real CLI):
//   {"type":"user","message":{"role":"user","content":"text or [blocks]"}}  -> one turn
//   {"type":"control_request","request_id":ID,"request":{"subtype":S,...}}  -> control_response
//     S = initialize | interrupt | set_model | set_permission_mode | get_binary_version (others: error)
//   {"type":"control_response",...}                                        -> answers our can_use_tool
// stdout per turn: system/init (session_id, model, ...), assistant line(s), result
//   (subtype "success", is_error false, cumulative total_cost_usd, usage).
// The process exits 0 on stdin EOF once queued turns are done (like the real CLI).
//
// Prompt directives (several can be combined in one prompt):
//   [[text:T]]            reply text T (default: "ACK: <first 60 chars>")
//   [[crash-midline]]     write half a JSON line, then SIGKILL itself
//   [[ignore-sigterm]]    trap SIGTERM, and stay alive (also after stdin EOF) until SIGKILL
//   [[grandchild]]        spawn `sleep 1000` in our process group (pid in the reply text
//                         "GRANDCHILD <pid>"), finish the turn, exit 0 without waiting for EOF;
//                         [[grandchild:stdio]]: the sleep inherits (and keeps open) stdout/stderr
//   [[malformed]]         a non-JSON line and a truncated JSON line between good lines
//   [[bigline:MB]]        one assistant text line of MB megabytes (MB may be fractional)
//   [[hugeline:MB]]       MB megabytes without any newline, then a newline and the good lines
//   [[utf8-split]]        emoji/CJK assistant line written in 1-byte chunks with small delays
//   [[stderr-flood:MB]]   MB megabytes to stderr (honours back-pressure), then the normal turn
//   [[no-newline]]        the final result line has no trailing newline; then exit 0
//   [[exit:CODE]]         an error on stderr, then exit with CODE (no stdout for that turn)
//   [[events:N:RATE]]     N assistant lines at RATE lines/s (0/omitted = as fast as possible)
//   [[sleep:MS]]          after system/init, MS of silence before replying (interruptible)
//   [[permission-json:B64]] like [[permission:…]] for any tool: B64 = base64url of
//                         {"tool":NAME,"input":{…},"suggestions":[…]} (e.g. a Codex-shaped file change)
//   [[permission:CMD]]    a Bash tool_use for CMD + a can_use_tool control_request; waits for the
//                         host's control_response (allow -> tool_result "ran: CMD", deny -> error)
// Env FAKE_AGENT_DUMP=<file>: on every received stdin line append
//   {"argv":[...],"env":{...},"stdinLines":[all lines so far],"line":<this line>} as one JSON line.
// Env FAKE_AGENT_MODEL: default model (else --model, else "claude-opus-5-5").

import { appendFileSync } from 'node:fs'
import { spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { StringDecoder } from 'node:string_decoder'

const VERSION = '2.1.330-fake'
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
  model: argValue('--model') ?? process.env.FAKE_AGENT_MODEL ?? 'claude-opus-5-5',
  permissionMode: argValue('--permission-mode') ?? 'default',
  sessionId: argv.includes('--fork-session') ? randomUUID() : (argValue('--session-id', '--resume') ?? randomUUID()),
  totalCost: 0,
  numTurns: 0,
  stubborn: false,
  eof: false,
  busy: false,
  /** @type {AbortController | null} */
  abort: null,
  /** @type {Map<string, (resp: any) => void>} */
  pendingPermissions: new Map()
}
/** @type {Array<string>} */
const queue = []
/** @type {Array<string>} */
const stdinLines = []

// ---------------------------------------------------------------------------------------------
// output helpers (honour back-pressure; stdout/stderr pipes are synchronous on Linux anyway)

function writeRaw(stream, data) {
  return new Promise((resolve) => {
    if (stream.write(data)) resolve()
    else stream.once('drain', resolve)
  })
}
const emit = (obj) => writeRaw(process.stdout, JSON.stringify(obj) + '\n')
const sleep = (ms, signal) =>
  new Promise((resolve) => {
    if (signal?.aborted) return resolve(false)
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve(true)
    }, ms)
    const onAbort = () => {
      clearTimeout(t)
      resolve(false)
    }
    signal?.addEventListener('abort', onAbort, { once: true })
  })

function exitNow(code) {
  // stdout/stderr are flushed synchronously for pipes and files on Linux.
  process.exit(code)
}

// ---------------------------------------------------------------------------------------------
// message builders

const common = () => ({ session_id: state.sessionId, uuid: randomUUID() })

function initMessage() {
  return {
    type: 'system',
    subtype: 'init',
    cwd: process.cwd(),
    session_id: state.sessionId,
    tools: ['Task', 'Bash', 'Edit', 'Read', 'Write'],
    mcp_servers: [],
    model: state.model,
    permissionMode: state.permissionMode,
    slash_commands: ['compact', 'clear', 'model'],
    apiKeySource: 'ANTHROPIC_API_KEY',
    claude_code_version: VERSION,
    output_style: 'default',
    agents: ['general-purpose'],
    skills: [],
    plugins: [],
    capabilities: ['interrupt_receipt_v1'],
    uuid: randomUUID(),
    fake_agent: true
  }
}

let msgSeq = 0
function assistantMessage(content, msgId = `msg_fakeagent${String(++msgSeq).padStart(6, '0')}`) {
  return {
    type: 'assistant',
    message: {
      id: msgId,
      type: 'message',
      role: 'assistant',
      model: state.model,
      content: [content],
      stop_reason: null,
      stop_sequence: null,
      usage: { input_tokens: 100, output_tokens: 1, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 }
    },
    parent_tool_use_id: null,
    ...common(),
    timestamp: new Date().toISOString(),
    request_id: `req_${msgId}`
  }
}
const assistantText = (text) => assistantMessage({ type: 'text', text })

function resultMessage({ text, prompt, started, isError = false, subtype = 'success', terminalReason = 'completed' }) {
  const inputTokens = 100 + Math.ceil(prompt.length / 4)
  const outputTokens = isError ? 0 : Math.max(1, Math.ceil(Math.min(text.length, 1e6) / 4))
  const cost = isError ? 0 : Math.round(inputTokens * 3 + outputTokens * 15) / 1e6
  state.totalCost = Math.round((state.totalCost + cost) * 1e6) / 1e6
  state.numTurns++
  const durationMs = Date.now() - started
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
        maxOutputTokens: 32000
      }
    },
    permission_denials: [],
    terminal_reason: terminalReason,
    uuid: randomUUID()
  }
}

// ---------------------------------------------------------------------------------------------
// directives

function parseDirectives(text) {
  const d = {}
  const re = /\[\[([a-z0-9-]+)(?::([^\]]*))?\]\]/g
  let m
  while ((m = re.exec(text))) {
    const [, name, arg = ''] = m
    if (d[name] === undefined) d[name] = arg
  }
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

const UTF8_TEXT = 'UTF-8 ✓ héllo wörld — 你好，世界 日本語テキスト 🐑🧑‍🌾👩🏽‍💻 ∑∞ 𝄞 end'

async function writeStderrFlood(bytes) {
  const line = 'stderr flood: lorem ipsum dolor sit amet, consectetur adipiscing elit 0123456789\n'
  const block = line.repeat(Math.ceil(65536 / line.length))
  let left = bytes
  while (left > 0) {
    const piece = left >= block.length ? block : block.slice(0, left)
    left -= piece.length
    await writeRaw(process.stderr, piece)
  }
}

async function writeHugeLine(bytes) {
  const block = 'H'.repeat(65536)
  let left = bytes
  while (left > 0) {
    const piece = left >= block.length ? block : block.slice(0, left)
    left -= piece.length
    await writeRaw(process.stdout, piece)
  }
  await writeRaw(process.stdout, '\n')
}

const mb = (v) => Math.max(1, Math.round((Number(v) || 1) * 1024 * 1024))

// ---------------------------------------------------------------------------------------------
// one turn

async function runTurn(line) {
  const msg = JSON.parse(line)
  const prompt = promptText(msg)
  const d = parseDirectives(prompt)
  const started = Date.now()
  const abort = new AbortController()
  state.abort = abort
  const signal = abort.signal

  if ('ignore-sigterm' in d) {
    state.stubborn = true
    process.on('SIGTERM', () => {
      process.stderr.write('fake-agent: ignoring SIGTERM\n')
    })
    // keep the event loop alive even after stdin EOF
    setInterval(() => {}, 1 << 30)
  }

  if ('exit' in d) {
    const code = Number.parseInt(d.exit, 10)
    process.stderr.write(`Error: fake agent failed on purpose (exit code ${code})\n`)
    exitNow(Number.isFinite(code) ? code : 1)
    return
  }

  if ('crash-midline' in d) {
    await emit(initMessage())
    const full = JSON.stringify(assistantText('this line is cut in half by a crash'))
    process.stdout.write(full.slice(0, Math.floor(full.length / 2)), () => process.kill(process.pid, 'SIGKILL'))
    await new Promise(() => {}) // never resolves: we are about to die
  }

  await emit(initMessage())

  if ('sleep' in d) await sleep(Number(d.sleep) || 0, signal)

  if ('malformed' in d && !signal.aborted) {
    await writeRaw(process.stdout, 'this is not json at all {{{\n')
    const truncated = JSON.stringify(assistantText('truncated'))
    await writeRaw(process.stdout, truncated.slice(0, Math.floor(truncated.length * 0.6)) + '\n')
  }

  if ('stderr-flood' in d && !signal.aborted) await writeStderrFlood(mb(d['stderr-flood']))
  if ('hugeline' in d && !signal.aborted) await writeHugeLine(mb(d.hugeline))

  let grandchildPid = null
  if ('grandchild' in d) {
    // Same process group as us (detached:false). [[grandchild:stdio]] lets it inherit our stdout and
    // stderr, so the pipes stay open after we exit (the "close never fires" case).
    const child = spawn('sleep', ['1000'], { stdio: d.grandchild === 'stdio' ? ['ignore', 'inherit', 'inherit'] : 'ignore', detached: false })
    child.unref()
    grandchildPid = child.pid ?? null
  }

  let text
  if (d.text !== undefined) text = d.text
  else if (grandchildPid !== null) text = `GRANDCHILD ${grandchildPid}`
  else text = `ACK: ${Array.from(prompt.trim()).slice(0, 60).join('')}`

  if (!signal.aborted) {
    if ('events' in d) {
      const [nStr, rateStr] = d.events.split(':')
      const n = Math.max(0, Number.parseInt(nStr, 10) || 0)
      const rate = Number(rateStr) || 0
      const t0 = Date.now()
      let i = 0
      while (i < n && !signal.aborted) {
        const due = rate > 0 ? Math.min(n, Math.floor(((Date.now() - t0) * rate) / 1000) + 1) : n
        while (i < due && !signal.aborted) {
          let batch = ''
          for (let k = 0; k < 1000 && i < due; k++, i++) batch += JSON.stringify(assistantText(`event ${i}`)) + '\n'
          await writeRaw(process.stdout, batch)
        }
        if (i < n && rate > 0) await sleep(Math.max(1, Math.ceil(1000 / rate)), signal)
      }
      if (d.text === undefined) text = `EVENTS ${i}`
    } else if ('bigline' in d) {
      const size = mb(d.bigline)
      const big = 'B'.repeat(size)
      await emit(assistantText(big))
      if (d.text === undefined) text = `BIGLINE ${size}`
    } else if ('utf8-split' in d) {
      const bytes = Buffer.from(JSON.stringify(assistantText(UTF8_TEXT)) + '\n', 'utf8')
      for (let i = 0; i < bytes.length && !signal.aborted; i++) {
        await writeRaw(process.stdout, bytes.subarray(i, i + 1))
        if (i % 4 === 0) await sleep(1)
      }
      if (d.text === undefined) text = UTF8_TEXT
    } else if ('permission-json' in d) {
      const spec = JSON.parse(Buffer.from(d['permission-json'], 'base64url').toString('utf8'))
      text = await permissionFlow(null, signal, spec)
    } else if ('permission' in d) {
      text = await permissionFlow(d.permission, signal)
    } else {
      await emit(assistantText(text))
    }
  }

  if ('malformed' in d && !signal.aborted) await writeRaw(process.stdout, 'another non-JSON line\n')

  let result
  if (signal.aborted) {
    await emit({
      type: 'user',
      message: { role: 'user', content: [{ type: 'text', text: '[Request interrupted by user]' }] },
      parent_tool_use_id: null,
      ...common()
    })
    result = resultMessage({ text: '', prompt, started, isError: true, subtype: 'error_during_execution', terminalReason: 'aborted' })
  } else {
    result = resultMessage({ text, prompt, started })
  }
  state.abort = null

  if ('no-newline' in d) {
    await writeRaw(process.stdout, JSON.stringify(result))
    exitNow(0)
    return
  }
  await emit(result)
  if (grandchildPid !== null) exitNow(0)
}

async function permissionFlow(command, signal, spec = null) {
  const toolUseId = `toolu_fakeagent${String(++msgSeq).padStart(6, '0')}`
  const tool = spec?.tool ?? 'Bash'
  const input = spec?.input ?? { command, description: 'Run scripted command' }
  const msgId = `msg_fakeagent${String(++msgSeq).padStart(6, '0')}`
  await emit(assistantMessage({ type: 'text', text: 'I will run a command.' }, msgId))
  await emit(assistantMessage({ type: 'tool_use', id: toolUseId, name: tool, input }, msgId))
  const requestId = randomUUID()
  const answer = new Promise((resolve) => {
    state.pendingPermissions.set(requestId, resolve)
    signal.addEventListener('abort', () => resolve(null), { once: true })
  })
  await emit({
    type: 'control_request',
    request_id: requestId,
    request: {
      subtype: 'can_use_tool',
      tool_name: tool,
      display_name: tool,
      input,
      description: input.description,
      permission_suggestions: spec?.suggestions ?? [],
      tool_use_id: toolUseId
    }
  })
  const resp = await answer
  state.pendingPermissions.delete(requestId)
  if (resp === null) {
    await emit({ type: 'control_cancel_request', request_id: requestId })
    return ''
  }
  const allowed = resp?.subtype === 'success' && resp?.response?.behavior === 'allow'
  const output = allowed ? `ran: ${resp.response.updatedInput?.command ?? command}` : String(resp?.response?.message ?? resp?.error ?? 'denied')
  await emit({
    type: 'user',
    message: { role: 'user', content: [{ tool_use_id: toolUseId, type: 'tool_result', content: output, is_error: !allowed }] },
    parent_tool_use_id: null,
    ...common(),
    timestamp: new Date().toISOString(),
    tool_use_result: allowed ? { stdout: output, stderr: '', interrupted: false } : `Error: ${output}`
  })
  const text = allowed ? `DONE. Tool output was: ${output}` : `DONE. Tool ERROR was: ${output}`
  await emit(assistantText(text))
  return text
}

// ---------------------------------------------------------------------------------------------
// control protocol

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
        models: [{ value: 'default', resolvedModel: state.model, displayName: 'Default', description: 'Fake default model' }],
        account: { tokenSource: 'none', apiKeySource: 'ANTHROPIC_API_KEY', apiProvider: 'firstParty' },
        pid: process.pid,
        claude_code_version: VERSION,
        current_permission_mode: state.permissionMode,
        session_state: state.busy ? 'running' : 'idle',
        capabilities: []
      })
    case 'interrupt': {
      const stillQueued = req.cancel_queued ? [] : queue.map((l) => safeUuid(l))
      if (req.cancel_queued) queue.length = 0
      state.abort?.abort()
      return controlResponse(requestId, { still_queued: stillQueued })
    }
    case 'set_model':
      state.model = req.model && req.model !== 'default' ? String(req.model) : (process.env.FAKE_AGENT_MODEL ?? 'claude-opus-5-5')
      return controlResponse(requestId, { model: state.model })
    case 'set_permission_mode':
      if (req.mode === 'bypassPermissions' && !argv.includes('--allow-dangerously-skip-permissions') && !argv.includes('--dangerously-skip-permissions')) {
        return emit({
          type: 'control_response',
          response: {
            subtype: 'error',
            request_id: requestId,
            error: 'Cannot set permission mode to bypassPermissions because the session was not launched with --dangerously-skip-permissions',
            error_code: 'bypass_not_launched'
          }
        })
      }
      state.permissionMode = String(req.mode)
      await controlResponse(requestId, { mode: state.permissionMode })
      return emit({ type: 'system', subtype: 'status', status: null, permissionMode: state.permissionMode, ...common() })
    case 'get_binary_version':
      return controlResponse(requestId, { version: VERSION })
    default:
      return emit({
        type: 'control_response',
        response: { subtype: 'error', request_id: requestId, error: `Unsupported control request subtype: ${req.subtype}` }
      })
  }
}

function safeUuid(line) {
  try {
    return JSON.parse(line).uuid ?? null
  } catch {
    return null
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
  if (state.eof && !state.busy && queue.length === 0 && !state.stubborn) exitNow(0)
}

function onLine(line) {
  stdinLines.push(line)
  if (process.env.FAKE_AGENT_DUMP) {
    try {
      appendFileSync(process.env.FAKE_AGENT_DUMP, JSON.stringify({ argv, env: process.env, stdinLines, line }) + '\n')
    } catch (err) {
      process.stderr.write(`fake-agent: cannot write FAKE_AGENT_DUMP: ${err.message}\n`)
    }
  }
  if (!line.trim()) return
  let msg
  try {
    msg = JSON.parse(line)
  } catch {
    process.stderr.write(`fake-agent: ignoring non-JSON stdin line\n`)
    return
  }
  if (msg.type === 'user') {
    queue.push(line)
    void pump()
  } else if (msg.type === 'control_request') {
    void handleControl(msg)
  } else if (msg.type === 'control_response') {
    const id = msg.response?.request_id
    const resolve = id && state.pendingPermissions.get(id)
    if (resolve) resolve(msg.response)
  }
}

// One-shot mode: `fake-agent.mjs -p "PROMPT"` (prompt as the value of -p / --print).
const printIdx = argv.findIndex((a) => a === '-p' || a === '--print')
const oneShot = printIdx !== -1 && argv[printIdx + 1] !== undefined && !argv[printIdx + 1].startsWith('-') ? argv[printIdx + 1] : null

if (oneShot !== null) {
  state.eof = true
  onLine(JSON.stringify({ type: 'user', message: { role: 'user', content: oneShot }, parent_tool_use_id: null, session_id: '' }))
} else {
  const decoder = new StringDecoder('utf8')
  let buf = ''
  process.stdin.on('data', (chunk) => {
    buf += decoder.write(chunk)
    let nl
    while ((nl = buf.indexOf('\n')) !== -1) {
      const line = buf.slice(0, nl)
      buf = buf.slice(nl + 1)
      onLine(line)
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
}
