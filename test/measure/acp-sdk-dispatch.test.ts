/**
 * One-off measurement for docs/design-decisions.md (not part of `npm test`: run with SHEPHERD_MEASURE=1):
 * what it costs to receive ACP `session/update` notifications (the agent's streamed text) through
 * Shepherd's hand-written JSON-RPC connection (src-main/providers/acp/jsonrpc.ts) and through the
 * official `@agentclientprotocol/sdk` client (`client().onNotification`, which validates every message
 * with its zod schemas). Both include JSON parsing; reported as a ratio, never asserted on time.
 */
import { expect, it } from 'vitest'
import { client } from '@agentclientprotocol/sdk'
import { JsonRpcConnection, type RpcHandlers } from '../../src-main/providers/acp/jsonrpc'

const RUN = process.env.SHEPHERD_MEASURE === '1'
const N = 20_000
const lines = Array.from({ length: N }, (_, i) =>
  JSON.stringify({
    jsonrpc: '2.0',
    method: 'session/update',
    params: { sessionId: 's1', update: { sessionUpdate: 'agent_message_chunk', content: { type: 'text', text: `chunk ${i} lorem ipsum dolor sit amet` } } }
  })
)

it.runIf(RUN)(
  'hand-written connection vs the SDK client: session/update dispatch',
  async () => {
    let seen = 0
    const handlers: RpcHandlers = { onRequest: async () => null, onNotification: () => void seen++, onInvalid: () => {} }
    const conn = new JsonRpcConnection(async () => {}, handlers)
    const t0 = performance.now()
    for (const l of lines) conn.handleLine(l)
    const hand = performance.now() - t0

    let sdkSeen = 0
    let done!: () => void
    const all = new Promise<void>((r) => (done = r))
    const app = client().onNotification('session/update', () => {
      if (++sdkSeen === N) done()
    })
    const t1 = performance.now()
    const readable = new ReadableStream({
      start(c) {
        for (const l of lines) c.enqueue(JSON.parse(l))
      }
    })
    app.connect({ readable, writable: new WritableStream({ write() {} }) })
    await all
    const sdk = performance.now() - t1
    expect([seen, sdkSeen]).toEqual([N, N])
    console.log(
      `ACP session/update × ${N}: hand-written ${((hand / N) * 1000).toFixed(1)} µs each, SDK ${((sdk / N) * 1000).toFixed(1)} µs each (${(sdk / hand).toFixed(0)}×)`
    )
  },
  120_000
)
