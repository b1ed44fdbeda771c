/**
 * The real web host as a child process (`node out/main/host.js`) and a tRPC WebSocket client for it
 * (the same router and transport the renderer uses), for the parts that need a separate process:
 * latency, big transcript, startup, idle and the kill -9 soak.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { createTRPCClient, createWSClient, wsLink, type TRPCClient } from '@trpc/client'
import WebSocket from 'ws'
import type { AppRouter } from '../../src-main/api/router'
import { HOST_JS, ROOT } from './paths'
import { wallNow } from './synthetic'

export interface HostProcess {
  child: ChildProcess
  pid: number
  url: string
  origin: string
  token: string
  port: number
  /** Wall time from spawn to the `SHEPHERD_URL` line (ms). */
  readyMs: number
  output(): string
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
  stop(graceMs?: number): Promise<void>
  /** SIGKILL now; resolves when the process is gone. */
  kill9(): Promise<void>
}

export async function startHost(dataDir: string, env: Record<string, string> = {}, timeoutMs = 60_000): Promise<HostProcess> {
  const t0 = wallNow()
  const child = spawn(process.execPath, [HOST_JS], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', SHEPHERD_DATA_DIR: dataDir, ...env },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let out = ''
  child.stdout!.setEncoding('utf8')
  child.stderr!.setEncoding('utf8')
  child.stderr!.on('data', (c: string) => {
    out += c
  })
  const exited = new Promise<void>((r) => child.once('exit', () => r()))
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`host did not start within ${timeoutMs} ms\n${out}`)), timeoutMs)
    child.stdout!.on('data', (c: string) => {
      out += c
      const m = /^SHEPHERD_URL (\S+)$/m.exec(out)
      if (m?.[1]) {
        clearTimeout(timer)
        resolve(m[1])
      }
    })
    child.once('exit', (code, signal) => {
      clearTimeout(timer)
      reject(new Error(`host exited during start-up (${code ?? signal})\n${out}`))
    })
  })
  const readyMs = wallNow() - t0
  const u = new URL(url)
  const gone = () => child.exitCode !== null || child.signalCode !== null
  return {
    child,
    pid: child.pid!,
    url,
    origin: u.origin,
    token: new URLSearchParams(u.hash.slice(1)).get('token') ?? '',
    port: Number(u.port),
    readyMs,
    output: () => out,
    async stop(graceMs = 8_000) {
      if (gone()) return
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
      await exited
      clearTimeout(timer)
    },
    async kill9() {
      if (gone()) return
      child.kill('SIGKILL')
      await exited
    }
  }
}

export type HostClient = TRPCClient<AppRouter>

/** A tRPC client over WebSocket with the access token in the connection params (as the page sends it). */
export function connectHost(host: Pick<HostProcess, 'port' | 'token'>): { client: HostClient; close(): void } {
  const ws = createWSClient({
    url: `ws://127.0.0.1:${host.port}/`,
    connectionParams: { token: host.token },
    WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
    retryDelayMs: () => 200
  })
  const client = createTRPCClient<AppRouter>({ links: [wsLink({ client: ws })] })
  return { client, close: () => void ws.close() }
}
