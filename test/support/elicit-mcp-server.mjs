#!/usr/bin/env node
// A tiny stdio MCP server for tests (issue 13): newline-delimited JSON-RPC, no dependencies.
// Tools:
//   ask_form  sends the client `elicitation/create` (form mode: name string required, count integer
//             1..10, urgent boolean, size enum small|large) and returns what came back as its result:
//             "FORM accept {"name":…}" / "FORM decline" / "FORM cancel" / "FORM error <message>"
//   ask_url   sends a URL-mode elicitation (which Shepherd declines) and returns the same way
// Clients that declare no `elicitation` capability get "FORM unsupported" without a request.

import { createInterface } from 'node:readline'

let clientCanElicit = false
let nextId = 1
const waiting = new Map()
const send = (m) => process.stdout.write(JSON.stringify({ jsonrpc: '2.0', ...m }) + '\n')
const request = (method, params) =>
  new Promise((resolve) => {
    const id = `srv-${nextId++}`
    waiting.set(id, resolve)
    send({ id, method, params })
  })

const FORM_SCHEMA = {
  type: 'object',
  properties: {
    name: { type: 'string', title: 'Name', description: 'Who is asking', minLength: 1 },
    count: { type: 'integer', title: 'Count', minimum: 1, maximum: 10 },
    urgent: { type: 'boolean', title: 'Urgent', default: false },
    size: { type: 'string', title: 'Size', enum: ['small', 'large'], enumNames: ['Small', 'Large'] }
  },
  required: ['name', 'size']
}

const TOOLS = [
  { name: 'ask_form', description: 'Ask the user to fill in a form', inputSchema: { type: 'object', properties: {} } },
  { name: 'ask_url', description: 'Ask the user to open a URL', inputSchema: { type: 'object', properties: {} } }
]

async function callTool(name) {
  if (!clientCanElicit) return 'FORM unsupported'
  const params =
    name === 'ask_url'
      ? { mode: 'url', message: 'Please sign in', url: 'https://example.invalid/sign-in', elicitationId: 'el-1' }
      : { mode: 'form', message: 'Tell the test server about your order', requestedSchema: FORM_SCHEMA }
  const r = await request('elicitation/create', params)
  if (r.error) return `FORM error ${r.error.message}`
  const { action, content } = r.result ?? {}
  return action === 'accept' ? `FORM accept ${JSON.stringify(content ?? {})}` : `FORM ${action}`
}

createInterface({ input: process.stdin }).on('line', (line) => {
  let m
  try {
    m = JSON.parse(line)
  } catch {
    return
  }
  if (m.id !== undefined && !m.method) {
    const done = waiting.get(m.id)
    waiting.delete(m.id)
    done?.(m)
    return
  }
  switch (m.method) {
    case 'initialize':
      clientCanElicit = !!m.params?.capabilities?.elicitation
      send({
        id: m.id,
        result: {
          protocolVersion: m.params?.protocolVersion ?? '2025-06-18',
          capabilities: { tools: {} },
          serverInfo: { name: 'elicit-test', version: '1.0.0' }
        }
      })
      return
    case 'tools/list':
      send({ id: m.id, result: { tools: TOOLS } })
      return
    case 'tools/call':
      callTool(m.params?.name).then((text) => send({ id: m.id, result: { content: [{ type: 'text', text }], isError: false } }))
      return
    case 'ping':
      send({ id: m.id, result: {} })
      return
    default:
      if (m.id !== undefined) send({ id: m.id, error: { code: -32601, message: `no method ${m.method}` } })
  }
})
