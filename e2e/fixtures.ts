/**
 * Playwright fixtures for the web host. Each test gets its own temp data dir and its own host
 * (`node out/main/host.js` on a free port), so tests never share state or touch a real profile.
 *
 *   test.use({ shepherdEnv: { FAKE_MODEL_URL: '…' } })   // extra env for the host (and its agents)
 *   test('…', async ({ page, shepherd }) => { await page.goto(shepherd.url) })
 *
 * `out/main/host.js` must exist: the test script builds once before the run.
 */
import { test as base, expect, type Page } from '@playwright/test'
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { keepOnLoopback } from '../test/support/chromium-guard'

const ROOT = resolve(__dirname, '..')
const HOST_JS = join(ROOT, 'out/main/host.js')
/** Cold start with migrations is well under a second; 20 s covers a loaded CI machine. */
const START_TIMEOUT_MS = 20_000
/**
 * The host closes sockets, stops its agents and closes the DB on SIGTERM, within its own 6 s quit
 * deadline; killed only after that (a SIGKILL mid-quit would leave agent process groups behind).
 */
const STOP_TIMEOUT_MS = 10_000

export interface ShepherdHost {
  /** Address with the access token in its fragment (`http://127.0.0.1:<port>/#token=…`); the port changes on restart unless PORT is fixed. */
  readonly url: string
  /** `http://127.0.0.1:<port>` without the token. */
  readonly origin: string
  readonly token: string
  /** The host's data dir (database, logs); kept across {@link restart}. */
  readonly dataDir: string
  /** Everything the host printed (stdout + stderr). */
  readonly output: string
  /** Stop the host and start it again on the same data dir (same token: it is kept there; new port unless PORT is set). */
  restart(args?: string[]): Promise<void>
  /** Stop the host (SIGTERM, then SIGKILL). */
  stop(): Promise<void>
  /** Kill the host with SIGKILL (no exit handler runs), as a crash would; {@link restart} starts it again. */
  kill(): Promise<void>
}

interface Fixtures {
  /** Extra environment for the host process. */
  shepherdEnv: Record<string, string>
  shepherd: ShepherdHost
}

class HostProcess implements ShepherdHost {
  url = ''
  origin = ''
  token = ''
  output = ''
  #child: ChildProcess | null = null

  constructor(
    readonly dataDir: string,
    private readonly env: Record<string, string>
  ) {}

  async start(args: string[] = []): Promise<void> {
    if (!existsSync(HOST_JS)) throw new Error(`${HOST_JS} is missing: run \`npm run build\` before the e2e tests`)
    const env: Record<string, string | undefined> = { ...process.env, PORT: '0', SHEPHERD_DATA_DIR: this.dataDir, ...this.env }
    if (!('SHEPHERD_TOKEN' in this.env)) delete env.SHEPHERD_TOKEN
    const child = spawn(process.execPath, [HOST_JS, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] })
    this.#child = child
    child.stdout?.setEncoding('utf8')
    child.stderr?.setEncoding('utf8')
    child.stderr?.on('data', (chunk: string) => (this.output += chunk))

    this.url = await new Promise<string>((resolveUrl, reject) => {
      let buffered = ''
      const timer = setTimeout(() => fail(new Error(`host did not print SHEPHERD_URL within ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS)
      const fail = (err: Error) => {
        clearTimeout(timer)
        reject(new Error(`${err.message}\n--- host output ---\n${this.output}`))
      }
      child.stdout?.on('data', (chunk: string) => {
        this.output += chunk
        buffered += chunk
        const m = /^SHEPHERD_URL (\S+)$/m.exec(buffered)
        if (m?.[1]) {
          clearTimeout(timer)
          resolveUrl(m[1])
        }
      })
      child.once('error', fail)
      child.once('exit', (code, signal) => fail(new Error(`host exited early (code ${code}, signal ${signal})`)))
    })
    const u = new URL(this.url)
    this.origin = u.origin
    this.token = new URLSearchParams(u.hash.slice(1)).get('token') ?? ''
  }

  async stop(): Promise<void> {
    const child = this.#child
    this.#child = null
    if (!child || child.exitCode !== null || child.signalCode !== null) return
    const exited = new Promise<void>((r) => child.once('exit', () => r()))
    child.kill('SIGTERM')
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS)
    await exited
    clearTimeout(timer)
  }

  async kill(): Promise<void> {
    const child = this.#child
    if (!child || child.exitCode !== null || child.signalCode !== null) return
    const exited = new Promise<void>((r) => child.once('exit', () => r()))
    child.kill('SIGKILL')
    await exited
  }

  /** `args`: command-line flags for the new process (e.g. `--rotate-token`). */
  async restart(args: string[] = []): Promise<void> {
    await this.stop()
    await this.start(args)
  }
}

export const test = base.extend<Fixtures>({
  // Requests that leave the loopback interface are aborted (test/support/chromium-guard.ts).
  context: async ({ context }, use) => {
    await keepOnLoopback(context)
    await use(context)
  },
  shepherdEnv: [{}, { option: true }],
  shepherd: async ({ shepherdEnv }, use, testInfo) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'shepherd-e2e-'))
    const host = new HostProcess(dataDir, shepherdEnv)
    try {
      await host.start()
      await use(host)
    } finally {
      await host.stop()
      if (testInfo.status !== testInfo.expectedStatus) {
        await testInfo.attach('host-output.txt', { body: host.output, contentType: 'text/plain' })
      }
      rmSync(dataDir, { recursive: true, force: true })
    }
  }
})

/** Open the app (the token moves from the fragment into sessionStorage) and wait until the projects list has loaded. */
export async function openApp(page: Page, shepherd: ShepherdHost): Promise<void> {
  await page.goto(shepherd.url)
  await expect(page.getByRole('button', { name: 'Add project', exact: true })).toBeVisible()
  await expect(page.getByText('Loading projects…')).toHaveCount(0)
}

export { expect }
