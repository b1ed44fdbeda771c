/**
 * Git on an SSH host, without sshd: the host scripts run through a real local `sh` exactly as the
 * host's would get them (argv words, stdin), with a login-shell banner in front of their stdout, so
 * the quoting, the marker and the exit-code mapping are checked everywhere. The real-sshd test is
 * test/integration/ssh-worktree-fork.test.ts.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { tempDir } from '../../test/support/temp'
import { GIT_TEST_ENV, makeRepo } from '../../test/support/git-repo'
import type { ExecResult, SshHosts } from '../remote/ssh'
import { hostPath, sameHost } from './remote-git'
import { GitRunner } from './runner'
import { addWorktree, changesVsBase, listWorktrees, probeRepo, removeWorktree } from './repo'

const cleanups: (() => void)[] = []
afterEach(() => {
  for (const c of cleanups.splice(0)) c()
})

/** SshHosts whose `exec` runs `sh -c script shepherd args…` here (what ssh runs on the host), behind a banner. */
function localHosts(calls: string[][]): SshHosts {
  return {
    async exec(_loc: unknown, script: string, args: readonly string[] = []): Promise<ExecResult> {
      calls.push([...args])
      const r = spawnSync('sh', ['-c', script, 'shepherd', ...args], { encoding: 'utf8', env: { ...process.env, ...GIT_TEST_ENV } })
      return { code: r.status, stdout: `BANNER from .bashrc\n${r.stdout}`, stderr: r.stderr }
    }
  } as unknown as SshHosts
}

describe('git on an SSH host (host scripts through a real sh)', () => {
  it('locations map to host paths and back', () => {
    expect(hostPath('box:/srv/a b')).toBe('/srv/a b')
    expect(hostPath('/local/x')).toBe('/local/x')
    expect(sameHost('u@box:2222:/srv/a', '/srv/b')).toBe('u@box:2222:/srv/b')
    expect(sameHost('/local/a', '/local/b')).toBe('/local/b')
  })

  it('a repository in a folder with shell metacharacters: probe, worktree, changes, remove — banner dropped, nothing injected', async () => {
    const t = tempDir()
    cleanups.push(t.cleanup)
    const base = join(t.dir, `r; $(touch INJECTED) 'q' "x"`)
    const repo = makeRepo(base, { 'app.txt': 'hello\n' })
    const calls: string[][] = []
    const git = new GitRunner('git', { ...process.env, ...GIT_TEST_ENV })
    git.remote = localHosts(calls)
    const loc = `box:${repo}`
    const probe = await probeRepo(git, loc)
    expect(probe).toMatchObject({ ok: true, root: loc, branch: 'main', branches: ['main'], hasSubmodules: false })
    const wt = `box:${t.dir}/wt $(x)/feature`
    await git.mkdirp(`box:${t.dir}/wt $(x)`)
    const { baseCommit } = await addWorktree(git, loc, { path: wt, branch: 'shepherd/f', base: 'main' })
    expect(existsSync(hostPath(wt))).toBe(true)
    expect((await listWorktrees(git, loc)).map((w) => w.path)).toContain(wt)
    writeFileSync(join(hostPath(wt), 'new ü.txt'), 'one\ntwo')
    const c = await changesVsBase(git, wt, baseCommit, loc)
    expect(c.files).toEqual([expect.objectContaining({ path: 'new ü.txt', added: 2, untracked: true })])
    await git.copy(`box:${join(repo, 'app.txt')}`, `box:${join(hostPath(wt), 'sub', 'copied.txt')}`)
    expect(readFileSync(join(hostPath(wt), 'sub', 'copied.txt'), 'utf8')).toBe('hello\n')
    await removeWorktree(git, loc, wt, 'shepherd/f')
    expect(existsSync(hostPath(wt))).toBe(false)
    expect(existsSync(join(t.dir, 'INJECTED'))).toBe(false)
    expect(existsSync(join(base, 'INJECTED'))).toBe(false)
    // Every path went as its own argv word, never inside the script.
    expect(calls.some((a) => a.includes(repo))).toBe(true)
  })

  it('git failures keep their exit code and message; a missing folder on the host is a clear refusal', async () => {
    const t = tempDir()
    cleanups.push(t.cleanup)
    const git = new GitRunner()
    git.remote = localHosts([])
    mkdirSync(join(t.dir, 'plain'))
    expect(await probeRepo(git, `box:${join(t.dir, 'plain')}`)).toMatchObject({ ok: false, reason: expect.stringMatching(/not a git repository/) })
    expect(await probeRepo(git, `box:${join(t.dir, 'nope')}`)).toMatchObject({ ok: false, reason: expect.stringMatching(/does not exist/) })
    await expect(git.run(`box:${join(t.dir, 'plain')}`, ['rev-parse', 'HEAD'])).rejects.toMatchObject({ exitCode: 128 })
  })

  it('the host unreachable (ssh exit 255) is said as such, not as a git failure', async () => {
    const git = new GitRunner()
    git.remote = {
      exec: async () => ({ code: 255, stdout: '', stderr: 'ssh: connect to host box port 22: Connection refused\n' })
    } as unknown as SshHosts
    await expect(git.run('box:/srv/repo', ['status'])).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      message: expect.stringMatching(/cannot reach box .*Connection refused/)
    })
    expect(await probeRepo(git, 'box:/srv/repo')).toMatchObject({ ok: false, reason: expect.stringMatching(/cannot reach box/) })
  })
})
