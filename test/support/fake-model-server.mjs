#!/usr/bin/env node
// Scripted fake model server for running the real agent CLIs offline in tests.
//
// Plain Node `http`, zero dependencies, bound to 127.0.0.1 (port 0 = pick a free one).
// Speaks, with routes matched by path suffix so any base-URL prefix works:
//   POST …/v1/messages[?beta=true]      Anthropic Messages (SSE when stream:true, else JSON)  — Claude Code
//   POST …/messages/count_tokens        {input_tokens}
//   HEAD|GET /api/hello                 200 (Claude Code connectivity preflight)
//   GET  …/v1/models, …/v1/models/<id>  model list / one model
//   POST …/responses                    OpenAI Responses (SSE or JSON)                         — Codex
//   POST …/chat/completions             OpenAI Chat Completions (SSE or JSON)                  — OpenCode
// Anything else: 404 with a JSON error body.
//
// The reply is scripted by directives in the latest human-authored user text
// (<system-reminder> blocks, system messages and Codex developer messages are ignored):
//   [[bash:CMD]]           "I will run a command." + a shell tool call running CMD (Chat Completions: the
//                          offered tool, `bash` for OpenCode 1.x, `shell` for 2.x)
//   [[write:PATH|CONTENT]] a file-write tool call (Codex: a printf shell call)
//   [[agent:PROMPT]]       a sub-agent tool call with PROMPT (Claude Code's Agent/Task tool, OpenCode's
//                          `task`); `{{…}}` or `<<…>>` in PROMPT become `[[…]]`, so the sub-agent gets
//                          directives of its own (`[[agent:<<bash:sleep 8>>]]`)
//   [[bgbash:CMD]]         Anthropic only: like [[bash]] with `run_in_background: true` (a background task)
//   [[slow:N]]             "tick0 tick1 …", one chunk per 250 ms for N seconds; a client
//                          disconnect stops it and is recorded in `disconnects`
//   [[silent:N]]           nothing at all (not even headers) for N seconds, then "Back after N s.";
//   [[at:EPOCH_MS]]        like [[silent]], until that wall-clock time (many agents answered at once)
//                          a client disconnect meanwhile is recorded in `disconnects`
//   [[text:T]]             exactly T
//   [[long:N]]             an answer of exactly N characters: numbered lines, the last one ending in
//                          "END OF THE LONG ANSWER" (longer than any preview)
//   [[todo:ITEMS]]         a to-do list tool call (Claude Code's TodoWrite, OpenCode's todowrite, Codex's
//                          update_plan); ITEMS = `x:done item|~:item in progress|-:item to do`
//   [[controls]]           a text with NUL, ESC and BEL in it ("NUL[\0] ESC[\x1b] BEL[\x07]")
//   [[thinking:T]]         a thinking/reasoning block T, then the text "Thought about it."
//   [[error:STATUS]]       HTTP STATUS with a provider-shaped error body
//                          ([[error:STATUS:noretry]] also sends `x-should-retry: false`)
//   [[model]]              "MODEL: <model field of the request>"
//   [[history]]            "HISTORY: <earlier human prompts of the conversation, ' | '-joined, 40 chars each>"
//                          (a resumed conversation proves it kept what came before)
//   [[call:NAME|JSON]]     "I will call NAME." + a call of the tool NAME with the JSON arguments; NAME
//                          matches an offered tool exactly or as its `…__NAME` suffix (MCP tools:
//                          `mcp__server__NAME`), e.g. Codex's request_user_input or an MCP tool that elicits
//                          (the JSON must not contain `]]`: the directive ends at the first one);
//                          Responses: a tool Codex defers behind `tool_search` (MCP tools) is searched
//                          for first (a client `tool_search_call` for NAME), then called as found
//   (none)                 "ACK: <first 60 chars of the prompt>"
// Modifiers, combined with any of the above:
//   [[then-bash:CMD]]      after the first tool result of this prompt, a shell tool call running CMD
//                          (a second step: e.g. a write, then a command); after its result, DONE
//   [[usage:IN:OUT]]       report IN input and OUT output tokens for every reply to this prompt
//                          (Anthropic and OpenAI shapes): a CLI then reports the cost of that usage
//   [[ratelimit:STATUS:UTIL:SECS]]  Anthropic: the `anthropic-ratelimit-unified-*` headers of a
//                          subscription's 5-hour window (STATUS allowed | allowed_warning | rejected,
//                          UTIL 0..1, reset in SECS); `rejected` answers 429 with them
//   [[limited-until:EPOCH]]  Responses: 429 with `x-codex-primary-used-percent: 100` and that reset
//                          (epoch seconds) until then; afterwards the prompt's other directives apply
//   [[codexlimit:USED:MINS:SECS]]  Responses: the `x-codex-primary-*` headers (USED percent of a
//                          MINS-minute window, reset in SECS); USED ≥ 100 answers 429 with them
// When the last message is a tool result: "DONE. Tool output was: <first 200 chars>"
// ("DONE. Tool ERROR was: …" when Anthropic's is_error is set).
// When it is Claude Code's <task-notification> (a background task ended): "NOTED: <its summary>".
// Requests without tools are side requests (titles, summaries): "Fake title", unless they carry
// a [[text]], [[slow]], [[error]], [[thinking]] or [[model]] directive.
//
// Run directly: `node test/support/fake-model-server.mjs [port] [--log FILE|-]` prints
// `LISTENING <port>` on stdout; with --log every request is appended as one JSON line.

import http from 'node:http'
import zlib from 'node:zlib'
import { appendFileSync } from 'node:fs'
import { randomUUID } from 'node:crypto'
import { pathToFileURL } from 'node:url'

export const SLOW_TICK_MS = 250
const SIDE_REQUEST_TEXT = 'Fake title'
const BASH_PREAMBLE = 'I will run a command.'
const WRITE_PREAMBLE = 'I will write a file.'
const THINKING_TEXT = 'Thought about it.'
const DEFAULT_MODELS = ['claude-opus-5-5', 'claude-sonnet-5', 'claude-haiku-5', 'gpt-5.5', 'fake-model', 'fake-model-2']

/**
 * @param {{ port?: number, host?: string, log?: ((entry: object) => void) | string }} [options]
 */
export function startFakeModelServer({ port = 0, host = '127.0.0.1', log } = {}) {
  /** @type {Array<Record<string, unknown>>} */
  const requests = []
  /** @type {Array<Record<string, unknown>>} */
  const disconnects = []
  const timers = new Set()
  let seq = 0
  const nextId = (prefix) => `${prefix}_fake${String(++seq).padStart(6, '0')}`

  const writeLog = (entry) => {
    if (typeof log === 'function') log(entry)
    else if (typeof log === 'string' && log) {
      const line = JSON.stringify(entry) + '\n'
      if (log === '-') process.stdout.write(line)
      else appendFileSync(log, line)
    }
  }

  const ctx = { nextId, requests, disconnects, timers }

  const server = http.createServer((req, res) => {
    readBody(req)
      .then((raw) => {
        const entry = {
          method: req.method ?? 'GET',
          url: req.url ?? '/',
          headers: { ...req.headers },
          body: parseBody(raw),
          t: Date.now()
        }
        requests.push(entry)
        try {
          writeLog(entry)
        } catch {
          /* logging must never break a reply */
        }
        return route(ctx, req, res, entry)
      })
      .catch((err) => {
        if (!res.headersSent)
          sendJson(res, 500, { type: 'error', error: { type: 'api_error', message: `fake server failure: ${String(err && err.message ? err.message : err)}` } })
        else res.destroy()
      })
  })
  // Idle keep-alive sockets are left for the client to close (close() ends them all): with the
  // server closing after 5 s, a CLI reusing a socket at that moment got ECONNRESET and reported
  // "Connection dropped" (seen once in a fresh-clone e2e run).
  server.keepAliveTimeout = 10 * 60_000

  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => {
      server.off('error', reject)
      const address = server.address()
      const actualPort = typeof address === 'object' && address ? address.port : port
      let closed = false
      resolve({
        url: `http://${host}:${actualPort}`,
        port: actualPort,
        requests,
        disconnects,
        reset() {
          requests.length = 0
          disconnects.length = 0
        },
        close() {
          if (closed) return Promise.resolve()
          closed = true
          for (const t of timers) clearTimeout(t)
          timers.clear()
          return new Promise((done) => {
            server.close(() => done())
            server.closeAllConnections()
          })
        }
      })
    })
  })
}

// ---------------------------------------------------------------------------------------------
// HTTP plumbing

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = []
    req.on('data', (c) => chunks.push(c))
    req.on('error', reject)
    req.on('end', () => {
      let buf = Buffer.concat(chunks)
      const enc = String(req.headers['content-encoding'] ?? '').toLowerCase()
      try {
        if (enc === 'gzip') buf = zlib.gunzipSync(buf)
        else if (enc === 'deflate') buf = zlib.inflateSync(buf)
        else if (enc === 'br') buf = zlib.brotliDecompressSync(buf)
        else if (enc === 'zstd' && typeof zlib.zstdDecompressSync === 'function') buf = zlib.zstdDecompressSync(buf)
      } catch {
        /* keep the raw bytes */
      }
      resolve(buf.toString('utf8'))
    })
  })
}

function parseBody(raw) {
  if (!raw) return null
  try {
    return JSON.parse(raw)
  } catch {
    return raw
  }
}

function sendJson(res, status, body, headers = {}) {
  const text = JSON.stringify(body)
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'request-id': `req_fake_${randomUUID().slice(0, 8)}`,
    ...headers
  })
  res.end(text)
}

function startSse(res, headers = {}) {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    'request-id': `req_fake_${randomUUID().slice(0, 8)}`,
    ...headers
  })
  res.flushHeaders()
}

function pathOf(url) {
  const q = url.indexOf('?')
  const p = q === -1 ? url : url.slice(0, q)
  return p.length > 1 ? p.replace(/\/+$/, '') : p
}

async function route(ctx, req, res, entry) {
  const method = entry.method.toUpperCase()
  const p = pathOf(entry.url)
  if (p.endsWith('/api/hello') && (method === 'HEAD' || method === 'GET')) {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': 2 })
    return res.end(method === 'HEAD' ? undefined : '{}')
  }
  if (method === 'POST' && p.endsWith('/messages/count_tokens')) {
    return sendJson(res, 200, { input_tokens: approxTokens(entry.body) })
  }
  if (method === 'POST' && p.endsWith('/messages')) return handleAnthropic(ctx, res, entry)
  if (method === 'POST' && p.endsWith('/responses')) return handleResponses(ctx, res, entry)
  if (method === 'POST' && p.endsWith('/chat/completions')) return handleChat(ctx, res, entry)
  if (method === 'GET' && p.endsWith('/models')) {
    return sendJson(res, 200, {
      object: 'list',
      data: DEFAULT_MODELS.map(modelObject),
      has_more: false,
      first_id: DEFAULT_MODELS[0],
      last_id: DEFAULT_MODELS.at(-1)
    })
  }
  const m = /\/models\/([^/]+)$/.exec(p)
  if (method === 'GET' && m) return sendJson(res, 200, modelObject(decodeURIComponent(m[1])))
  return sendJson(res, 404, { type: 'error', error: { type: 'not_found_error', message: `fake model server: no route for ${method} ${p}` } })
}

function modelObject(id) {
  const created = 1_760_000_000
  return { id, object: 'model', type: 'model', display_name: id, created, created_at: new Date(created * 1000).toISOString(), owned_by: 'fake' }
}

// ---------------------------------------------------------------------------------------------
// Reply planning (provider-neutral)

/** Parses the first known directive in `text`. */
export function parseDirective(text) {
  const re = /\[\[(bash|bgbash|agent|write|todo|slow|silent|at|text|long|controls|thinking|error|model|history|call)(?::([\s\S]*?))?\]\]/
  const m = re.exec(text ?? '')
  if (!m) return null
  const kind = m[1]
  const arg = m[2] ?? ''
  switch (kind) {
    case 'bash':
      return { kind, command: arg }
    case 'bgbash':
      return { kind: 'bash', command: arg, background: true }
    case 'agent':
      return { kind, prompt: arg.replace(/\{\{/g, '[[').replace(/\}\}/g, ']]').replaceAll('<<', '[[').replaceAll('>>', ']]') }
    case 'write': {
      const bar = arg.indexOf('|')
      return { kind, path: bar === -1 ? arg : arg.slice(0, bar), content: bar === -1 ? '' : arg.slice(bar + 1) }
    }
    case 'slow':
    case 'silent':
      return { kind, seconds: Number(arg) > 0 ? Number(arg) : 1 }
    case 'at':
      // Silent until that moment: every request that carries the same time is answered together.
      return { kind: 'silent', seconds: Math.max(0.01, (Number(arg) - Date.now()) / 1000) }
    case 'text':
      return { kind, text: arg }
    case 'todo':
      return {
        kind,
        todos: arg.split('|').map((item, i) => {
          const mark = item.slice(0, 2)
          const status = mark === 'x:' ? 'completed' : mark === '~:' ? 'in_progress' : 'pending'
          return { content: /^[x~-]:/.test(item) ? item.slice(2) : item, status, activeForm: item.slice(2), id: String(i + 1), priority: 'medium' }
        })
      }
    case 'long':
      return { kind: 'text', text: longAnswer(Number(arg) > 0 ? Number(arg) : 40_000) }
    case 'controls':
      return { kind: 'text', text: 'Control characters: NUL[\u0000] ESC[\u001b] BEL[\u0007].' }
    case 'thinking':
      return { kind, text: arg }
    case 'error': {
      const [status, flag] = arg.split(':')
      return { kind, status: Number(status) >= 400 && Number(status) <= 599 ? Number(status) : 500, noRetry: flag === 'noretry' }
    }
    case 'model':
    case 'history':
      return { kind }
    case 'call': {
      const bar = arg.indexOf('|')
      const name = bar === -1 ? arg : arg.slice(0, bar)
      return { kind, name, args: bar === -1 ? {} : parseJsonOr(arg.slice(bar + 1)) }
    }
  }
  return null
}

/** JSON text, or `{ raw: text }` when it is not JSON. */
function parseJsonOr(text) {
  try {
    return JSON.parse(text)
  } catch {
    return { raw: text }
  }
}

/** `[[long:N]]`: N characters of numbered lines ending in the marker (so a test can find the end). */
export function longAnswer(n) {
  const end = 'END OF THE LONG ANSWER'
  let s = ''
  for (let i = 1; s.length < n - end.length; i++) s += `Line ${String(i).padStart(5, '0')} of the long answer, words to fill it up.\n`
  return s.slice(0, Math.max(0, n - end.length - 1)) + '\n' + end
}

/** `[[usage:IN:OUT]]` in the prompt: the token counts every reply to it reports. */
export function usageOverride(text) {
  const m = /\[\[usage:(\d{1,12}):(\d{1,12})\]\]/.exec(text ?? '')
  return m ? { input: Number(m[1]), output: Number(m[2]) } : null
}

/** `[[ratelimit:STATUS:UTIL:SECS]]`: the unified rate-limit headers Anthropic sends subscribers. */
export function rateLimitHeaders(text) {
  const m = /\[\[ratelimit:(allowed|allowed_warning|rejected):([\d.]+):(\d+)\]\]/.exec(text ?? '')
  if (!m) return null
  const reset = String(Math.floor(Date.now() / 1000) + Number(m[3]))
  return {
    status: m[1],
    headers: {
      'anthropic-ratelimit-unified-status': m[1],
      'anthropic-ratelimit-unified-reset': reset,
      'anthropic-ratelimit-unified-representative-claim': 'five_hour',
      'anthropic-ratelimit-unified-5h-status': m[1],
      'anthropic-ratelimit-unified-5h-utilization': m[2],
      'anthropic-ratelimit-unified-5h-reset': reset
    }
  }
}

/** `[[limited-until:EPOCH]]`: refused (429) until that time (epoch seconds), then answered normally. */
export function limitedUntil(text) {
  const m = /\[\[limited-until:(\d+)\]\]/.exec(text ?? '')
  return m && Number(m[1]) * 1000 > Date.now() ? Number(m[1]) : null
}

/** `[[codexlimit:USED:MINS:SECS]]`: the rate-limit headers the Responses API sends Codex. */
export function codexLimitHeaders(text) {
  const m = /\[\[codexlimit:([\d.]+):(\d+):(\d+)\]\]/.exec(text ?? '')
  if (!m) return null
  return {
    used: Number(m[1]),
    headers: {
      'x-codex-primary-used-percent': m[1],
      'x-codex-primary-window-minutes': m[2],
      'x-codex-primary-reset-at': String(Math.floor(Date.now() / 1000) + Number(m[3])),
      'x-codex-secondary-used-percent': '12',
      'x-codex-secondary-window-minutes': '10080',
      'x-codex-secondary-reset-at': String(Math.floor(Date.now() / 1000) + 6 * 86400)
    }
  }
}

/**
 * conv: { prompt: string|null, toolResult: {output:string, isError:boolean}|null, hasTools: boolean, model: string }
 * returns: { error: {status, noRetry} } | { thinking?, text?, tool?: {kind:'bash'|'write', ...}, slowSeconds? }
 */
function planReply(conv) {
  const then = /\[\[then-bash:([\s\S]*?)\]\]/.exec(conv.prompt ?? '')
  if (conv.toolResult && then && conv.toolResults === 1) return { text: BASH_PREAMBLE, tool: { kind: 'bash', command: then[1] } }
  if (conv.toolResult) {
    const out = firstChars(conv.toolResult.output, 200)
    return { text: conv.toolResult.isError ? `DONE. Tool ERROR was: ${out}` : `DONE. Tool output was: ${out}` }
  }
  if (conv.notification) return { text: `NOTED: ${firstChars(conv.notification, 120)}` }
  const prompt = conv.prompt ?? ''
  const d = parseDirective(prompt)
  const side = !conv.hasTools
  if (d?.kind === 'error') return { error: { status: d.status, noRetry: d.noRetry } }
  if (d?.kind === 'slow') return { slowSeconds: d.seconds }
  if (d?.kind === 'text') return { text: d.text }
  if (d?.kind === 'thinking') return { thinking: d.text, text: THINKING_TEXT }
  if (d?.kind === 'model') return { text: `MODEL: ${conv.model}` }
  if (side) return { text: SIDE_REQUEST_TEXT }
  if (d?.kind === 'history') return { text: `HISTORY: ${(conv.earlier ?? []).map((t) => firstChars(t, 40)).join(' | ')}` }
  if (d?.kind === 'silent') return { silentSeconds: d.seconds, text: `Back after ${d.seconds} s.` }
  if (d?.kind === 'bash') return { text: BASH_PREAMBLE, tool: { kind: 'bash', command: d.command, ...(d.background ? { background: true } : {}) } }
  if (d?.kind === 'agent') return { text: 'I will ask a sub-agent.', tool: { kind: 'agent', prompt: d.prompt, names: conv.toolNames ?? [] } }
  if (d?.kind === 'write') return { text: WRITE_PREAMBLE, tool: { kind: 'write', path: d.path, content: d.content } }
  if (d?.kind === 'call') {
    const names = conv.offered ?? conv.toolNames ?? []
    const name = names.find((n) => n === d.name) ?? names.find((n) => n.endsWith(`__${d.name}`)) ?? d.name
    return { text: `I will call ${d.name}.`, tool: { kind: 'call', name, args: d.args } }
  }
  if (d?.kind === 'todo') return { text: 'Updating the to-do list.', tool: { kind: 'todo', todos: d.todos } }
  return { text: `ACK: ${firstChars(prompt.trim(), 60)}` }
}

function firstChars(s, n) {
  return Array.from(String(s ?? ''))
    .slice(0, n)
    .join('')
}

function approxTokens(value) {
  if (value == null) return 0
  const s = typeof value === 'string' ? value : JSON.stringify(value)
  return Math.max(1, Math.ceil(s.length / 4))
}

const SYSTEM_REMINDER_RE = /<system-reminder>[\s\S]*?<\/system-reminder>/g
// Whole-text wrappers the CLIs inject as "user" text (Codex's <environment_context>, <user_instructions>...).
const INJECTED_BLOCK_RE =
  /^\s*<(environment_context|user_instructions|permissions instructions|skills_instructions|system-reminder|user_shell_command|turn_aborted)>[\s\S]*<\/\1>\s*$/

function humanText(text) {
  if (typeof text !== 'string') return ''
  if (INJECTED_BLOCK_RE.test(text)) return ''
  return text.replace(SYSTEM_REMINDER_RE, '').trim()
}

/**
 * The latest human-authored text of one message: its last text part that is not an injected
 * wrapper. (Claude Code merges consecutive user turns — e.g. after an API error — into one
 * message with one text block per turn, so the last block is the newest prompt.)
 */
function partsText(content, partTypes) {
  if (typeof content === 'string') return humanText(content)
  if (!Array.isArray(content)) return ''
  for (let i = content.length - 1; i >= 0; i--) {
    const p = content[i]
    if (!p || typeof p !== 'object' || !partTypes.includes(p.type) || typeof p.text !== 'string') continue
    const t = humanText(p.text)
    if (t) return t
  }
  return ''
}

function toolOutputText(content) {
  if (typeof content === 'string') return content
  if (Array.isArray(content)) {
    return content
      .map((p) => (typeof p === 'string' ? p : p && typeof p.text === 'string' ? p.text : p && typeof p.output === 'string' ? p.output : ''))
      .filter(Boolean)
      .join('\n')
  }
  if (content && typeof content === 'object') {
    if (typeof content.output === 'string') return content.output
    if (typeof content.text === 'string') return content.text
    return JSON.stringify(content)
  }
  return content == null ? '' : String(content)
}

/** The human prompts before the latest one (empty texts — tool results, injected blocks — skipped). */
function earlierPrompts(texts) {
  return texts.filter(Boolean).slice(0, -1)
}

function anthropicConversation(body) {
  const messages = (Array.isArray(body?.messages) ? body.messages : []).filter((m) => m && m.role !== 'system')
  const last = messages.at(-1)
  let toolResult = null
  if (last?.role === 'user' && Array.isArray(last.content)) {
    const results = last.content.filter((b) => b && b.type === 'tool_result')
    if (results.length) {
      const r = results.at(-1)
      toolResult = { output: toolOutputText(r.content), isError: r.is_error === true }
    }
  }
  let prompt = null
  for (let i = messages.length - 1; i >= 0 && prompt === null; i--) {
    const m = messages[i]
    if (m.role !== 'user') continue
    const t = partsText(m.content, ['text'])
    if (t) prompt = t
  }
  // Tool results since the prompt (a [[then-bash]] second step follows the first one).
  let toolResults = 0
  for (let i = messages.length - 1; i >= 0; i--) {
    const c = messages[i].content
    if (messages[i].role !== 'user') continue
    const n = Array.isArray(c) ? c.filter((b) => b && b.type === 'tool_result').length : 0
    if (!n) break
    toolResults += n
  }
  const earlier = earlierPrompts(messages.filter((m) => m.role === 'user').map((m) => partsText(m.content, ['text'])))
  const tools = Array.isArray(body?.tools) ? body.tools : []
  // `offered` (not `toolNames`): only [[call]] looks names up here; the sub-agent choice stays as it was.
  // Claude Code starts a turn of its own when a background task ends, with a <task-notification>
  // as the last user text: answer it, never replay the earlier prompt's directive (a loop).
  const lastText = last?.role === 'user' && !toolResult ? JSON.stringify(last.content ?? '') : ''
  const notification = lastText.includes('<task-notification>') ? (/<summary>([\s\S]*?)<\/summary>/.exec(lastText)?.[1] ?? 'a task') : null
  return {
    prompt,
    toolResult,
    toolResults,
    notification,
    hasTools: tools.length > 0,
    model: String(body?.model ?? ''),
    earlier,
    offered: tools.map((t) => t?.name).filter(Boolean)
  }
}

function responsesConversation(body) {
  let input = body?.input
  if (typeof input === 'string') input = [{ type: 'message', role: 'user', content: input }]
  if (!Array.isArray(input)) input = []
  const hasAdditionalTools = input.some((it) => it && it.type === 'additional_tools')
  const items = input.filter((it) => {
    if (!it || typeof it !== 'object') return false
    const type = it.type ?? (it.role ? 'message' : undefined)
    if (type === 'message' && (it.role === 'developer' || it.role === 'system')) return false
    return type !== 'additional_tools' && type !== 'reasoning'
  })
  const last = items.at(-1)
  let toolResult = null
  if (last && typeof last.type === 'string' && last.type.endsWith('_call_output')) {
    toolResult = { output: toolOutputText(last.output), isError: false }
  }
  let prompt = null
  for (let i = items.length - 1; i >= 0 && prompt === null; i--) {
    const it = items[i]
    if ((it.type ?? 'message') !== 'message' || it.role !== 'user') continue
    const t = partsText(it.content, ['input_text', 'text'])
    if (t) prompt = t
  }
  const tools = Array.isArray(body?.tools) ? body.tools : []
  const earlier = earlierPrompts(
    items.filter((it) => (it.type ?? 'message') === 'message' && it.role === 'user').map((it) => partsText(it.content, ['input_text', 'text']))
  )
  return {
    prompt,
    toolResult,
    earlier,
    hasTools: tools.length > 0 || hasAdditionalTools,
    model: String(body?.model ?? ''),
    toolNames: tools.map((t) => t?.name ?? t?.function?.name).filter(Boolean),
    // Codex defers MCP tools behind its client-executed `tool_search` (0.169+): [[call]] of a tool
    // not offered searches for it first, then calls what the search found.
    toolSearch: tools.some((t) => t?.type === 'tool_search'),
    searchOutput: last?.type === 'tool_search_output' ? (Array.isArray(last.tools) ? last.tools : []) : null
  }
}

/** A tool named NAME (or `…__NAME`) in a `tool_search_output`'s tools, with its namespace when nested. */
function foundTool(tools, name, namespace = null) {
  for (const t of tools) {
    if (!t || typeof t !== 'object') continue
    if (Array.isArray(t.tools)) {
      const hit = foundTool(t.tools, name, t.name ?? namespace)
      if (hit) return hit
    } else if (typeof t.name === 'string' && (t.name === name || t.name.endsWith(`__${name}`) || t.name.endsWith(`_${name}`))) {
      return { name: t.name, namespace }
    }
  }
  return null
}

function chatConversation(body) {
  const messages = (Array.isArray(body?.messages) ? body.messages : []).filter((m) => m && m.role !== 'system' && m.role !== 'developer')
  const last = messages.at(-1)
  let toolResult = null
  if (last?.role === 'tool' || last?.role === 'function') toolResult = { output: toolOutputText(last.content), isError: false }
  let prompt = null
  for (let i = messages.length - 1; i >= 0 && prompt === null; i--) {
    const m = messages[i]
    if (m.role !== 'user') continue
    const t = partsText(m.content, ['text', 'input_text'])
    if (t) prompt = t
  }
  const earlier = earlierPrompts(messages.filter((m) => m.role === 'user').map((m) => partsText(m.content, ['text', 'input_text'])))
  // Tool results since the prompt (a [[then-bash]] second step follows the first one).
  let toolResults = 0
  for (let i = messages.length - 1; i >= 0 && messages[i].role !== 'user'; i--) if (messages[i].role === 'tool') toolResults++
  const tools = Array.isArray(body?.tools) ? body.tools : []
  return {
    prompt,
    earlier,
    toolResult,
    toolResults,
    hasTools: tools.length > 0,
    model: String(body?.model ?? ''),
    toolNames: tools.map((t) => t?.function?.name ?? t?.name).filter(Boolean)
  }
}

function shellQuote(s) {
  return `'${String(s).replace(/'/g, `'\\''`)}'`
}

function chunkText(text) {
  const chars = Array.from(text)
  const size = Math.max(16, Math.ceil(chars.length / 50))
  const out = []
  for (let i = 0; i < chars.length; i += size) out.push(chars.slice(i, i + size).join(''))
  return out.length ? out : ['']
}

function chunkString(s, n = 3) {
  const size = Math.max(1, Math.ceil(s.length / n))
  const out = []
  for (let i = 0; i < s.length; i += size) out.push(s.slice(i, i + size))
  return out.length ? out : ['']
}

/**
 * Streams `tick0 tick1 …` chunks via `emit(chunk)`, one per SLOW_TICK_MS. Resolves with
 * { text, completed } — completed=false when the client went away (recorded in disconnects).
 */
function runSlow(ctx, res, entry, seconds, emit) {
  const total = Math.max(1, Math.round(seconds * (1000 / SLOW_TICK_MS)))
  return new Promise((resolve) => {
    let i = 0
    let text = ''
    let timer = null
    let done = false
    const finish = (completed) => {
      if (done) return
      done = true
      if (timer) {
        clearTimeout(timer)
        ctx.timers.delete(timer)
      }
      res.off('close', onClose)
      resolve({ text, completed })
    }
    const onClose = () => {
      if (res.writableEnded) return
      ctx.disconnects.push({ url: entry.url, t: Date.now(), ticksSent: i, ticksPlanned: total, requestIndex: ctx.requests.indexOf(entry) })
      finish(false)
    }
    res.on('close', onClose)
    const tick = () => {
      timer = null
      if (done) return
      if (res.destroyed) return onClose()
      const chunk = `tick${i} `
      i++
      text += chunk
      if (emit) emit(chunk)
      if (i >= total) return finish(true)
      timer = setTimeout(tick, SLOW_TICK_MS)
      ctx.timers.add(timer)
    }
    tick()
  })
}

/** [[silent:N]]: send nothing for N seconds. Resolves false when the client went away meanwhile. */
function waitSilently(ctx, res, entry, seconds) {
  return new Promise((resolve) => {
    const onClose = () => {
      clearTimeout(timer)
      ctx.timers.delete(timer)
      ctx.disconnects.push({ url: entry.url, t: Date.now(), ticksSent: 0, ticksPlanned: 0, requestIndex: ctx.requests.indexOf(entry) })
      resolve(false)
    }
    const timer = setTimeout(() => {
      ctx.timers.delete(timer)
      res.off('close', onClose)
      resolve(!res.destroyed)
    }, seconds * 1000)
    ctx.timers.add(timer)
    res.on('close', onClose)
  })
}

function writeSse(res, event, data) {
  if (res.destroyed || res.writableEnded) return
  res.write(event ? `event: ${event}\ndata: ${JSON.stringify(data)}\n\n` : `data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`)
}

// ---------------------------------------------------------------------------------------------
// Anthropic Messages

const ANTHROPIC_ERROR_TYPES = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  529: 'overloaded_error'
}

async function handleAnthropic(ctx, res, entry) {
  const body = entry.body && typeof entry.body === 'object' ? entry.body : {}
  const conv = anthropicConversation(body)
  const plan = planReply(conv)
  const model = conv.model || 'claude-fake'
  const limit = rateLimitHeaders(conv.prompt)
  if (limit?.status === 'rejected') {
    return sendJson(res, 429, { type: 'error', error: { type: 'rate_limit_error', message: 'fake usage limit reached' } }, limit.headers)
  }
  if (plan.error) {
    const { status, noRetry } = plan.error
    const type = ANTHROPIC_ERROR_TYPES[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error')
    return sendJson(res, status, { type: 'error', error: { type, message: `fake error ${status}` } }, noRetry ? { 'x-should-retry': 'false' } : {})
  }
  if (plan.silentSeconds !== undefined && !(await waitSilently(ctx, res, entry, plan.silentSeconds))) return
  const msgId = ctx.nextId('msg')
  const forced = usageOverride(conv.prompt)
  const inputTokens = forced ? forced.input : approxTokens(body)
  /** @type {Array<Record<string, unknown>>} */
  const blocks = []
  if (plan.thinking !== undefined)
    blocks.push({ type: 'thinking', thinking: plan.thinking, signature: Buffer.from(`fake-signature:${msgId}`).toString('base64') })
  if (plan.text !== undefined) blocks.push({ type: 'text', text: plan.text })
  if (plan.tool) {
    const id = ctx.nextId('toolu')
    if (plan.tool.kind === 'bash')
      blocks.push({
        type: 'tool_use',
        id,
        name: 'Bash',
        input: { command: plan.tool.command, description: 'Run scripted command', ...(plan.tool.background ? { run_in_background: true } : {}) }
      })
    // Claude Code 2.x calls its sub-agent tool `Agent` (earlier `Task`): use whichever the request offers.
    else if (plan.tool.kind === 'agent')
      blocks.push({
        type: 'tool_use',
        id,
        name: plan.tool.names.includes('Agent') ? 'Agent' : 'Task',
        input: { description: 'Scripted sub-agent', prompt: plan.tool.prompt, subagent_type: 'general-purpose' }
      })
    else if (plan.tool.kind === 'call') blocks.push({ type: 'tool_use', id, name: plan.tool.name, input: plan.tool.args })
    else if (plan.tool.kind === 'todo')
      blocks.push({
        type: 'tool_use',
        id,
        name: 'TodoWrite',
        input: { todos: plan.tool.todos.map(({ content, status, activeForm }) => ({ content, status, activeForm })) }
      })
    else blocks.push({ type: 'tool_use', id, name: 'Write', input: { file_path: plan.tool.path, content: plan.tool.content } })
  }
  const stopReason = plan.tool ? 'tool_use' : 'end_turn'
  const usage = (outputTokens) => ({
    input_tokens: inputTokens,
    output_tokens: forced ? forced.output : outputTokens,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0
  })

  if (body.stream !== true) {
    if (plan.slowSeconds !== undefined) {
      const r = await runSlow(ctx, res, entry, plan.slowSeconds, null)
      if (!r.completed) return
      blocks.push({ type: 'text', text: r.text })
    }
    return sendJson(
      res,
      200,
      {
        id: msgId,
        type: 'message',
        role: 'assistant',
        model,
        content: blocks,
        stop_reason: stopReason,
        stop_sequence: null,
        usage: usage(approxTokens(blocks))
      },
      limit?.headers ?? {}
    )
  }

  startSse(res, limit?.headers ?? {})
  writeSse(res, 'message_start', {
    type: 'message_start',
    message: { id: msgId, type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage: usage(1) }
  })
  writeSse(res, 'ping', { type: 'ping' })
  let index = 0
  for (const block of blocks) {
    if (block.type === 'thinking') {
      writeSse(res, 'content_block_start', { type: 'content_block_start', index, content_block: { type: 'thinking', thinking: '', signature: '' } })
      for (const piece of chunkText(block.thinking))
        writeSse(res, 'content_block_delta', { type: 'content_block_delta', index, delta: { type: 'thinking_delta', thinking: piece } })
      writeSse(res, 'content_block_delta', { type: 'content_block_delta', index, delta: { type: 'signature_delta', signature: block.signature } })
    } else if (block.type === 'text') {
      writeSse(res, 'content_block_start', { type: 'content_block_start', index, content_block: { type: 'text', text: '' } })
      for (const piece of chunkText(block.text))
        writeSse(res, 'content_block_delta', { type: 'content_block_delta', index, delta: { type: 'text_delta', text: piece } })
    } else {
      writeSse(res, 'content_block_start', {
        type: 'content_block_start',
        index,
        content_block: { type: 'tool_use', id: block.id, name: block.name, input: {} }
      })
      for (const piece of chunkString(JSON.stringify(block.input)))
        writeSse(res, 'content_block_delta', { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: piece } })
    }
    writeSse(res, 'content_block_stop', { type: 'content_block_stop', index })
    index++
  }
  let outText = ''
  if (plan.slowSeconds !== undefined) {
    writeSse(res, 'content_block_start', { type: 'content_block_start', index, content_block: { type: 'text', text: '' } })
    const r = await runSlow(ctx, res, entry, plan.slowSeconds, (chunk) =>
      writeSse(res, 'content_block_delta', { type: 'content_block_delta', index, delta: { type: 'text_delta', text: chunk } })
    )
    if (!r.completed) return
    outText = r.text
    writeSse(res, 'content_block_stop', { type: 'content_block_stop', index })
  }
  writeSse(res, 'message_delta', {
    type: 'message_delta',
    delta: { stop_reason: stopReason, stop_sequence: null },
    usage: { output_tokens: approxTokens(blocks) + approxTokens(outText) }
  })
  writeSse(res, 'message_stop', { type: 'message_stop' })
  res.end()
}

// ---------------------------------------------------------------------------------------------
// OpenAI Responses (Codex)

function openAiErrorBody(status) {
  const type = status === 429 ? 'rate_limit_exceeded' : status === 401 ? 'invalid_api_key' : status >= 500 ? 'server_error' : 'invalid_request_error'
  return { error: { message: `fake error ${status}`, type, param: null, code: type } }
}

function codexShellCall(toolNames, command) {
  const names = new Set(toolNames ?? [])
  if (names.has('exec_command') || names.size === 0) return { name: 'exec_command', args: { cmd: command } }
  if (names.has('shell_command')) return { name: 'shell_command', args: { command } }
  if (names.has('shell')) return { name: 'shell', args: { command: ['bash', '-lc', command] } }
  return { name: 'exec_command', args: { cmd: command } }
}

async function handleResponses(ctx, res, entry) {
  const body = entry.body && typeof entry.body === 'object' ? entry.body : {}
  const conv = responsesConversation(body)
  const plan = planReply(conv)
  const model = conv.model || 'gpt-fake'
  const limit = codexLimitHeaders(conv.prompt)
  if (limit && limit.used >= 100) return sendJson(res, 429, openAiErrorBody(429), limit.headers)
  const until = limitedUntil(conv.prompt)
  if (until !== null) {
    return sendJson(res, 429, openAiErrorBody(429), {
      'x-codex-primary-used-percent': '100',
      'x-codex-primary-window-minutes': '300',
      'x-codex-primary-reset-at': String(until),
      'x-should-retry': 'false'
    })
  }
  if (plan.error) {
    return sendJson(res, plan.error.status, openAiErrorBody(plan.error.status), plan.error.noRetry ? { 'x-should-retry': 'false' } : {})
  }
  if (plan.silentSeconds !== undefined && !(await waitSilently(ctx, res, entry, plan.silentSeconds))) return
  const respId = ctx.nextId('resp')
  const createdAt = Math.floor(Date.now() / 1000)
  const forced = usageOverride(conv.prompt)
  const inputTokens = forced ? forced.input : approxTokens(body)
  /** @type {Array<Record<string, any>>} */
  const items = []
  if (plan.thinking !== undefined) items.push({ type: 'reasoning', id: ctx.nextId('rs'), summary: [{ type: 'summary_text', text: plan.thinking }] })
  if (plan.text !== undefined)
    items.push({
      type: 'message',
      id: ctx.nextId('msg'),
      status: 'completed',
      role: 'assistant',
      content: [{ type: 'output_text', text: plan.text, annotations: [] }]
    })
  if (plan.tool) {
    const command = plan.tool.kind === 'bash' ? plan.tool.command : `printf '%s' ${shellQuote(plan.tool.content)} > ${shellQuote(plan.tool.path)}`
    const call =
      plan.tool.kind === 'call'
        ? { name: plan.tool.name, args: plan.tool.args }
        : plan.tool.kind === 'todo'
          ? // Codex's to-do list is its `update_plan` tool: { explanation, plan: [{ step, status }] }.
            { name: 'update_plan', args: { plan: plan.tool.todos.map(({ content, status }) => ({ step: content, status })) } }
          : codexShellCall(conv.toolNames, command)
    const deferred = plan.tool.kind === 'call' && conv.toolSearch && !conv.toolNames.includes(call.name)
    const found = deferred && conv.searchOutput ? foundTool(conv.searchOutput, call.name) : null
    if (deferred && !found && !conv.searchOutput) {
      items.push({
        type: 'tool_search_call',
        id: ctx.nextId('ts'),
        call_id: ctx.nextId('call'),
        execution: 'client',
        arguments: { query: call.name, limit: 8 },
        status: 'completed'
      })
    } else {
      items.push({
        type: 'function_call',
        id: ctx.nextId('fc'),
        call_id: ctx.nextId('call'),
        name: found ? found.name : call.name,
        ...(found?.namespace ? { namespace: found.namespace } : {}),
        arguments: JSON.stringify(call.args),
        status: 'completed'
      })
    }
  }
  const baseResponse = { id: respId, object: 'response', created_at: createdAt, model }
  const usage = (measured) => {
    const outTokens = forced ? forced.output : measured
    return {
      input_tokens: inputTokens,
      input_tokens_details: { cached_tokens: 0 },
      output_tokens: outTokens,
      output_tokens_details: { reasoning_tokens: plan.thinking !== undefined ? approxTokens(plan.thinking) : 0 },
      total_tokens: inputTokens + outTokens
    }
  }

  if (body.stream !== true) {
    if (plan.slowSeconds !== undefined) {
      const r = await runSlow(ctx, res, entry, plan.slowSeconds, null)
      if (!r.completed) return
      items.push({
        type: 'message',
        id: ctx.nextId('msg'),
        status: 'completed',
        role: 'assistant',
        content: [{ type: 'output_text', text: r.text, annotations: [] }]
      })
    }
    return sendJson(res, 200, { ...baseResponse, status: 'completed', output: items, usage: usage(approxTokens(items)) }, limit?.headers ?? {})
  }

  startSse(res, limit?.headers ?? {})
  let sequence = 0
  const ev = (type, data) => writeSse(res, type, { type, sequence_number: sequence++, ...data })
  ev('response.created', { response: { ...baseResponse, status: 'in_progress', output: [] } })
  ev('response.in_progress', { response: { ...baseResponse, status: 'in_progress', output: [] } })
  const emitMessage = async (outputIndex, item, textSource) => {
    const inProgress = { type: 'message', id: item.id, status: 'in_progress', role: 'assistant', content: [] }
    ev('response.output_item.added', { output_index: outputIndex, item: inProgress })
    ev('response.content_part.added', {
      item_id: item.id,
      output_index: outputIndex,
      content_index: 0,
      part: { type: 'output_text', text: '', annotations: [] }
    })
    let text
    if (typeof textSource === 'string') {
      for (const piece of chunkText(textSource))
        ev('response.output_text.delta', { item_id: item.id, output_index: outputIndex, content_index: 0, delta: piece, logprobs: [] })
      text = textSource
    } else {
      const r = await textSource((chunk) =>
        ev('response.output_text.delta', { item_id: item.id, output_index: outputIndex, content_index: 0, delta: chunk, logprobs: [] })
      )
      if (!r.completed) return false
      text = r.text
      item.content = [{ type: 'output_text', text, annotations: [] }]
    }
    ev('response.output_text.done', { item_id: item.id, output_index: outputIndex, content_index: 0, text, logprobs: [] })
    ev('response.content_part.done', { item_id: item.id, output_index: outputIndex, content_index: 0, part: { type: 'output_text', text, annotations: [] } })
    ev('response.output_item.done', { output_index: outputIndex, item })
    return true
  }
  for (let i = 0; i < items.length; i++) {
    const item = items[i]
    if (item.type === 'reasoning') {
      const text = item.summary[0].text
      ev('response.output_item.added', { output_index: i, item: { type: 'reasoning', id: item.id, summary: [] } })
      ev('response.reasoning_summary_part.added', { item_id: item.id, output_index: i, summary_index: 0, part: { type: 'summary_text', text: '' } })
      for (const piece of chunkText(text)) ev('response.reasoning_summary_text.delta', { item_id: item.id, output_index: i, summary_index: 0, delta: piece })
      ev('response.reasoning_summary_text.done', { item_id: item.id, output_index: i, summary_index: 0, text })
      ev('response.reasoning_summary_part.done', { item_id: item.id, output_index: i, summary_index: 0, part: { type: 'summary_text', text } })
      ev('response.output_item.done', { output_index: i, item })
    } else if (item.type === 'message') {
      await emitMessage(i, item, item.content[0].text)
    } else if (item.type === 'tool_search_call') {
      ev('response.output_item.added', { output_index: i, item: { ...item, status: 'in_progress' } })
      ev('response.output_item.done', { output_index: i, item })
    } else {
      ev('response.output_item.added', { output_index: i, item: { ...item, arguments: '', status: 'in_progress' } })
      for (const piece of chunkString(item.arguments)) ev('response.function_call_arguments.delta', { item_id: item.id, output_index: i, delta: piece })
      ev('response.function_call_arguments.done', { item_id: item.id, output_index: i, arguments: item.arguments })
      ev('response.output_item.done', { output_index: i, item })
    }
  }
  if (plan.slowSeconds !== undefined) {
    const item = { type: 'message', id: ctx.nextId('msg'), status: 'completed', role: 'assistant', content: [] }
    const ok = await emitMessage(items.length, item, (emit) => runSlow(ctx, res, entry, plan.slowSeconds, emit))
    if (!ok) return
    items.push(item)
  }
  ev('response.completed', { response: { ...baseResponse, status: 'completed', output: items, usage: usage(approxTokens(items)) } })
  res.end()
}

// ---------------------------------------------------------------------------------------------
// OpenAI Chat Completions (OpenCode)

/**
 * The tool call for a scripted bash/write in the tool names and parameters the client offered:
 * OpenCode 1.x has `bash {command, description}` and `write {filePath, content}`; OpenCode 2.x has
 * `shell {command}` and `write {path, content}`.
 */
function chatToolCall(tools, tool) {
  const byName = new Map((Array.isArray(tools) ? tools : []).map((t) => [t?.function?.name, t?.function?.parameters?.properties ?? {}]))
  if (tool.kind === 'bash') {
    if (!byName.has('bash') && byName.has('shell')) return { name: 'shell', args: { command: tool.command } }
    return { name: 'bash', args: { command: tool.command, description: 'Run scripted command' } }
  }
  const props = byName.get('write') ?? {}
  return {
    name: 'write',
    args: 'path' in props && !('filePath' in props) ? { path: tool.path, content: tool.content } : { filePath: tool.path, content: tool.content }
  }
}

async function handleChat(ctx, res, entry) {
  const body = entry.body && typeof entry.body === 'object' ? entry.body : {}
  const conv = chatConversation(body)
  const plan = planReply(conv)
  const model = conv.model || 'fake-model'
  if (plan.error) {
    return sendJson(res, plan.error.status, openAiErrorBody(plan.error.status), plan.error.noRetry ? { 'x-should-retry': 'false' } : {})
  }
  if (plan.silentSeconds !== undefined && !(await waitSilently(ctx, res, entry, plan.silentSeconds))) return
  const id = ctx.nextId('chatcmpl')
  const created = Math.floor(Date.now() / 1000)
  const promptTokens = approxTokens(body)
  let toolCall = null
  if (plan.tool) {
    const t = plan.tool
    // OpenCode's sub-agent tool is `task` (subagent_type `general`: its general-purpose agent).
    const { name, args } =
      t.kind === 'call'
        ? { name: t.name, args: t.args }
        : t.kind === 'todo'
          ? { name: 'todowrite', args: { todos: t.todos.map(({ content, status, priority }) => ({ content, status, priority })) } }
          : t.kind === 'agent'
            ? { name: 'task', args: { description: 'Scripted sub-agent', prompt: t.prompt, subagent_type: 'general' } }
            : chatToolCall(body.tools, t)
    toolCall = { id: ctx.nextId('call'), type: 'function', function: { name, arguments: JSON.stringify(args) } }
  }
  const finishReason = toolCall ? 'tool_calls' : 'stop'
  const usage = (completion) => ({
    prompt_tokens: promptTokens,
    completion_tokens: completion,
    total_tokens: promptTokens + completion,
    prompt_tokens_details: { cached_tokens: 0 }
  })

  if (body.stream !== true) {
    let text = plan.text ?? ''
    if (plan.slowSeconds !== undefined) {
      const r = await runSlow(ctx, res, entry, plan.slowSeconds, null)
      if (!r.completed) return
      text = r.text
    }
    const message = { role: 'assistant', content: text }
    if (plan.thinking !== undefined) message.reasoning_content = plan.thinking
    if (toolCall) message.tool_calls = [toolCall]
    return sendJson(res, 200, {
      id,
      object: 'chat.completion',
      created,
      model,
      choices: [{ index: 0, message, finish_reason: finishReason }],
      usage: usage(approxTokens(message))
    })
  }

  startSse(res)
  const chunk = (delta, finish_reason = null) =>
    writeSse(res, null, { id, object: 'chat.completion.chunk', created, model, choices: [{ index: 0, delta, finish_reason }] })
  chunk({ role: 'assistant', content: '' })
  let outText = ''
  if (plan.thinking !== undefined) for (const piece of chunkText(plan.thinking)) chunk({ reasoning_content: piece })
  if (plan.text !== undefined) {
    for (const piece of chunkText(plan.text)) chunk({ content: piece })
    outText += plan.text
  }
  if (plan.slowSeconds !== undefined) {
    const r = await runSlow(ctx, res, entry, plan.slowSeconds, (c) => chunk({ content: c }))
    if (!r.completed) return
    outText += r.text
  }
  if (toolCall) {
    chunk({ tool_calls: [{ index: 0, id: toolCall.id, type: 'function', function: { name: toolCall.function.name, arguments: '' } }] })
    chunk({ tool_calls: [{ index: 0, function: { arguments: toolCall.function.arguments } }] })
  }
  chunk({}, finishReason)
  if (body.stream_options?.include_usage) {
    writeSse(res, null, {
      id,
      object: 'chat.completion.chunk',
      created,
      model,
      choices: [],
      usage: usage(approxTokens(outText) + (toolCall ? approxTokens(toolCall) : 0))
    })
  }
  writeSse(res, null, '[DONE]')
  res.end()
}

// ---------------------------------------------------------------------------------------------
// CLI entry point

const isMain = (() => {
  try {
    return process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href
  } catch {
    return false
  }
})()

if (isMain) {
  const args = process.argv.slice(2)
  let port = 0
  let logTarget = process.env.FAKE_MODEL_SERVER_LOG || undefined
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--log') logTarget = args[++i]
    else if (/^\d+$/.test(args[i])) port = Number(args[i])
  }
  startFakeModelServer({ port, log: logTarget }).then(
    (srv) => {
      process.stdout.write(`LISTENING ${srv.port}\n`)
      const stop = () => srv.close().then(() => process.exit(0))
      process.on('SIGTERM', stop)
      process.on('SIGINT', stop)
    },
    (err) => {
      process.stderr.write(`fake-model-server: ${err && err.message ? err.message : err}\n`)
      process.exit(1)
    }
  )
}
