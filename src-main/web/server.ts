/**
 * The web host: the built renderer over HTTP and the tRPC router over WebSocket on one port,
 * bound to 127.0.0.1 only.
 *
 * The access token never leaves Shepherd's own page: the printed address carries it in the
 * fragment (`/#token=…`, which browsers never send to any server), the page keeps it in
 * `sessionStorage` and sends it in the WebSocket's tRPC `connectionParams`, and it is checked before
 * any procedure runs. No cookie: browsers send cookies to every port of a host, so another local
 * server (a dev server an agent started) would receive it. Static files are public (they hold no
 * data). Every request must name us in `Host` (127.0.0.1 / localhost with our port: DNS rebinding),
 * and a WebSocket's `Origin`, when sent, must be ours (other local pages cannot drive the API).
 */
import { createReadStream, existsSync } from 'node:fs'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { WebSocketServer, type WebSocket } from 'ws'
import { TRPCError } from '@trpc/server'
import { applyWSSHandler } from '@trpc/server/adapters/ws'
import type { Core } from '../core'
import { newToken, tokenMatches } from './access-token'
import { CSP, mimeOf, resolveInside } from './static-files'
import { handleExportRequest, isExportPath } from './export-route'
import { DownloadTickets } from './download-tickets'

/** WebSocket close code for "your token is not (or no longer) accepted": the page explains. */
export const CLOSE_UNAUTHORIZED = 4401

export interface WebHostOptions {
  core: Core
  rendererDir: string
  port?: number
  /** The access token (see access-token.ts); default: a random one for this run. */
  token?: string
  /** Make a new token (and store it): "New access token" in Settings. Default: a random one in memory. */
  rotateToken?: () => string
  /** A connection that has not shown the token by then is closed (default 10 s). */
  authTimeoutMs?: number
}

export interface WebHost {
  url: string
  port: number
  readonly token: string
  /** Replace the token; every connection holding the old one is closed with {@link CLOSE_UNAUTHORIZED}. */
  rotateToken(): { url: string; token: string }
  close(): Promise<void>
}

/** The page's URL for a token: the fragment is never sent to a server (nor in a Referer). */
export const pageUrl = (origin: string, token: string) => `${origin}/#token=${token}`

/** `Host` must be exactly 127.0.0.1 or localhost with our port (no other name: DNS rebinding). */
export function hostHeaderOk(host: string | undefined, port: number): boolean {
  return host === `127.0.0.1:${port}` || host === `localhost:${port}`
}

/** A WebSocket's Origin, when sent, must be one of our own two origins. */
export function originOk(origin: string | undefined, port: number): boolean {
  return origin === undefined || origin === `http://127.0.0.1:${port}` || origin === `http://localhost:${port}`
}

export async function startWebHost(opts: WebHostOptions): Promise<WebHost> {
  let token = opts.token ?? newToken()
  if (!existsSync(opts.rendererDir)) throw new Error(`renderer not built: ${opts.rendererDir} is missing (run npm run build)`)
  let port = 0
  /** Connections and the token each was admitted with, so a rotation can close the stale ones. */
  const admitted = new Map<WebSocket, string>()
  const tickets = new DownloadTickets()

  const server: Server = createServer((req, res) => {
    if (!hostHeaderOk(req.headers.host, port)) return misdirected(res)
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405).end()
      return
    }
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    // Exports: a GET the browser streams to disk, admitted by a one-time ticket (download-tickets.ts).
    if (isExportPath(url)) {
      const ticket = url.searchParams.get('ticket')
      url.searchParams.delete('ticket')
      if (!tickets.redeem(ticket, url.pathname + url.search)) {
        res.writeHead(401, { 'Content-Type': 'text/plain; charset=utf-8' }).end('401: this download link has expired; export again from Shepherd.')
        return
      }
      handleExportRequest(opts.core.store, url, req, res)
      return
    }
    const file = resolveInside(opts.rendererDir, url.pathname)
    if (!file) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found')
      return
    }
    res.writeHead(200, {
      'Content-Type': mimeOf(file),
      'Content-Security-Policy': CSP,
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': file.endsWith('.html') ? 'no-store' : 'private, max-age=3600'
    })
    if (req.method === 'HEAD') {
      res.end()
      return
    }
    createReadStream(file).pipe(res)
  })

  const wss = new WebSocketServer({ noServer: true, maxPayload: 8 * 1024 * 1024 })
  server.on('upgrade', (req: IncomingMessage, socket, head) => {
    if (!hostHeaderOk(req.headers.host, port) || !originOk(req.headers.origin, port)) {
      socket.write('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n')
      socket.destroy()
      return
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req))
  })
  // A socket that never sends its connection params must not be held open for ever.
  wss.on('connection', (ws) => {
    const timer = setTimeout(() => {
      if (!admitted.has(ws)) ws.close(CLOSE_UNAUTHORIZED, 'no access token')
    }, opts.authTimeoutMs ?? 10_000)
    ws.once('close', () => clearTimeout(timer))
  })
  const handler = applyWSSHandler({
    wss,
    router: opts.core.router,
    // Runs once per connection, before any of its procedures (tRPC waits for the connectionParams
    // message first when the URL says `connectionParams=1`); a throw closes the connection.
    createContext: ({ res, info }) => {
      const given = info.connectionParams?.token
      if (!tokenMatches(given, token)) {
        res.close(CLOSE_UNAUTHORIZED, 'access token not accepted')
        throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Access token not accepted: open Shepherd with the address it printed.' })
      }
      admitted.set(res, token)
      res.once('close', () => admitted.delete(res))
      return {
        ...opts.core.createContext(),
        transportBacklog: () => res.bufferedAmount,
        webAccess: {
          rotateToken: () => {
            const next = host.rotateToken()
            admitted.set(res, next.token) // the page that asked keeps its connection (it stores the new token)
            return next
          },
          downloadTicket: (path: string) => tickets.issue(path)
        }
      }
    },
    // Detect dead connections (laptop sleep, killed browser) so their subscriptions are released.
    keepAlive: { enabled: true, pingMs: 30_000, pongWaitMs: 5_000 }
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve())
  })
  port = (server.address() as AddressInfo).port
  const origin = `http://127.0.0.1:${port}`
  const host: WebHost = {
    url: pageUrl(origin, token),
    port,
    get token() {
      return token
    },
    rotateToken() {
      token = opts.rotateToken ? opts.rotateToken() : newToken()
      host.url = pageUrl(origin, token)
      // After the caller got its answer (with the new token): the old token's connections go.
      setTimeout(() => {
        for (const [ws, had] of admitted) if (had !== token) ws.close(CLOSE_UNAUTHORIZED, 'access token changed')
      }, 200).unref()
      return { url: host.url, token }
    },
    async close() {
      handler.broadcastReconnectNotification()
      for (const c of wss.clients) c.terminate()
      wss.close()
      server.closeAllConnections()
      await new Promise<void>((r) => server.close(() => r()))
    }
  }
  return host
}

function misdirected(res: ServerResponse) {
  res.writeHead(421, { 'Content-Type': 'text/plain; charset=utf-8' }).end('421: open Shepherd at http://127.0.0.1 with the address it printed.')
}
