/**
 * tRPC over Electron IPC: THE one module that touches electron-messageport-trpc (0.4.2) in main,
 * so the announced 0.5 API change (which removes `createWindowMessagePortHandler`) or a swap to
 * another transport touches only this file. See docs/design-decisions.md "Rooms and what they may import".
 *
 * How 0.4.2 works: on every `did-finish-load` of a window it creates a `MessageChannelMain`, posts
 * one end to the window's main frame (`webContents.postMessage('electron-messageport-trpc:init',
 * null, [port])`), and serves the router on the other end. Its `createContext` receives only
 * `{ window }` — no frame, URL or sender object. So the sender is validated here, twice
 * (docs/fault-catalogue.md SEC-4):
 * - at handover: the `did-finish-load` listener is wrapped, and the port is handed over only if
 *   the window is one we created and its main frame shows our origin;
 * - per request, in `createContext`: the same check again, else `TRPCError('FORBIDDEN')` and no
 *   procedure runs.
 * `webContents.postMessage` delivers to the main frame only (subframes never receive the port),
 * and the preload runs in the main frame only (no `nodeIntegrationInSubFrames`).
 */
import { TRPCError, type AnyRouter } from '@trpc/server'
import type { BrowserWindow, MessagePortMain, WebContents } from 'electron'
import {
  createWindowMessagePortHandler,
  type BrowserWindowLike,
  type RendererWebContentsLike,
  type WindowMessagePortHandler
} from 'electron-messageport-trpc/main'

/** What we know about the renderer at the other end of the port. */
export interface IpcSender {
  /** The port is delivered to the main frame; false for any subframe. */
  frameIsMain: boolean
  /** URL of the sender frame (the committed main-frame URL). */
  url: string
  webContentsId: number
}

/**
 * Pure sender check: main frame, a web contents we created, and a URL (parsed, not compared as a
 * string) whose scheme and host equal `origin` (`app://shepherd`, or the dev-server origin in dev).
 * Compares `protocol` + `host` because `URL#origin` is `"null"` for non-special schemes like `app:`.
 */
export function isTrustedSender(sender: IpcSender, trustedIds: ReadonlySet<number>, origin: string): boolean {
  if (!sender.frameIsMain || !trustedIds.has(sender.webContentsId)) return false
  let url: URL
  let expected: URL
  try {
    url = new URL(sender.url)
    expected = new URL(origin)
  } catch {
    return false
  }
  if (url.username !== '' || url.password !== '') return false
  return url.protocol === expected.protocol && url.host === expected.host && url.host !== ''
}

/** The sender as seen from main for a window's main frame. */
export function senderOf(contents: WebContents): IpcSender {
  let url = ''
  try {
    url = contents.mainFrame?.url ?? contents.getURL()
  } catch {
    // A destroyed web contents has no frame: leave the URL empty, which is never trusted.
  }
  return { frameIsMain: true, url, webContentsId: contents.id }
}

export interface IpcBridgeOptions<TRouter extends AnyRouter> {
  router: TRouter
  /** Builds the per-request context once the sender is validated. */
  createContext: () => object | Promise<object>
  /** Trusted renderer origin (`app://shepherd`, or the dev-server origin in dev). */
  origin: string
  log?: (message: string) => void
}

export interface IpcBridge {
  /** Serve the router to `win` (before it loads, so the first `did-finish-load` is seen). */
  attach(win: BrowserWindow): void
  /** Closes every port and aborts every running subscription. Idempotent. */
  dispose(): void
}

interface GuardedWindow extends BrowserWindowLike {
  readonly contents: WebContents
}

/**
 * A `BrowserWindowLike` view of `win` whose `did-finish-load` listeners only fire (i.e. the port
 * is only handed over) while the sender is trusted.
 */
function guardWindow(win: BrowserWindow, isTrusted: (contents: WebContents) => boolean, log: (m: string) => void): GuardedWindow {
  const contents = win.webContents
  const wrapped = new Map<() => void, () => void>()
  const webContents: RendererWebContentsLike = {
    postMessage: (channel, message, transfer) => contents.postMessage(channel, message, transfer as MessagePortMain[] | undefined),
    on: (_event, listener) => {
      const guarded = () => {
        if (isTrusted(contents)) listener()
        else log(`refused tRPC port handover to ${JSON.stringify(senderOf(contents).url.slice(0, 200))}`)
      }
      wrapped.set(listener, guarded)
      contents.on('did-finish-load', guarded)
    },
    off: (_event, listener) => {
      const guarded = wrapped.get(listener)
      if (!guarded) return
      wrapped.delete(listener)
      contents.off('did-finish-load', guarded)
    }
  }
  return {
    contents,
    webContents,
    on: (_event, listener) => void win.on('closed', listener),
    off: (_event, listener) => void win.off('closed', listener)
  }
}

const defaultLog = (message: string) => console.warn(`[shepherd:ipc] ${message}`)

/** Creates the bridge; one port handler per attached window. */
export function createIpcBridge<TRouter extends AnyRouter>(opts: IpcBridgeOptions<TRouter>): IpcBridge {
  const log = opts.log ?? defaultLog
  const trustedIds = new Set<number>()
  const handlers = new Map<number, WindowMessagePortHandler>()
  let disposed = false
  const isTrusted = (contents: WebContents) => isTrustedSender(senderOf(contents), trustedIds, opts.origin)

  return {
    attach(win) {
      if (disposed) throw new Error('IPC bridge already disposed')
      const guarded = guardWindow(win, isTrusted, log)
      const id = guarded.contents.id
      trustedIds.add(id)
      const handler = createWindowMessagePortHandler({
        router: opts.router,
        windows: [guarded],
        createContext: async ({ window }) => {
          if (!isTrusted(window.contents)) {
            log(`refused tRPC request from ${JSON.stringify(senderOf(window.contents).url.slice(0, 200))}`)
            throw new TRPCError({ code: 'FORBIDDEN', message: 'Untrusted IPC sender' })
          }
          return opts.createContext()
        }
      })
      handlers.set(id, handler)
      win.once('closed', () => {
        trustedIds.delete(id)
        const closing = handlers.get(id)
        handlers.delete(id)
        try {
          closing?.destroy()
        } catch (err) {
          log(`port handler cleanup failed: ${String(err)}`)
        }
      })
    },
    dispose() {
      if (disposed) return
      disposed = true
      for (const handler of handlers.values()) {
        try {
          handler.destroy()
        } catch (err) {
          log(`port handler cleanup failed: ${String(err)}`)
        }
      }
      handlers.clear()
      trustedIds.clear()
    }
  }
}
