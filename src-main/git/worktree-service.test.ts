/** Session worktrees through the API (createCaller) with real git and the in-memory agent. */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { testCore } from '../../test/support/core'
import { tempDir } from '../../test/support/temp'
import { MemoryProvider } from '../../test/support/memory-provider'
import { GIT_TEST_ENV, git, makeRepo, write } from '../../test/support/git-repo'

Object.assign(process.env, GIT_TEST_ENV)
const cleanups: (() => unknown)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

async function until<T>(fn: () => T | Promise<T>, ok: (v: T) => boolean, ms = 15_000): Promise<T> {
  const end = Date.now() + ms
  for (;;) {
    const v = await fn()
    if (ok(v)) return v
    if (Date.now() > end) throw new Error(`timed out; last value ${JSON.stringify(v)}`)
    await new Promise((r) => setTimeout(r, 30))
  }
}

async function setup(dirName = 'my repo ü') {
  const provider = new MemoryProvider()
  const folders = tempDir('shepherd-wt-')
  const t = testCore({ providers: [provider] })
  cleanups.push(folders.cleanup, t.cleanup)
  const repo = makeRepo(join(folders.dir, dirName), { 'app.txt': 'hello\n', '.gitignore': '.env\n' })
  const project = await t.caller.projects.add({ path: repo })
  return { ...t, provider, repo, project, folders }
}

describe('session worktrees', () => {
  it('starts the agent in its own worktree under the data dir, on a new branch, with copied files and setup output', async () => {
    const { caller, provider, repo, project, dataDir } = await setup()
    writeFileSync(join(repo, '.env'), 'SECRET=1\n')
    await caller.worktrees.saveSetup({ projectId: project.id, copyFiles: ['.env'], setupCommand: 'echo setting up; echo done > setup.out' })
    expect(await caller.worktrees.availability({ projectId: project.id })).toMatchObject({ available: true, currentBranch: 'main' })
    const s = await caller.worktrees.start({ projectId: project.id, prompt: 'Fix the login bug' })
    expect(s.cwd.startsWith(join(dataDir, 'worktrees'))).toBe(true)
    await until(
      () => provider.handles.length,
      (n) => n === 1
    )
    expect(provider.last.opts.cwd).toBe(s.cwd)
    expect(provider.last.sent).toEqual(['Fix the login bug'])
    const wt = (await caller.worktrees.get({ sessionId: s.id }))!
    expect(wt).toMatchObject({ state: 'ready', baseBranch: 'main', branch: expect.stringMatching(/^shepherd\/fix-the-login-bug-[0-9a-f]{6}$/) })
    expect(readFileSync(join(s.cwd, '.env'), 'utf8')).toBe('SECRET=1\n')
    const texts = t(await caller.messages.page({ sessionId: s.id, beforeSeq: null, limit: 50 }))
    expect(texts.join('\n')).toMatch(/Worktree ready[\s\S]*Copied \.env[\s\S]*setting up/)
    // the agent writes in its worktree, not in the main checkout
    write(s.cwd, 'src/new.ts', 'export const x = 1\n')
    expect(existsSync(join(repo, 'src/new.ts'))).toBe(false)
    const c = await caller.worktrees.changes({ sessionId: s.id })
    expect(c.files.map((f) => f.path)).toEqual(['setup.out', 'src/new.ts'])
    expect((await caller.worktrees.diff({ sessionId: s.id, path: 'src/new.ts' })).diff).toMatch(/\+export const x = 1/)
    // delete refuses while the worktree holds uncommitted work, then removes it when confirmed
    await expect(caller.sessions.delete({ id: s.id })).rejects.toThrow(/not merged: .*uncommitted src\/new\.ts/)
    expect(existsSync(s.cwd)).toBe(true)
    await caller.sessions.delete({ id: s.id, discardWork: true })
    expect(existsSync(s.cwd)).toBe(false)
    expect(git(repo, 'branch', '--list', wt.branch)).toBe('')
  })

  it('a failing setup command shows its output tail, keeps the worktree and the prompt, and the agent can start anyway', async () => {
    const { caller, provider, project } = await setup()
    await caller.worktrees.saveSetup({ projectId: project.id, setupCommand: 'echo line-one; echo boom >&2; exit 3' })
    const s = await caller.worktrees.start({ projectId: project.id, prompt: 'do it' })
    const failed = await until(
      () => caller.sessions.get({ id: s.id }),
      (x) => x.status === 'error'
    )
    expect(failed.statusReason?.message).toMatch(/setup command failed \(exit 3\)[\s\S]*boom/)
    expect(provider.handles).toHaveLength(0)
    expect(await caller.worktrees.get({ sessionId: s.id })).toMatchObject({ state: 'setup_failed' })
    await caller.worktrees.startAnyway({ sessionId: s.id })
    expect(provider.last.opts.cwd).toBe(s.cwd)
    expect(provider.last.sent).toEqual(['do it'])
  })

  it('refuses worktrees with the reason: not a repo, no commits', async () => {
    const provider = new MemoryProvider()
    const folders = tempDir('shepherd-wt-')
    const t = testCore({ providers: [provider] })
    cleanups.push(folders.cleanup, t.cleanup)
    const { mkdirSync } = await import('node:fs')
    mkdirSync(join(folders.dir, 'plain'))
    const p = await t.caller.projects.add({ path: join(folders.dir, 'plain') })
    expect(await t.caller.worktrees.availability({ projectId: p.id })).toMatchObject({
      available: false,
      reason: expect.stringMatching(/not a git repository/)
    })
    await expect(t.caller.worktrees.start({ projectId: p.id, prompt: 'x' })).rejects.toThrow(/not a git repository/)
    mkdirSync(join(folders.dir, 'empty'))
    git(join(folders.dir, 'empty'), 'init', '-q')
    const e = await t.caller.projects.add({ path: join(folders.dir, 'empty') })
    expect(await t.caller.worktrees.availability({ projectId: e.id })).toMatchObject({ available: false, reason: expect.stringMatching(/no commits/) })
    expect(t.core.store.listSessions(p.id)).toHaveLength(0)
  })

  it('rejects bad input: an option-looking or unknown base branch, paths outside the project', async () => {
    const { caller, project } = await setup()
    await expect(caller.worktrees.start({ projectId: project.id, prompt: 'x', baseBranch: '--upload-pack=evil' })).rejects.toThrow(/not a valid branch name/)
    await expect(caller.worktrees.start({ projectId: project.id, prompt: 'x', baseBranch: 'nope' })).rejects.toThrow(/no branch “nope”/)
    await expect(caller.worktrees.saveSetup({ projectId: project.id, copyFiles: ['../secret'] })).rejects.toThrow(/inside the project/)
  })

  it('commit, merge (remembered per project), a dirty main checkout refused, conflict refused, rebase prompt, discard', async () => {
    const { caller, provider, repo, project } = await setup()
    const a = await caller.worktrees.start({ projectId: project.id, prompt: 'session a' })
    const b = await caller.worktrees.start({ projectId: project.id, prompt: 'session b' })
    await until(
      () => provider.handles.length,
      (n) => n === 2
    )
    write(a.cwd, 'app.txt', 'hello from a\n')
    write(b.cwd, 'app.txt', 'hello from b\n')
    expect(await caller.worktrees.merge({ sessionId: a.id, mode: 'squash', message: 'a' })).toMatchObject({ ok: false, reason: 'uncommitted' })
    await caller.worktrees.commit({ sessionId: a.id, message: 'session a' })
    await caller.worktrees.commit({ sessionId: b.id, message: 'session b' })
    write(repo, 'app.txt', 'my own work\n')
    expect(await caller.worktrees.merge({ sessionId: a.id, mode: 'squash', message: 'a' })).toMatchObject({ ok: false, reason: 'dirty', files: ['app.txt'] })
    expect(readFileSync(join(repo, 'app.txt'), 'utf8')).toBe('my own work\n')
    git(repo, 'checkout', '--', 'app.txt')
    expect(await caller.worktrees.merge({ sessionId: a.id, mode: 'squash', message: 'a' })).toMatchObject({ ok: true, mode: 'squash' })
    expect((await caller.worktrees.setup({ projectId: project.id })).mergeMode).toBe('squash')
    expect((await caller.worktrees.changes({ sessionId: a.id })).files).toEqual([])
    expect(await caller.worktrees.atRisk({ sessionId: a.id })).toEqual({ commits: [], files: [] })
    const main = git(repo, 'rev-parse', 'main')
    expect(await caller.worktrees.merge({ sessionId: b.id, mode: 'merge', message: 'b' })).toMatchObject({ ok: false, reason: 'conflict', files: ['app.txt'] })
    expect(git(repo, 'rev-parse', 'main')).toBe(main)
    const rb = await caller.worktrees.rebase({ sessionId: b.id })
    expect(rb).toMatchObject({ ok: false, conflicts: ['app.txt'], prompt: expect.stringMatching(/conflicts in:\n- app\.txt/) })
    // the agent would resolve it; here the test does what the prompt asks
    write(b.cwd, 'app.txt', 'hello from a and b\n')
    git(b.cwd, 'add', 'app.txt')
    git(b.cwd, '-c', 'core.editor=true', 'rebase', '--continue')
    expect(await caller.worktrees.merge({ sessionId: b.id, mode: 'merge', message: 'b' })).toMatchObject({ ok: true })
    expect(readFileSync(join(repo, 'app.txt'), 'utf8')).toBe('hello from a and b\n')
    await caller.sessions.stop({ id: a.id })
    await caller.worktrees.discard({ sessionId: a.id })
    expect(existsSync(a.cwd)).toBe(false)
  })

  it('a worktree deleted by hand while the agent runs is reported, not a crash; startup reconcile lists it; fork makes a new worktree', async () => {
    const { caller, provider, core, project, dataDir, repo } = await setup()
    const s = await caller.worktrees.start({ projectId: project.id, prompt: 'work' })
    await until(
      () => provider.handles.length,
      (n) => n === 1
    )
    write(s.cwd, 'f.txt', 'f\n')
    await caller.worktrees.commit({ sessionId: s.id, message: 'f' })
    provider.last.emit({ kind: 'cli_session', cliSessionId: 'c1' })
    await new Promise((r) => setTimeout(r, 50))
    const fork = await caller.worktrees.fork({ sessionId: s.id })
    expect(fork.cwd).not.toBe(s.cwd)
    expect(readFileSync(join(fork.cwd, 'f.txt'), 'utf8')).toBe('f\n')
    rmSync(s.cwd, { recursive: true, force: true })
    const c = await caller.worktrees.changes({ sessionId: s.id })
    expect(c).toMatchObject({ missing: true, message: expect.stringMatching(/removed outside Shepherd/) })
    const found = await core.worktrees.reconcile()
    expect(found).toEqual([expect.objectContaining({ sessionId: s.id, what: expect.stringMatching(/removed outside Shepherd/) })])
    await caller.sessions.stop({ id: s.id })
    await caller.worktrees.discard({ sessionId: s.id })
    expect(git(repo, 'worktree', 'list')).not.toContain(s.cwd)
    void dataDir
  })
})

function t(page: { messages: { text: string }[] }): string[] {
  return page.messages.map((m) => m.text)
}
