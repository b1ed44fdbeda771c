/**
 * Renderer side of tRPC over Electron IPC (electron-messageport-trpc 0.4.2). The only renderer
 * file that knows the adapter; the web build uses a WebSocket link instead (see `isElectron`).
 */
import type { TRPCLink } from '@trpc/client'
import type { AnyRouter } from '@trpc/server'
import { getPort, portLink } from 'electron-messageport-trpc/renderer'

/** True inside the Electron window: the preload exposed `window.electronTRPCPort`. */
export function isElectron(): boolean {
  return typeof window !== 'undefined' && 'electronTRPCPort' in window
}

/**
 * A tRPC link over the MessagePort handed over by main. Call only when {@link isElectron}
 * (`getPort()` throws otherwise). The link does not reconnect by itself: a window reload gets a new
 * port and a new client.
 */
export function createIpcLink<TRouter extends AnyRouter>(): TRPCLink<TRouter> {
  return portLink<TRouter>({ port: getPort() })
}
