import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { tempDir } from '../../test/support/temp'
import { GIT_TEST_ENV, git, makeRepo, write } from '../../test/support/git-repo'
import { GitRunner, GIT_PER_REPO } from './runner'
import {
  addWorktree,
  branchNameFor,
  changesVsBase,
  commitAll,
  fileDiff,
  listWorktrees,
  mergeInto,
  probeRepo,
  rebaseOnto,
  removeWorktree,
  unmergedWork
} from './repo'

let t: ReturnType<typeof tempDir>
let g: GitRunner
beforeEach(() => {
  t = tempDir('shepherd-git-')
  g = new GitRunner('git', { ...process.env, ...GIT_TEST_ENV })
})
afterEach(() => t.cleanup())

describe('probeRepo', () => {
  it('says why a folder cannot have worktrees: not a repo, no commits, bare', async () => {
    mkdirSync(join(t.dir, 'plain'))
    expect(await probeRepo(g, join(t.dir, 'plain'))).toMatchObject({ ok: false, reason: expect.stringMatching(/not a git repository/) })
    mkdirSync(join(t.dir, 'empty'))
    git(join(t.dir, 'empty'), 'init', '-q')
    expect(await probeRepo(g, join(t.dir, 'empty'))).toMatchObject({ ok: false, reason: expect.stringMatching(/no commits/) })
    git(t.dir, 'init', '-q', '--bare', 'bare.git')
    expect(await probeRepo(g, join(t.dir, 'bare.git'))).toMatchObject({ ok: false, reason: expect.stringMatching(/bare/) })
  })
  it('lists branches and the current one; detached HEAD has no current branch but works', async () => {
    const r = makeRepo(join(t.dir, 'r'))
    git(r, 'branch', 'dev')
    expect(await probeRepo(g, r)).toMatchObject({ ok: true, branch: 'main', branches: ['dev', 'main'] })
    git(r, 'checkout', '-q', '--detach')
    const p = await probeRepo(g, r)
    expect(p).toMatchObject({ ok: true, branch: null })
  })
  it('git missing is a clear error with the install hint', async () => {
    const none = new GitRunner('/nonexistent/git')
    expect(await probeRepo(none, t.dir)).toMatchObject({ ok: false, reason: expect.stringMatching(/git was not found.*Install git/) })
  })
})

describe('branchNameFor', () => {
  it('slugs the title and never collides', () => {
    expect(branchNameFor('Fix the Login — bug!', 'ab12', new Set())).toBe('shepherd/fix-the-login-bug-ab12')
    expect(branchNameFor('Éclair über', 'ab12', new Set(['shepherd/eclair-uber-ab12']))).toBe('shepherd/eclair-uber-ab12-2')
    expect(branchNameFor('--upload-pack=evil', 'x', new Set())).toBe('shepherd/upload-pack-evil-x')
  })
})

describe('worktrees', () => {
  it('creates, lists changes (committed, modified, untracked, binary, renamed), diffs, commits, merges and removes', async () => {
    const r = makeRepo(join(t.dir, 'repo with spaces ü'), { 'a.txt': 'one\ntwo\n', 'old.txt': 'x\ny\nz\n', 'gone.txt': 'bye\n' })
    const wt = join(t.dir, 'wt ä', 's1')
    const { baseCommit } = await addWorktree(g, r, { path: wt, branch: 'shepherd/s1', base: 'main' })
    expect((await listWorktrees(g, r)).map((w) => w.branch)).toContain('shepherd/s1')
    write(wt, 'a.txt', 'one\nTWO\nthree\n')
    git(wt, 'mv', 'old.txt', 'new.txt')
    git(wt, 'rm', '-q', 'gone.txt')
    git(wt, 'add', 'a.txt')
    git(wt, 'commit', '-q', '-m', 'work')
    write(wt, 'untracked file.md', 'l1\nl2\nl3\n')
    writeFileSync(join(wt, 'bin.dat'), Buffer.from([0, 1, 2, 3, 0]))
    const c = await changesVsBase(g, wt, baseCommit, r)
    const by = Object.fromEntries(c.files.map((f) => [f.path, f]))
    expect(by['a.txt']).toMatchObject({ status: 'modified', added: 2, removed: 1, uncommitted: false })
    expect(by['new.txt']).toMatchObject({ status: 'renamed', oldPath: 'old.txt' })
    expect(by['gone.txt']).toMatchObject({ status: 'deleted', removed: 1 })
    expect(by['untracked file.md']).toMatchObject({ status: 'added', added: 3, untracked: true, uncommitted: true })
    expect(by['bin.dat']).toMatchObject({ binary: true, added: null })
    expect(await fileDiff(g, wt, baseCommit, 'a.txt', { untracked: false }, r)).toMatch(/\+TWO/)
    expect(await fileDiff(g, wt, baseCommit, 'untracked file.md', { untracked: true }, r)).toMatch(/\+l2/)
    // nothing in the main checkout
    expect(existsSync(join(r, 'untracked file.md'))).toBe(false)
    expect(await commitAll(g, wt, 'session work', r)).toMatch(/^[0-9a-f]{40}$/)
    expect(await commitAll(g, wt, 'again', r)).toBeNull()
    const m = await mergeInto(g, r, { branch: 'shepherd/s1', base: 'main', mode: 'squash', message: 'Squashed', worktree: wt })
    expect(m).toMatchObject({ ok: true, mode: 'squash' })
    expect(readFileSync(join(r, 'a.txt'), 'utf8')).toBe('one\nTWO\nthree\n')
    expect(readFileSync(join(r, 'untracked file.md'), 'utf8')).toBe('l1\nl2\nl3\n')
    expect(git(r, 'log', '-1', '--format=%s%n%P').split('\n')[1]!.split(' ')).toHaveLength(1)
    await removeWorktree(g, r, wt, 'shepherd/s1')
    expect(existsSync(wt)).toBe(false)
    expect(git(r, 'branch', '--list', 'shepherd/s1')).toBe('')
  })

  it('refuses a taken branch and an existing folder, leaving nothing behind', async () => {
    const r = makeRepo(join(t.dir, 'r'))
    git(r, 'branch', 'taken')
    await expect(addWorktree(g, r, { path: join(t.dir, 'w1'), branch: 'taken', base: 'main' })).rejects.toThrow(/already exists/)
    mkdirSync(join(t.dir, 'w2'))
    await expect(addWorktree(g, r, { path: join(t.dir, 'w2'), branch: 'fresh', base: 'main' })).rejects.toThrow(/already exists/)
    await expect(addWorktree(g, r, { path: join(t.dir, 'w3'), branch: 'fresh', base: 'no-such-base' })).rejects.toThrow(/not a branch or commit/)
    expect(git(r, 'branch', '--list', 'fresh')).toBe('')
    expect(existsSync(join(t.dir, 'w3'))).toBe(false)
  })

  it('a failed `worktree add` (unwritable parent) removes the branch it made', async () => {
    const r = makeRepo(join(t.dir, 'r'))
    writeFileSync(join(t.dir, 'file-not-dir'), '')
    await expect(addWorktree(g, r, { path: join(t.dir, 'file-not-dir', 'w'), branch: 'b1', base: 'main' })).rejects.toThrow()
    expect(git(r, 'branch', '--list', 'b1')).toBe('')
  })

  it('merge refuses a dirty main checkout naming the files, and a conflict, changing nothing; rebase stops on the conflict for the agent', async () => {
    const r = makeRepo(join(t.dir, 'r'), { 'shared.txt': 'base\n' })
    const a = join(t.dir, 'a'),
      b = join(t.dir, 'b')
    await addWorktree(g, r, { path: a, branch: 'sa', base: 'main' })
    await addWorktree(g, r, { path: b, branch: 'sb', base: 'main' })
    write(a, 'shared.txt', 'from a\n')
    await commitAll(g, a, 'a', r)
    write(b, 'shared.txt', 'from b\n')
    await commitAll(g, b, 'b', r)
    write(r, 'shared.txt', 'my own edit\n')
    const before = git(r, 'rev-parse', 'main')
    expect(await mergeInto(g, r, { branch: 'sa', base: 'main', mode: 'merge', message: 'm', worktree: a })).toMatchObject({
      ok: false,
      reason: 'dirty',
      files: ['shared.txt']
    })
    expect(readFileSync(join(r, 'shared.txt'), 'utf8')).toBe('my own edit\n')
    git(r, 'checkout', '--', 'shared.txt')
    expect(await mergeInto(g, r, { branch: 'sa', base: 'main', mode: 'merge', message: 'm', worktree: a })).toMatchObject({ ok: true })
    expect(git(r, 'rev-parse', 'main')).not.toBe(before)
    const mid = git(r, 'rev-parse', 'main')
    expect(await mergeInto(g, r, { branch: 'sb', base: 'main', mode: 'merge', message: 'm', worktree: b })).toMatchObject({
      ok: false,
      reason: 'conflict',
      files: ['shared.txt']
    })
    expect(git(r, 'rev-parse', 'main')).toBe(mid)
    expect(git(r, 'status', '--porcelain')).toBe('')
    const rb = await rebaseOnto(g, b, 'main', r)
    expect(rb).toMatchObject({ ok: false, conflicts: ['shared.txt'] })
    write(b, 'shared.txt', 'from a and b\n')
    git(b, 'add', 'shared.txt')
    git(b, '-c', 'core.editor=true', 'rebase', '--continue')
    expect(await mergeInto(g, r, { branch: 'sb', base: 'main', mode: 'merge', message: 'm', worktree: b })).toMatchObject({ ok: true })
    expect(readFileSync(join(r, 'shared.txt'), 'utf8')).toBe('from a and b\n')
  })

  it('merges by moving the ref when the base is not checked out; a deleted base is a clear error', async () => {
    const r = makeRepo(join(t.dir, 'r'))
    git(r, 'branch', 'dev')
    const w = join(t.dir, 'w')
    await addWorktree(g, r, { path: w, branch: 's', base: 'dev' })
    write(w, 'n.txt', 'n\n')
    await commitAll(g, w, 'n', r)
    expect(await mergeInto(g, r, { branch: 's', base: 'dev', mode: 'merge', message: 'm', worktree: w })).toMatchObject({ ok: true })
    expect(git(r, 'show', 'dev:n.txt')).toBe('n\n')
    write(w, 'o.txt', 'o\n')
    await commitAll(g, w, 'o', r)
    git(r, 'branch', '-D', 'dev')
    await expect(mergeInto(g, r, { branch: 's', base: 'dev', mode: 'merge', message: 'm', worktree: w })).rejects.toThrow(/base branch dev no longer exists/)
  })

  it('unmergedWork lists commits and uncommitted files; a worktree deleted by hand reports none and removes cleanly', async () => {
    const r = makeRepo(join(t.dir, 'r'))
    const w = join(t.dir, 'w')
    await addWorktree(g, r, { path: w, branch: 's', base: 'main' })
    write(w, 'x.txt', 'x\n')
    await commitAll(g, w, 'add x', r)
    write(w, 'y.txt', 'y\n')
    const u = await unmergedWork(g, r, { worktree: w, branch: 's', base: 'main', mergedHead: null })
    expect(u.commits).toEqual([expect.stringMatching(/add x$/)])
    expect(u.files).toEqual(['y.txt'])
    const { rmSync } = await import('node:fs')
    rmSync(w, { recursive: true, force: true })
    expect((await listWorktrees(g, r)).find((e) => e.branch === 's')?.prunable).toBe(true)
    await removeWorktree(g, r, w, 's')
    expect(git(r, 'branch', '--list', 's')).toBe('')
  })

  it('a repo with a submodule gets a worktree (submodule left unchecked-out)', async () => {
    const sub = makeRepo(join(t.dir, 'sub'))
    const r = makeRepo(join(t.dir, 'r'))
    git(r, '-c', 'protocol.file.allow=always', 'submodule', 'add', '-q', sub, 'vendor/sub')
    git(r, 'commit', '-q', '-m', 'sub')
    const p = await probeRepo(g, r)
    expect(p).toMatchObject({ ok: true, hasSubmodules: true })
    const w = join(t.dir, 'w')
    await addWorktree(g, r, { path: w, branch: 's', base: 'main' })
    expect(existsSync(join(w, '.gitmodules'))).toBe(true)
    expect((await changesVsBase(g, w, git(r, 'rev-parse', 'main').trim(), r)).files).toEqual([])
  })
})

describe('GitRunner queue', () => {
  it(`runs at most ${GIT_PER_REPO} git processes per repository at once`, async () => {
    const r = makeRepo(join(t.dir, 'r'))
    let done = 0,
      peak = 0
    // In flight = started (spawns) − finished; sampled whenever a job finishes and on every tick.
    const sample = () => {
      peak = Math.max(peak, g.spawns - done)
    }
    const check = setInterval(sample, 1)
    const jobs = Array.from({ length: 12 }, () =>
      g.run(r, ['status', '--porcelain']).then(() => {
        sample()
        done++
      })
    )
    sample()
    await Promise.all(jobs)
    clearInterval(check)
    expect(g.spawns).toBe(12)
    expect(peak).toBe(GIT_PER_REPO)
  })
})
