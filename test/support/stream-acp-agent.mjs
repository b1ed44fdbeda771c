#!/usr/bin/env node
// A small ACP agent for the SSH scale tests (issue 17): zero dependencies (it is copied into the
// remote account's home and run there with the host's `node`), newline-delimited JSON-RPC on stdio.
// It emits `session/update` chunks at a controlled rate so a test can check that a fast remote
// stream arrives complete and in order, and it can load its own sessions back (`loadSession`), so a
// session whose SSH connection died resumes from the same ACP session id.
//
// Prompt directives:
//   [[stream:N:RATE]]  N `agent_message_chunk` updates at RATE/s (0 = as fast as the pipe takes them);
//                      chunk i has its own messageId (so Shepherd stores each as one message) and the
//                      text `ev<i>@<ms>` (<ms>: wall-clock time it was written, for lag measurements).
//   anything else      one chunk "ACK: <prompt>".
// `session/cancel` ends a running stream (the prompt answers stopReason "cancelled").
// Sessions it created are remembered in $HOME/.shepherd-stream-agent-sessions (one id a line), so
// `session/load` of an id it made in an earlier process works, and of any other id fails.

import { randomUUID } from 'node:crypto'
import { appendFileSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

const STORE = join(process.env.HOME || '/tmp', '.shepherd-stream-agent-sessions')
const known = () => {
  try {
    return new Set(readFileSync(STORE, 'utf8').split('\n').filter(Boolean))
  } catch {
    return new Set()
  }
}

let paused = null
process.stdout.on('error', () => process.exit(0)) // EPIPE: the client is gone
function send(msg) {
  if (!process.stdout.write(JSON.stringify(msg) + '\n') && !paused) {
    paused = new Promise((r) => process.stdout.once('drain', () => ((paused = null), r())))
  }
}
const reply = (id, result) => send({ jsonrpc: '2.0', id, result })
const fail = (id, code, message) => send({ jsonrpc: '2.0', id, error: { code, message } })
const chunk = (sessionId, text, messageId) =>
  send({
    jsonrpc: '2.0',
    method: 'session/update',
    params: { sessionId, update: { sessionUpdate: 'agent_message_chunk', messageId, content: { type: 'text', text } } }
  })

const cancelled = new Set()
let turn = 0

async function stream(sessionId, n, rate) {
  const t = ++turn
  const t0 = Date.now()
  for (let i = 0; i < n;) {
    if (cancelled.has(sessionId)) return 'cancelled'
    // Catch up to where the rate says we should be, then wait a tick (1 ms timers are ~1 ms on Linux).
    const due = rate > 0 ? Math.min(n, Math.floor(((Date.now() - t0) * rate) / 1000) + 1) : Math.min(n, i + 256)
    while (i < due) {
      chunk(sessionId, `ev${i}@${Date.now()} `, `t${t}-m${i}`)
      i++
    }
    if (paused) await paused
    await new Promise((r) => (rate > 0 ? setTimeout(r, 1) : setImmediate(r)))
  }
  return 'end_turn'
}

async function handle(msg) {
  const { id, method, params } = msg
  if (method === undefined) return // a response to nothing we asked
  switch (method) {
    case 'initialize':
      return reply(id, {
        protocolVersion: 1,
        agentCapabilities: { loadSession: true },
        agentInfo: { name: 'stream-test-agent', title: 'Stream test agent', version: '1.0.0' },
        authMethods: []
      })
    case 'session/new': {
      const sessionId = `stream-${randomUUID()}`
      appendFileSync(STORE, sessionId + '\n')
      return reply(id, { sessionId })
    }
    case 'session/load':
      if (!known().has(params?.sessionId)) return fail(id, -32002, `no session ${params?.sessionId}`)
      return reply(id, {})
    case 'session/cancel':
      cancelled.add(params?.sessionId)
      return
    case 'session/prompt': {
      const sessionId = params?.sessionId
      cancelled.delete(sessionId)
      const text = (params?.prompt ?? []).map((b) => (b?.type === 'text' ? b.text : '')).join('')
      const m = /\[\[stream:(\d+)(?::(\d+))?\]\]/.exec(text)
      let stopReason = 'end_turn'
      if (m) stopReason = await stream(sessionId, Number(m[1]), Number(m[2] ?? 0))
      else chunk(sessionId, `ACK: ${text}`, `ack-${++turn}`)
      return reply(id, { stopReason })
    }
    default:
      if (id !== undefined) fail(id, -32601, `method not found: ${method}`)
  }
}

let buf = ''
process.stdin.setEncoding('utf8')
process.stdin.on('data', (d) => {
  buf += d
  let nl
  while ((nl = buf.indexOf('\n')) >= 0) {
    const line = buf.slice(0, nl).trim()
    buf = buf.slice(nl + 1)
    if (!line) continue
    let msg
    try {
      msg = JSON.parse(line)
    } catch {
      continue
    }
    void handle(msg)
  }
})
process.stdin.on('end', () => process.exit(0))
