/**
 * Worktrees, the Changes view and merge for a project on an SSH host (issue 17): every git command
 * runs on "the host" (the local account shepherd-remote behind a real sshd on 127.0.0.1, real git
 * there) over the host's ControlMaster (src-main/git/remote-git.ts), and the real pinned Claude Code
 * works in the worktree there. The project folder's name carries shell metacharacters: quoted argv,
 * never a shell string. Skips with the reason where sshd cannot run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { startFakeModelServer, type FakeModelServer } from '../support/fake-model-server.mjs'
import { makeAgentSandbox, type AgentSandbox } from '../support/agents'
import { testCore } from '../support/core'
import { waitFor } from '../support/live'
import { REMOTE_USER, sshdSkipReason, startSshd, SSH_ALIAS, type TestSshd } from '../support/sshd'
import { GIT_TEST_ENV, makeRepo } from '../support/git-repo'
import { ClaudeProvider } from '../../src-main/providers/claude/provider'
import type { RemoteError } from '../../src-main/remote/errors'

const skip = sshdSkipReason()
if (skip) console.warn(`SSH worktree tests skipped: ${skip}`)

/** git on "the host" as root reads a repository the remote account owns. */
const hostGit = (cwd: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'safe.directory=*', ...args], { cwd, env: { ...process.env, ...GIT_TEST_ENV }, encoding: 'utf8' }).trim()

describe.skipIf(skip)('worktrees of a project on an SSH host (real sshd and git on 127.0.0.1)', () => {
  let sshd: TestSshd
  let server: FakeModelServer
  let sandbox: AgentSandbox
  let c: ReturnType<typeof testCore>
  let repo: string
  let gitconfig: string | null = null

  beforeAll(async () => {
    sshd = await startSshd()
    server = await startFakeModelServer()
    const claudeDir = sshd.remoteDir('wt-claude-config')
    sandbox = makeAgentSandbox(server.url, { env: { CLAUDE_CONFIG_DIR: claudeDir, SHEPHERD_SSH_CONFIG: sshd.configFile } })
    c = testCore({ providers: [new ClaudeProvider()], hostEnv: sandbox.env })
    // The host's git needs an identity to commit (a user's host has one): set it when the account has none.
    const cfg = path.join(sshd.remoteHome, '.gitconfig')
    if (!existsSync(cfg)) {
      writeFileSync(cfg, '[user]\n\tname = Remote Test\n\temail = remote@example.invalid\n')
      execFileSync('chown', [`${REMOTE_USER}:${REMOTE_USER}`, cfg])
      gitconfig = cfg
    }
    repo = makeRepo(path.join(sshd.remoteDir(`wt repo; $(touch INJECTED) 'q'`), 'app'), { 'app.txt': 'hello\n', '.gitignore': '.env\n' })
    writeFileSync(path.join(repo, '.env'), 'SECRET=1\n')
    execFileSync('chown', ['-R', `${REMOTE_USER}:${REMOTE_USER}`, path.dirname(repo)])
  }, 60_000)

  afterAll(async () => {
    await c?.cleanup()
    sandbox?.cleanup()
    await server?.close()
    if (gitconfig) rmSync(gitconfig, { force: true })
    if (sshd) rmSync(path.join(sshd.remoteHome, '.shepherd-worktrees'), { recursive: true, force: true })
    await sshd?.stop()
  }, 60_000)

  it('Claude Code works in a worktree on the host; Changes, diff, commit and merge run git there; discard removes it', async () => {
    const location = `${SSH_ALIAS}:${repo}`
    const refused = await c.caller.remote.check({ location }).then(
      () => null,
      (err: { cause?: unknown }) => err.cause as RemoteError
    )
    if (refused) await c.caller.remote.acceptHostKey({ location, fingerprint: refused.fields?.fingerprint as string })
    const project = await c.caller.projects.add({ path: location })
    const spawns0 = c.core.worktrees.git.spawns
    expect(await c.caller.worktrees.availability({ projectId: project.id })).toMatchObject({ available: true, currentBranch: 'main', branches: ['main'] })
    await c.caller.worktrees.saveSetup({ projectId: project.id, copyFiles: ['.env'], setupCommand: 'echo setting up on $(id -un); echo done > setup.out' })
    const s = await c.caller.worktrees.start({
      projectId: project.id,
      prompt: 'work [[bash:echo from-claude > agent.txt && pwd]]',
      permissionMode: 'bypassPermissions'
    })
    // The worktree is on the host, in its account's ~/.shepherd-worktrees, and the session runs there.
    expect(s.cwd.startsWith(`${SSH_ALIAS}:${sshd.remoteHome}/.shepherd-worktrees/`)).toBe(true)
    const wtPath = s.cwd.slice(s.cwd.indexOf(':/') + 1)
    await waitFor(
      'the turn in the worktree',
      () =>
        c.core.supervisor.getSession(s.id).status === 'idle' &&
        c.core.store.messagesAfter(s.id, 0, 500).some((m) => m.kind === 'assistant' && m.text.includes('DONE.')),
      120_000,
      200
    )
    const msgs = c.core.store.messagesAfter(s.id, 0, 500)
    expect(msgs.map((m) => m.text).join('\n')).toMatch(/Worktree ready[\s\S]*Copied \.env[\s\S]*setting up on shepherd-remote/)
    expect(msgs.find((m) => m.kind === 'tool_result')?.text).toContain(wtPath)
    // Made on the host, by its account, in the worktree — not in the main checkout.
    expect(readFileSync(path.join(wtPath, 'agent.txt'), 'utf8')).toBe('from-claude\n')
    expect(statSync(path.join(wtPath, 'agent.txt')).uid).toBe(statSync(repo).uid)
    expect(readFileSync(path.join(wtPath, '.env'), 'utf8')).toBe('SECRET=1\n')
    expect(existsSync(path.join(repo, 'agent.txt'))).toBe(false)
    const wt = (await c.caller.worktrees.get({ sessionId: s.id }))!
    expect(wt).toMatchObject({ state: 'ready', baseBranch: 'main' })
    expect(hostGit(repo, 'worktree', 'list')).toContain(wtPath)

    // A file with a non-ASCII name and no final newline, made by the host account too.
    writeFileSync(path.join(wtPath, 'notes ü.md'), 'a\nb')
    execFileSync('chown', [`${REMOTE_USER}:${REMOTE_USER}`, path.join(wtPath, 'notes ü.md')])
    // Changes and a diff, computed by git on the host.
    const ch = await c.caller.worktrees.changes({ sessionId: s.id })
    expect(ch.files.map((f) => [f.path, f.added, f.untracked])).toEqual([
      ['agent.txt', 1, true],
      ['notes ü.md', 2, true],
      ['setup.out', 1, true]
    ])
    expect((await c.caller.worktrees.diff({ sessionId: s.id, path: 'notes ü.md' })).diff).toMatch(/\+a\n\+b/)
    expect((await c.caller.worktrees.diff({ sessionId: s.id, path: 'agent.txt' })).diff).toMatch(/\+from-claude/)
    // Merge refuses uncommitted work; commit, then merge into main on the host.
    expect(await c.caller.worktrees.merge({ sessionId: s.id, mode: 'squash', message: 'x' })).toMatchObject({ ok: false, reason: 'uncommitted' })
    expect((await c.caller.worktrees.commit({ sessionId: s.id, message: 'agent work' })).commit).toMatch(/^[0-9a-f]{40}$/)
    const merged = await c.caller.worktrees.merge({ sessionId: s.id, mode: 'merge', message: 'Merge the agent work' })
    expect(merged).toMatchObject({ ok: true, mode: 'merge' })
    // main moved (fast-forward in the main checkout there, which is on main) and has the file.
    expect(hostGit(repo, 'rev-parse', 'main')).toBe((merged as { commit: string }).commit)
    expect(readFileSync(path.join(repo, 'agent.txt'), 'utf8')).toBe('from-claude\n')
    expect(await c.caller.worktrees.atRisk({ sessionId: s.id })).toEqual({ commits: [], files: [] })
    // All of it went through the runner — on the host, as its account: a local git run as root on this
    // repository (owned by the remote account) would have refused it as "dubious ownership".
    expect(c.core.worktrees.git.spawns).toBeGreaterThan(spawns0)

    // A fork of the worktree session: a new worktree on the host from the session branch, the same conversation.
    const wf = await c.caller.worktrees.fork({ sessionId: s.id, prompt: '[[history]]' })
    const wfPath = wf.cwd.slice(wf.cwd.indexOf(':/') + 1)
    expect(wf.cwd.startsWith(`${SSH_ALIAS}:${sshd.remoteHome}/.shepherd-worktrees/`)).toBe(true)
    expect(readFileSync(path.join(wfPath, 'agent.txt'), 'utf8')).toBe('from-claude\n')
    await waitFor('the forked turn', () => c.core.store.messagesAfter(wf.id, 0, 500).some((m) => m.text.startsWith('HISTORY:')), 120_000, 200)
    await c.caller.sessions.stop({ id: wf.id })
    await c.caller.worktrees.discard({ sessionId: wf.id })
    expect(existsSync(wfPath)).toBe(false)

    await c.caller.sessions.stop({ id: s.id })
    await c.caller.worktrees.discard({ sessionId: s.id })
    expect(existsSync(wtPath)).toBe(false)
    expect(hostGit(repo, 'worktree', 'list')).not.toContain(wtPath)
    expect(hostGit(repo, 'branch', '--list', wt.branch)).toBe('')
    // The folder name's metacharacters stayed literal.
    expect(existsSync(path.join(path.dirname(repo), 'INJECTED'))).toBe(false)
    expect(existsSync(path.join(path.dirname(path.dirname(repo)), 'INJECTED'))).toBe(false)
  }, 240_000)

  it('Claude Code on the host: model and permission mode switched live, then a fork continues the same conversation there', async () => {
    const dir = sshd.remoteDir('fork project')
    const project = await c.caller.projects.add({ path: `${SSH_ALIAS}:${dir}` })
    const texts = (id: string) => c.core.store.messagesAfter(id, 0, 1000)
    const idle = (id: string) => waitFor(`session ${id} idle`, () => c.core.supervisor.getSession(id).status === 'idle', 90_000, 100)
    const s = await c.caller.sessions.start({ projectId: project.id, prompt: 'remember PAPAYA [[text:ready]]', permissionMode: 'default' })
    await waitFor('the first turn', () => texts(s.id).some((m) => m.text === 'ready'), 90_000, 100)
    await idle(s.id)
    const cliId = c.core.supervisor.getSession(s.id).cliSessionId
    expect(cliId).toBeTruthy()
    // Model: the host's CLI asks the model server for the new model.
    await c.caller.sessions.setModel({ id: s.id, model: 'claude-test-model-b' })
    await c.caller.sessions.send({ id: s.id, prompt: '[[model]]' })
    await waitFor('the model echo', () => texts(s.id).some((m) => m.text.includes('MODEL: claude-test-model-b')), 90_000, 100)
    await idle(s.id)
    // Mode: acceptEdits lets the write through without an approval; the file lands on the host.
    await c.caller.sessions.setPermissionMode({ id: s.id, mode: 'acceptEdits' })
    expect(c.core.supervisor.getSession(s.id).permissionMode).toBe('acceptEdits')
    await c.caller.sessions.send({ id: s.id, prompt: '[[write:mode.txt|accepted]]' })
    await waitFor('the write', () => existsSync(path.join(dir, 'mode.txt')), 90_000, 100)
    await idle(s.id)
    expect(readFileSync(path.join(dir, 'mode.txt'), 'utf8')).toBe('accepted')
    expect(statSync(path.join(dir, 'mode.txt')).uid).toBe(statSync(dir).uid)
    expect(await c.caller.sessions.approvals({ projectId: project.id })).toEqual([])
    // Fork: a new CLI session on the host that carries the earlier conversation.
    const fork = await c.caller.sessions.fork({ id: s.id, prompt: '[[history]]' })
    expect(fork.cwd).toBe(`${SSH_ALIAS}:${dir}`)
    await waitFor('the forked turn', () => texts(fork.id).some((m) => m.text.startsWith('HISTORY:')), 90_000, 100)
    expect(texts(fork.id).find((m) => m.text.startsWith('HISTORY:'))?.text).toContain('remember PAPAYA')
    const forked = c.core.supervisor.getSession(fork.id)
    expect(forked.cliSessionId).toBeTruthy()
    expect(forked.cliSessionId).not.toBe(cliId)
    await c.caller.sessions.stop({ id: s.id })
    await c.caller.sessions.stop({ id: fork.id })
    // The wrappers (their argv names the folder) are gone, so are the agents they waited for.
    await waitFor('no agent left for this folder on the host', () => !sshd.remoteProcesses().some((l) => l.includes(dir)), 20_000, 250)
  }, 300_000)

  it('not a repository on the host: the worktree is refused with the reason', async () => {
    const plain = sshd.remoteDir('wt plain folder')
    const project = await c.caller.projects.add({ path: `${SSH_ALIAS}:${plain}` })
    expect(await c.caller.worktrees.availability({ projectId: project.id })).toMatchObject({
      available: false,
      reason: expect.stringMatching(/not a git repository/)
    })
  }, 60_000)
})
