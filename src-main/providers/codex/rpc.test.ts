import { afterEach, describe, expect, it, vi } from 'vitest'
import { ShepherdError } from '../../shared/errors'
import { CodexRpc, CodexRpcError } from './rpc'

function rpc(timeoutMs = 1000) {
  const written: any[] = []
  const r = new CodexRpc(async (m) => {
    written.push(m)
  }, timeoutMs)
  return { r, written }
}
afterEach(() => vi.useRealTimers())

describe('CodexRpc', () => {
  it('numbers requests, matches replies by id (in any order), no "jsonrpc" field', async () => {
    const { r, written } = rpc()
    const a = r.request('turn/interrupt', { threadId: 't', turnId: 'u' })
    const b = r.request('turn/steer', { threadId: 't', expectedTurnId: 'u', input: [] })
    await Promise.resolve()
    expect(written).toEqual([
      { id: 1, method: 'turn/interrupt', params: { threadId: 't', turnId: 'u' } },
      { id: 2, method: 'turn/steer', params: { threadId: 't', expectedTurnId: 'u', input: [] } }
    ])
    expect(r.receive({ id: 2, result: { turnId: 'u' } })).toEqual({ type: 'response', id: 2 })
    expect(r.receive({ id: 1, result: {} })).toEqual({ type: 'response', id: 1 })
    await expect(a).resolves.toEqual({})
    await expect(b).resolves.toEqual({ turnId: 'u' })
    expect(r.pendingCount).toBe(0)
  })

  it('an error reply rejects with CodexRpcError (method, code, message)', async () => {
    const { r } = rpc()
    const p = r.request('thread/resume', { threadId: 'x' })
    r.receive({ id: 1, error: { code: -32600, message: 'no rollout found for thread id x' } })
    await expect(p).rejects.toEqual(new CodexRpcError('thread/resume', -32600, 'no rollout found for thread id x'))
    await expect(p).rejects.toMatchObject({ method: 'thread/resume', code: -32600 })
  })

  it('classifies server requests (id + method), notifications (method only) and junk', () => {
    const { r } = rpc()
    expect(r.receive({ id: 0, method: 'item/fileChange/requestApproval', params: { a: 1 } })).toEqual({
      type: 'request',
      id: 0,
      method: 'item/fileChange/requestApproval',
      params: { a: 1 }
    })
    expect(r.receive({ method: 'turn/started', params: { b: 2 } })).toEqual({ type: 'notification', method: 'turn/started', params: { b: 2 } })
    expect(r.receive([1, 2])).toEqual({ type: 'invalid', reason: 'parse_error' })
    expect(r.receive({ id: 5 })).toEqual({ type: 'invalid', reason: 'unknown' })
    // A reply nobody waits for (e.g. after a timeout) is still a reply.
    expect(r.receive({ id: 99, result: {} })).toEqual({ type: 'response', id: 99 })
  })

  it('answers server requests with a result or an error', async () => {
    const { r, written } = rpc()
    await r.respond(0, { decision: 'accept' })
    await r.respondError('x', { code: -32601, message: 'nope' })
    await r.notify('initialized')
    expect(written).toEqual([{ id: 0, result: { decision: 'accept' } }, { id: 'x', error: { code: -32601, message: 'nope' } }, { method: 'initialized' }])
  })

  it('times out a request that gets no answer', async () => {
    vi.useFakeTimers()
    const { r } = rpc(500)
    const p = r.request('turn/start', { threadId: 't', input: [] })
    const check = expect(p).rejects.toThrow('Codex did not answer turn/start within 1 s')
    await vi.advanceTimersByTimeAsync(600)
    await check
    expect(r.pendingCount).toBe(0)
  })

  it('a failed write rejects the request at once', async () => {
    const r = new CodexRpc(async () => {
      throw new ShepherdError('UNAVAILABLE', 'Codex is not running')
    })
    await expect(r.request('turn/interrupt', { threadId: 't', turnId: 'u' })).rejects.toMatchObject({ code: 'UNAVAILABLE' })
    expect(r.pendingCount).toBe(0)
  })

  it('close fails everything in flight and refuses new requests', async () => {
    const { r } = rpc()
    const p = r.request('initialize', { clientInfo: { name: 'a', title: null, version: '1' }, capabilities: null })
    r.close('Codex exited')
    await expect(p).rejects.toThrow('Codex exited (before answering initialize)')
    await expect(r.request('turn/interrupt', { threadId: 't', turnId: 'u' })).rejects.toMatchObject({ code: 'UNAVAILABLE' })
  })
})
