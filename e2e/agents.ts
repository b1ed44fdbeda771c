/**
 * E2E fixtures for specs that run the REAL Claude Code CLI (test/agents, pinned) against the fake
 * model server: each test gets its own fake server (in the test process), a throw-away HOME /
 * CLAUDE_CONFIG_DIR / TMPDIR, and a host whose environment points the CLI at the fake server with a
 * `claude` symlink first on PATH. Also a typed tRPC client for checks against the API (the DB).
 *
 * `providerTest` does the same for any of the real CLIs (Claude Code, Codex, OpenCode), chosen
 * with the `agent` option (sandboxes in e2e/provider-sandboxes.ts); `test` stays Claude-only.
 */
import { createTRPCClient, createWSClient, wsLink, type TRPCClient } from '@trpc/client'
import { rmSync } from 'node:fs'
import WebSocket from 'ws'
import type { AppRouter } from '../src-main/api/router'
import type { FakeModelServer } from '../test/support/fake-model-server.mjs'
import { test as base, type ShepherdHost } from './fixtures'
import { makeProviderSandbox, type ProviderSandbox, type SandboxProvider } from './provider-sandboxes'

interface AgentFixtures {
  /** The fake model server of this test. */
  model: FakeModelServer
  /** Claude Code's sandbox (e2e/provider-sandboxes.ts). */
  sandbox: ProviderSandbox
}

export const test = base.extend<AgentFixtures>({
  // eslint-disable-next-line no-empty-pattern -- Playwright reads the fixture's dependencies from this pattern
  model: async ({}, use) => {
    // A dynamic import: the server is an ES module and specs are compiled to CommonJS.
    const { startFakeModelServer } = await import('../test/support/fake-model-server.mjs')
    const server = await startFakeModelServer()
    await use(server)
    await server.close()
  },
  sandbox: async ({ model }, use) => {
    const sb = makeProviderSandbox('claude', model.url)
    await use(sb)
    rmSync(sb.root, { recursive: true, force: true, maxRetries: 3, retryDelay: 100 })
  },
  shepherdEnv: async ({ sandbox }, use) => {
    await use(sandbox.env)
  }
})

export { expect } from './fixtures'

/** A tRPC client on the host's WebSocket (token in the connection params, as the page sends it), for checks against the database. */
export function apiClient(host: ShepherdHost): { api: TRPCClient<AppRouter>; close(): void } {
  const ws = createWSClient({
    url: `${host.origin.replace(/^http/, 'ws')}/`,
    connectionParams: { token: host.token },
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
