/**
 * The JSON-RPC side of `codex app-server` (one JSON object per line, no `"jsonrpc"` field):
 * numbers our requests, matches replies, and sorts every incoming line into a reply, a server
 * request (which must be answered) or a notification. Transport-free: the handle supplies `write`.
 */
import { ShepherdError } from '../../shared/errors'
import { PendingRequests } from '../scaffold/pending-requests'
import type { CodexMethod, ParamsOf, RequestId, ResultOf, RpcErrorObject } from './protocol'
import { isObj } from '../scaffold/values'

export const DEFAULT_REQUEST_TIMEOUT_MS = 60_000

/** A JSON-RPC error reply from Codex. */
export class CodexRpcError extends Error {
  constructor(
    readonly method: string,
    readonly code: number,
    message: string
  ) {
    super(message)
    this.name = 'CodexRpcError'
  }
}

export type Incoming =
  | { type: 'response'; id: RequestId }
  | { type: 'request'; id: RequestId; method: string; params: unknown }
  | { type: 'notification'; method: string; params: unknown }
  | { type: 'invalid'; reason: 'parse_error' | 'unknown' }

const isId = (v: unknown): v is RequestId => typeof v === 'string' || typeof v === 'number'

export class CodexRpc {
  private nextId = 1
  private readonly pending = new PendingRequests<RequestId>()

  constructor(
    private readonly write: (message: object) => Promise<void>,
    private readonly timeoutMs = DEFAULT_REQUEST_TIMEOUT_MS
  ) {}

  request<M extends CodexMethod>(method: M, params: ParamsOf<M>, timeoutMs = this.timeoutMs): Promise<ResultOf<M>> {
    const id = this.nextId++
    return this.pending.request<ResultOf<M>>(
      id,
      method,
      () => this.write({ id, method, params }),
      timeoutMs,
      (label, ms) => new ShepherdError('UNAVAILABLE', `Codex did not answer ${label} within ${Math.round(ms / 1000)} s`)
    )
  }

  notify(method: 'initialized'): Promise<void> {
    return this.write({ method })
  }

  /** Answer a server request. */
  respond(id: RequestId, result: object): Promise<void> {
    return this.write({ id, result })
  }

  respondError(id: RequestId, error: RpcErrorObject): Promise<void> {
    return this.write({ id, error })
  }

  /** Classify one parsed line; replies settle their request here. */
  receive(value: unknown): Incoming {
    if (!isObj(value)) return { type: 'invalid', reason: 'parse_error' }
    const { id, method } = value
    if (typeof method === 'string') {
      return isId(id) ? { type: 'request', id, method, params: value.params } : { type: 'notification', method, params: value.params }
    }
    if (!isId(id) || !('result' in value || 'error' in value)) return { type: 'invalid', reason: 'unknown' }
    const pending = this.pending.take(id)
    if (pending) {
      if ('error' in value) {
        const e = isObj(value.error) ? value.error : {}
        const message = typeof e.message === 'string' ? e.message : JSON.stringify(value.error)
        pending.settle(new CodexRpcError(pending.label, typeof e.code === 'number' ? e.code : 0, message), null)
      } else {
        pending.settle(null, value.result)
      }
    }
    return { type: 'response', id }
  }

  /** The process is gone: fail everything still waiting, refuse new requests. */
  close(reason: string): void {
    this.pending.close(new ShepherdError('UNAVAILABLE', reason), (label) => new ShepherdError('UNAVAILABLE', `${reason} (before answering ${label})`))
  }

  get pendingCount(): number {
    return this.pending.size
  }
}
