/**
 * JSON-RPC 2.0 over newline-delimited JSON (the ACP stdio transport), both directions: we call the
 * agent (`initialize`, `session/*`) and the agent calls us (`fs/*`, `terminal/*`,
 * `session/request_permission`). Framing is done by the caller (LineSplitter); this class only
 * parses lines, matches responses and dispatches requests/notifications.
 *
 * Responses are settled synchronously while their line is handled (`requestCb`), so whatever the
 * agent printed before a response is processed before it: a turn ends after its last update.
 */
import { isObj } from '../scaffold/values'
import { PendingRequests } from '../scaffold/pending-requests'

export const RPC_PARSE_ERROR = -32700
export const RPC_INVALID_REQUEST = -32600
export const RPC_METHOD_NOT_FOUND = -32601
export const RPC_INVALID_PARAMS = -32602
export const RPC_INTERNAL_ERROR = -32603
/** ACP: authentication required. */
export const ACP_AUTH_REQUIRED = -32000
/** ACP: resource (file) not found. */
export const ACP_RESOURCE_NOT_FOUND = -32002

export class JsonRpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown
  ) {
    super(message)
    this.name = 'JsonRpcError'
  }
}

export type RpcId = string | number

export interface RpcHandlers {
  /** An agent → client request. Resolve with the result; throw JsonRpcError (or any error) to answer an error. */
  onRequest(method: string, params: unknown, id: RpcId): Promise<unknown>
  onNotification(method: string, params: unknown): void
  /** A line that is not JSON-RPC (or not JSON). */
  onInvalid(line: string, why: string): void
}

type Settle = (err: JsonRpcError | Error | null, result: unknown) => void

export class JsonRpcConnection {
  private nextId = 1
  private readonly pending = new PendingRequests<RpcId>()

  constructor(
    private readonly write: (line: string) => Promise<void>,
    private readonly handlers: RpcHandlers
  ) {}

  get closed(): boolean {
    return this.pending.closedWith !== null
  }

  /** Handle one input line. */
  handleLine(line: string): void {
    let msg: unknown
    try {
      msg = JSON.parse(line)
    } catch {
      this.handlers.onInvalid(line, 'not JSON')
      return
    }
    if (!isObj(msg)) {
      this.handlers.onInvalid(line, 'not a JSON-RPC object')
      return
    }
    const hasId = typeof msg.id === 'string' || typeof msg.id === 'number'
    if (typeof msg.method === 'string') {
      if (hasId) this.dispatchRequest(msg.id as RpcId, msg.method, msg.params)
      else this.handlers.onNotification(msg.method, msg.params)
      return
    }
    if (hasId && ('result' in msg || 'error' in msg)) {
      const p = this.pending.take(msg.id as RpcId)
      if (!p) {
        this.handlers.onInvalid(line, 'response to an unknown request')
        return
      }
      if (isObj(msg.error)) {
        const e = msg.error
        p.settle(new JsonRpcError(typeof e.code === 'number' ? e.code : RPC_INTERNAL_ERROR, typeof e.message === 'string' ? e.message : 'error', e.data), null)
      } else {
        p.settle(null, msg.result)
      }
      return
    }
    this.handlers.onInvalid(line, 'not a JSON-RPC request, notification or response')
  }

  /** Call the agent; `settle` runs synchronously when the response line is handled. */
  requestCb(method: string, params: unknown, settle: Settle, timeoutMs?: number): void {
    const id = this.nextId++
    this.pending.open(
      id,
      method,
      settle,
      () => this.write(JSON.stringify({ jsonrpc: '2.0', id, method, params })),
      timeoutMs ?? null,
      (label, ms) => new Error(`the agent did not answer ${label} within ${Math.round(ms / 1000)} s`)
    )
  }

  request<T = unknown>(method: string, params: unknown, timeoutMs?: number): Promise<T> {
    return new Promise((resolve, reject) => this.requestCb(method, params, (err, result) => (err ? reject(err) : resolve(result as T)), timeoutMs))
  }

  notify(method: string, params: unknown): Promise<void> {
    if (this.pending.closedWith) return Promise.reject(this.pending.closedWith)
    return this.write(JSON.stringify({ jsonrpc: '2.0', method, params }))
  }

  /** Fail every call in flight (the agent exited). Later calls fail at once. */
  close(err: Error): void {
    this.pending.close(err)
  }

  private dispatchRequest(id: RpcId, method: string, params: unknown): void {
    let result: Promise<unknown>
    try {
      result = this.handlers.onRequest(method, params, id)
    } catch (err) {
      result = Promise.reject(err)
    }
    result.then(
      (value) => this.respond({ jsonrpc: '2.0', id, result: value ?? null }),
      (err: unknown) => {
        const e = err instanceof JsonRpcError ? err : new JsonRpcError(RPC_INTERNAL_ERROR, err instanceof Error ? err.message : String(err))
        this.respond({ jsonrpc: '2.0', id, error: { code: e.code, message: e.message, ...(e.data !== undefined ? { data: e.data } : {}) } })
      }
    )
  }

  private respond(msg: object): void {
    if (this.pending.closedWith) return
    this.write(JSON.stringify(msg)).catch(() => {
      /* the agent is gone; its exit is reported elsewhere */
    })
  }
}
