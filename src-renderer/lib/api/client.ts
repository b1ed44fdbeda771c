/**
 * The renderer's one tRPC client. The link is chosen once at startup: the Electron MessagePort
 * (`createIpcLink`) inside the desktop window, otherwise a WebSocket to the web host that served this
 * page (the access token from the address's fragment goes in the connection params, see web-token.ts;
 * reconnecting with backoff).
 *
 * Also here: the connection state (for "Reconnecting…"), the single `events.stream` subscription
 * fanned out to listeners, and {@link describeError} for turning API errors into UI messages.
 *
 * Only types are imported from `src-main` (docs/design-decisions.md "Rooms and what they may import").
 * Those types reach into main-process modules that use Node (`node:fs`, `NodeJS.ProcessEnv`), so the
 * type checker needs Node's declarations to resolve `AppRouter`; nothing Node-only runs here.
 */
/// <reference types="node" />
import { createTRPCClient, createWSClient, TRPCClientError, wsLink, type TRPCLink } from '@trpc/client'
import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server'
import { createSubscriber } from 'svelte/reactivity'
import type { AppRouter } from '../../../src-main/api/router'
import type { ShepherdEvent } from '../../../src-main/shared/events'
import type { ShepherdErrorCode } from '../../../src-main/shared/errors'
import { createIpcLink, isElectron } from './ipc-link'
import { adoptToken, storedToken } from './web-token'

export type RouterInputs = inferRouterInputs<AppRouter>
export type RouterOutputs = inferRouterOutputs<AppRouter>
export type AppSettings = RouterOutputs['settings']['get']
export type AppInfo = RouterOutputs['app']['info']
export type ProviderDetection = RouterOutputs['settings']['providers'][number]

// ---- connection state ---------------------------------------------------------------------------

/** `unauthorized`: the web host refused this tab's access token (missing, or changed since). */
export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'unauthorized'

/** The web host closes a connection with this code when the token is not (or no longer) accepted. */
export const CLOSE_UNAUTHORIZED = 4401

/**
 * Reactive without runes (this is a plain `.ts` module): reading `state` inside a component or
 * `$derived` subscribes through `createSubscriber`, and `set()` notifies.
 */
class Connection {
  #state: ConnectionState = 'connecting'
  #notify: (() => void) | null = null
  #subscribe = createSubscriber((update) => {
    this.#notify = update
    return () => {
      this.#notify = null
    }
  })

  get state(): ConnectionState {
    this.#subscribe()
    return this.#state
  }

  /** True once the first connection opened and the socket is currently down. */
  get reconnecting(): boolean {
    return this.state === 'reconnecting'
  }

  get unauthorized(): boolean {
    return this.state === 'unauthorized'
  }

  set(next: ConnectionState): void {
    if (next === this.#state) return
    this.#state = next
    this.#notify?.()
  }
}

export const connection = new Connection()

// ---- the client ---------------------------------------------------------------------------------

/** Reconnect quickly at first (a restarted host is usually back within a second), then back off to 5 s. */
function retryDelayMs(attempt: number): number {
  return Math.min(250 * 2 ** attempt, 5_000)
}

function createLink(): TRPCLink<AppRouter> {
  if (isElectron()) {
    // The MessagePort has no reconnect: a reload gets a new port and a new client.
    connection.set('connected')
    return createIpcLink<AppRouter>()
  }
  let everOpened = false
  adoptToken()
  const client = createWSClient({
    url: `ws://${location.host}/`,
    retryDelayMs,
    // Read at every (re)connect: a token replaced from Settings is used at once.
    connectionParams: () => ({ token: storedToken() ?? '' }),
    onOpen() {
      everOpened = true
      // Opening is not being let in: a refused tab stays refused until it has a new address (reload).
      if (connection.state !== 'unauthorized') connection.set('connected')
    },
    onClose(event) {
      // Refused token: say so (App shows how to get the current address) instead of retrying.
      if (event?.code === CLOSE_UNAUTHORIZED) connection.set('unauthorized')
      else if (connection.state !== 'unauthorized') connection.set(everOpened ? 'reconnecting' : 'connecting')
    }
  })
  return wsLink<AppRouter>({ client })
}

export const api = createTRPCClient<AppRouter>({ links: [createLink()] })

// ---- errors -------------------------------------------------------------------------------------

export interface ApiErrorInfo {
  /** One sentence for a toast or an inline message. */
  message: string
  /** tRPC code (`BAD_REQUEST`, `CONFLICT`, …) or null for non-API errors. */
  code: string | null
  /** The domain code from the server's ShepherdError, when there was one. */
  shepherdCode: ShepherdErrorCode | null
  /** Per-field messages keyed by dotted path (`name`, `extraEnv.FOO`, `providers.claude.cliPath`). */
  fields: Record<string, string>
}

interface ShepherdErrorData {
  code?: string
  shepherdCode?: ShepherdErrorCode | null
  fields?: Record<string, string> | null
}

/** Turn anything thrown by an API call into something a person can read. */
export function describeError(err: unknown): ApiErrorInfo {
  if (err instanceof TRPCClientError) {
    const data = (err.data ?? {}) as ShepherdErrorData
    const fields = data.fields ?? {}
    let message = err.message
    // Input validation failures arrive with the zod issue list as their message: use the field text.
    if (message.trimStart().startsWith('[')) {
      const first = Object.values(fields)[0]
      message = first ? first : 'Some values are not valid.'
    }
    if (!data.code && /WebSocket|closed|disconnect/i.test(message)) message = 'Lost the connection to Shepherd. Try again once it is back.'
    return { message, code: data.code ?? null, shepherdCode: data.shepherdCode ?? null, fields }
  }
  if (err instanceof Error) return { message: err.message, code: null, shepherdCode: null, fields: {} }
  return { message: String(err), code: null, shepherdCode: null, fields: {} }
}

// ---- the live event stream ----------------------------------------------------------------------

export type EventListener = (event: ShepherdEvent, id: string) => void

/**
 * The one `events.stream` subscription, shared by the whole renderer. Listeners get every event;
 * filter by `type` / `projectId`. The last event id is kept: the WebSocket link re-subscribes with it
 * by itself; when the subscription ends with an error (IPC) it is restarted here with `lastEventId`.
 */
class EventStream {
  #listeners = new Set<EventListener>()
  #lastEventId: string | null = null
  #unsubscribe: (() => void) | null = null
  #retry: ReturnType<typeof setTimeout> | null = null

  get lastEventId(): string | null {
    return this.#lastEventId
  }

  /** Register a listener; starts the subscription on first use. Returns the unregister function. */
  on(listener: EventListener): () => void {
    this.#listeners.add(listener)
    this.#start()
    return () => {
      this.#listeners.delete(listener)
    }
  }

  #start(): void {
    if (this.#unsubscribe) return
    const sub = api.events.stream.subscribe(
      { lastEventId: this.#lastEventId },
      {
        onData: (envelope) => {
          this.#lastEventId = envelope.id
          for (const l of this.#listeners) {
            try {
              l(envelope.data, envelope.id)
            } catch (err) {
              console.error('event listener failed', err)
            }
          }
        },
        onError: (err) => {
          console.warn('event stream ended, resubscribing', err)
          this.#restart()
        }
      }
    )
    this.#unsubscribe = () => sub.unsubscribe()
  }

  #restart(): void {
    this.#unsubscribe?.()
    this.#unsubscribe = null
    if (this.#retry) return
    this.#retry = setTimeout(() => {
      this.#retry = null
      this.#start()
    }, 1_000)
  }
}

export const events = new EventStream()
