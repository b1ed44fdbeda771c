/**
 * `opencode serve` processes, one per project folder: started on first use, shared by every
 * session of that folder (same binary and environment), stopped when the last one is released.
 * Each server listens on 127.0.0.1 on a free port with a random `OPENCODE_SERVER_PASSWORD` (basic
 * auth on every request) and has ONE `GET /event` stream, whose events are routed to the sessions
 * by OpenCode session id.
 */
import { createHash, randomBytes } from 'node:crypto'
import { realpathSync } from 'node:fs'
import net from 'node:net'
import { ShepherdError } from '../../shared/errors'
import type { ProviderExit } from '../types'
import { killGroup, spawnManaged, type ManagedProcess } from '../process'
import { ServerWarnings } from './server-warnings'
import { OpenCodeClient, OPENCODE_USERNAME, SseParser, errorText } from './client'
import { eventSessionId } from './parser'
import { serverConfigContent } from './permissions'

export const OPENCODE_DISPLAY_NAME = 'OpenCode'
export const OPENCODE_INSTALL_HINT = 'npm install -g opencode-ai'
/** Healthy after 1.1–2.1 s warm (docs/agent-cli.md §3); a cold first start on a slow disk takes longer. */
export const SERVER_START_TIMEOUT_MS = 30_000
/** A server started ahead of its first session (`prewarm`) waits this long for one, then stops. */
export const PREWARM_IDLE_MS = 10 * 60_000
/** Grace for a server shutdown (SIGTERM, then SIGKILL). */
export const SERVER_STOP_GRACE_MS = 3_000
/** Event stream reconnects: a few quick tries, then give up on the server. */
const RECONNECT_DELAYS_MS = [100, 250, 500, 1000, 2000, 2000, 2000]
const LISTENING_RE = /listening on (https?:\/\/[^\s]+)/

export interface ServerSpec {
  binaryPath: string
  cwd: string
  env: Record<string, string>
}

/** What a session registers to receive its events. */
export interface ServerListener {
  /** One parsed event (`{type, properties}`) of this session or of one of its subagent sessions. */
  event(event: unknown, raw: string): void
  /** The event stream was re-established: events may have been missed. */
  resync(): void
  /** The server process is gone (crash or kill); not called for a stop we asked for. */
  serverExit(exit: ProviderExit): void
}

/**
 * Safety net: servers run in their own process groups and would outlive an abrupt exit of
 * Shepherd (the supervisor stops them on a normal quit; the startup orphan sweep catches the rest).
 */
const liveServers = new Set<number>()
let exitHookInstalled = false
function installExitHook(): void {
  if (exitHookInstalled) return
  exitHookInstalled = true
  process.once('exit', () => {
    for (const pid of liveServers) {
      try {
        killGroup(pid, 'SIGKILL')
      } catch {
        /* already gone or not ours any more */
      }
    }
  })
}

export class OpenCodeServer {
  readonly client: OpenCodeClient
  readonly #proc: ManagedProcess
  readonly #listeners = new Map<string, ServerListener>()
  /** Subagent session id → the session it belongs to. */
  readonly #children = new Map<string, string>()
  #version: string | null = null
  #stopping: Promise<ProviderExit> | null = null
  #dead: ProviderExit | null = null
  #stream: AbortController | null = null
  #pauses = 0
  #streamLost = false
  #contextWindows: Promise<Map<string, number>> | null = null
  #resumeWaiters: (() => void)[] = []

  /** Warnings the server printed on stderr that matter to the user (each session shows them once). */
  warnings = new ServerWarnings()

  private constructor(proc: ManagedProcess, url: string, password: string) {
    this.#proc = proc
    this.client = new OpenCodeClient(url, password)
    liveServers.add(proc.pid)
    installExitHook()
    void proc.exited.then((exit) => {
      liveServers.delete(proc.pid)
      this.#onExit(exit)
    })
  }

  get pid(): number {
    return this.#proc.pid
  }

  get url(): string {
    return this.client.baseUrl
  }

  get version(): string | null {
    return this.#version
  }

  get alive(): boolean {
    return !this.#dead && !this.#stopping
  }

  get exited(): Promise<ProviderExit> {
    return this.#proc.exited
  }

  /** Start `opencode serve`, wait for its URL, connect the event stream. Throws SPAWN_FAILED / AGENT_NOT_FOUND. */
  static async launch(spec: ServerSpec, timeoutMs = SERVER_START_TIMEOUT_MS): Promise<OpenCodeServer> {
    const port = await freePort()
    const password = randomBytes(24).toString('base64url')
    let stdout = ''
    let announce: ((url: string) => void) | null = null
    const warnings = new ServerWarnings()
    const announced = new Promise<string>((resolve) => (announce = resolve))
    const proc = await spawnManaged(spec.binaryPath, ['serve', '--hostname=127.0.0.1', `--port=${port}`], {
      cwd: spec.cwd,
      // Our own credentials win over anything inherited (the user's env cannot open the server to others).
      env: {
        ...spec.env,
        OPENCODE_CONFIG_CONTENT: serverConfigContent(spec.env.OPENCODE_CONFIG_CONTENT),
        OPENCODE_SERVER_USERNAME: OPENCODE_USERNAME,
        OPENCODE_SERVER_PASSWORD: password
      },
      onStdout: (chunk) => {
        if (!announce) return // drained and dropped after startup
        stdout = (stdout + chunk.toString('utf8')).slice(-8192)
        const m = LISTENING_RE.exec(stdout)
        if (m) {
          const done = announce
          announce = null
          done(m[1] as string)
        }
      },
      onStderr: (chunk) => warnings.push(chunk),
      displayName: OPENCODE_DISPLAY_NAME,
      installHint: OPENCODE_INSTALL_HINT
    })
    const fail = async (why: string): Promise<never> => {
      const exit = await proc.stop(SERVER_STOP_GRACE_MS)
      const tail = exit.stderrTail.trim().split('\n').slice(-5).join('\n') || stdout.trim().slice(-500)
      throw new ShepherdError('SPAWN_FAILED', `OpenCode server ${why}${tail ? `: ${tail}` : ''}`)
    }
    let timer: NodeJS.Timeout | undefined
    const url = await Promise.race([
      announced,
      proc.exited.then((e) => ({ exit: e })),
      new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), timeoutMs)))
    ])
    clearTimeout(timer)
    if (url === 'timeout') return fail(`did not start within ${timeoutMs / 1000} s`)
    if (typeof url !== 'string') return fail(`exited during startup (code ${url.exit.code ?? url.exit.signal})`)
    const server = new OpenCodeServer(proc, url.replace(/\/+$/, ''), password)
    server.warnings = warnings
    try {
      await server.#connect(timeoutMs)
      const health = await server.client.request('GET', '/global/health')
      const b = health.body as { version?: unknown } | null
      server.#version = typeof b?.version === 'string' ? b.version : null
    } catch (err) {
      server.#stream?.abort()
      return fail(`did not accept connections (${(err as Error).message})`)
    }
    return server
  }

  /**
   * The model OpenCode uses when a prompt names none: `model` of its merged config (`GET /config`,
   * the project's `opencode.json` over the user's); null when none is set or the request fails.
   */
  async configuredModel(): Promise<string | null> {
    const res = await this.client.request('GET', '/config', undefined, { timeoutMs: 5_000 }).catch(() => null)
    const model = (res?.body as { model?: unknown } | null)?.model
    return typeof model === 'string' && model ? model : null
  }

  /**
   * A warmed server still spends seconds on the first prompt of its first session loading what
   * OpenCode loads lazily (the providers and their SDKs, agents, tools, commands, the project's VCS
   * state); measured on 1.18.33 with the fake model server, first text 11.5 s → 3.3 s after these
   * read-only requests. Failures are ignored: the first prompt then simply loads them itself.
   */
  async warmUp(): Promise<void> {
    await this.contextWindows()
    for (const path of ['/agent', '/experimental/tool/ids', '/command', '/file/status', '/vcs']) {
      if (!this.alive) return
      await this.client.request('GET', path, undefined, { accept: [400, 404] }).catch(() => null)
    }
  }

  /** Context window per `provider/model` from the server's config (fetched once; empty on failure). */
  contextWindows(): Promise<Map<string, number>> {
    this.#contextWindows ??= this.client.request('GET', '/config/providers').then(
      (res) => {
        const map = new Map<string, number>()
        const providers = (res.body as { providers?: unknown } | null)?.providers
        for (const p of Array.isArray(providers) ? providers : []) {
          const models = p && typeof p === 'object' ? (p as { id?: unknown; models?: unknown }) : {}
          if (typeof models.id !== 'string' || !models.models || typeof models.models !== 'object') continue
          for (const [id, m] of Object.entries(models.models as Record<string, { limit?: { context?: unknown } }>)) {
            const ctx = m?.limit?.context
            if (typeof ctx === 'number' && ctx > 0) map.set(`${models.id}/${id}`, ctx)
          }
        }
        return map
      },
      () => new Map()
    )
    return this.#contextWindows
  }

  /** Receive the events of `sessionId` (and of its subagents). Returns the unsubscribe function. */
  subscribe(sessionId: string, listener: ServerListener): () => void {
    this.#listeners.set(sessionId, listener)
    return () => {
      if (this.#listeners.get(sessionId) === listener) this.#listeners.delete(sessionId)
      for (const [child, parent] of this.#children) if (parent === sessionId) this.#children.delete(child)
    }
  }

  /** Back-pressure: stop reading the event stream while any session asked to pause. */
  pause(): void {
    this.#pauses++
  }

  resume(): void {
    if (this.#pauses === 0) return
    this.#pauses--
    if (this.#pauses === 0) for (const w of this.#resumeWaiters.splice(0)) w()
  }

  /** Stop the process group (idempotent). Listeners are not told: whoever stops the server knows. */
  stop(graceMs = SERVER_STOP_GRACE_MS): Promise<ProviderExit> {
    this.#stopping ??= (async () => {
      this.#stream?.abort()
      for (const w of this.#resumeWaiters.splice(0)) w()
      return this.#proc.stop(graceMs)
    })()
    return this.#stopping
  }

  #onExit(exit: ProviderExit): void {
    if (this.#streamLost) exit = { ...exit, stderrTail: `${exit.stderrTail}\nShepherd lost the OpenCode event stream and stopped the server.`.trim() }
    this.#dead = exit
    this.#stream?.abort()
    for (const w of this.#resumeWaiters.splice(0)) w()
    if (this.#stopping) return
    for (const listener of [...this.#listeners.values()]) {
      try {
        listener.serverExit(exit)
      } catch (err) {
        console.error('[opencode] serverExit listener threw', err)
      }
    }
    this.#listeners.clear()
  }

  /** Open `GET /event` and wait for `server.connected`; the read loop then runs until the stream ends. */
  async #connect(timeoutMs: number): Promise<void> {
    const ac = new AbortController()
    this.#stream = ac
    const timer = setTimeout(() => ac.abort(new Error(`no server.connected within ${timeoutMs / 1000} s`)), timeoutMs)
    let connected!: () => void
    const ready = new Promise<void>((r) => (connected = r))
    let res: Response
    try {
      res = await fetch(this.client.baseUrl + '/event', {
        headers: { authorization: this.client.authorization, accept: 'text/event-stream' },
        signal: ac.signal
      })
    } catch (err) {
      clearTimeout(timer)
      throw err
    }
    if (!res.ok || !res.body) {
      clearTimeout(timer)
      const body = await res.text().catch(() => '')
      ac.abort()
      throw new Error(`GET /event answered HTTP ${res.status}: ${errorText(body)}`)
    }
    const parser = new SseParser(
      (data) => this.#dispatch(data, connected),
      (bytes) => console.error(`[opencode] dropped an event of ${bytes} bytes`)
    )
    const loop = this.#read(res.body, parser, ac)
    try {
      await Promise.race([ready, loop.then(() => Promise.reject(new Error('the event stream ended before server.connected')))])
    } finally {
      clearTimeout(timer)
    }
    void loop.then(() => this.#reconnect(ac))
  }

  async #read(body: ReadableStream<Uint8Array>, parser: SseParser, ac: AbortController): Promise<void> {
    const reader = body.getReader()
    try {
      for (;;) {
        if (this.#pauses > 0 && !ac.signal.aborted) await new Promise<void>((r) => this.#resumeWaiters.push(r))
        const { done, value } = await reader.read()
        if (done) break
        parser.push(value)
      }
      parser.end()
    } catch {
      /* aborted or the connection dropped: the caller decides whether to reconnect */
    } finally {
      reader.releaseLock()
    }
  }

  async #reconnect(previous: AbortController): Promise<void> {
    if (this.#stream !== previous) return
    for (const delay of RECONNECT_DELAYS_MS) {
      if (!this.alive) return
      await new Promise((r) => setTimeout(r, delay))
      if (!this.alive) return
      try {
        await this.#connect(10_000)
      } catch {
        continue
      }
      for (const listener of [...this.#listeners.values()]) {
        try {
          listener.resync()
        } catch (err) {
          console.error('[opencode] resync listener threw', err)
        }
      }
      return
    }
    // The process is up but its event stream is not: unusable. Killing it reports the exit to every session.
    console.error('[opencode] event stream lost; stopping the server')
    this.#streamLost = true
    await this.#proc.stop(SERVER_STOP_GRACE_MS)
  }

  #dispatch(data: string, connected: () => void): void {
    let event: unknown
    try {
      event = JSON.parse(data)
    } catch {
      return
    }
    const e = event as { type?: unknown; properties?: { info?: { id?: unknown; parentID?: unknown } } }
    if (e.type === 'server.connected') connected()
    const sessionId = eventSessionId(event)
    if (!sessionId) return
    // Subagent sessions: route them (and their own subagents) to the session that started them.
    if (e.type === 'session.created') {
      const parent = e.properties?.info?.parentID
      const id = e.properties?.info?.id
      if (typeof parent === 'string' && typeof id === 'string') {
        const owner = this.#listeners.has(parent) ? parent : this.#children.get(parent)
        if (owner) this.#children.set(id, owner)
      }
    }
    const owner = this.#listeners.has(sessionId) ? sessionId : this.#children.get(sessionId)
    const listener = owner ? this.#listeners.get(owner) : undefined
    if (!listener) return
    try {
      listener.event(event, data)
    } catch (err) {
      console.error('[opencode] event listener threw', err)
    }
  }
}

/** A lease on a shared server: `release` once; the last release stops the server. */
export interface ServerLease {
  server: OpenCodeServer
  release(graceMs?: number): Promise<ProviderExit | null>
}

interface PoolEntry {
  key: string
  server: Promise<OpenCodeServer>
  refs: number
}

export class OpenCodeServerPool {
  readonly #entries = new Map<string, PoolEntry>()
  /** Warm-up leases by pool key: each keeps its server for `prewarmIdleMs` after the last warm-up. */
  readonly #warm = new Map<string, { lease: Promise<ServerLease | null>; timer: NodeJS.Timeout }>()

  constructor(
    private readonly startTimeoutMs = SERVER_START_TIMEOUT_MS,
    /** How long a warmed server waits for a session before it stops (sessions hold it longer). */
    readonly prewarmIdleMs = PREWARM_IDLE_MS
  ) {}

  /**
   * Start the server for this spec now (or keep the running one), held for `prewarmIdleMs` from the
   * latest call: the session that follows acquires the same server (same folder, binary and
   * environment) and its first prompt does not wait for the boot. Unused, it stops like any server
   * whose last lease ends; like every server it is in the host's watchdog and exit hook.
   */
  async prewarm(spec: ServerSpec): Promise<void> {
    const key = poolKey(spec)
    const held = this.#warm.get(key)
    const release = (lease: Promise<ServerLease | null>) => () => {
      if (this.#warm.get(key)?.lease !== lease) return
      this.#warm.delete(key)
      void lease.then((l) => l?.release())
    }
    if (held) {
      const alive = await held.lease.then((l) => l?.server.alive ?? false)
      if (alive && this.#warm.get(key) === held) {
        held.timer.refresh()
        return
      }
      if (this.#warm.get(key) === held) {
        clearTimeout(held.timer)
        this.#warm.delete(key)
        void held.lease.then((l) => l?.release())
      }
    }
    const lease = this.acquire(spec).catch((err) => {
      console.error('[opencode] warm-up failed', err)
      return null
    })
    const entry = { lease, timer: setTimeout(() => release(lease)(), this.prewarmIdleMs) }
    entry.timer.unref()
    this.#warm.set(key, entry)
    const got = await lease
    if (!got) return release(lease)()
    await got.server.warmUp()
  }

  /** Servers being held warm (tests). */
  get warmCount(): number {
    return this.#warm.size
  }

  /** Servers currently running or starting, by key (tests and diagnostics). */
  get size(): number {
    return this.#entries.size
  }

  /**
   * The server for this folder, binary and environment (a session with a different environment,
   * e.g. its own extra env, gets its own server: one process has one environment).
   */
  async acquire(spec: ServerSpec): Promise<ServerLease> {
    const key = poolKey(spec)
    let entry = this.#entries.get(key)
    if (entry) {
      const server = await entry.server.catch(() => null)
      if (!server || !server.alive) {
        if (this.#entries.get(key) === entry) this.#entries.delete(key)
        entry = undefined
      }
    }
    if (!entry) {
      const created: PoolEntry = { key, server: OpenCodeServer.launch(spec, this.startTimeoutMs), refs: 0 }
      entry = created
      this.#entries.set(key, created)
      created.server.then(
        (s) => void s.exited.then(() => this.#entries.get(key) === created && this.#entries.delete(key)),
        () => this.#entries.get(key) === created && this.#entries.delete(key)
      )
    }
    entry.refs++
    let server: OpenCodeServer
    try {
      server = await entry.server
    } catch (err) {
      entry.refs--
      throw err
    }
    const held = entry
    let released = false
    return {
      server,
      release: async (graceMs?: number) => {
        if (released) return null
        released = true
        held.refs--
        if (held.refs > 0) return null
        if (this.#entries.get(key) === held) this.#entries.delete(key)
        return server.stop(graceMs)
      }
    }
  }

  /** Stop every server (app quit, tests). */
  async shutdown(): Promise<void> {
    for (const w of this.#warm.values()) clearTimeout(w.timer)
    this.#warm.clear()
    const entries = [...this.#entries.values()]
    this.#entries.clear()
    await Promise.all(entries.map(async (e) => (await e.server.catch(() => null))?.stop()))
  }
}

function poolKey(spec: ServerSpec): string {
  let cwd = spec.cwd
  try {
    cwd = realpathSync(spec.cwd)
  } catch {
    /* spawn reports a missing folder */
  }
  const env = createHash('sha256')
    .update(JSON.stringify(Object.entries(spec.env).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))))
    .digest('hex')
  return `${spec.binaryPath}\0${cwd}\0${env}`
}

/** A port that was free a moment ago (the server is told to use it; a lost race fails the start). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer()
    srv.unref()
    srv.once('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address()
      const port = typeof addr === 'object' && addr ? addr.port : 0
      srv.close(() => (port ? resolve(port) : reject(new Error('no free port'))))
    })
  })
}
