/**
 * The export and import procedures and the web host's download route: bad input gets a typed error,
 * a host without a save dialog says so, and the download streams the same document the file has.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { existsSync, mkdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { TRPCError } from '@trpc/server'
import { testCore } from '../../../test/support/core'
import { tempDir } from '../../../test/support/temp'
import { startWebHost } from '../../web/server'
import { createTRPCClient, createWSClient, wsLink } from '@trpc/client'
import WebSocket from 'ws'
import { createCore } from '../../core'
import { createCallerFactory } from '../trpc'
import { appRouter, type AppRouter } from '../router'

const cleanups: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p
  } catch (err) {
    return err instanceof TRPCError ? err.code : `not a TRPCError: ${String(err)}`
  }
  return 'no error'
}

async function setup() {
  const t = testCore()
  const d = tempDir('shepherd-exp-')
  cleanups.push(t.cleanup, d.cleanup)
  const path = join(d.dir, 'proj')
  mkdirSync(path)
  const project = await t.caller.projects.add({ path })
  t.core.store.insertSession({
    id: 's1',
    projectId: project.id,
    provider: 'codex',
    model: null,
    permissionMode: 'default',
    cwd: path,
    title: 'Ünïcode "title"',
    systemPrompt: null,
    extraEnv: {},
    status: 'done',
    now: Date.now()
  })
  t.core.store.insertMessages([
    {
      session_id: 's1',
      seq: 1,
      kind: 'user',
      text: 'hello <world>',
      tool_name: null,
      tool_input: null,
      tool_path: null,
      tool_use_id: null,
      parent_id: null,
      is_error: 0,
      created_at: 1
    }
  ])
  t.core.store.updateSession('s1', { last_seq: 1 })
  return { ...t, dir: d.dir, project }
}

describe('exports router', () => {
  it('writes to a given absolute path; refuses relative paths, unknown formats and sessions with typed errors', async () => {
    const s = await setup()
    const r = await s.caller.exports.toFile({ sessionId: 's1', format: 'markdown', path: join(s.dir, 'a.md') })
    expect(r).toMatchObject({ saved: true, upToSeq: 1, messages: 1 })
    expect(readFileSync(join(s.dir, 'a.md'), 'utf8')).toContain('hello <world>')
    expect(await codeOf(s.caller.exports.toFile({ sessionId: 's1', format: 'markdown', path: 'rel/a.md' }))).toBe('BAD_REQUEST')
    expect(await codeOf(s.caller.exports.toFile({ sessionId: 's1', format: 'pdf' as never, path: join(s.dir, 'a.pdf') }))).toBe('BAD_REQUEST')
    expect(await codeOf(s.caller.exports.toFile({ sessionId: 'nope', format: 'json', path: join(s.dir, 'n.json') }))).toBe('NOT_FOUND')
    expect(await codeOf(s.caller.exports.toFile({ sessionId: 's1', format: 'json', path: join(s.dir, 'missing-dir', 'x.json') }))).toBe('BAD_REQUEST')
    // The web host has no save dialog: the API says to download instead.
    expect(await codeOf(s.caller.exports.toFile({ sessionId: 's1', format: 'json' }))).toBe('METHOD_NOT_SUPPORTED')
    expect((await s.caller.exports.messageMarkdown({ sessionId: 's1', seq: 1 })).markdown).toContain('**You**')
    expect(await codeOf(s.caller.exports.messageMarkdown({ sessionId: 's1', seq: 9 }))).toBe('NOT_FOUND')
  })

  it('Electron: without a path it asks the save dialog of the host; cancelling saves nothing', async () => {
    const d = tempDir('shepherd-exp-el-')
    cleanups.push(d.cleanup)
    let answer: string | null = join(d.dir, 'chosen.html')
    const asked: unknown[] = []
    const core = createCore({
      dataDir: d.dir,
      host: {
        kind: 'electron',
        pickSavePath: async (name, format) => {
          asked.push([name, format])
          return answer
        }
      },
      providers: [],
      log: () => {}
    })
    cleanups.unshift(() => core.dispose())
    const caller = createCallerFactory(appRouter)(core.createContext())
    const project = await caller.projects.add({ path: d.dir })
    core.store.insertSession({
      id: 's1',
      projectId: project.id,
      provider: 'claude',
      model: null,
      permissionMode: 'default',
      cwd: d.dir,
      title: 'Fix login',
      systemPrompt: null,
      extraEnv: {},
      status: 'done',
      now: Date.UTC(2026, 0, 2)
    })
    expect(await caller.exports.toFile({ sessionId: 's1', format: 'html' })).toMatchObject({ saved: true, path: join(d.dir, 'chosen.html'), upToSeq: 0 })
    expect(asked).toEqual([['Fix-login-2026-01-02.html', 'html']])
    expect(readFileSync(join(d.dir, 'chosen.html'), 'utf8')).toContain('<title>Fix login</title>')
    answer = null
    expect(await caller.exports.toFile({ sessionId: 's1', format: 'json' })).toEqual({ saved: false, path: null })
  })

  it('imports: unknown project is NOT_FOUND; an empty folder scans to nothing', async () => {
    const s = await setup()
    expect(await codeOf(s.caller.imports.scan({ projectId: 'nope' }))).toBe('NOT_FOUND')
    expect(await codeOf(s.caller.imports.start({ projectId: 'bad id!' }))).toBe('BAD_REQUEST')
    expect(await s.caller.imports.status({ projectId: s.project.id })).toBeNull()
  })
})

const RENDERER = resolve(__dirname, '../../../out/renderer')

describe.runIf(existsSync(RENDERER))('web host GET /export/<id>', () => {
  it('streams the export to a holder of a one-time ticket, with its snapshot seq; 400/404/401 otherwise', async () => {
    const s = await setup()
    const host = await startWebHost({ core: s.core, rendererDir: RENDERER, port: 0, token: 'a'.repeat(64) })
    cleanups.unshift(() => host.close())
    const base = `http://127.0.0.1:${host.port}`
    const ws = createWSClient({
      url: `ws://127.0.0.1:${host.port}/`,
      connectionParams: { token: host.token },
      WebSocket: WebSocket as unknown as typeof globalThis.WebSocket
    })
    cleanups.unshift(() => ws.close())
    const api = createTRPCClient<AppRouter>({ links: [wsLink({ client: ws })] })
    const link = async (format: 'json' | 'html', id = 's1') => `${base}${(await api.exports.downloadUrl.mutate({ sessionId: id, format })).url}`

    const url = await link('json')
    const res = await fetch(url)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-disposition')).toMatch(
      /^attachment; filename="_nicode-_title_-\d{4}-\d\d-\d\d\.json"|^attachment; filename=".*\.json"; filename\*=UTF-8''%C3%9Cn%C3%AFcode/
    )
    expect(res.headers.get('x-shepherd-snapshot-seq')).toBe('1')
    const doc = (await res.json()) as { messages: unknown[] }
    expect(doc.messages).toEqual([expect.objectContaining({ seq: 1, text: 'hello <world>' })])
    // A ticket is good once, for its own path only; the access token opens nothing over HTTP.
    expect((await fetch(url)).status).toBe(401)
    expect((await fetch((await link('html')).replace('format=html', 'format=json'))).status).toBe(401)
    expect((await fetch(`${base}/export/s1?format=html&token=${host.token}`)).status).toBe(401)
    expect((await fetch(`${base}/export/s1?format=html`)).status).toBe(401)
    expect((await fetch(`${base}/export/s1?format=pdf&ticket=x`)).status).toBe(401)
    await expect(api.exports.downloadUrl.mutate({ sessionId: 'nope', format: 'html' })).rejects.toThrow(/no session/)
  })
})
