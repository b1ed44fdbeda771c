/**
 * One-off measurement behind the choice of transport for OpenCode 2 (docs/design-decisions.md;
 * not part of `npm test`: run with SHEPHERD_MEASURE=1): the real pinned 2.1.2 binary against the
 * fake model server, driven raw (no Shepherd code) over its HTTP server (`opencode serve`, `/api/*`,
 * SSE `GET /api/event`) and over ACP (`opencode acp`, JSON-RPC on stdio), interleaved, ROUNDS times:
 * spawn → ready for a prompt (HTTP: password printed, event stream open, session created; ACP:
 * `initialize` + `session/new`), then PROMPTS prompts each: Enter → first text, Enter → turn over,
 * and the process's RSS afterwards.
 */
import { describe, expect, it } from 'vitest'
import { spawn, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import net from 'node:net'
import { startFakeModelServer } from '../support/fake-model-server.mjs'
import { makeOpenCodeSandbox } from '../support/opencode-sandbox'
import { opencode2BinaryPath } from '../support/opencode2-sandbox'

const RUN = process.env.SHEPHERD_MEASURE === '1'
const ROUNDS = 5
const PROMPTS = 3

interface Sample {
  ready: number
  first: number[]
  done: number[]
  rssMb: number
}

const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port
      s.close(() => resolve(port))
    })
  })
}

function kill(p: ChildProcess): Promise<void> {
  return new Promise((r) => {
    if (p.exitCode !== null) return r()
    p.once('exit', () => r())
    p.kill('SIGTERM')
  })
}

async function viaHttp(bin: string, cwd: string, env: Record<string, string>): Promise<Sample> {
  const port = await freePort()
  const t0 = performance.now()
  const p = spawn(bin, ['serve', '--hostname', '127.0.0.1', '--port', String(port)], { cwd, env, stdio: ['ignore', 'pipe', 'ignore'] })
  try {
    const password = await new Promise<string>((resolve) => {
      let out = ''
      p.stdout!.on('data', (d) => {
        out += d
        const m = /server password (\S+)/.exec(out)
        if (m) resolve(m[1]!)
      })
    })
    const base = `http://127.0.0.1:${port}`
    const auth = 'Basic ' + Buffer.from(`opencode:${password}`).toString('base64')
    const req = async (method: string, path: string, body?: unknown) => {
      const r = await fetch(base + path, {
        method,
        headers: { authorization: auth, 'content-type': 'application/json' },
        body: body ? JSON.stringify(body) : undefined
      })
      return (await r.json()) as { data?: { id?: string } }
    }
    let onEvent: (e: { type?: string; data?: { sessionID?: string } }) => void = () => {}
    const ev = await fetch(base + '/api/event', { headers: { authorization: auth, accept: 'text/event-stream' } })
    void (async () => {
      const rd = ev.body!.getReader()
      const dec = new TextDecoder()
      let buf = ''
      for (;;) {
        const { value, done } = await rd.read().catch(() => ({ value: undefined, done: true }))
        if (done) return
        buf += dec.decode(value)
        let i
        while ((i = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, i)
          buf = buf.slice(i + 1)
          if (line.startsWith('data:')) onEvent(JSON.parse(line.slice(5)))
        }
      }
    })()
    const sid = (await req('POST', '/api/session', { location: { directory: cwd } })).data!.id!
    const ready = performance.now() - t0
    const first: number[] = []
    const done: number[] = []
    for (let k = 0; k < PROMPTS; k++) {
      const tp = performance.now()
      let f: number | null = null
      const over = new Promise<void>(
        (r) =>
          (onEvent = (e) => {
            if (e.data?.sessionID !== sid) return
            if (e.type === 'session.text.delta' && f === null) f = performance.now() - tp
            if (e.type === 'session.execution.succeeded') r()
          })
      )
      await req('POST', `/api/session/${sid}/prompt`, { text: `hello ${k}` })
      await over
      first.push(f!)
      done.push(performance.now() - tp)
    }
    return { ready, first, done, rssMb: rssMb(p.pid!) }
  } finally {
    await kill(p)
  }
}

async function viaAcp(bin: string, cwd: string, env: Record<string, string>): Promise<Sample> {
  const t0 = performance.now()
  const p = spawn(bin, ['acp'], { cwd, env, stdio: ['pipe', 'pipe', 'ignore'] })
  try {
    let id = 0
    const pending = new Map<number, (m: { result?: { sessionId?: string } }) => void>()
    let onUpdate: (u: { sessionUpdate?: string }) => void = () => {}
    let buf = ''
    p.stdout!.on('data', (d) => {
      buf += d
      let i
      while ((i = buf.indexOf('\n')) >= 0) {
        const m = JSON.parse(buf.slice(0, i))
        buf = buf.slice(i + 1)
        if (m.id !== undefined && !m.method) pending.get(m.id)?.(m)
        else if (m.method === 'session/update') onUpdate(m.params.update)
      }
    })
    const call = (method: string, params: unknown) =>
      new Promise<{ result?: { sessionId?: string } }>((r) => {
        const i = ++id
        pending.set(i, r)
        p.stdin!.write(JSON.stringify({ jsonrpc: '2.0', id: i, method, params }) + '\n')
      })
    await call('initialize', { protocolVersion: 1, clientCapabilities: {} })
    const sid = (await call('session/new', { cwd, mcpServers: [] })).result!.sessionId!
    const ready = performance.now() - t0
    const first: number[] = []
    const done: number[] = []
    for (let k = 0; k < PROMPTS; k++) {
      const tp = performance.now()
      let f: number | null = null
      onUpdate = (u) => {
        if (u.sessionUpdate === 'agent_message_chunk' && f === null) f = performance.now() - tp
      }
      await call('session/prompt', { sessionId: sid, prompt: [{ type: 'text', text: `hello ${k}` }] })
      first.push(f!)
      done.push(performance.now() - tp)
    }
    return { ready, first, done, rssMb: rssMb(p.pid!) }
  } finally {
    await kill(p)
  }
}

describe.runIf(RUN)('OpenCode 2: HTTP server vs ACP', () => {
  it('measures both, interleaved', { timeout: 600_000 }, async () => {
    const server = await startFakeModelServer()
    const sb = makeOpenCodeSandbox(server.url)
    const bin = opencode2BinaryPath()
    const http: Sample[] = []
    const acp: Sample[] = []
    try {
      for (let r = 0; r < ROUNDS; r++) {
        // Alternate which goes first, so a warming disk cache favours neither.
        if (r % 2 === 0) {
          http.push(await viaHttp(bin, sb.projectDir, sb.env))
          acp.push(await viaAcp(bin, sb.projectDir, sb.env))
        } else {
          acp.push(await viaAcp(bin, sb.projectDir, sb.env))
          http.push(await viaHttp(bin, sb.projectDir, sb.env))
        }
      }
    } finally {
      sb.cleanup()
      await server.close()
    }
    const row = (name: string, s: Sample[]) =>
      `${name}: ready ${median(s.map((x) => x.ready)).toFixed(0)} ms · first prompt → first text ${median(s.map((x) => x.first[0]!)).toFixed(0)} ms · ` +
      `later prompts → first text ${median(s.flatMap((x) => x.first.slice(1))).toFixed(0)} ms, → turn over ${median(s.flatMap((x) => x.done.slice(1))).toFixed(0)} ms · RSS ${median(s.map((x) => x.rssMb)).toFixed(0)} MB`
    console.log(`medians of ${ROUNDS} rounds × ${PROMPTS} prompts\n${row('HTTP (opencode serve)', http)}\n${row('ACP  (opencode acp)  ', acp)}`)
    expect(http.length).toBe(ROUNDS)
    expect(acp.length).toBe(ROUNDS)
  })
})
