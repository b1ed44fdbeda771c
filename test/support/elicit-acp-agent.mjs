#!/usr/bin/env node
// A small ACP agent for tests (issue 13), built on the official `@agentclientprotocol/sdk` (the
// agent side of the same pinned SDK Shepherd takes its ACP types from): no model, it answers each
// prompt by itself. A prompt containing
//   [[form]]  sends `elicitation/create` (form mode: name string required, count integer 1..10,
//             urgent boolean, size enum small|large) and replies "FORM accept {…}" / "FORM decline" / …
//   [[url]]   sends a URL-mode elicitation (Shepherd declines it) and replies the same way
//   [[other]] calls `_shepherd_test/unknown`, a client method nobody implements, and replies with the error
// anything else: "ACK: <prompt>". A client without the elicitation form capability gets "FORM unsupported".

import { Readable, Writable } from 'node:stream'
import { agent, ndJsonStream, PROTOCOL_VERSION } from '@agentclientprotocol/sdk'

let canElicit = false
let nextSession = 1

const FORM_SCHEMA = {
  type: 'object',
  properties: {
    name: { type: 'string', title: 'Name', description: 'Who is asking', minLength: 1 },
    count: { type: 'integer', title: 'Count', minimum: 1, maximum: 10 },
    urgent: { type: 'boolean', title: 'Urgent', default: false },
    size: {
      type: 'string',
      title: 'Size',
      oneOf: [
        { const: 'small', title: 'Small' },
        { const: 'large', title: 'Large' }
      ]
    }
  },
  required: ['name', 'size']
}

async function reply(ctx, sessionId, text) {
  await ctx.client.notify('session/update', { sessionId, update: { sessionUpdate: 'agent_message_chunk', content: { type: 'text', text } } })
}

async function elicit(ctx, sessionId, mode) {
  if (!canElicit) return 'FORM unsupported'
  const params =
    mode === 'url'
      ? { sessionId, mode: 'url', message: 'Please sign in', url: 'https://example.invalid/sign-in', elicitationId: 'el-1' }
      : { sessionId, mode: 'form', message: 'Tell the test agent about your order', requestedSchema: FORM_SCHEMA }
  try {
    const r = await ctx.client.request('elicitation/create', params)
    return r.action === 'accept' ? `FORM accept ${JSON.stringify(r.content ?? {})}` : `FORM ${r.action}`
  } catch (err) {
    return `FORM error ${err.message}`
  }
}

const app = agent()
  .onRequest('initialize', ({ params }) => {
    canElicit = !!params.clientCapabilities?.elicitation?.form
    return {
      protocolVersion: PROTOCOL_VERSION,
      agentCapabilities: { loadSession: false },
      agentInfo: { name: 'elicit-test-agent', title: 'Elicit test agent', version: '1.0.0' },
      authMethods: []
    }
  })
  .onRequest('session/new', () => ({ sessionId: `sess-${nextSession++}` }))
  .onRequest('session/prompt', async (ctx) => {
    const { sessionId, prompt } = ctx.params
    const text = prompt.map((b) => (b.type === 'text' ? b.text : '')).join('')
    let answer = `ACK: ${text.slice(0, 60)}`
    if (text.includes('[[form]]')) answer = await elicit(ctx, sessionId, 'form')
    else if (text.includes('[[url]]')) answer = await elicit(ctx, sessionId, 'url')
    else if (text.includes('[[other]]'))
      answer = await ctx.client.request('_shepherd_test/unknown', {}).then(
        () => 'OTHER ok',
        (err) => `OTHER error ${err.message}`
      )
    await reply(ctx, sessionId, answer)
    return { stopReason: 'end_turn' }
  })
  .onNotification('session/cancel', () => {})

app.connect(ndJsonStream(Writable.toWeb(process.stdout), Readable.toWeb(process.stdin)))
