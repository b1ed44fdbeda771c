/**
 * Measurement for the README (not part of `npm test`: SHEPHERD_MEASURE=1, as root with sshd — see
 * test/support/sshd.ts): Enter → first streamed text for a Claude Code session on an SSH host
 * (127.0.0.1, through the ControlMaster and the wrapper) vs a local one, in the same run, turns
 * interleaved; and the local CPU per agent event (this process: supervisor, store, ssh client pipes
 * are in other processes — the ssh client's own CPU is read from /proc). Ratios, not absolute times.
 */
import { describe, expect, it } from 'vitest'
import { readFileSync } from 'node:fs'
import { startFakeModelServer } from '../support/fake-model-server.mjs'
import { claudeBinaryPath, makeAgentSandbox } from '../support/agents'
import { testCore } from '../support/core'
import { recordEvents, waitFor } from '../support/live'
import { sshdSkipReason, startSshd, SSH_ALIAS } from '../support/sshd'
import { ClaudeProvider } from '../../src-main/providers/claude/provider'
import type { RemoteError } from '../../src-main/remote/errors'

const RUN = process.env.SHEPHERD_MEASURE === '1' && !sshdSkipReason()
const TURNS = Number(process.env.SHEPHERD_MEASURE_TURNS ?? 8)
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number

/** utime+stime of a pid in ms (Linux, 10 ms ticks). */
function cpuMs(pid: number): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const rest = f.slice(f.lastIndexOf(')') + 2).split(' ')
    return ((Number(rest[11]) + Number(rest[12])) * 1000) / 100
  } catch {
    return 0
  }
}

describe.skipIf(!RUN)('SSH host latency (measurement)', () => {
  it('Enter → first streamed text: remote vs local, interleaved', async () => {
    const sshd = await startSshd()
    const server = await startFakeModelServer()
    const claudeDir = sshd.remoteDir('measure-claude')
    const sandbox = makeAgentSandbox(server.url)
    // Two app cores in this process: Claude's config dir must be on the host for the remote one.
    const lc = testCore({ providers: [new ClaudeProvider()], hostEnv: sandbox.env })
    const c = testCore({ providers: [new ClaudeProvider()], hostEnv: { ...sandbox.env, CLAUDE_CONFIG_DIR: claudeDir, SHEPHERD_SSH_CONFIG: sshd.configFile } })
    try {
      const s0 = await lc.caller.settings.get()
      await lc.caller.settings.update({ providers: { ...s0.providers, claude: { ...s0.providers.claude, cliPath: claudeBinaryPath() } } })
      const rec = recordEvents(c.core)
      const lrec = recordEvents(lc.core)
      const location = `${SSH_ALIAS}:${sshd.remoteDir('measure project')}`
      const refused = await c.caller.remote.check({ location }).then(
        () => null,
        (err: { cause?: unknown }) => err.cause as RemoteError
      )
      if (refused) await c.caller.remote.acceptHostKey({ location, fingerprint: refused.fields?.fingerprint as string })
      const remote = await c.caller.projects.add({ path: location })
      const local = await lc.caller.projects.add({ path: sandbox.projectDir })
      const rs = await c.caller.sessions.start({ projectId: remote.id, prompt: '[[text:warm]]' })
      const ls = await lc.caller.sessions.start({ projectId: local.id, prompt: '[[text:warm]]' })
      await waitFor('warm-up', () => (c.core.supervisor.getSession(rs.id).status === 'idle' ? true : null), 90_000)
      await waitFor('warm-up', () => (lc.core.supervisor.getSession(ls.id).status === 'idle' ? true : null), 90_000)
      const times: Record<'remote' | 'local', number[]> = { remote: [], local: [] }
      const cpu: Record<'remote' | 'local', { ms: number; events: number }> = { remote: { ms: 0, events: 0 }, local: { ms: 0, events: 0 } }
      for (let i = 0; i < TURNS; i++) {
        for (const [kind, id, t, events] of [
          ['remote', rs.id, c, rec.events],
          ['local', ls.id, lc, lrec.events]
        ] as const) {
          const from = events.length
          const sshPid = t.core.store.getSession(id)?.pid ?? 0
          const cpu0 = process.cpuUsage()
          const ssh0 = kind === 'remote' ? cpuMs(sshPid) : 0
          const t0 = performance.now()
          await t.caller.sessions.send({ id, prompt: `turn ${i} [[slow:1]]` })
          await waitFor('first text', () => events.slice(from).some((e) => e.type === 'agent.draft' && e.sessionId === id) || null, 60_000, 1)
          times[kind].push(performance.now() - t0)
          await waitFor('turn end', () => (t.core.supervisor.getSession(id).status === 'idle' ? true : null), 60_000, 5)
          const used = process.cpuUsage(cpu0)
          cpu[kind].ms += (used.user + used.system) / 1000 + (kind === 'remote' ? cpuMs(sshPid) - ssh0 : 0)
          cpu[kind].events += events.slice(from).filter((e) => 'sessionId' in e && e.sessionId === id).length
        }
      }
      const r = median(times.remote)
      const l = median(times.local)
      console.log(
        `SSH_MEASURE Enter→first text median over ${TURNS} turns: remote ${r.toFixed(0)} ms, local ${l.toFixed(0)} ms, ratio ${(r / l).toFixed(2)}; ` +
          `local CPU per event: remote session ${(cpu.remote.ms / cpu.remote.events).toFixed(2)} ms (incl. the ssh client), local session ${(cpu.local.ms / cpu.local.events).toFixed(2)} ms`
      )
      expect(times.remote.length).toBe(TURNS)
      await c.caller.sessions.stop({ id: rs.id })
      await lc.caller.sessions.stop({ id: ls.id })
    } finally {
      await c.cleanup()
      await lc.cleanup()
      sandbox.cleanup()
      await server.close()
      await sshd.stop()
    }
  }, 600_000)
})
