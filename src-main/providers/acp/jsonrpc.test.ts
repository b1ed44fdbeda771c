import { describe, expect, it } from 'vitest'
import { JsonRpcConnection, JsonRpcError } from './jsonrpc'

function conn(onRequest: (method: string, params: unknown) => Promise<unknown> = async () => ({ ok: true })) {
  const out: unknown[] = []
  const invalid: string[] = []
  const notes: [string, unknown][] = []
  const c = new JsonRpcConnection(async (line) => void out.push(JSON.parse(line)), {
    onRequest,
    onNotification: (m, p) => notes.push([m, p]),
    onInvalid: (_line, why) => invalid.push(why)
  })
  return { c, out, invalid, notes }
}

describe('JsonRpcConnection', () => {
  it('matches responses to requests synchronously, in line order', async () => {
    const { c, out } = conn()
    const order: string[] = []
    c.requestCb('a', { x: 1 }, (err, r) => order.push(`a:${JSON.stringify(r)}:${err}`))
    const p = c.request('b', null)
    await Promise.resolve()
    expect(out).toEqual([
      { jsonrpc: '2.0', id: 1, method: 'a', params: { x: 1 } },
      { jsonrpc: '2.0', id: 2, method: 'b', params: null }
    ])
    c.handleLine('{"jsonrpc":"2.0","id":1,"result":{"v":1}}')
    expect(order).toEqual(['a:{"v":1}:null'])
    c.handleLine('{"jsonrpc":"2.0","id":2,"error":{"code":-32000,"message":"Authentication required","data":{"x":1}}}')
    await expect(p).rejects.toMatchObject({ code: -32000, message: 'Authentication required', data: { x: 1 } })
  })

  it('answers agent requests with results or JSON-RPC errors; notifications are dispatched', async () => {
    const { c, out, notes } = conn(async (method) => {
      if (method === 'ok') return null
      if (method === 'rpc') throw new JsonRpcError(-32602, 'bad path', { path: '/x' })
      throw new Error('boom')
    })
    c.handleLine('{"jsonrpc":"2.0","id":"a1","method":"ok","params":{}}')
    c.handleLine('{"jsonrpc":"2.0","id":7,"method":"rpc"}')
    c.handleLine('{"jsonrpc":"2.0","id":8,"method":"other"}')
    c.handleLine('{"jsonrpc":"2.0","method":"session/update","params":{"u":1}}')
    await new Promise((r) => setTimeout(r, 0))
    expect(out).toEqual([
      { jsonrpc: '2.0', id: 'a1', result: null },
      { jsonrpc: '2.0', id: 7, error: { code: -32602, message: 'bad path', data: { path: '/x' } } },
      { jsonrpc: '2.0', id: 8, error: { code: -32603, message: 'boom' } }
    ])
    expect(notes).toEqual([['session/update', { u: 1 }]])
  })

  it('reports non-JSON, non-RPC lines and unknown response ids', () => {
    const { c, invalid } = conn()
    c.handleLine('Loading config...')
    c.handleLine('[1,2]')
    c.handleLine('{"jsonrpc":"2.0","id":99,"result":1}')
    c.handleLine('{"hello":1}')
    expect(invalid).toEqual(['not JSON', 'not a JSON-RPC object', 'response to an unknown request', 'not a JSON-RPC request, notification or response'])
  })

  it('timeouts and close fail pending calls; later calls fail at once', async () => {
    const { c } = conn()
    await expect(c.request('slow', {}, 20)).rejects.toThrow(/did not answer slow within 0 s/)
    const p = c.request('pending', {})
    c.close(new Error('agent exited'))
    await expect(p).rejects.toThrow('agent exited')
    await expect(c.request('late', {})).rejects.toThrow('agent exited')
    await expect(c.notify('n', {})).rejects.toThrow('agent exited')
  })
})
