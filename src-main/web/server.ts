/**
 * The web host: the built renderer over HTTP and the tRPC router over WebSocket on one port,
 * bound to 127.0.0.1 only and guarded by a random token (given in the printed URL, then kept in
 * an HttpOnly SameSite=Strict cookie). Anything without the token gets 401.
 */
import { createReadStream, existsSync } from 'node:fs'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { randomBytes, timingSafeEqual } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import { WebSocketServer } from 'ws'
import { applyWSSHandler } from '@trpc/server/adapters/ws'
import type { Core } from '../core'
import { CSP, mimeOf, resolveInside } from './static-files'
import { handleExportRequest } from './export-route'

export const TOKEN_COOKIE = 'shepherd_token'

export interface WebHostOptions {
  core: Core
  rendererDir: string
  port?: number
  /** Fixed token (tests); default: 32 random bytes. */
  token?: string
}

export interface WebHost {
  url: string
  port: number
  token: string
  close(): Promise<void>
}

export async function startWebHost(opts: WebHostOptions): Promise<WebHost> {
  const token = opts.token ?? randomBytes(32).toString('hex')
  if (!existsSync(opts.rendererDir)) throw new Error(`renderer not built: ${opts.rendererDir} is missing (run npm run build)`)
  let origin = ''

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    const queryToken = url.searchParams.get('token')
    if (!tokenOk(queryToken, token) && !tokenOk(cookieToken(req), token)) return deny(res)
    if (req.method !== 'GET' && req.method !== 'HEAD') { res.writeHead(405).end(); return }
    if (queryToken) {
      // Move the token into a cookie and drop it from the address bar.
      res.setHeader('Set-Cookie', `${TOKEN_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`)
      url.searchParams.delete('token')
      if (url.pathname === '/' || url.pathname === '/index.html') {
        res.writeHead(303, { Location: url.pathname + url.search }).end()
        return
      }
    }
    if (handleExportRequest(opts.core.store, url, req, res)) return
    const file = resolveInside(opts.rendererDir, url.pathname)
    if (!file) { res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found'); return }
    res.writeHead(200, {
      'Content-Type': mimeOf(file), 'Content-Security-Policy': CSP, 'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer', 'Cache-Control': file.endsWith('.html') ? 'no-store' : 'private, max-age=3600'
    })
    if (req.method === 'HEAD') { res.end(); return }
    createReadStream(file).pipe(res)
  })

  const wss = new WebSocketServer({ noServer: true, maxPayload: 8 * 1024 * 1024 })
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    const authed = tokenOk(url.searchParams.get('token'), token) || tokenOk(cookieToken(req), token)
    // Other local web pages must not drive the API: the Origin, when sent, must be ours.
    const originOk = !req.headers.origin || req.headers.origin === origin || req.headers.origin === origin.replace('127.0.0.1', 'localhost')
    if (!authed || !originOk) {
      socket.write('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n')
      socket.destroy()
      return
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req))
  })
  const handler = applyWSSHandler({
    wss, router: opts.core.router,
    createContext: ({ res }) => ({ ...opts.core.createContext(), transportBacklog: () => res.bufferedAmount }),
    // Detect dead connections (laptop sleep, killed browser) so their subscriptions are released.
    keepAlive: { enabled: true, pingMs: 30_000, pongWaitMs: 5_000 }
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve())
  })
  const port = (server.address() as AddressInfo).port
  origin = `http://127.0.0.1:${port}`
  return {
    url: `${origin}/?token=${token}`,
    port,
    token,
    async close() {
      handler.broadcastReconnectNotification()
      for (const c of wss.clients) c.terminate()
      wss.close()
      server.closeAllConnections()
      await new Promise<void>((r) => server.close(() => r()))
    }
  }
}

function deny(res: ServerResponse) {
  res.writeHead(401, { 'Content-Type': 'text/plain; charset=utf-8' }).end('401: open Shepherd with the address it printed (it carries the access token).')
}

function cookieToken(req: IncomingMessage): string | null {
  const m = /(?:^|;\s*)shepherd_token=([A-Za-z0-9]+)/.exec(req.headers.cookie ?? '')
  return m?.[1] ?? null
}

function tokenOk(given: string | null, token: string): boolean {
  if (!given || given.length !== token.length) return false
  return timingSafeEqual(Buffer.from(given), Buffer.from(token))
}
