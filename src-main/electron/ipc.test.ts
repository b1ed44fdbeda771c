import { createTRPCClient, TRPCClientError } from '@trpc/client'
import { initTRPC } from '@trpc/server'
import { mainPortLink } from 'electron-messageport-trpc/main'
import { beforeEach, describe, expect, it, vi } from 'vitest'

vi.mock('electron', () => import('../../test/support/fake-electron'))

import * as fake from '../../test/support/fake-electron'
import { createIpcBridge, isTrustedSender, type IpcSender } from './ipc'

const APP = 'app://shepherd'
const DEV = 'http://localhost:5173'
const INIT_CHANNEL = 'electron-messageport-trpc:init'

describe('isTrustedSender (SEC-4)', () => {
  const trusted = new Set([7])
  const cases: Array<[string, IpcSender, string, boolean]> = [
    ['app page in our window', { frameIsMain: true, url: 'app://shepherd/index.html', webContentsId: 7 }, APP, true],
    ['app root', { frameIsMain: true, url: 'app://shepherd/', webContentsId: 7 }, APP, true],
    ['dev server page', { frameIsMain: true, url: 'http://localhost:5173/#/p/1', webContentsId: 7 }, DEV, true],
    ['subframe', { frameIsMain: false, url: 'app://shepherd/index.html', webContentsId: 7 }, APP, false],
    ['window we did not create', { frameIsMain: true, url: 'app://shepherd/index.html', webContentsId: 8 }, APP, false],
    ['foreign https origin', { frameIsMain: true, url: 'https://example.com/', webContentsId: 7 }, APP, false],
    ['file: URL', { frameIsMain: true, url: 'file:///work/main/out/renderer/index.html', webContentsId: 7 }, APP, false],
    ['look-alike host', { frameIsMain: true, url: 'app://shepherd.evil/index.html', webContentsId: 7 }, APP, false],
    ['host with port', { frameIsMain: true, url: 'app://shepherd:81/index.html', webContentsId: 7 }, APP, false],
    ['credentials in URL', { frameIsMain: true, url: 'app://evil@shepherd/index.html', webContentsId: 7 }, APP, false],
    ['other scheme, same host', { frameIsMain: true, url: 'http://shepherd/index.html', webContentsId: 7 }, APP, false],
    ['dev port mismatch', { frameIsMain: true, url: 'http://localhost:5174/', webContentsId: 7 }, DEV, false],
    ['app page while dev origin is trusted', { frameIsMain: true, url: 'app://shepherd/index.html', webContentsId: 7 }, DEV, false],
    ['empty URL', { frameIsMain: true, url: '', webContentsId: 7 }, APP, false],
    ['about:blank', { frameIsMain: true, url: 'about:blank', webContentsId: 7 }, APP, false],
    ['unparseable', { frameIsMain: true, url: 'app//shepherd', webContentsId: 7 }, APP, false]
  ]
  it.each(cases)('%s', (_name, sender, origin, expected) => {
    expect(isTrustedSender(sender, trusted, origin)).toBe(expected)
  })
})

function makeRouter() {
  const t = initTRPC.create()
  const calls = { ping: 0, finallyRan: 0 }
  const router = t.router({
    ping: t.procedure.query(() => {
      calls.ping += 1
      return 'pong'
    }),
    ticks: t.procedure.subscription(async function* (opts) {
      try {
        let n = 0
        while (!opts.signal?.aborted) {
          yield n++
          await new Promise((r) => setTimeout(r, 5))
        }
      } finally {
        calls.finallyRan += 1
      }
    })
  })
  return { router, calls }
}

type FakePort = fake.FakeMessagePortMain

function handedOverPort(win: fake.BrowserWindow): FakePort | undefined {
  const posted = win.webContents.posted.filter((p) => p.channel === INIT_CHANNEL)
  return posted.at(-1)?.transfer?.[0] as FakePort | undefined
}

function clientFor<TRouter extends ReturnType<typeof makeRouter>['router']>(port: FakePort) {
  return createTRPCClient<TRouter>({ links: [mainPortLink({ port })] })
}

describe('createIpcBridge', () => {
  beforeEach(() => fake.resetFakeElectron())

  it('hands a port to our window on load and serves the router over it', async () => {
    const { router } = makeRouter()
    const createContext = vi.fn(() => ({ host: 'electron' }))
    const bridge = createIpcBridge({ router, createContext, origin: APP, log: () => {} })
    const win = new fake.BrowserWindow({})
    bridge.attach(win as never)
    win.webContents.finishLoad('app://shepherd/index.html')
    const port = handedOverPort(win)
    expect(port).toBeInstanceOf(fake.FakeMessagePortMain)
    const client = clientFor<typeof router>(port!)
    await expect(client.ping.query()).resolves.toBe('pong')
    expect(createContext).toHaveBeenCalledTimes(1)
    bridge.dispose()
  })

  it('trusts the dev-server origin in dev', async () => {
    const { router } = makeRouter()
    const bridge = createIpcBridge({ router, createContext: () => ({}), origin: DEV, log: () => {} })
    const win = new fake.BrowserWindow({})
    bridge.attach(win as never)
    win.webContents.finishLoad('http://localhost:5173/')
    await expect(clientFor<typeof router>(handedOverPort(win)!).ping.query()).resolves.toBe('pong')
    bridge.dispose()
  })

  it('refuses the handover when the page is not ours', () => {
    const { router } = makeRouter()
    const log = vi.fn()
    const bridge = createIpcBridge({ router, createContext: () => ({}), origin: APP, log })
    const win = new fake.BrowserWindow({})
    bridge.attach(win as never)
    win.webContents.finishLoad('https://attacker.example/')
    expect(handedOverPort(win)).toBeUndefined()
    expect(log).toHaveBeenCalledWith(expect.stringContaining('refused tRPC port handover'))
    bridge.dispose()
  })

  it('never hands a port to a window it did not create', () => {
    const { router } = makeRouter()
    const bridge = createIpcBridge({ router, createContext: () => ({}), origin: APP, log: () => {} })
    const ours = new fake.BrowserWindow({})
    const other = new fake.BrowserWindow({})
    bridge.attach(ours as never)
    other.webContents.finishLoad('app://shepherd/index.html')
    expect(handedOverPort(other)).toBeUndefined()
    bridge.dispose()
  })

  it('answers FORBIDDEN and runs no procedure once the sender is no longer trusted', async () => {
    const { router, calls } = makeRouter()
    const createContext = vi.fn(() => ({}))
    const bridge = createIpcBridge({ router, createContext, origin: APP, log: () => {} })
    const win = new fake.BrowserWindow({})
    bridge.attach(win as never)
    win.webContents.finishLoad('app://shepherd/index.html')
    const client = clientFor<typeof router>(handedOverPort(win)!)
    win.webContents.mainFrame.url = 'https://attacker.example/'
    const err = await client.ping.query().catch((e: unknown) => e)
    expect(err).toBeInstanceOf(TRPCClientError)
    expect((err as TRPCClientError<typeof router>).data?.code).toBe('FORBIDDEN')
    expect(calls.ping).toBe(0)
    expect(createContext).not.toHaveBeenCalled()
    bridge.dispose()
  })

  it('gives a new port on every load (reload) and forgets a closed window', async () => {
    const { router } = makeRouter()
    const bridge = createIpcBridge({ router, createContext: () => ({}), origin: APP, log: () => {} })
    const win = new fake.BrowserWindow({})
    bridge.attach(win as never)
    win.webContents.finishLoad('app://shepherd/index.html')
    const first = handedOverPort(win)!
    win.webContents.finishLoad('app://shepherd/index.html')
    const second = handedOverPort(win)!
    expect(second).not.toBe(first)
    expect(first.closed).toBe(true)
    win.close()
    expect(second.closed).toBe(true)
    bridge.dispose()
  })

  it('dispose closes ports and aborts running subscriptions', async () => {
    const { router, calls } = makeRouter()
    const bridge = createIpcBridge({ router, createContext: () => ({}), origin: APP, log: () => {} })
    const win = new fake.BrowserWindow({})
    bridge.attach(win as never)
    win.webContents.finishLoad('app://shepherd/index.html')
    const port = handedOverPort(win)!
    const client = clientFor<typeof router>(port)
    const seen: number[] = []
    await new Promise<void>((resolve) => {
      client.ticks.subscribe(undefined, {
        onData: (n) => {
          seen.push(n)
          if (seen.length === 2) resolve()
        }
      })
    })
    bridge.dispose()
    await vi.waitFor(() => expect(calls.finallyRan).toBe(1))
    expect(port.closed).toBe(true)
    expect(() => bridge.attach(new fake.BrowserWindow({}) as never)).toThrow(/disposed/)
  })
})
