// Types for fake-model-server.mjs (kept by hand; the implementation is plain JS with zero deps).

/** One HTTP request as received by the fake server. */
export interface LoggedRequest {
  method: string
  /** Path plus query string, e.g. `/v1/messages?beta=true`. */
  url: string
  headers: Record<string, string | string[] | undefined>
  /** Parsed JSON body; the raw string when it is not JSON; null when empty. */
  body: any
  /** Arrival time, `Date.now()` milliseconds. */
  t: number
}

/** A client that went away while a `[[slow:N]]` reply was still streaming. */
export interface Disconnect {
  url: string
  /** `Date.now()` when the server noticed the disconnect. */
  t: number
  /** Tick chunks already sent (`tick0 ` … `tick<ticksSent-1> `). */
  ticksSent: number
  ticksPlanned: number
  /** Index of the request in `requests`. */
  requestIndex: number
}

export interface FakeModelServerOptions {
  /** 0 (default) picks a free port. */
  port?: number
  /** Default `127.0.0.1`. */
  host?: string
  /** A callback receiving every request entry, or a file path to append JSON lines to (`-` = stdout). */
  log?: ((entry: LoggedRequest) => void) | string
}

export interface FakeModelServer {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:40123` (use as ANTHROPIC_BASE_URL; add `/v1` for OpenAI-style clients). */
  url: string
  port: number
  /** Every request received so far, in arrival order (live array). */
  requests: LoggedRequest[]
  /** Slow streams the client abandoned (live array; `.length` is the counter). */
  disconnects: Disconnect[]
  /** Empties `requests` and `disconnects`. */
  reset(): void
  /** Stops listening, drops keep-alive connections and pending slow streams. */
  close(): Promise<void>
}

export declare const SLOW_TICK_MS: number

export type Directive =
  | { kind: 'bash'; command: string }
  | { kind: 'write'; path: string; content: string }
  | { kind: 'slow' | 'silent'; seconds: number }
  | { kind: 'text'; text: string }
  | { kind: 'thinking'; text: string }
  | { kind: 'error'; status: number; noRetry: boolean }
  | { kind: 'model' }
  | { kind: 'call'; name: string; args: unknown }

/** The first directive found in `text`, or null. */
export declare function parseDirective(text: string): Directive | null

export declare function startFakeModelServer(options?: FakeModelServerOptions): Promise<FakeModelServer>
