/**
 * The web host's boundary (issue 12, items 1, 2 and 6), over real HTTP and WebSocket on 127.0.0.1:
 * the token is accepted only in the connection params, checked before any procedure runs; forged
 * Host headers and foreign Origins are refused; a rotation closes every other holder of the old token.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import { join } from 'node:path'
import { createTRPCClient, createWSClient, wsLink } from '@trpc/client'
import { afterEach, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { testCore } from '../../test/support/core'
import type { AppRouter } from '../api/router'
import { newToken } from './access-token'
import { CLOSE_UNAUTHORIZED, startWebHost, type WebHost } from './server'
import { CSP } from './static-files'

const cleanups: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

async function host(extra: { authTimeoutMs?: number } = {}): Promise<WebHost> {
  const t = testCore()
  const rendererDir = join(t.dataDir, 'renderer')
  mkdirSync(rendererDir)
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Shepherd</title>')
  const h = await startWebHost({ core: t.core, rendererDir, port: 0, token: newToken(), ...extra })
  cleanups.push(
    () => t.cleanup(),
    () => h.close()
  )
  return h
}

/** A raw GET with any Host header (fetch would not let us forge it). */
function get(port: number, path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (c: string) => (body += c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
    })
    req.on('error', reject)
    req.end()
  })
}

/** Open a raw WebSocket; resolves with how it ended: refused at the upgrade, or closed with a code. */
function rawSocket(url: string, opts: { headers?: Record<string, string>; firstMessage?: unknown; origin?: string } = {}) {
  return new Promise<{ refused?: number; closed?: number; messages: string[] }>((resolve) => {
    const ws = new WebSocket(url, { headers: opts.headers, origin: opts.origin })
    const messages: string[] = []
    ws.on('unexpected-response', (_req, res) => {
      resolve({ refused: res.statusCode, messages })
      ws.terminate()
    })
    ws.on('open', () => {
      if (opts.firstMessage !== undefined) ws.send(JSON.stringify(opts.firstMessage))
      // A procedure call right away: it must never run without the token.
      ws.send(JSON.stringify({ id: 1, method: 'query', params: { path: 'app.info' } }))
    })
    ws.on('message', (d) => messages.push(String(d)))
    ws.on('close', (code) => resolve({ closed: code, messages }))
    ws.on('error', () => {})
  })
}

function client(h: WebHost, token: string, onClose?: (code: number | undefined) => void) {
  const ws = createWSClient({
    url: `ws://127.0.0.1:${h.port}/`,
    connectionParams: () => ({ token }),
    WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
    retryDelayMs: () => 60_000,
    onClose: (e) => onClose?.(e?.code)
  })
  cleanups.push(() => void ws.close())
  return createTRPCClient<AppRouter>({ links: [wsLink({ client: ws })] })
}

describe('web host boundary', () => {
  it('prints the token in the fragment only, and serves static files without any credential or cookie', async () => {
    const h = await host()
    expect(h.url).toBe(`http://127.0.0.1:${h.port}/#token=${h.token}`)
    for (const host of [`127.0.0.1:${h.port}`, `localhost:${h.port}`]) {
      const r = await get(h.port, '/', { host })
      expect(r.status).toBe(200)
      expect(r.headers['set-cookie']).toBeUndefined()
      expect(r.headers['content-security-policy']).toBe(CSP)
      expect(r.body).not.toContain(h.token)
    }
    expect(CSP).toContain("connect-src 'self';")
    expect(CSP).not.toMatch(/ws:|\*/)
  })

  it.each([
    ['another name (DNS rebinding)', (p: number) => `evil.example:${p}`],
    ['our address on another port', () => '127.0.0.1:1'],
    ['no port', () => '127.0.0.1'],
    ['a suffix trick', (p: number) => `127.0.0.1:${p}.evil.example`],
    ['userinfo', (p: number) => `x@127.0.0.1:${p}`]
  ])('refuses a forged Host header: %s (HTTP 421, WebSocket 403)', async (_what, forge) => {
    const h = await host()
    const r = await get(h.port, '/', { host: forge(h.port) })
    expect(r.status).toBe(421)
    const ws = await rawSocket(`ws://127.0.0.1:${h.port}/`, {
      headers: { host: forge(h.port) },
      firstMessage: { method: 'connectionParams', data: { token: h.token } }
    })
    expect(ws.refused).toBe(403)
  })

  it('refuses a WebSocket from another origin, even with the right token', async () => {
    const h = await host()
    for (const origin of ['http://127.0.0.1:1', 'http://evil.example', 'null', `http://127.0.0.1:${h.port}.evil.example`]) {
      const ws = await rawSocket(`ws://127.0.0.1:${h.port}/?connectionParams=1`, {
        origin,
        firstMessage: { method: 'connectionParams', data: { token: h.token } }
      })
      expect([origin, ws.refused]).toEqual([origin, 403])
    }
  })

  it.each([
    ['no connection params at all', undefined, ''],
    ['an empty token', { method: 'connectionParams', data: { token: '' } }, '?connectionParams=1'],
    ['a wrong token of the same length', { method: 'connectionParams', data: { token: '0'.repeat(64) } }, '?connectionParams=1'],
    ['the token in the query instead (the old way)', { method: 'connectionParams', data: {} }, '?connectionParams=1&token=TOKEN'],
    ['a non-string token', { method: 'connectionParams', data: { token: 12 } }, '?connectionParams=1'],
    ['garbage first message', 'not json', '?connectionParams=1']
  ])('closes a connection with %s before any procedure runs', async (_what, first, query) => {
    const h = await host()
    const ws = await rawSocket(`ws://127.0.0.1:${h.port}/${query.replace('TOKEN', h.token)}`, { firstMessage: first })
    expect(ws.closed === CLOSE_UNAUTHORIZED || ws.closed === 1000 || ws.closed === 1005).toBe(true)
    // No result ever came back: only the refusal.
    expect(ws.messages.filter((m) => m.includes('"result"'))).toEqual([])
    expect(ws.messages.join('')).not.toContain('dataDir')
  })

  it('closes a connection that never shows its token', async () => {
    const h = await host({ authTimeoutMs: 300 })
    const code = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${h.port}/?connectionParams=1`)
      ws.on('close', (c) => resolve(c))
      ws.on('error', () => {})
    })
    expect(code).toBe(CLOSE_UNAUTHORIZED)
  })

  it('answers procedures with the token in the connection params', async () => {
    const h = await host()
    const api = client(h, h.token)
    expect((await api.app.info.query()).host).toBe('web')
  })

  it('rotating the token keeps the asking tab, closes every other holder of the old token (4401), and admits the new one', async () => {
    const h = await host()
    const old = h.token
    const asker = client(h, old)
    const closes: Array<number | undefined> = []
    const other = client(h, old, (code) => closes.push(code))
    await asker.app.info.query()
    await other.app.info.query()
    const next = await asker.app.rotateAccessToken.mutate()
    expect(next.token).not.toBe(old)
    expect(next.url).toBe(`http://127.0.0.1:${h.port}/#token=${next.token}`)
    await expect.poll(() => closes, { timeout: 5_000 }).toContain(CLOSE_UNAUTHORIZED)
    // The asker's connection is still up and usable.
    expect((await asker.app.info.query()).host).toBe('web')
    // The old token is refused from now on; the new one works.
    const stale = await rawSocket(`ws://127.0.0.1:${h.port}/?connectionParams=1`, { firstMessage: { method: 'connectionParams', data: { token: old } } })
    expect(stale.closed).toBe(CLOSE_UNAUTHORIZED)
    expect((await client(h, next.token).app.info.query()).host).toBe('web')
  })
})
