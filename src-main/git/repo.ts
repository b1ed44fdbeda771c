/**
 * Git operations Shepherd needs for session worktrees, each a few spawns through GitRunner.
 * User text (paths, branch names, messages) is always after `--end-of-options` / `--`, or the value
 * of an option that takes one, so it can never be read as an option.
 */
import { open, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { ShepherdError } from '../shared/errors'
import { GitError, type GitRunner } from './runner'
import { hostPath, remoteOf, sameHost } from './remote-git'

export type RepoProbe =
  { ok: true; root: string; branch: string | null; head: string; branches: string[]; hasSubmodules: boolean } | { ok: false; reason: string }

/** Is `path` a repository Shepherd can make worktrees in? Reasons are for the user. */
export async function probeRepo(git: GitRunner, path: string): Promise<RepoProbe> {
  try {
    await git.requireVersion(path)
  } catch (e) {
    return { ok: false, reason: (e as Error).message }
  }
  if (!(await git.exists(path))) return { ok: false, reason: `the folder ${path} does not exist` }
  let top: string
  try {
    const r = await git.run(path, ['rev-parse', '--is-bare-repository', '--show-toplevel'], {}, path)
    const [bare, root] = r.stdout.split('\n')
    if (bare === 'true') return { ok: false, reason: 'this is a bare repository (it has no working folder to branch from)' }
    // On an SSH host git prints the host's path: keep it a `host:/path` location.
    top = root ? sameHost(path, root) : path
  } catch (e) {
    const msg = e instanceof GitError ? e.stderr : String(e)
    if (/not a git repository/i.test(msg)) return { ok: false, reason: 'not a git repository (run `git init` and make a first commit to use worktrees)' }
    if (/bare|must be run in a work tree/i.test(msg)) return { ok: false, reason: 'this is a bare repository (it has no working folder to branch from)' }
    return { ok: false, reason: `git cannot read this folder: ${(e as Error).message}` }
  }
  const head = await git.run(top, ['rev-parse', '-q', '--verify', 'HEAD^{commit}'], { okCodes: [1] }, top)
  if (head.code !== 0 || !head.stdout.trim()) return { ok: false, reason: 'the repository has no commits yet (make a first commit to use worktrees)' }
  const refs = await git.run(top, ['for-each-ref', '--format=%(refname:short)%00%(if)%(HEAD)%(then)*%(end)', 'refs/heads/'], {}, top)
  let branch: string | null = null
  const branches: string[] = []
  for (const line of refs.stdout.split('\n')) {
    if (!line) continue
    const [name, cur] = line.split('\0')
    branches.push(name!)
    if (cur === '*') branch = name!
  }
  return { ok: true, root: top, branch, head: head.stdout.trim(), branches, hasSubmodules: await git.exists(join(top, '.gitmodules')) }
}

/** `shepherd/<slug>-<shortid>`; a number is added until no branch has the name. */
export function branchNameFor(title: string, shortId: string, taken: ReadonlySet<string>): string {
  const slug =
    title
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 40)
      .replace(/-+$/, '') || 'session'
  const base = `shepherd/${slug}-${shortId}`
  let name = base
  for (let i = 2; taken.has(name); i++) name = `${base}-${i}`
  return name
}

export async function branchExists(git: GitRunner, repo: string, branch: string): Promise<boolean> {
  const r = await git.run(repo, ['show-ref', '--verify', '--quiet', `refs/heads/${branch}`], { okCodes: [1] }, repo)
  return r.code === 0
}

export async function resolveCommit(git: GitRunner, repo: string, rev: string): Promise<string> {
  const r = await git.run(repo, ['rev-parse', '-q', '--verify', '--end-of-options', `${rev}^{commit}`], { okCodes: [1] }, repo)
  if (r.code !== 0) throw new ShepherdError('NOT_FOUND', `“${rev}” is not a branch or commit of this repository (was it deleted?)`)
  return r.stdout.trim()
}

/**
 * Create a worktree at `path` on a new `branch` from `base`. On any failure the branch and the
 * folder made here are removed again, so nothing half-made is left.
 */
export async function addWorktree(git: GitRunner, repo: string, o: { path: string; branch: string; base: string }): Promise<{ baseCommit: string }> {
  if (await git.exists(o.path)) throw new ShepherdError('CONFLICT', `the worktree folder ${o.path} already exists; Shepherd will not write into it`)
  if (await branchExists(git, repo, o.branch)) throw new ShepherdError('CONFLICT', `a branch named ${o.branch} already exists`)
  const baseCommit = await resolveCommit(git, repo, o.base)
  try {
    await git.run(repo, ['worktree', 'add', '--no-track', '-b', o.branch, '--end-of-options', hostPath(o.path), baseCommit], {}, repo)
  } catch (e) {
    await removeWorktree(git, repo, o.path, o.branch).catch(() => {})
    throw e
  }
  return { baseCommit }
}

/** Remove the worktree folder (even with changes: callers ask first) and, when given, its branch. */
export async function removeWorktree(git: GitRunner, repo: string, path: string, branch?: string | null): Promise<void> {
  const errors: string[] = []
  if (await git.exists(path)) {
    await git.run(repo, ['worktree', 'remove', '--force', '--force', '--', hostPath(path)], {}, repo).catch(async (e) => {
      await git.rmrf(path).catch((e2) => errors.push(String(e2)))
      if (await git.exists(path)) errors.push((e as Error).message)
    })
  }
  await git.run(repo, ['worktree', 'prune'], {}, repo).catch(() => {})
  if (branch && (await branchExists(git, repo, branch))) {
    await git.run(repo, ['branch', '-D', '--', branch], {}, repo).catch((e) => errors.push((e as Error).message))
  }
  if (errors.length) throw new ShepherdError('CONFLICT', `could not fully remove the worktree: ${errors.join('; ')}`)
}

export interface WorktreeEntry {
  path: string
  head: string | null
  branch: string | null
  prunable: boolean
}

export async function listWorktrees(git: GitRunner, repo: string): Promise<WorktreeEntry[]> {
  const r = await git.run(repo, ['worktree', 'list', '--porcelain', '-z'], {}, repo)
  const out: WorktreeEntry[] = []
  let cur: WorktreeEntry | null = null
  for (const f of r.stdout.split('\0')) {
    if (f.startsWith('worktree ')) out.push((cur = { path: sameHost(repo, f.slice(9)), head: null, branch: null, prunable: false }))
    else if (!cur) continue
    else if (f.startsWith('HEAD ')) cur.head = f.slice(5)
    else if (f.startsWith('branch ')) cur.branch = f.slice(7).replace(/^refs\/heads\//, '')
    else if (f.startsWith('prunable')) cur.prunable = true
  }
  return out
}

// ---- changes ---------------------------------------------------------------------------------

export type ChangeStatus = 'added' | 'modified' | 'deleted' | 'renamed' | 'typechange'
export interface FileChange {
  path: string
  oldPath: string | null
  status: ChangeStatus
  /** null for binary files. */
  added: number | null
  removed: number | null
  binary: boolean
  /** Not committed on the session branch yet (modified in the folder, or untracked). */
  uncommitted: boolean
  untracked: boolean
}
export interface ChangeSummary {
  files: FileChange[]
  added: number
  removed: number
  uncommitted: number
}

const STATUS: Record<string, ChangeStatus> = { A: 'added', M: 'modified', D: 'deleted', R: 'renamed', C: 'added', T: 'typechange' }
/** Untracked files bigger than this are counted as "large", not read for line counts. */
const UNTRACKED_READ_MAX = 4 * 1024 * 1024

/** Files in `worktree` that differ from `baseCommit`: committed, uncommitted and untracked. 2 spawns. */
export async function changesVsBase(git: GitRunner, worktree: string, baseCommit: string, queueKey: string): Promise<ChangeSummary> {
  const [diff, status] = await Promise.all([
    git.run(worktree, ['diff', '-z', '--raw', '--numstat', '-M', '--end-of-options', baseCommit, '--'], {}, queueKey),
    git.run(worktree, ['status', '--porcelain=v1', '-z', '--untracked-files=all', '--no-renames'], {}, queueKey)
  ])
  const uncommitted = new Set<string>()
  const untracked: string[] = []
  for (const rec of status.stdout.split('\0')) {
    if (rec.length < 4) continue
    const p = rec.slice(3)
    if (rec.startsWith('??')) untracked.push(p)
    else uncommitted.add(p)
  }
  const byPath = new Map<string, FileChange>()
  const t = diff.stdout.split('\0')
  for (let i = 0; i < t.length; i++) {
    const tok = t[i]!
    if (!tok) continue
    if (tok.startsWith(':')) {
      const letter = tok.split(' ').pop()!.charAt(0)
      const status = STATUS[letter] ?? 'modified'
      const renamed = letter === 'R' || letter === 'C'
      const oldPath = renamed ? t[++i]! : null
      const path = t[++i]!
      byPath.set(path, {
        path,
        oldPath,
        status,
        added: 0,
        removed: 0,
        binary: false,
        uncommitted: uncommitted.has(path) || (oldPath !== null && uncommitted.has(oldPath)),
        untracked: false
      })
    } else {
      const [a, d, p] = tok.split('\t')
      const path = p === '' ? ((i += 2), t[i]!) : p!
      const fc = byPath.get(path)
      if (!fc) continue
      if (a === '-') {
        fc.binary = true
        fc.added = null
        fc.removed = null
      } else {
        fc.added = Number(a)
        fc.removed = Number(d)
      }
    }
  }
  // On an SSH host: one round trip for all untracked files.
  const onHost = remoteOf(worktree)
    ? await git.countOnHost(
        worktree,
        untracked.filter((p) => !byPath.has(p))
      )
    : null
  await Promise.all(
    untracked.map(async (path) => {
      if (byPath.has(path)) return
      const c = onHost?.get(path) ?? (await countUntracked(join(worktree, path)))
      byPath.set(path, {
        path,
        oldPath: null,
        status: 'added',
        added: c.binary ? null : c.lines,
        removed: c.binary ? null : 0,
        binary: c.binary,
        uncommitted: true,
        untracked: true
      })
    })
  )
  const files = [...byPath.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
  let added = 0,
    removed = 0,
    unc = 0
  for (const f of files) {
    added += f.added ?? 0
    removed += f.removed ?? 0
    if (f.uncommitted) unc++
  }
  return { files, added, removed, uncommitted: unc }
}

async function countUntracked(file: string): Promise<{ lines: number; binary: boolean }> {
  try {
    const st = await stat(file)
    if (!st.isFile()) return { lines: 0, binary: true }
    const fh = await open(file, 'r')
    try {
      const buf = Buffer.alloc(Math.min(st.size, UNTRACKED_READ_MAX))
      await fh.read(buf, 0, buf.length, 0)
      if (buf.subarray(0, 8000).includes(0)) return { lines: 0, binary: true }
      let n = 0
      for (let i = 0; i < buf.length; i++) if (buf[i] === 10) n++
      if (buf.length && buf[buf.length - 1] !== 10) n++
      return { lines: n, binary: false }
    } finally {
      await fh.close()
    }
  } catch {
    return { lines: 0, binary: false }
  }
}

/** Unified diff of one file vs the base (an untracked file: vs nothing). */
export async function fileDiff(
  git: GitRunner,
  worktree: string,
  baseCommit: string,
  path: string,
  opts: { untracked: boolean; oldPath?: string | null },
  queueKey: string
): Promise<string> {
  if (opts.untracked) {
    const r = await git.run(worktree, ['diff', '--no-index', '--', '/dev/null', path], { okCodes: [1] }, queueKey)
    return r.stdout
  }
  const paths = opts.oldPath ? [opts.oldPath, path] : [path]
  const r = await git.run(worktree, ['diff', '-M', '--end-of-options', baseCommit, '--', ...paths], {}, queueKey)
  return r.stdout
}

// ---- keep or throw away --------------------------------------------------------------------

/** Stage everything in the worktree and commit it. Returns null when there was nothing to commit. */
export async function commitAll(git: GitRunner, worktree: string, message: string, queueKey: string): Promise<string | null> {
  await git.run(worktree, ['add', '-A', '--', '.'], {}, queueKey)
  const staged = await git.run(worktree, ['diff', '--cached', '--quiet'], { okCodes: [1] }, queueKey)
  if (staged.code === 0) return null
  await git.run(worktree, ['commit', '-q', '--no-verify', '-m', message], {}, queueKey)
  return (await git.run(worktree, ['rev-parse', 'HEAD'], {}, queueKey)).stdout.trim()
}

/** Paths with uncommitted changes in a checkout (tracked changes, and untracked files when asked). */
export async function dirtyFiles(
  git: GitRunner,
  checkout: string,
  withUntracked: boolean,
  queueKey: string
): Promise<{ tracked: string[]; untracked: string[] }> {
  const r = await git.run(
    checkout,
    ['status', '--porcelain=v1', '-z', withUntracked ? '--untracked-files=all' : '--untracked-files=no', '--no-renames'],
    {},
    queueKey
  )
  const tracked: string[] = [],
    untracked: string[] = []
  for (const rec of r.stdout.split('\0')) {
    if (rec.length < 4) continue
    if (rec.startsWith('??')) untracked.push(rec.slice(3))
    else tracked.push(rec.slice(3))
  }
  return { tracked, untracked }
}

export type MergeMode = 'merge' | 'squash'
export type MergeOutcome =
  | { ok: true; commit: string; mode: MergeMode }
  | { ok: false; reason: 'dirty' | 'conflict' | 'uncommitted' | 'base-busy' | 'nothing'; files: string[]; message: string }

/**
 * Merge `branch` into `base` without ever touching the user's uncommitted work: the result is
 * computed with `merge-tree --write-tree` (no checkout involved); a conflict or a dirty main checkout
 * refuses with the files named, before anything is written. Only a clean result moves `base`:
 * with a fast-forward in the main checkout when `base` is checked out there, else by updating the ref.
 */
export async function mergeInto(
  git: GitRunner,
  repo: string,
  o: { branch: string; base: string; mode: MergeMode; message: string; worktree: string }
): Promise<MergeOutcome> {
  const wtDirty = await dirtyFiles(git, o.worktree, true, repo)
  const wtFiles = [...wtDirty.tracked, ...wtDirty.untracked]
  if (wtFiles.length)
    return { ok: false, reason: 'uncommitted', files: wtFiles, message: `the session has ${wtFiles.length} uncommitted file(s); commit them first` }
  const baseCommit = await resolveCommit(git, repo, `refs/heads/${o.base}`).catch(() => {
    throw new ShepherdError('NOT_FOUND', `the base branch ${o.base} no longer exists; pick another base (rebase onto it) or create the branch again`)
  })
  const tip = await resolveCommit(git, repo, `refs/heads/${o.branch}`)
  const ahead = await git.run(repo, ['rev-list', '--count', '--end-of-options', `${baseCommit}..${tip}`], {}, repo)
  if (Number(ahead.stdout.trim()) === 0) return { ok: false, reason: 'nothing', files: [], message: `${o.base} already has everything on ${o.branch}` }
  const mt = await git.run(
    repo,
    ['merge-tree', '--write-tree', '--name-only', '-z', '--no-messages', '--end-of-options', baseCommit, tip],
    { okCodes: [1] },
    repo
  )
  const parts = mt.stdout.split('\0').filter(Boolean)
  const tree = parts[0]!
  if (mt.code === 1) {
    const files = [...new Set(parts.slice(1))]
    return { ok: false, reason: 'conflict', files, message: `merging into ${o.base} would conflict in ${files.length} file(s); nothing was changed` }
  }
  // Where is the base checked out? The main checkout (or another worktree) must then be clean.
  const where = (await listWorktrees(git, repo)).find((w) => w.branch === o.base)
  if (where) {
    const d = await dirtyFiles(git, where.path, true, repo)
    const changed = new Set((await git.run(repo, ['diff', '--name-only', '-z', baseCommit, tree], {}, repo)).stdout.split('\0').filter(Boolean))
    const blocking = [...d.tracked, ...d.untracked.filter((u) => changed.has(u))]
    if (blocking.length) {
      return {
        ok: false,
        reason: 'dirty',
        files: blocking,
        message: `${where.path} (where ${o.base} is checked out) has uncommitted changes; commit or stash them, then merge again. Nothing was changed.`
      }
    }
  }
  const parents = o.mode === 'merge' ? ['-p', baseCommit, '-p', tip] : ['-p', baseCommit]
  const commit = (await git.run(repo, ['commit-tree', ...parents, '-m', o.message, '--end-of-options', tree], {}, repo)).stdout.trim()
  if (where) {
    await git.run(where.path, ['merge', '--ff-only', '-q', '--end-of-options', commit], {}, repo)
  } else {
    await git.run(repo, ['update-ref', '-m', `shepherd: ${o.mode} ${o.branch}`, '--', `refs/heads/${o.base}`, commit, baseCommit], {}, repo)
  }
  return { ok: true, commit, mode: o.mode }
}

export type RebaseOutcome = { ok: true; onto: string } | { ok: false; conflicts: string[]; onto: string; message: string }

/** Rebase the session branch in its worktree onto the base's tip. On conflict the rebase stays open for the agent. */
export async function rebaseOnto(git: GitRunner, worktree: string, base: string, queueKey: string): Promise<RebaseOutcome> {
  const d = await dirtyFiles(git, worktree, false, queueKey)
  if (d.tracked.length) throw new ShepherdError('CONFLICT', `commit the session's changes before rebasing (${d.tracked.length} uncommitted file(s))`)
  const onto = await resolveCommit(git, worktree, `refs/heads/${base}`).catch(() => {
    throw new ShepherdError('NOT_FOUND', `the base branch ${base} no longer exists`)
  })
  const r = await git.run(worktree, ['rebase', '-q', '--end-of-options', onto], { okCodes: [1] }, queueKey)
  if (r.code === 0) return { ok: true, onto }
  const u = await git.run(worktree, ['diff', '--name-only', '-z', '--diff-filter=U'], {}, queueKey)
  const conflicts = u.stdout.split('\0').filter(Boolean)
  if (!conflicts.length) {
    await git.run(worktree, ['rebase', '--abort'], { okCodes: [1, 128] }, queueKey)
    throw new ShepherdError('CONFLICT', `the rebase failed: ${(r.stderr || r.stdout).trim().split('\n').slice(-2).join(' ')}`)
  }
  return { ok: false, conflicts, onto, message: `rebasing onto ${base} stopped on conflicts in ${conflicts.length} file(s)` }
}

/** Commits on `branch` not in `base`, and uncommitted files in the worktree: what discarding would lose. */
export async function unmergedWork(
  git: GitRunner,
  repo: string,
  o: { worktree: string; branch: string; base: string; mergedHead: string | null }
): Promise<{ commits: string[]; files: string[] }> {
  let commits: string[] = []
  const tip = await resolveCommit(git, repo, `refs/heads/${o.branch}`).catch(() => null)
  if (tip && tip !== o.mergedHead) {
    const baseRef = await resolveCommit(git, repo, `refs/heads/${o.base}`).catch(() => null)
    const range = baseRef ? `${baseRef}..${tip}` : tip
    const r = await git.run(repo, ['log', '--format=%h %s', '-n', '50', '--end-of-options', range, '--'], {}, repo)
    commits = r.stdout.split('\n').filter(Boolean)
  }
  let files: string[] = []
  if (await git.exists(o.worktree)) {
    const d = await dirtyFiles(git, o.worktree, true, repo)
    files = [...d.tracked, ...d.untracked]
  }
  return { commits, files }
}
