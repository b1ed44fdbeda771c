/**
 * Projects on SSH hosts at scale (issue 17, "Scale and performance"), against a real OpenSSH server
 * on 127.0.0.1 (test/support/sshd.ts). The agent is test/support/stream-acp-agent.mjs (a zero-dependency
 * ACP agent) copied into the remote account's home and run there by the host's `node`, through the
 * real ControlMaster and wrapper:
 * - 20 sessions on one host share ONE ssh connection (one master process, one TCP connection to
 *   sshd) and every one of them streams; Enter → first streamed text, remote vs local, in the same run;
 * - a remote stream at 1,000 events/s arrives complete and in order (one stored message per event,
 *   seq gap-free, every pushed message stored first); the SSH connection killed mid-stream: nothing
 *   pushed is lost, the session is marked, and it resumes from the agent's session id once reconnected.
 * `npm test` streams 5 s; SHEPHERD_MEASURE=1 streams 60 s (SHEPHERD_MEASURE_STREAM_S) and prints the
 * numbers (lag, local CPU per event remote vs local). Skips with the reason where sshd cannot run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readdirSync, readFileSync, rmSync } from 'node:fs'
import path from 'node:path'
import { testCore } from '../support/core'
import { tempDir } from '../support/temp'
import { waitFor, waitForStatus } from '../support/live'
import { sshdSkipReason, startSshd, SSH_ALIAS, type TestSshd } from '../support/sshd'
import { AcpProvider } from '../../src-main/providers/acp/provider'
import { parseRemoteLocation } from '../../src-main/remote/location'
import type { RemoteError } from '../../src-main/remote/errors'
import type { MessageDTO } from '../../src-main/shared/dto'

/** What the tests read of a stored or pushed message. */
type Msg = { seq: number; kind: string; text: string }

const skip = sshdSkipReason()
if (skip) console.warn(`SSH scale tests skipped: ${skip}`)
const MEASURE = process.env.SHEPHERD_MEASURE === '1'
const STREAM_S = Number(process.env.SHEPHERD_MEASURE_STREAM_S ?? (MEASURE ? 60 : 5))
const RATE = 1000
const SESSIONS = 20
const LOCALS = MEASURE ? 10 : 3

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number

/** utime+stime of a pid in ms (Linux, 10 ms ticks); 0 when gone. */
function cpuMs(pid: number | null | undefined): number {
  if (!pid) return 0
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const rest = f.slice(f.lastIndexOf(')') + 2).split(' ')
    return ((Number(rest[11]) + Number(rest[12])) * 1000) / 100
  } catch {
    return 0
  }
}

/** Established TCP connections from a local client to 127.0.0.1:port (/proc/net/tcp: the client end has rem_port = port). */
function tcpConnectionsTo(port: number): number {
  const hex = port.toString(16).toUpperCase().padStart(4, '0')
  return readFileSync('/proc/net/tcp', 'utf8')
    .split('\n')
    .slice(1)
    .filter((l) => {
      const f = l.trim().split(/\s+/)
      return f[2] === `0100007F:${hex}` && f[3] === '01'
    }).length
}

/** Local ssh master processes (ControlMaster=yes) whose control socket is in `dir`. */
function mastersIn(dir: string): number {
  let n = 0
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue
    try {
      const argv = readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0')
      if (argv.includes('ControlMaster=yes') && argv.some((a) => a.startsWith(`ControlPath=${dir}`))) n++
    } catch {
      /* gone */
    }
  }
  return n
}

describe.skipIf(skip)('SSH hosts at scale (real sshd on 127.0.0.1, ACP stream agent on the host)', () => {
  let sshd: TestSshd
  let c: ReturnType<typeof testCore>
  let home: ReturnType<typeof tempDir>
  let remoteProjectId: string
  let localProjectId: string
  /** Every pushed event with the time it arrived. */
  const pushed: { at: number; event: { type: string; sessionId?: string; messages?: MessageDTO[]; draft?: unknown } }[] = []
  const ac = new AbortController()

  /** All stored messages of a session (paged). */
  const stored = (id: string): Msg[] => {
    const out: Msg[] = []
    for (;;) {
      const page = c.core.store.messagesAfter(id, out.at(-1)?.seq ?? 0, 5000)
      out.push(...page)
      if (page.length < 5000) return out
    }
  }
  /** The `ev<i>@<ms>` chunks of a session's stored messages, in seq order. */
  const evs = (msgs: Msg[]) =>
    msgs.flatMap((m) => {
      const r = /^ev(\d+)@(\d+)/.exec(m.text.trim())
      return r ? [{ i: Number(r[1]), t: Number(r[2]), seq: m.seq }] : []
    })
  const pushedMessages = (id: string) => pushed.flatMap((p) => (p.event.type === 'agent.message' && p.event.sessionId === id ? (p.event.messages ?? []) : []))
  const remoteAgents = async () => {
    const r = await c.core.createContext().remote.hosts.exec(parseRemoteLocation(`${SSH_ALIAS}:/`), 'ps -u "$(id -u)" -o pid=,args=')
    // The agents (`node …stream-agent.mjs`) and their wrappers (`sh -c …`, which name the agent in their argv).
    return r.stdout.split('\n').filter((l) => /stream-agent/.test(l) && !/ps -u/.test(l))
  }

  beforeAll(async () => {
    sshd = await startSshd()
    // The agent lives on "the remote": copied into its account's home (it would be installed there).
    const agent = sshd.remoteFile(path.join(__dirname, '..', 'support', 'stream-acp-agent.mjs'), 'shepherd-stream-agent.mjs')
    home = tempDir()
    let readCommand: () => readonly string[] | undefined = () => undefined
    c = testCore({
      providers: [new AcpProvider({ command: () => readCommand() })],
      hostEnv: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home.dir, LANG: 'C.UTF-8', SHEPHERD_SSH_CONFIG: sshd.configFile }
    })
    const settings = c.core.createContext().settings
    readCommand = () => settings.get().providers.acp.command
    const s = await c.caller.settings.get()
    // `node <file>`: the same command runs the agent here (root reads the remote's home) and there (by name on its PATH).
    await c.caller.settings.update({
      defaultProvider: 'acp',
      maxConcurrentSessions: 32,
      idleAgentsKept: 32,
      providers: { ...s.providers, acp: { ...s.providers.acp, command: `'${process.execPath}' '${agent}'` } }
    })
    void (async () => {
      for await (const item of c.core.hub.subscribe(null, ac.signal)) pushed.push({ at: Date.now(), event: item.event as never })
    })()
    const location = `${SSH_ALIAS}:${sshd.remoteDir('scale project')}`
    const refused = await c.caller.remote.check({ location }).then(
      () => null,
      (err: { cause?: unknown }) => err.cause as RemoteError
    )
    if (refused) await c.caller.remote.acceptHostKey({ location, fingerprint: refused.fields?.fingerprint as string })
    remoteProjectId = (await c.caller.projects.add({ path: location })).id
    localProjectId = (await c.caller.projects.add({ path: home.dir })).id
  }, 60_000)

  afterAll(async () => {
    ac.abort()
    await c?.cleanup()
    home?.cleanup()
    // The agent's record of its sessions on "the host".
    if (sshd) rmSync(path.join(sshd.remoteHome, '.shepherd-stream-agent-sessions'), { force: true })
    await sshd?.stop()
  }, 60_000)

  it(`${SESSIONS} sessions on one host share one ssh connection and all stream; Enter → first text remote vs local`, async () => {
    const remote = await Promise.all(
      Array.from({ length: SESSIONS }, (_, i) => c.caller.sessions.start({ projectId: remoteProjectId, prompt: `s${i} [[stream:100:200]]` }))
    )
    const local = await Promise.all(Array.from({ length: LOCALS }, () => c.caller.sessions.start({ projectId: localProjectId, prompt: '[[stream:100:200]]' })))
    const all = [...remote, ...local]
    await waitFor(
      'every session to stream its 100 events and go idle',
      () => all.every((s) => c.core.supervisor.getSession(s.id).status === 'idle' && evs(stored(s.id)).length === 100) || null,
      180_000,
      250
    )
    for (const s of all) expect(evs(stored(s.id)).map((e) => e.i)).toEqual(Array.from({ length: 100 }, (_, i) => i))
    // All 20 agents alive on the host, over one master and one TCP connection to sshd.
    expect((await remoteAgents()).filter((l) => /^\s*\d+\s+\S*node\s+\S*stream-agent/.test(l)).length).toBe(SESSIONS)
    expect(mastersIn(c.core.createContext().remote.hosts.controlDir)).toBe(1)
    expect(tcpConnectionsTo(sshd.port)).toBe(1)

    // Enter → first streamed text, one turn per session, remote and local interleaved.
    const times = { remote: [] as number[], local: [] as number[] }
    for (let i = 0; i < SESSIONS; i++) {
      for (const [kind, s] of [
        ['remote', remote[i]!],
        ['local', local[i % LOCALS]!]
      ] as const) {
        const from = pushed.length
        const t0 = performance.now()
        await c.caller.sessions.send({ id: s.id, prompt: `turn ${i} [[stream:5:0]]` })
        await waitFor(
          'first text',
          () =>
            pushed
              .slice(from)
              .some(
                (p) =>
                  p.event.sessionId === s.id &&
                  ((p.event.type === 'agent.message' && p.event.messages?.some((m) => m.kind === 'assistant')) ||
                    (p.event.type === 'agent.draft' && p.event.draft))
              ) || null,
          60_000,
          1
        )
        times[kind].push(performance.now() - t0)
        await waitForStatus(c.core, s.id, ['idle'], 60_000)
      }
    }
    const r = median(times.remote)
    const l = median(times.local)
    console.log(
      `SSH_SCALE ${SESSIONS} remote sessions (+${LOCALS} local), 1 master, ${tcpConnectionsTo(sshd.port)} TCP connection; ` +
        `Enter→first text median: remote ${r.toFixed(1)} ms, local ${l.toFixed(1)} ms, ratio ${(r / l).toFixed(2)}`
    )
    expect(times.remote).toHaveLength(SESSIONS)
    expect(tcpConnectionsTo(sshd.port)).toBe(1)
    await Promise.all(all.map((s) => c.caller.sessions.stop({ id: s.id })))
    await waitFor('no agent left on the host', async () => ((await remoteAgents()).length === 0 ? true : null), 30_000, 250)
  }, 600_000)

  /** Stream N events at RATE/s in a fresh session; returns its numbers (complete and in order is asserted). */
  async function streamRun(projectId: string, kind: 'remote' | 'local', n: number) {
    const s = await c.caller.sessions.start({ projectId, prompt: '[[stream:1:0]]' })
    await waitForStatus(c.core, s.id, ['idle'], 60_000)
    const from = pushed.length
    const pid = c.core.store.getSession(s.id)?.pid
    const cpu0 = process.cpuUsage()
    const ssh0 = kind === 'remote' ? cpuMs(pid) : 0
    await c.caller.sessions.send({ id: s.id, prompt: `[[stream:${n}:${RATE}]]` })
    await waitFor('the stream to end', () => (c.core.supervisor.getSession(s.id).status === 'idle' ? true : null), (n / RATE) * 1000 + 300_000, 100)
    const used = process.cpuUsage(cpu0)
    const cpu = (used.user + used.system) / 1000 + (kind === 'remote' ? cpuMs(pid) - ssh0 : 0)
    const msgs = stored(s.id)
    const promptSeq = msgs.find((m) => m.kind === 'user' && m.text.includes(`[[stream:${n}:`))?.seq ?? Infinity
    const got = evs(msgs).filter((e) => e.seq > promptSeq)
    // Complete and in order: ev0..ev(n-1), one stored message each, seqs gap-free.
    expect(got.map((e) => e.i)).toEqual(Array.from({ length: n }, (_, i) => i))
    expect(msgs.map((m) => m.seq)).toEqual(Array.from({ length: msgs.length }, (_, i) => i + 1))
    // Persist then push: every pushed message is stored with the same seq and text.
    const bySeq = new Map(msgs.map((m) => [m.seq, m.text]))
    const pushedMsgs = pushedMessages(s.id)
    expect(pushedMsgs.length).toBeGreaterThanOrEqual(n)
    for (const m of pushedMsgs) expect(bySeq.get(m.seq)).toBe(m.text)
    // Lag: when each event's message was pushed here vs when the agent wrote it.
    const pushAt = new Map<number, number>()
    for (const p of pushed.slice(from))
      if (p.event.type === 'agent.message' && p.event.sessionId === s.id) for (const m of p.event.messages ?? []) pushAt.set(m.seq, p.at)
    const lags = got.map((e) => (pushAt.get(e.seq) ?? e.t) - e.t)
    const emitted = (got.at(-1)!.t - got[0]!.t) / 1000
    await c.caller.sessions.stop({ id: s.id })
    return { n, emitted, rate: n / emitted, lagMedian: median(lags), lagMax: Math.max(...lags), cpuPerEvent: cpu / n }
  }

  it(`a remote stream at ${RATE} events/s for ${STREAM_S} s arrives complete, in order, stored before pushed`, async () => {
    const n = RATE * STREAM_S
    const remote = await streamRun(remoteProjectId, 'remote', n)
    const local = MEASURE ? await streamRun(localProjectId, 'local', n) : null
    const f = (x: typeof remote) =>
      `${x.n} events emitted in ${x.emitted.toFixed(1)} s (${x.rate.toFixed(0)}/s), push lag median ${x.lagMedian} ms max ${x.lagMax} ms, local CPU ${x.cpuPerEvent.toFixed(3)} ms/event`
    console.log(
      `SSH_SCALE stream remote: ${f(remote)}${local ? `; local: ${f(local)}; extra local CPU per remote event ${(remote.cpuPerEvent - local.cpuPerEvent).toFixed(3)} ms` : ''}`
    )
  }, 900_000)

  it('the SSH connection killed mid-stream: nothing pushed is lost, the session is marked, and it resumes from the agent session id', async () => {
    const s = await c.caller.sessions.start({ projectId: remoteProjectId, prompt: '[[stream:1:0]]' })
    await waitForStatus(c.core, s.id, ['idle'], 60_000)
    const cliId = c.core.supervisor.getSession(s.id).cliSessionId
    expect(cliId).toMatch(/^stream-/)
    await c.caller.sessions.send({ id: s.id, prompt: `[[stream:${RATE * 600}:${RATE}]]` })
    // Kill the connection once a good part of the stream is stored (2 s at the full rate).
    await waitFor('2,000 events stored', () => evs(stored(s.id)).length >= 2001 || null, 120_000, 50)
    sshd.dropConnections()
    await waitFor(
      'the session to be marked',
      () => stored(s.id).some((m) => m.kind === 'system' && /Disconnected from the host/.test(m.text)) || null,
      30_000,
      100
    )
    const msgs = stored(s.id)
    // Nothing pushed is lost: every message pushed before or after the drop is stored, same seq, same text.
    const bySeq = new Map(msgs.map((m) => [m.seq, m.text]))
    const pushedMsgs = pushedMessages(s.id)
    for (const m of pushedMsgs) expect(bySeq.get(m.seq)).toBe(m.text)
    // What arrived is a gap-free prefix of the stream (what was in flight when the link died is gone, not reordered).
    const promptSeq = msgs.find((m) => m.kind === 'user' && m.text.includes(`[[stream:${RATE * 600}:`))?.seq ?? Infinity
    const got = evs(msgs).filter((e) => e.seq > promptSeq)
    expect(got.length).toBeGreaterThanOrEqual(2000)
    expect(got.map((e) => e.i)).toEqual(Array.from({ length: got.length }, (_, i) => i))
    // Reconnected and resumed with the same ACP session id (session/load on a new agent process).
    await waitForStatus(c.core, s.id, ['idle'], 90_000)
    expect(c.core.supervisor.getSession(s.id).cliSessionId).toBe(cliId)
    const before = stored(s.id).length
    await c.caller.sessions.send({ id: s.id, prompt: '[[stream:50:0]]' })
    await waitFor('a stream after the reconnect', () => (evs(stored(s.id).slice(before)).length === 50 ? true : null), 60_000, 100)
    const all = stored(s.id)
    expect(all.map((m) => m.seq)).toEqual(Array.from({ length: all.length }, (_, i) => i + 1))
    await expect(c.caller.remote.hosts()).resolves.toEqual(expect.arrayContaining([expect.objectContaining({ host: SSH_ALIAS, state: 'connected' })]))
    console.log(`SSH_SCALE kill mid-stream: ${got.length} events stored and pushed before the drop, none lost; resumed ${cliId}`)
    await c.caller.sessions.stop({ id: s.id })
    // The orphaned agent ends after the grace period (5 s + TERM→KILL 3 s); the resumed one on stop.
    await waitFor('no agent left on the host', async () => ((await remoteAgents()).length === 0 ? true : null), 30_000, 500)
  }, 300_000)
})

describe.skipIf(skip)("a host whose sshd caps channels per connection (MaxSessions, OpenSSH's default 10)", () => {
  it('sessions beyond the cap still run: OpenSSH gives each its own connection; the rest share the master', async () => {
    const cap = 4
    const extra = 2
    const sshd = await startSshd({ maxSessions: cap })
    const agent = sshd.remoteFile(path.join(__dirname, '..', 'support', 'stream-acp-agent.mjs'), 'shepherd-stream-agent.mjs')
    const home = tempDir()
    let readCommand: () => readonly string[] | undefined = () => undefined
    const c = testCore({
      providers: [new AcpProvider({ command: () => readCommand() })],
      hostEnv: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home.dir, LANG: 'C.UTF-8', SHEPHERD_SSH_CONFIG: sshd.configFile }
    })
    try {
      const settings = c.core.createContext().settings
      readCommand = () => settings.get().providers.acp.command
      const s0 = await c.caller.settings.get()
      await c.caller.settings.update({
        defaultProvider: 'acp',
        maxConcurrentSessions: 32,
        idleAgentsKept: 32,
        providers: { ...s0.providers, acp: { ...s0.providers.acp, command: `'${process.execPath}' '${agent}'` } }
      })
      const location = `${SSH_ALIAS}:${sshd.remoteDir('capped project')}`
      const refused = await c.caller.remote.check({ location }).then(
        () => null,
        (err: { cause?: unknown }) => err.cause as RemoteError
      )
      if (refused) await c.caller.remote.acceptHostKey({ location, fingerprint: refused.fields?.fingerprint as string })
      const project = await c.caller.projects.add({ path: location })
      const sessions = await Promise.all(
        Array.from({ length: cap + extra }, () => c.caller.sessions.start({ projectId: project.id, prompt: '[[stream:20:0]]' }))
      )
      await waitFor(
        'every session to stream and go idle',
        () =>
          sessions.every(
            (s) =>
              c.core.supervisor.getSession(s.id).status === 'idle' &&
              c.core.store.messagesAfter(s.id, 0, 100).filter((m) => /^ev\d+@/.test(m.text.trim())).length === 20
          ) || null,
        120_000,
        250
      )
      // `cap` channels on the master, each one beyond it on a connection of its own (a handshake each).
      expect(mastersIn(c.core.createContext().remote.hosts.controlDir)).toBe(1)
      expect(tcpConnectionsTo(sshd.port)).toBe(1 + extra)
      await Promise.all(sessions.map((s) => c.caller.sessions.stop({ id: s.id })))
    } finally {
      await c.cleanup()
      home.cleanup()
      await sshd.stop()
    }
  }, 300_000)
})
