/**
 * Part 11 — time to first text: from Enter (`sessions.start` of a new session) to the first streamed
 * text of the answer reaching a subscriber of the event stream (`agent.draft` or an assistant
 * `agent.message`), for each real agent CLI offline against the fake model server (which answers at
 * once, so this is the agent's own start-up plus Shepherd's). OpenCode is measured cold (its server
 * starts with the session) and warmed (`sessions.prewarm`, as when the new-session form opens with
 * OpenCode chosen). Each agent gets a fresh core; runs are sequential (BENCH_RUNS each, median).
 */
import { it } from 'vitest'
import { writeFileSync } from 'node:fs'
import { startFakeModelServer } from '../../test/support/fake-model-server.mjs'
import { claudeBinaryPath, hasClaudeBinary, makeAgentSandbox } from '../../test/support/agents'
import { codexBinaryPath, makeCodexSandbox } from '../../test/support/codex-sandbox'
import { makeOpenCodeSandbox, opencodeBinaryPath } from '../../test/support/opencode-sandbox'
import { makeAcpSandbox, opencodeAcpBinary } from '../../test/support/acp-sandbox'
import { testCore } from '../../test/support/core'
import { recordEvents, waitFor } from '../../test/support/live'
import { ClaudeProvider } from '../../src-main/providers/claude/provider'
import { CodexProvider } from '../../src-main/providers/codex/provider'
import { OpenCodeProvider } from '../../src-main/providers/opencode/provider'
import { AcpProvider } from '../../src-main/providers/acp/provider'
import type { AgentProvider } from '../../src-main/providers/types'
import type { ProviderId } from '../../src-main/shared/status'

const RUNS = Number(process.env.BENCH_RUNS ?? 3)
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  const m = Math.floor(s.length / 2)
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}

interface Agent {
  label: string
  provider: ProviderId
  make(url: string): { env: Record<string, string>; projectDir: string; cleanup(): void }
  create(): AgentProvider
  settings(s: any, binary: () => string): object
  binary(): string
  warm?: boolean
}

const AGENTS: Agent[] = [
  {
    label: 'Claude Code',
    provider: 'claude',
    make: (url) => makeAgentSandbox(url) as never,
    create: () => new ClaudeProvider(),
    binary: claudeBinaryPath,
    settings: (s, b) => ({ providers: { ...s.providers, claude: { ...s.providers.claude, cliPath: b() } } })
  },
  {
    label: 'Codex',
    provider: 'codex',
    make: (url) => makeCodexSandbox(url) as never,
    create: () => new CodexProvider(),
    binary: codexBinaryPath,
    settings: (s, b) => ({ providers: { ...s.providers, codex: { ...s.providers.codex, cliPath: b() } } })
  },
  {
    label: 'OpenCode (cold: server starts with the session)',
    provider: 'opencode',
    make: (url) => makeOpenCodeSandbox(url),
    create: () => new OpenCodeProvider(),
    binary: opencodeBinaryPath,
    settings: (s, b) => ({ providers: { ...s.providers, opencode: { ...s.providers.opencode, cliPath: b() } } })
  },
  {
    label: 'OpenCode (warmed when the form opened)',
    provider: 'opencode',
    make: (url) => makeOpenCodeSandbox(url),
    create: () => new OpenCodeProvider(),
    binary: opencodeBinaryPath,
    settings: (s, b) => ({ providers: { ...s.providers, opencode: { ...s.providers.opencode, cliPath: b() } } }),
    warm: true
  },
  {
    label: 'ACP (opencode acp)',
    provider: 'acp',
    make: (url) => makeAcpSandbox(url) as never,
    create: () => new AcpProvider({ command: () => [opencodeAcpBinary(), 'acp'] }),
    binary: opencodeAcpBinary,
    settings: (s) => ({ providers: { ...s.providers, acp: { ...s.providers.acp, command: `'${opencodeAcpBinary()}' acp` } } })
  }
]

it('time from Enter to the first streamed text, per agent', async () => {
  const server = await startFakeModelServer()
  const results: { agent: string; runsMs: number[]; medianMs: number | null; error?: string }[] = []
  try {
    // BENCH_AGENTS=opencode,codex: only these providers (all by default).
    const only = process.env.BENCH_AGENTS ? new Set(process.env.BENCH_AGENTS.split(',')) : null
    for (const a of AGENTS.filter((x) => !only || only.has(x.provider))) {
      if (a.provider === 'claude' && !hasClaudeBinary()) {
        results.push({ agent: a.label, runsMs: [], medianMs: null, error: 'Claude Code is not installed for tests' })
        continue
      }
      const runsMs: number[] = []
      try {
        for (let i = 0; i < RUNS; i++) {
          const sb = a.make(server.url)
          const provider = a.create()
          const t = testCore({ providers: [provider], hostEnv: sb.env })
          const rec = recordEvents(t.core)
          try {
            const s = await t.caller.settings.get()
            await t.caller.settings.update({ defaultProvider: a.provider, ...a.settings(s, a.binary) } as never)
            const project = await t.caller.projects.add({ path: sb.projectDir })
            if (a.warm) {
              await t.caller.sessions.prewarm({ projectId: project.id, provider: a.provider })
              // The user reads the form and types for a few seconds: the server is up by then.
              await waitFor(
                'the warm server',
                () => (provider as OpenCodeProvider).pool.size === 1 && (provider as OpenCodeProvider).pool.warmCount === 1,
                60_000
              )
              await new Promise((r) => setTimeout(r, 12_000))
            }
            const enter = performance.now()
            let first = 0
            const started = t.caller.sessions.start({ projectId: project.id, provider: a.provider, prompt: `first text ${i} [[slow:2]]` })
            const id = (await started).id
            await waitFor(
              'the first text',
              () => {
                const e = rec.events.find(
                  (e) =>
                    (e.type === 'agent.draft' && e.sessionId === id && e.draft && e.draft.text.length > 0) ||
                    (e.type === 'agent.message' && e.sessionId === id && e.messages.some((m) => m.kind === 'assistant'))
                )
                if (e && !first) first = performance.now()
                return first > 0
              },
              120_000,
              5
            )
            runsMs.push(first - enter)
            process.stderr.write(`  ${a.label} run ${i + 1}/${RUNS}: ${Math.round(first - enter)} ms\n`)
            await waitFor('idle', () => t.core.supervisor.getSession(id).status === 'idle', 60_000)
          } finally {
            rec.stop()
            await (provider as { shutdown?: () => Promise<void> }).shutdown?.()
            await t.cleanup()
            sb.cleanup()
          }
        }
        results.push({ agent: a.label, runsMs, medianMs: median(runsMs) })
      } catch (err) {
        results.push({ agent: a.label, runsMs, medianMs: runsMs.length ? median(runsMs) : null, error: String(err).split('\n')[0] })
      }
    }
  } finally {
    await server.close()
  }
  const out = process.env.BENCH_OUT
  if (out) writeFileSync(out, JSON.stringify({ runs: RUNS, results }, null, 2))
  console.log(JSON.stringify(results))
})
