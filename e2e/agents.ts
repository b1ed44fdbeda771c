/**
 * E2E fixtures for specs that run the REAL Claude Code CLI (test/agents, pinned) against the fake
 * model server: each test gets its own fake server (in the test process), a throw-away HOME /
 * CLAUDE_CONFIG_DIR / TMPDIR, and a host whose environment points the CLI at the fake server with a
 * `claude` symlink first on PATH. Also a typed tRPC client for checks against the API (the DB).
 *
 * test/support/agents.ts does the same for Vitest but uses `import.meta`, which Playwright's CJS
 * transform cannot load, hence this small copy of the parts e2e needs.
 *
 * `providerTest` does the same for any of the real CLIs (Claude Code, Codex, OpenCode), chosen
 * with the `agent` option (sandboxes in e2e/provider-sandboxes.ts); `test` stays Claude-only.
 */
import { createTRPCClient, createWSClient, wsLink, type TRPCClient } from '@trpc/client'
import { existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, statSync, symlinkSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import WebSocket from 'ws'
import type { AppRouter } from '../src-main/api/router'
import type { FakeModelServer } from '../test/support/fake-model-server.mjs'
import { test as base, type ShepherdHost } from './fixtures'
import { makeProviderSandbox, type ProviderSandbox, type SandboxProvider } from './provider-sandboxes'

const ROOT = path.resolve(__dirname, '..')
const AGENTS = path.join(ROOT, 'test', 'agents', 'node_modules', '@anthropic-ai')

/** The native Claude Code binary installed for tests (scripts/install-test-agents.mjs). */
export function claudeBinary(): string | null {
  const exe = process.platform === 'win32' ? 'claude.exe' : 'claude'
  const arch = process.arch
  const candidates = [
    path.join(AGENTS, `claude-code-${process.platform}-${arch}`, exe),
    path.join(AGENTS, `claude-code-${process.platform}-${arch}-musl`, exe),
    path.join(AGENTS, 'claude-code', 'bin', 'claude.exe')
  ]
  for (const c of candidates) {
    try {
      const st = statSync(c)
      if (st.isFile() && st.size > 1024 * 1024) return c
    } catch {
      /* next */
    }
  }
  return null
}

export interface AgentSandbox {
  root: string
  /** Environment for the host (and, through its allowlist, the agent). */
  env: Record<string, string>
}

function makeSandbox(serverUrl: string, claude: string): AgentSandbox {
  const root = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'shepherd-e2e-agent-')))
  const home = path.join(root, 'home')
  const bin = path.join(root, 'bin')
  const tmp = path.join(root, 'tmp')
  const configDir = path.join(home, '.claude')
  for (const d of [home, bin, tmp, configDir]) mkdirSync(d, { recursive: true })
  symlinkSync(claude, path.join(bin, 'claude'))
  return {
    root,
    env: {
      PATH: `${bin}${path.delimiter}${process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin'}`,
      HOME: home,
      TMPDIR: tmp,
      SHELL: existsSync('/bin/bash') ? '/bin/bash' : '/bin/sh',
      LANG: 'C.UTF-8',
      CLAUDE_CONFIG_DIR: configDir,
      ANTHROPIC_BASE_URL: serverUrl.replace(/\/+$/, ''),
      ANTHROPIC_API_KEY: 'fake-key',
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      CLAUDE_CODE_MAX_RETRIES: '0',
      DISABLE_TELEMETRY: '1',
      DISABLE_AUTOUPDATER: '1',
      DISABLE_ERROR_REPORTING: '1'
    }
  }
}

interface AgentFixtures {
  /** The fake model server of this test. */
  model: FakeModelServer
  sandbox: AgentSandbox
}

export const test = base.extend<AgentFixtures>({
  model: async ({}, use) => {
    // A dynamic import: the server is an ES module and specs are compiled to CommonJS.
    const { startFakeModelServer } = await import('../test/support/fake-model-server.mjs')
    const server = await startFakeModelServer()
    await use(server)
    await server.close()
  },
  sandbox: async ({ model }, use) => {
    const claude = claudeBinary()
    if (!claude) throw new Error('Claude Code is not installed for tests: run node scripts/install-test-agents.mjs')
    const sb = makeSandbox(model.url, claude)
    await use(sb)
    rmSync(sb.root, { recursive: true, force: true, maxRetries: 3, retryDelay: 100 })
  },
  shepherdEnv: async ({ sandbox }, use) => {
    await use(sandbox.env)
  }
})

export { expect } from './fixtures'

/** A tRPC client on the host's WebSocket (token in the URL), for checks against the database. */
export function apiClient(host: ShepherdHost): { api: TRPCClient<AppRouter>; close(): void } {
  const ws = createWSClient({
    url: `${host.origin.replace(/^http/, 'ws')}/?token=${host.token}`,
    WebSocket: WebSocket as unknown as typeof globalThis.WebSocket
  })
  const api = createTRPCClient<AppRouter>({ links: [wsLink({ client: ws })] })
  return { api, close: () => void ws.close() }
}

// ---- one fixture set for every provider (e2e/providers.spec.ts) ---------------------------------

interface ProviderFixtures {
  /** Which real CLI this test runs: `providerTest.use({ agent: 'codex' })`. */
  agent: SandboxProvider
  /** That CLI's sandbox (config pointing at {@link AgentFixtures.model}, symlink on PATH, project folder). */
  agentSandbox: ProviderSandbox
}

/**
 * Like {@link test}, for the provider chosen with the `agent` option (default `claude`): the host's
 * environment is the sandbox of that provider only (e2e/provider-sandboxes.ts).
 */
export const providerTest = test.extend<ProviderFixtures>({
  agent: ['claude', { option: true }],
  agentSandbox: async ({ agent, model }, use) => {
    const sb = makeProviderSandbox(agent, model.url)
    await use(sb)
    rmSync(sb.root, { recursive: true, force: true, maxRetries: 3, retryDelay: 100 })
  },
  shepherdEnv: async ({ agentSandbox }, use) => {
    await use(agentSandbox.env)
  }
})
