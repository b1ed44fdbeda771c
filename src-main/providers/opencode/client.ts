/**
 * A small client for `opencode serve`: JSON requests with HTTP basic auth (every request carries the
 * per-server random password) and a Server-Sent Events reader for `GET /event`. Hand-written on
 * Node's global fetch instead of `@opencode-ai/sdk`: Shepherd needs a dozen routes, and the SDK would
 * add a generated client (and `cross-spawn`) to the app for them.
 */
import { ShepherdError } from '../../shared/errors'

/** OpenCode's default basic-auth user name (`OPENCODE_SERVER_USERNAME`). */
export const OPENCODE_USERNAME = 'opencode'
/** Control requests answer in milliseconds; 15 s flags a wedged server without hanging the UI. */
export const REQUEST_TIMEOUT_MS = 15_000
/** One SSE event larger than this is dropped (tool outputs are capped far below by OpenCode). */
export const SSE_MAX_EVENT_BYTES = 32 * 1024 * 1024

export interface OpenCodeResponse {
  status: number
  body: unknown
}

export class OpenCodeClient {
  readonly #auth: string

  constructor(
    readonly baseUrl: string,
    password: string,
    username = OPENCODE_USERNAME
  ) {
    this.#auth = 'Basic ' + Buffer.from(`${username}:${password}`).toString('base64')
  }

  get authorization(): string {
    return this.#auth
  }

  /**
   * One JSON request. Resolves for 2xx and for the statuses listed in `accept` (e.g. 404 when
   * probing a session); anything else throws `ShepherdError('UNAVAILABLE')` with OpenCode's message.
   */
  async request(method: string, path: string, body?: unknown, opts: { accept?: number[]; timeoutMs?: number } = {}): Promise<OpenCodeResponse> {
    let res: Response
    try {
      res = await fetch(this.baseUrl + path, {
        method,
        headers: { authorization: this.#auth, accept: 'application/json', ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        body: body !== undefined ? JSON.stringify(body) : undefined,
        signal: AbortSignal.timeout(opts.timeoutMs ?? REQUEST_TIMEOUT_MS)
      })
    } catch (err) {
      const e = err as Error
      const why = e.name === 'TimeoutError' ? `no answer within ${(opts.timeoutMs ?? REQUEST_TIMEOUT_MS) / 1000} s` : e.message
      throw new ShepherdError('UNAVAILABLE', `OpenCode server did not answer ${method} ${path}: ${why}`)
    }
    const text = await res.text().catch(() => '')
    let parsed: unknown = text
    if (text) {
      try {
        parsed = JSON.parse(text)
      } catch {
        /* keep the text */
      }
    } else {
      parsed = null
    }
    if (res.ok || opts.accept?.includes(res.status)) return { status: res.status, body: parsed }
    throw new ShepherdError('UNAVAILABLE', `OpenCode refused ${method} ${path} (HTTP ${res.status}): ${errorText(parsed)}`)
  }
}

/** OpenCode's error bodies: `{name, data:{message}}` or `{_tag, message}`. */
export function errorText(body: unknown): string {
  if (typeof body === 'string') return body.slice(0, 500) || 'no details'
  if (body && typeof body === 'object') {
    const b = body as { message?: unknown; data?: { message?: unknown }; name?: unknown; _tag?: unknown }
    const msg = typeof b.data?.message === 'string' ? b.data.message : typeof b.message === 'string' ? b.message : null
    const name = typeof b.name === 'string' ? b.name : typeof b._tag === 'string' ? b._tag : null
    if (msg) return name ? `${name}: ${msg}` : msg
    return JSON.stringify(body).slice(0, 500)
  }
  return 'no details'
}

/**
 * Incremental `text/event-stream` framing: bytes in, the `data` of each complete event out
 * (multi-line data joined with "\n"; comments, `event:`, `id:` and `retry:` fields ignored).
 */
export class SseParser {
  #buf = ''
  #data: string[] = []
  #bytes = 0
  #oversized = false
  #skipLine = false
  readonly #decoder = new TextDecoder()

  constructor(
    private readonly onData: (data: string) => void,
    private readonly onOversized: (bytes: number, head: string) => void = () => {},
    private readonly maxEventBytes = SSE_MAX_EVENT_BYTES
  ) {}

  push(chunk: Uint8Array): void {
    this.#buf += this.#decoder.decode(chunk, { stream: true })
    this.#drain()
  }

  end(): void {
    this.#buf += this.#decoder.decode()
    this.#drain()
    if (this.#buf && !this.#skipLine) this.#line(this.#buf)
    this.#skipLine = false
    this.#buf = ''
    this.#line('')
  }

  #drain(): void {
    let start = 0
    if (this.#skipLine) {
      // The rest of a line that was already too large: discard up to its end.
      const nl = this.#buf.indexOf('\n')
      if (nl < 0) {
        this.#buf = ''
        return
      }
      this.#skipLine = false
      start = nl + 1
    }
    for (;;) {
      const nl = this.#buf.indexOf('\n', start)
      if (nl < 0) break
      let line = this.#buf.slice(start, nl)
      if (line.endsWith('\r')) line = line.slice(0, -1)
      start = nl + 1
      this.#line(line)
    }
    this.#buf = this.#buf.slice(start)
    if (this.#buf.length > this.maxEventBytes) {
      // A single line beyond the limit: drop it instead of buffering without bound.
      this.#overflow(this.#buf.length, this.#buf.slice(0, 200))
      this.#buf = ''
      this.#skipLine = true
    }
  }

  #line(line: string): void {
    if (line === '') {
      if (this.#data.length > 0 && !this.#oversized) this.onData(this.#data.join('\n'))
      this.#data = []
      this.#bytes = 0
      this.#oversized = false
      return
    }
    if (line.startsWith(':')) return
    const colon = line.indexOf(':')
    const field = colon < 0 ? line : line.slice(0, colon)
    if (field !== 'data') return
    let value = colon < 0 ? '' : line.slice(colon + 1)
    if (value.startsWith(' ')) value = value.slice(1)
    if (this.#oversized) return
    this.#bytes += value.length
    if (this.#bytes > this.maxEventBytes) {
      this.#overflow(this.#bytes, (this.#data[0] ?? value).slice(0, 200))
      this.#data = []
      this.#oversized = true
      return
    }
    this.#data.push(value)
  }

  #overflow(bytes: number, head: string): void {
    this.#oversized = true
    this.onOversized(bytes, head)
  }
}
