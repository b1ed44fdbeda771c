/**
 * Projects on SSH hosts (issue 17) against a real OpenSSH server on 127.0.0.1 (test/support/sshd.ts):
 * the local account `shepherd-remote` plays the host, the pinned Claude Code and Codex are on its
 * PATH, the fake model server answers them. Everything goes through the real `ssh`, the
 * ControlMaster, the wrapper; nothing but 127.0.0.1 is contacted. Skips with the reason when the
 * machine cannot run sshd (not root, no openssh-server).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createServer, type Server } from 'node:net'
import { chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs'
import { execFileSync } from 'node:child_process'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { startFakeModelServer, type FakeModelServer } from '../support/fake-model-server.mjs'
import { makeAgentSandbox, pinnedClaudeVersion, type AgentSandbox } from '../support/agents'
import { pinnedCodexVersion } from '../support/codex-sandbox'
import { fakeCodexConfig, seedOpenCodeConfigDir, xdgDirs } from '../support/agent-config'
import { acpOpenCodeConfig, OPENCODE_OFFLINE_ENV, opencodeAcpBinary } from '../support/acp-sandbox'
import { testCore } from '../support/core'
import { draftsOf, recordEvents, seqsOf, waitFor, waitForStatus } from '../support/live'
import { REMOTE_USER, sshdSkipReason, startSshd, SSH_ALIAS, type TestSshd } from '../support/sshd'
import { ClaudeProvider } from '../../src-main/providers/claude/provider'
import { CodexProvider } from '../../src-main/providers/codex/provider'
import { AcpProvider } from '../../src-main/providers/acp/provider'
import { SshHosts } from '../../src-main/remote/ssh'
import { RemoteError } from '../../src-main/remote/errors'
import { parseRemoteLocation } from '../../src-main/remote/location'

const skip = sshdSkipReason()
if (skip) console.warn(`SSH host tests skipped: ${skip}`)

let sshd: TestSshd
let server: FakeModelServer
let sandbox: AgentSandbox
let c: ReturnType<typeof testCore>
let projectDir: string
let rec: ReturnType<typeof recordEvents>
let projectId: string | null = null
const cleanups: (() => unknown)[] = []

/** The RemoteError a promise rejects with (its reason), or a failure. */
async function reasonOf(p: Promise<unknown>): Promise<string> {
  try {
    await p
  } catch (err) {
    if (err instanceof RemoteError) return err.reason
    const f = (err as { cause?: unknown }).cause
    if (f instanceof RemoteError) return f.reason
    return `not a RemoteError: ${String(err)}`
  }
  return 'resolved'
}

/** Agent processes of the remote account, seen with `ps` over ssh (the wrapper, the CLIs, their children). */
async function remoteAgents(): Promise<string[]> {
  const hosts = c.core.createContext().remote.hosts
  const r = await hosts.exec(parseRemoteLocation(`${SSH_ALIAS}:/`), 'ps -u "$(id -u)" -o pid=,pgid=,args=')
  return r.stdout
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => /claude|codex|shepherd\.|cat$|sleep/.test(l) && !/ps -u/.test(l))
}

/** Accept the test host's key the way a user does (shown by a refused check, then accepted), when not yet done. */
async function trust(): Promise<void> {
  const location = `${SSH_ALIAS}:/`
  const refused = await c.caller.remote.check({ location }).then(
    () => null,
    (err: { cause?: unknown }) => err.cause as RemoteError
  )
  if (refused?.fields?.reason === 'host_key_unknown') await c.caller.remote.acceptHostKey({ location, fingerprint: refused.fields.fingerprint as string })
}

/** The remote project (added once). */
async function remoteProject(): Promise<string> {
  await trust()
  projectId ??= (await c.caller.projects.add({ path: `${SSH_ALIAS}:${projectDir}` })).id
  return projectId
}

const texts = (id: string) => c.core.store.messagesAfter(id, 0, 1000)

describe.skipIf(skip)('projects on SSH hosts (real sshd on 127.0.0.1)', () => {
  beforeAll(async () => {
    sshd = await startSshd()
    cleanups.push(() => sshd.stop())
    server = await startFakeModelServer()
    cleanups.push(() => server.close())
    // Agent config that must live on the host: Claude's config dir and CODEX_HOME, owned by its account.
    const claudeDir = sshd.remoteDir('claude-config')
    const codexHome = sshd.remoteDir('codex-home')
    writeFileSync(path.join(codexHome, 'config.toml'), fakeCodexConfig(server.url))
    const owner = statSync(codexHome)
    chownSync(path.join(codexHome, 'config.toml'), owner.uid, owner.gid)
    sandbox = makeAgentSandbox(server.url, {
      env: { CLAUDE_CONFIG_DIR: claudeDir, CODEX_HOME: codexHome, OPENAI_API_KEY: 'fake-key', SHEPHERD_SSH_CONFIG: sshd.configFile }
    })
    cleanups.push(() => sandbox.cleanup())
    c = testCore({ providers: [new ClaudeProvider(), new CodexProvider()], hostEnv: sandbox.env })
    cleanups.push(() => c.cleanup())
    rec = recordEvents(c.core)
    cleanups.push(() => rec.stop())
    projectDir = sshd.remoteDir(`my project; $(touch INJECTED) 'q' "x"`)
  }, 60_000)
  afterAll(async () => {
    for (const f of cleanups.reverse()) await f()
  }, 60_000)

  it('an unknown host key is refused and shown; after accepting exactly that key the check reports folder, git and the CLIs with versions', async () => {
    const location = `${SSH_ALIAS}:${projectDir}`
    const refused = await c.caller.remote.check({ location }).then(
      () => null,
      (err: { cause?: unknown }) => err.cause as RemoteError
    )
    expect(refused?.code).toBe('SSH_FAILED')
    expect(refused?.fields).toMatchObject({ reason: 'host_key_unknown' })
    const shown = refused?.fields?.fingerprint ?? ''
    expect(shown).toMatch(/SHA256:/)
    expect(refused?.message).toContain(shown)
    // A fingerprint other than the one shown is not accepted.
    await expect(c.caller.remote.acceptHostKey({ location, fingerprint: 'SHA256:not-the-one' })).rejects.toThrow(/No host key/)
    await c.caller.remote.acceptHostKey({ location, fingerprint: shown })
    const check = await c.caller.remote.check({ location })
    expect(check.folder).toBe('ok')
    expect(check.writable).toBe(true)
    expect(check.os).toMatch(/Linux/)
    const byId = Object.fromEntries(check.clis.map((x) => [x.id, x]))
    expect(byId.claude?.version).toBe(pinnedClaudeVersion())
    expect(byId.codex?.version).toBe(pinnedCodexVersion())
    await expect(c.caller.remote.hosts()).resolves.toEqual(expect.arrayContaining([expect.objectContaining({ host: SSH_ALIAS, state: 'connected' })]))
    // The path's metacharacters stayed literal: nothing was run on the host.
    expect(existsSync(path.join(path.dirname(projectDir), 'INJECTED'))).toBe(false)
    expect(existsSync(path.join(projectDir, 'INJECTED'))).toBe(false)
  })

  it('bad input: unknown alias, refused port, wrong path, unreadable folder, a missing CLI — each with its typed reason', async () => {
    await trust()
    expect(await reasonOf(c.caller.remote.check({ location: 'no-such-alias.invalid:/srv' }))).toBe('unknown_host')
    const closed = await new Promise<number>((resolve) => {
      const s: Server = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port
        s.close(() => resolve(p))
      })
    })
    expect(await reasonOf(c.caller.remote.check({ location: `127.0.0.1:${closed}:/srv` }))).toBe('unreachable')
    expect(await reasonOf(c.caller.projects.add({ path: `${SSH_ALIAS}:/no/such/folder` }))).toBe('no_folder')
    await expect(c.caller.projects.add({ path: `${SSH_ALIAS}:relative/path` })).rejects.toThrow()
    await expect(c.caller.remote.check({ location: '-oProxyCommand=evil:/x' })).rejects.toThrow(/cannot start with "-"|not host:\/path/)
    // Root-owned, mode 700: the remote account cannot enter it.
    const locked = mkdtempSync(path.join(tmpdir(), 'shepherd-locked-'))
    expect(await reasonOf(c.caller.projects.add({ path: `${SSH_ALIAS}:${locked}` }))).toBe('no_permission')
    // A CLI missing on the host is reported with its install command.
    const bin = path.join(sshd.remoteHome, '.local', 'bin')
    renameSync(path.join(bin, 'opencode'), path.join(bin, 'opencode.off'))
    try {
      const check = await c.caller.remote.check({ location: `${SSH_ALIAS}:${projectDir}` })
      const oc = check.clis.find((x) => x.id === 'opencode')
      expect(oc).toMatchObject({ found: false, installHint: 'npm install -g opencode-ai' })
    } finally {
      renameSync(path.join(bin, 'opencode.off'), path.join(bin, 'opencode'))
    }
  })

  it('an unreachable host fails fast with the ConnectTimeout in the message (a server that never answers)', async () => {
    // Accepts TCP, never sends the SSH banner: ssh gives up after ConnectTimeout.
    const mute = createServer(() => {}).listen(0, '127.0.0.1')
    await new Promise((r) => mute.once('listening', r))
    const port = (mute.address() as { port: number }).port
    const hosts = new SshHosts({ dataDir: mkdtempSync(path.join(tmpdir(), 'shepherd-ssh-t-')), configFile: sshd.configFile, connectTimeoutS: 2 })
    try {
      const err = await hosts.connect(parseRemoteLocation(`127.0.0.1:${port}:/x`)).then(
        () => null,
        (e: unknown) => e as RemoteError
      )
      expect(err?.reason).toBe('timeout')
      expect(err?.message).toMatch(/within 2 s/)
    } finally {
      await hosts.dispose()
      mute.close()
    }
  })

  it('Claude Code on the host: a turn with an approval, a file written there, then stop leaves no process on the host', async () => {
    await trust()
    const project = c.core.createContext().projects.get(await remoteProject())
    expect(project.path).toBe(`${SSH_ALIAS}:${projectDir}`)
    const s = await c.caller.sessions.start({ projectId: project.id, prompt: 'make it [[bash:touch made-by-claude.txt && pwd]]', permissionMode: 'default' })
    let approvals = 0
    await waitFor(
      'the turn to finish',
      async () => {
        for (const a of await c.caller.sessions.approvals({ projectId: project.id })) {
          approvals++
          await c.caller.sessions.answerApproval({ approvalId: a.id, decision: { behavior: 'allow', scope: 'once' } })
        }
        const cur = c.core.supervisor.getSession(s.id)
        return cur.status === 'idle' && texts(s.id).some((m) => m.kind === 'assistant' && m.text.includes('DONE.')) ? cur : null
      },
      90_000,
      100
    )
    expect(approvals).toBeGreaterThan(0)
    // The command ran on "the host", in the project folder (spaces and metacharacters intact), as its account.
    const made = path.join(projectDir, 'made-by-claude.txt')
    expect(existsSync(made)).toBe(true)
    expect(statSync(made).uid).toBe(statSync(projectDir).uid)
    expect(texts(s.id).find((m) => m.kind === 'tool_result')?.text).toContain(projectDir)
    // The account's ~/.bashrc prints a banner. Before the wrapper's start marker it is dropped, so the
    // stream-json protocol parses cleanly; it shows only where Claude's own Bash tool sources ~/.bashrc.
    const withBanner = texts(s.id).filter((m) => m.text?.includes('SHEPHERD-TEST-BANNER'))
    expect(withBanner.every((m) => m.kind === 'tool_result' || m.kind === 'assistant')).toBe(true)
    expect(texts(s.id).some((m) => m.kind === 'error')).toBe(false)
    expect((await remoteAgents()).some((l) => /claude/.test(l))).toBe(true)
    await c.caller.sessions.stop({ id: s.id })
    expect(c.core.supervisor.getSession(s.id).status).toBe('interrupted')
    // `ps` over ssh: the CLI, the wrapper, its watcher and the stop's own kill script all gone.
    await waitFor('no process left on the host', async () => ((await remoteAgents()).length === 0 ? true : null), 15_000, 250)
  }, 120_000)

  it('Claude Code on the host: interrupt a streaming turn; the process stays and takes the next prompt', async () => {
    const pid = await remoteProject()
    const s = await c.caller.sessions.start({ projectId: pid, prompt: 'interrupt me [[slow:20]]' })
    await waitFor('the answer to stream', () => draftsOf(rec.events, s.id).some((t) => t.startsWith('tick0 tick1')), 60_000)
    const before = c.core.supervisor.getSession(s.id)
    await c.caller.sessions.interrupt({ id: s.id })
    const after = await waitForStatus(c.core, s.id, ['idle'], 20_000)
    expect(after.statusReason?.message).toMatch(/interrupted/)
    await c.caller.sessions.send({ id: s.id, prompt: '[[text:after interrupt]]' })
    await waitFor('the turn after the interrupt', () => texts(s.id).some((m) => m.text === 'after interrupt'), 60_000)
    expect(c.core.supervisor.getSession(s.id).cliSessionId).toBe(before.cliSessionId)
    await c.caller.sessions.stop({ id: s.id })
  }, 120_000)

  it('the connection is killed mid-stream: what was stored stays, the session is marked, reconnects and resumes from the CLI session id; the orphaned agent ends after the grace period', async () => {
    const pid = await remoteProject()
    const s = await c.caller.sessions.start({ projectId: pid, prompt: 'first [[text:before the drop]]' })
    await waitFor(
      'the first turn',
      () => (c.core.supervisor.getSession(s.id).status === 'idle' && texts(s.id).some((m) => m.text === 'before the drop') ? true : null),
      60_000
    )
    const cliId = c.core.supervisor.getSession(s.id).cliSessionId
    expect(cliId).toBeTruthy()
    const stored = texts(s.id).length
    await c.caller.sessions.send({ id: s.id, prompt: 'stream [[slow:30]]' })
    await waitFor('the answer to stream', () => draftsOf(rec.events, s.id).some((t) => t.startsWith('tick0 tick1')), 60_000)
    const oldAgents = (await remoteAgents()).filter((l) => /claude/.test(l))
    expect(oldAgents.length).toBeGreaterThan(0)
    // The network "drops": sshd's per-connection processes die (the master and every channel with them).
    sshd.dropConnections()
    // Marked: the status (it may move on quickly once reconnected) and a line in the transcript.
    await waitFor(
      'the session to be marked disconnected',
      () => texts(s.id).some((m) => m.kind === 'system' && /Disconnected from the host/.test(m.text)) || null,
      30_000
    )
    // Nothing stored before the drop is lost; seqs stay gap-free.
    expect(texts(s.id).length).toBeGreaterThanOrEqual(stored)
    // Reconnected with backoff, resumed with the same CLI session (its process alive and idle again).
    await waitForStatus(c.core, s.id, ['idle'], 60_000)
    expect(c.core.supervisor.getSession(s.id).cliSessionId).toBe(cliId)
    await c.caller.sessions.send({ id: s.id, prompt: 'after [[text:resumed after the drop]]' })
    await waitFor('a turn after the reconnect', () => texts(s.id).some((m) => m.text === 'resumed after the drop'), 60_000)
    const seqs = seqsOf(c.core, s.id)
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1))
    // The agent whose connection died is gone from the host (grace 5 s + TERM→KILL 3 s); only the resumed one runs.
    const oldPids = oldAgents.map((l) => l.split(/\s+/)[0])
    await waitFor('the orphaned agent to end', async () => ((await remoteAgents()).some((l) => oldPids.includes(l.split(/\s+/)[0])) ? null : true), 20_000, 500)
    await expect(c.caller.remote.hosts()).resolves.toEqual(expect.arrayContaining([expect.objectContaining({ host: SSH_ALIAS, state: 'connected' })]))
    await c.caller.sessions.stop({ id: s.id })
    await waitFor('no process left on the host', async () => ((await remoteAgents()).length === 0 ? true : null), 15_000, 250)
  }, 180_000)

  it('Codex (app-server over the ssh channel): a turn with an approval, then stop leaves no process on the host', async () => {
    const pid = await remoteProject()
    const s = await c.caller.sessions.start({ projectId: pid, provider: 'codex', prompt: '[[bash:touch made-by-codex.txt]]', permissionMode: 'default' })
    const approval = await waitFor(
      'an approval',
      async () => (await c.caller.sessions.approvals({ projectId: pid })).find((a) => a.sessionId === s.id) ?? null,
      90_000,
      100
    )
    expect(JSON.stringify(approval.input)).toContain('touch made-by-codex.txt')
    await c.caller.sessions.answerApproval({ approvalId: approval.id, decision: { behavior: 'allow', scope: 'once' } })
    await waitFor(
      'the turn',
      () => (c.core.supervisor.getSession(s.id).status === 'idle' && texts(s.id).some((m) => m.text.includes('DONE. Tool output was:')) ? true : null),
      90_000,
      100
    )
    expect(existsSync(path.join(projectDir, 'made-by-codex.txt'))).toBe(true)
    expect(c.core.supervisor.getSession(s.id).cliSessionId).toBeTruthy()
    expect((await remoteAgents()).some((l) => /codex/.test(l))).toBe(true)
    await c.caller.sessions.stop({ id: s.id })
    await waitFor('no process left on the host', async () => ((await remoteAgents()).length === 0 ? true : null), 15_000, 250)
  }, 180_000)

  it('quit and crash: closing the app stops the host agents; a local ssh client killed like a crash leaves the agent only for the grace period', async () => {
    const pid = await remoteProject()
    // Crash: the local side of the channel dies without a word (what the local watchdog does when the app is killed).
    const s = await c.caller.sessions.start({ projectId: pid, prompt: 'crash [[text:up]]' })
    await waitFor('the turn', () => (c.core.supervisor.getSession(s.id).status === 'idle' && texts(s.id).some((m) => m.text === 'up') ? true : null), 60_000)
    const localSsh = c.core.store.getSession(s.id)?.pid
    expect(localSsh).toBeTruthy()
    expect((await remoteAgents()).some((l) => /claude/.test(l))).toBe(true)
    process.kill(-(localSsh as number), 'SIGKILL')
    await waitFor(
      'the agent to end on the host after the grace period',
      async () => ((await remoteAgents()).some((l) => /claude/.test(l)) ? null : true),
      20_000,
      500
    )

    // Quit: a second app instance on its own data dir starts a session and is disposed.
    const other = testCore({ providers: [new ClaudeProvider()], hostEnv: sandbox.env })
    try {
      const location = `${SSH_ALIAS}:${projectDir}`
      const refused = await other.caller.remote.check({ location }).then(
        () => null,
        (err: { cause?: unknown }) => err.cause as RemoteError
      )
      await other.caller.remote.acceptHostKey({ location, fingerprint: refused?.fields?.fingerprint as string })
      const p2 = await other.caller.projects.add({ path: location })
      const s2 = await other.caller.sessions.start({ projectId: p2.id, prompt: 'quit [[text:up too]]' })
      await waitFor('the turn', () => (other.core.supervisor.getSession(s2.id).status === 'idle' ? true : null), 60_000)
      expect((await remoteAgents()).some((l) => /claude/.test(l))).toBe(true)
    } finally {
      await other.cleanup()
    }
    // Right after the quit (no grace period to wait out: stop reached the host's process group).
    expect((await remoteAgents()).filter((l) => /claude/.test(l))).toEqual([])
  }, 180_000)

  it('a CLI missing on the host: the session fails saying so, with the command that installs it there', async () => {
    const pid = await remoteProject()
    const bin = path.join(sshd.remoteHome, '.local', 'bin')
    renameSync(path.join(bin, 'codex'), path.join(bin, 'codex.off'))
    try {
      const s = await c.caller.sessions.start({ projectId: pid, provider: 'codex', prompt: '[[text:never]]' }).catch((err: Error) => err)
      const id = s instanceof Error ? null : s.id
      if (id) {
        const done = await waitForStatus(c.core, id, ['error'], 30_000)
        expect(`${done.statusReason?.message} ${done.statusReason?.stderrTail}`).toMatch(/codex is not installed on this host.*npm install -g @openai\/codex/)
      } else {
        expect(String(s)).toMatch(/codex is not installed on this host.*npm install -g @openai\/codex/)
      }
    } finally {
      renameSync(path.join(bin, 'codex.off'), path.join(bin, 'codex'))
    }
  }, 60_000)
})

/*
 * OpenCode on an SSH host, as an ACP agent (`opencode acp` over the ssh channel's stdio, like Claude
 * Code and Codex: one stdio protocol, no port forward to keep alive). Its config and XDG dirs are on
 * the host. The client-side fs/terminal capabilities are not offered for a host agent (they would act
 * on this machine), so OpenCode runs its own tools there.
 */
describe.skipIf(skip)('OpenCode (ACP) on an SSH host (real sshd on 127.0.0.1)', () => {
  // Its own sshd and app core; after the suite above (one file: `ps` of the host account sees only this suite's processes).
  let sshd: TestSshd
  let server: FakeModelServer
  let c: ReturnType<typeof testCore>
  let projectDir: string

  beforeAll(async () => {
    sshd = await startSshd()
    server = await startFakeModelServer()
    const home = sshd.remoteDir('opencode-home')
    const xdg = xdgDirs(home)
    for (const d of Object.values(xdg)) mkdirSync(d, { recursive: true })
    seedOpenCodeConfigDir(path.join(xdg.XDG_CONFIG_HOME, 'opencode'))
    projectDir = sshd.remoteDir('acp project')
    writeFileSync(path.join(projectDir, 'opencode.json'), JSON.stringify(acpOpenCodeConfig(server.url), null, 2))
    execFileSync('chown', ['-R', `${REMOTE_USER}:${REMOTE_USER}`, home, projectDir])
    let readCommand: () => readonly string[] | undefined = () => undefined
    const env = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: home,
      LANG: 'C.UTF-8',
      ...xdg,
      ...OPENCODE_OFFLINE_ENV,
      SHEPHERD_SSH_CONFIG: sshd.configFile
    }
    c = testCore({ providers: [new AcpProvider({ command: () => readCommand() })], hostEnv: env })
    const settings = c.core.createContext().settings
    readCommand = () => settings.get().providers.acp.command
    const s = await c.caller.settings.get()
    // The local command's program (an absolute path here) is looked up by its name on the host.
    await c.caller.settings.update({
      defaultProvider: 'acp',
      providers: { ...s.providers, acp: { ...s.providers.acp, command: `'${opencodeAcpBinary()}' acp` } }
    })
  }, 60_000)
  afterAll(async () => {
    await c?.cleanup()
    await server?.close()
    await sshd?.stop()
  }, 60_000)

  it('a turn with a shell command runs on the host; stop leaves no process there', async () => {
    const location = `${SSH_ALIAS}:${projectDir}`
    const refused = await c.caller.remote.check({ location }).then(
      () => null,
      (err: { cause?: unknown }) => err.cause as RemoteError
    )
    if (refused) await c.caller.remote.acceptHostKey({ location, fingerprint: refused.fields?.fingerprint as string })
    const project = await c.caller.projects.add({ path: location })
    const s = await c.caller.sessions.start({
      projectId: project.id,
      prompt: 'please [[bash:touch made-by-opencode.txt && pwd]]',
      permissionMode: 'acceptEdits'
    })
    await waitFor(
      'the turn',
      async () => {
        for (const a of await c.caller.sessions.approvals({ projectId: project.id })) {
          await c.caller.sessions.answerApproval({ approvalId: a.id, decision: { behavior: 'allow', scope: 'once' } })
        }
        const cur = c.core.supervisor.getSession(s.id)
        return cur.status === 'idle' && c.core.store.messagesAfter(s.id, 0, 1000).some((m) => m.kind === 'assistant' && m.text.includes('DONE.')) ? true : null
      },
      120_000,
      200
    )
    // Made on the host by its account (OpenCode's own shell tool there, not a client terminal here).
    expect(existsSync(path.join(projectDir, 'made-by-opencode.txt'))).toBe(true)
    expect(statSync(path.join(projectDir, 'made-by-opencode.txt')).uid).toBe(statSync(projectDir).uid)
    expect(statSync(projectDir).uid).not.toBe(process.getuid?.())
    expect(readFileSync(path.join(projectDir, 'opencode.json'), 'utf8')).toContain('fake')
    const hosts = c.core.createContext().remote.hosts
    const ps = async () =>
      (await hosts.exec(parseRemoteLocation(`${SSH_ALIAS}:/`), 'ps -u "$(id -u)" -o args=')).stdout
        .split('\n')
        .filter((l) => /opencode|shepherd\.|^cat$/.test(l.trim()))
    expect((await ps()).some((l) => /opencode/.test(l))).toBe(true)
    await c.caller.sessions.stop({ id: s.id })
    await waitFor('no process left on the host', async () => ((await ps()).length === 0 ? true : null), 15_000, 250)
  }, 180_000)
})
