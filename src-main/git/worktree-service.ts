/**
 * Session worktrees: one git worktree and branch per session, under the data dir. Creation runs as
 * the supervisor's `prepare` step (non-blocking, with progress in the pane); Changes, Commit, Merge,
 * Rebase and Discard act on a session's worktree; startup reconciles records with `git worktree list`.
 *
 * No polling anywhere: git runs only when a user asks (a visible Changes view, a button) or once per
 * repository at startup, so 100 idle worktree sessions cost no git processes.
 */
import { spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { existsSync } from 'node:fs'
import { isAbsolute, join, normalize } from 'node:path'
import type Database from 'better-sqlite3'
import { ShepherdError } from '../shared/errors'
import type {
  ChangesDTO,
  FileDiffDTO,
  MergeMode,
  MergeResultDTO,
  RebaseResultDTO,
  ReconcileFinding,
  WorktreeAvailability,
  WorktreeDTO,
  WorktreeSetupDTO,
  WorktreeState
} from '../shared/worktrees'
import type { Store } from '../store/store'
import type { Supervisor, StartInput } from '../supervisor/supervisor'
import { GitRunner } from './runner'
import { remoteOf } from './remote-git'
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
  resolveCommit,
  unmergedWork
} from './repo'

interface WorktreeRow {
  session_id: string
  project_id: string
  repo_path: string
  path: string
  branch: string
  base_branch: string
  base_commit: string
  state: string
  merged_head: string | null
  note: string | null
  created_at: number
  updated_at: number
}

/** A file diff bigger than this is marked "large" instead of rendered. */
export const DIFF_MAX_BYTES = 2 * 1024 * 1024
/** Lines of setup output kept for the failure message. */
const TAIL_LINES = 20

export interface WorktreeServiceOptions {
  db: Database.Database
  store: Store
  git: GitRunner
  dataDir: string
  supervisor: Supervisor
  log?: (msg: string) => void
}

export class WorktreeService {
  readonly git: GitRunner
  /** What the startup reconcile found (shown by the UI once). */
  findings: ReconcileFinding[] = []
  readonly #inflight = new Map<string, Promise<ChangesDTO>>()
  readonly #s

  constructor(private readonly o: WorktreeServiceOptions) {
    this.git = o.git
    const db = o.db
    this.#s = {
      get: db.prepare<[string], WorktreeRow>('SELECT * FROM session_worktrees WHERE session_id = ?'),
      byProject: db.prepare<[string], WorktreeRow>('SELECT * FROM session_worktrees WHERE project_id = ? ORDER BY created_at'),
      live: db.prepare<[], WorktreeRow>("SELECT * FROM session_worktrees WHERE state NOT IN ('discarded') ORDER BY repo_path"),
      liveIds: db.prepare<[], { session_id: string }>("SELECT session_id FROM session_worktrees WHERE state NOT IN ('discarded')"),
      insert: db.prepare(
        'INSERT INTO session_worktrees (session_id, project_id, repo_path, path, branch, base_branch, base_commit, state, merged_head, note, created_at, updated_at) VALUES (@session_id, @project_id, @repo_path, @path, @branch, @base_branch, @base_commit, @state, @merged_head, @note, @created_at, @updated_at)'
      ),
      setState: db.prepare<[string, string | null, number, string]>('UPDATE session_worktrees SET state = ?, note = ?, updated_at = ? WHERE session_id = ?'),
      setBase: db.prepare<[string, number, string]>('UPDATE session_worktrees SET base_commit = ?, updated_at = ? WHERE session_id = ?'),
      setMerged: db.prepare<[string, string, number, string]>(
        'UPDATE session_worktrees SET merged_head = ?, base_commit = ?, updated_at = ? WHERE session_id = ?'
      ),
      del: db.prepare<[string]>('DELETE FROM session_worktrees WHERE session_id = ?'),
      getSetup: db.prepare<[string], { copy_files: string; setup_command: string | null; merge_mode: string }>(
        'SELECT copy_files, setup_command, merge_mode FROM project_worktree_settings WHERE project_id = ?'
      ),
      putSetup: db.prepare(
        'INSERT INTO project_worktree_settings (project_id, copy_files, setup_command, merge_mode) VALUES (@project_id, @copy_files, @setup_command, @merge_mode) ON CONFLICT(project_id) DO UPDATE SET copy_files = excluded.copy_files, setup_command = excluded.setup_command, merge_mode = excluded.merge_mode'
      )
    }
  }

  // ---- queries (no git) ---------------------------------------------------------------------

  get(sessionId: string): WorktreeDTO | null {
    const r = this.#s.get.get(sessionId)
    return r ? toDTO(r) : null
  }

  forProject(projectId: string): WorktreeDTO[] {
    return this.#s.byProject.all(projectId).map(toDTO)
  }

  /** Retention keeps every session whose worktree still exists: deciding "unmerged" would cost git calls at startup. */
  keepOnPrune = (sessionId: string): boolean => {
    const r = this.#s.get.get(sessionId)
    return !!r && r.state !== 'discarded'
  }

  setup(projectId: string): WorktreeSetupDTO {
    const r = this.#s.getSetup.get(projectId)
    return {
      projectId,
      copyFiles: r ? (JSON.parse(r.copy_files) as string[]) : [],
      setupCommand: r?.setup_command ?? null,
      mergeMode: (r?.merge_mode as MergeMode) ?? 'merge'
    }
  }

  saveSetup(projectId: string, patch: { copyFiles?: string[]; setupCommand?: string | null; mergeMode?: MergeMode }): WorktreeSetupDTO {
    this.#project(projectId)
    for (const f of patch.copyFiles ?? []) {
      if (isAbsolute(f) || normalize(f).split(/[\\/]/).includes('..'))
        throw new ShepherdError('BAD_REQUEST', `“${f}”: files to copy are paths inside the project (no absolute paths, no ..)`, {
          copyFiles: 'paths inside the project only'
        })
    }
    const cur = this.setup(projectId)
    const next = { ...cur, ...patch }
    this.#s.putSetup.run({
      project_id: projectId,
      copy_files: JSON.stringify(next.copyFiles),
      setup_command: next.setupCommand?.trim() || null,
      merge_mode: next.mergeMode
    })
    return this.setup(projectId)
  }

  // ---- availability and creation ------------------------------------------------------------

  async availability(projectId: string): Promise<WorktreeAvailability> {
    const p = this.#project(projectId)
    const probe = await probeRepo(this.git, p.path)
    const mergeMode = this.setup(projectId).mergeMode
    if (!probe.ok) return { available: false, reason: probe.reason, currentBranch: null, branches: [], mergeMode }
    return { available: true, reason: null, currentBranch: probe.branch, branches: probe.branches, mergeMode }
  }

  /**
   * What `sessions.start` needs for a worktree session: its folder (known before it exists) and the
   * `prepare` step that creates it. Validates the base branch first, so a bad pick fails fast.
   */
  async planStart(projectId: string, title: string, baseBranch?: string): Promise<Pick<StartInput, 'cwd' | 'prepare'>> {
    const p = this.#project(projectId)
    const probe = await probeRepo(this.git, p.path)
    if (!probe.ok) throw new ShepherdError('BAD_REQUEST', `no worktree for this project: ${probe.reason}`)
    const base = baseBranch ?? probe.branch ?? probe.head
    if (baseBranch && !probe.branches.includes(baseBranch)) throw new ShepherdError('NOT_FOUND', `there is no branch “${baseBranch}” in ${p.path}`)
    const shortId = randomUUID().slice(0, 6)
    const branch = branchNameFor(title, shortId, new Set(probe.branches))
    const path = join(await this.#rootFor(projectId, p.name, p.path), branch.slice('shepherd/'.length))
    return {
      cwd: path,
      prepare: (sessionId, progress) =>
        this.#create(sessionId, { projectId, repo: probe.root, path, branch, base, hasSubmodules: probe.hasSubmodules }, progress)
    }
  }

  async #create(
    sessionId: string,
    w: { projectId: string; repo: string; path: string; branch: string; base: string; hasSubmodules: boolean },
    progress: (t: string) => void
  ): Promise<void> {
    const now = Date.now()
    const t0 = now
    this.#s.insert.run({
      session_id: sessionId,
      project_id: w.projectId,
      repo_path: w.repo,
      path: w.path,
      branch: w.branch,
      base_branch: w.base,
      base_commit: '',
      state: 'preparing',
      merged_head: null,
      note: null,
      created_at: now,
      updated_at: now
    })
    try {
      await this.git.mkdirp(join(w.path, '..'))
      const { baseCommit } = await addWorktree(this.git, w.repo, { path: w.path, branch: w.branch, base: w.base })
      this.#s.setBase.run(baseCommit, Date.now(), sessionId)
    } catch (err) {
      // addWorktree already removed what it made; the record goes too.
      this.#s.del.run(sessionId)
      throw new ShepherdError(
        'SPAWN_FAILED',
        `could not create the worktree: ${(err as Error).message}${/No space left|ENOSPC/i.test(String((err as Error).message)) ? ' (the disk is full)' : ''}`
      )
    }
    progress(
      `Worktree ready in ${Date.now() - t0} ms: ${w.path} on branch ${w.branch} (from ${w.base}).${w.hasSubmodules ? ' Submodules are not checked out in worktrees; run `git submodule update --init` there if the agent needs them.' : ''}`
    )
    const setup = this.setup(w.projectId)
    for (const f of setup.copyFiles) {
      const from = join(w.repo, f)
      if (!(await this.git.exists(from))) {
        progress(`Not copied: ${f} (not in the main checkout)`)
        continue
      }
      await this.git.copy(from, join(w.path, f))
      progress(`Copied ${f} from the main checkout`)
    }
    if (setup.setupCommand) {
      progress(`Running setup: ${setup.setupCommand}`)
      const r = remoteOf(w.path) ? await setupOnHost(this.git, setup.setupCommand, w.path, progress) : await runSetup(setup.setupCommand, w.path, progress)
      if (r.code !== 0) {
        this.#s.setState.run('setup_failed', `setup exited with ${r.code}`, Date.now(), sessionId)
        throw new ShepherdError('SPAWN_FAILED', `The setup command failed (exit ${r.code}). The worktree is kept; you can start the agent anyway.\n${r.tail}`)
      }
    }
    this.#s.setState.run('ready', null, Date.now(), sessionId)
  }

  /** Fork of a worktree session: a new worktree on a new branch from the parent branch's head. */
  async fork(sourceId: string, prompt: string | undefined): Promise<ReturnType<Supervisor['fork']>> {
    const src = this.#wt(sourceId)
    const row = this.o.store.getSession(sourceId)!
    const taken = new Set(
      (await this.git.run(src.repo_path, ['for-each-ref', '--format=%(refname:short)', 'refs/heads/'], {}, src.repo_path)).stdout.split('\n')
    )
    const branch = branchNameFor(`fork ${row.title}`, randomUUID().slice(0, 6), taken)
    const p = this.#project(src.project_id)
    const path = join(await this.#rootFor(src.project_id, p.name, p.path), branch.slice('shepherd/'.length))
    await this.git.mkdirp(join(path, '..'))
    const { baseCommit } = await addWorktree(this.git, src.repo_path, { path, branch, base: `refs/heads/${src.branch}` })
    try {
      const now = Date.now()
      return await this.o.supervisor.fork(sourceId, prompt, {
        cwd: path,
        onCreated: (newId) =>
          this.#s.insert.run({
            session_id: newId,
            project_id: src.project_id,
            repo_path: src.repo_path,
            path,
            branch,
            base_branch: src.base_branch,
            base_commit: src.base_commit || baseCommit,
            state: 'ready',
            merged_head: null,
            note: `forked from ${src.branch}`,
            created_at: now,
            updated_at: now
          })
      })
    } catch (err) {
      await removeWorktree(this.git, src.repo_path, path, branch).catch(() => {})
      throw err
    }
  }

  // ---- changes ------------------------------------------------------------------------------

  /** Files changed vs the base. Concurrent calls for one session share one git run. */
  changes(sessionId: string): Promise<ChangesDTO> {
    let p = this.#inflight.get(sessionId)
    if (!p) {
      p = this.#changes(sessionId).finally(() => this.#inflight.delete(sessionId))
      this.#inflight.set(sessionId, p)
    }
    return p
  }

  async #changes(sessionId: string): Promise<ChangesDTO> {
    const w = this.#wt(sessionId)
    const empty = { sessionId, files: [], added: 0, removed: 0, uncommitted: 0 }
    if (w.state === 'preparing' || !w.base_commit) return { ...empty, missing: false, message: 'preparing worktree…' }
    if (w.state === 'discarded') return { ...empty, missing: true, message: 'this worktree was discarded' }
    if (!(await this.git.exists(w.path))) {
      this.#markMissing(w, 'the worktree folder was removed outside Shepherd')
      return { ...empty, missing: true, message: `The worktree folder ${w.path} was removed outside Shepherd. Discard cleans up its branch ${w.branch}.` }
    }
    const c = await changesVsBase(this.git, w.path, w.base_commit, w.repo_path)
    return { sessionId, ...c, missing: false, message: null }
  }

  async diff(sessionId: string, path: string): Promise<FileDiffDTO> {
    const w = await this.#ready(sessionId)
    const summary = await this.changes(sessionId)
    const f = summary.files.find((x) => x.path === path)
    if (!f) throw new ShepherdError('NOT_FOUND', `${path} has no changes in this session`)
    if (f.binary) return { path, diff: '', skipped: 'binary', lines: 0 }
    const text = await fileDiff(this.git, w.path, w.base_commit, path, { untracked: f.untracked, oldPath: f.oldPath }, w.repo_path)
    if (text.length > DIFF_MAX_BYTES) return { path, diff: '', skipped: 'large', lines: (f.added ?? 0) + (f.removed ?? 0) }
    return { path, diff: text, skipped: null, lines: (f.added ?? 0) + (f.removed ?? 0) }
  }

  // ---- keep or throw away -------------------------------------------------------------------

  async commit(sessionId: string, message: string): Promise<{ commit: string | null }> {
    const w = await this.#ready(sessionId)
    return { commit: await commitAll(this.git, w.path, message, w.repo_path) }
  }

  async merge(sessionId: string, mode: MergeMode, message: string): Promise<MergeResultDTO> {
    const w = await this.#ready(sessionId)
    this.saveSetup(w.project_id, { mergeMode: mode })
    const r = await mergeInto(this.git, w.repo_path, { branch: w.branch, base: w.base_branch, mode, message, worktree: w.path })
    if (r.ok) {
      const tip = await resolveCommit(this.git, w.repo_path, `refs/heads/${w.branch}`)
      this.#s.setMerged.run(tip, r.commit, Date.now(), sessionId)
      this.o.supervisor.note(sessionId, `${mode === 'squash' ? 'Squash-merged' : 'Merged'} ${w.branch} into ${w.base_branch} (${r.commit.slice(0, 9)}).`)
    }
    return r
  }

  async rebase(sessionId: string): Promise<RebaseResultDTO> {
    const w = await this.#ready(sessionId)
    const r = await rebaseOnto(this.git, w.path, w.base_branch, w.repo_path)
    this.#s.setBase.run(r.onto, Date.now(), sessionId)
    if (r.ok) {
      this.o.supervisor.note(sessionId, `Rebased ${w.branch} onto the latest ${w.base_branch} (${r.onto.slice(0, 9)}).`)
      return r
    }
    const prompt = `I rebased this branch (${w.branch}) onto the latest ${w.base_branch}. The rebase stopped on conflicts in:\n${r.conflicts.map((f) => `- ${f}`).join('\n')}\n\nResolve the conflict markers in these files keeping both sides' intent, then \`git add\` them and run \`git -c core.editor=true rebase --continue\` (repeat until the rebase is done).`
    return { ...r, prompt }
  }

  /** What discarding would lose: commits not on the base (and not merged), uncommitted files. */
  async atRisk(sessionId: string): Promise<{ commits: string[]; files: string[] }> {
    const w = this.#wt(sessionId)
    if (w.state === 'discarded') return { commits: [], files: [] }
    return unmergedWork(this.git, w.repo_path, { worktree: w.path, branch: w.branch, base: w.base_branch, mergedHead: w.merged_head })
  }

  /** Remove the worktree folder and its branch. Refuses while the agent runs. */
  async discard(sessionId: string): Promise<void> {
    const w = this.#wt(sessionId)
    const s = this.o.store.getSession(sessionId)
    if (s && ['starting', 'running', 'waiting_approval', 'stopping'].includes(s.status)) {
      throw new ShepherdError('CONFLICT', 'the agent is still working in this worktree; stop it first')
    }
    if (w.state !== 'discarded') await removeWorktree(this.git, w.repo_path, w.path, w.branch)
    this.#s.setState.run('discarded', 'discarded by you', Date.now(), sessionId)
    this.o.supervisor.note(sessionId, `Discarded the worktree ${w.path} and its branch ${w.branch}.`)
  }

  /**
   * Before a session is deleted: a worktree holding unmerged commits or uncommitted files is only
   * removed when the user confirmed (`discardWork`); otherwise the delete is refused with the list.
   */
  async beforeSessionDelete(sessionId: string, discardWork: boolean): Promise<void> {
    const r = this.#s.get.get(sessionId)
    if (!r || r.state === 'discarded') return
    if (!discardWork) {
      const risk = await this.atRisk(sessionId)
      if (risk.commits.length || risk.files.length) {
        throw new ShepherdError(
          'CONFLICT',
          `This session's worktree has work that is not merged: ${[...risk.commits.map((c) => `commit ${c}`), ...risk.files.map((f) => `uncommitted ${f}`)].slice(0, 20).join(', ')}. Delete it anyway to lose that work.`
        )
      }
    }
    await removeWorktree(this.git, r.repo_path, r.path, r.branch)
  }

  // ---- startup reconcile --------------------------------------------------------------------

  /** Compare records with `git worktree list` (one or two git runs per repository, not per session). */
  async reconcile(): Promise<ReconcileFinding[]> {
    const found: ReconcileFinding[] = []
    const byRepo = new Map<string, WorktreeRow[]>()
    for (const r of this.#s.live.all()) byRepo.set(r.repo_path, [...(byRepo.get(r.repo_path) ?? []), r])
    for (const [repo, rows] of byRepo) {
      // Repositories on SSH hosts are not contacted at startup (an unreachable host would hold it up
      // for its ConnectTimeout): a missing worktree there shows when its Changes view or a button runs git.
      if (remoteOf(repo)) continue
      const title = (r: WorktreeRow) => this.o.store.getSession(r.session_id)?.title ?? r.session_id
      if (!existsSync(repo)) {
        for (const r of rows) {
          this.#markMissing(r, `the repository ${repo} is gone (moved or deleted?)`)
          found.push({ sessionId: r.session_id, projectId: r.project_id, title: title(r), what: `the repository ${repo} is gone (moved or deleted?)` })
        }
        continue
      }
      try {
        const listed = new Map((await listWorktrees(this.git, repo)).map((e) => [normalize(e.path), e]))
        const heads = new Set((await this.git.run(repo, ['for-each-ref', '--format=%(refname:short)', 'refs/heads/'], {}, repo)).stdout.split('\n'))
        for (const r of rows) {
          let what: string | null = null
          if (r.state === 'preparing') {
            // Shepherd stopped while creating it: finish the cleanup the failed step would have done.
            await removeWorktree(this.git, repo, r.path, r.branch).catch(() => {})
            this.#s.setState.run('discarded', 'creation was interrupted', Date.now(), r.session_id)
            what = 'creating its worktree was interrupted; the half-made worktree was removed'
          } else if (!existsSync(r.path) || listed.get(normalize(r.path))?.prunable) {
            what = `the worktree folder ${r.path} was removed outside Shepherd${heads.has(r.branch) ? ` (branch ${r.branch} is still there)` : ''}`
            this.#markMissing(r, what)
          } else if (!heads.has(r.branch)) {
            what = `its branch ${r.branch} was deleted outside Shepherd`
          } else if (!heads.has(r.base_branch)) {
            what = `its base branch ${r.base_branch} no longer exists; merging needs another base`
          } else if (r.state === 'missing') {
            this.#s.setState.run('ready', null, Date.now(), r.session_id)
          }
          if (what) found.push({ sessionId: r.session_id, projectId: r.project_id, title: title(r), what })
        }
      } catch (err) {
        for (const r of rows)
          found.push({ sessionId: r.session_id, projectId: r.project_id, title: title(r), what: `could not check its worktree: ${(err as Error).message}` })
      }
    }
    this.findings = found
    for (const f of found) this.o.log?.(`worktree of “${f.title}”: ${f.what}`)
    return found
  }

  // ---- internals ----------------------------------------------------------------------------

  #project(id: string) {
    const p = this.o.store.getProject(id)
    if (!p) throw new ShepherdError('NOT_FOUND', `no project with id ${id}`)
    return p
  }

  #wt(sessionId: string): WorktreeRow {
    const r = this.#s.get.get(sessionId)
    if (!r) throw new ShepherdError('NOT_FOUND', 'this session has no worktree of its own (it runs in the project folder)')
    return r
  }

  async #ready(sessionId: string): Promise<WorktreeRow> {
    const w = this.#wt(sessionId)
    if (w.state === 'preparing') throw new ShepherdError('CONFLICT', 'the worktree is still being prepared')
    if (w.state === 'discarded') throw new ShepherdError('CONFLICT', 'this worktree was discarded')
    if (!(await this.git.exists(w.path))) {
      this.#markMissing(w, 'the worktree folder was removed outside Shepherd')
      throw new ShepherdError('NOT_FOUND', `The worktree folder ${w.path} was removed outside Shepherd. Discard cleans up its branch ${w.branch}.`)
    }
    return w
  }

  #markMissing(w: WorktreeRow, note: string) {
    if (w.state !== 'missing') this.#s.setState.run('missing', note, Date.now(), w.session_id)
  }

  /**
   * Worktrees live under the data dir, one folder per project: outside the repository's tracked
   * tree (nothing to .gitignore, no checkout nested in another for watchers, searches and builds to
   * trip over), in one place Shepherd owns and can reconcile.
   */
  async #rootFor(projectId: string, name: string, projectPath: string): Promise<string> {
    const slug =
      name
        .normalize('NFKD')
        .replace(/[^\p{L}\p{N}._ -]+/gu, '-')
        .slice(0, 40) || 'project'
    // A project on an SSH host: on that host, in its account's ~/.shepherd-worktrees (always writable there).
    if (remoteOf(projectPath)) return join(await this.git.remoteHome(projectPath), '.shepherd-worktrees', `${slug}-${projectId.slice(0, 8)}`)
    return join(this.o.dataDir, 'worktrees', `${slug}-${projectId.slice(0, 8)}`)
  }
}

function toDTO(r: WorktreeRow): WorktreeDTO {
  return {
    sessionId: r.session_id,
    projectId: r.project_id,
    path: r.path,
    branch: r.branch,
    baseBranch: r.base_branch,
    baseCommit: r.base_commit,
    state: r.state as WorktreeState,
    note: r.note,
    mergedHead: r.merged_head
  }
}

/** The setup command on an SSH host, in the worktree there (its output shown when it ends). */
async function setupOnHost(git: GitRunner, command: string, cwd: string, progress: (t: string) => void): Promise<{ code: number; tail: string }> {
  const r = await git.setupOnHost(cwd, command)
  const lines = r.output.split('\n').filter(Boolean)
  if (lines.length) progress(lines.slice(-200).join('\n'))
  return { code: r.code, tail: lines.slice(-TAIL_LINES).join('\n') }
}

/** The user's own setup command (e.g. `npm install`), through their shell like a terminal would. */
function runSetup(command: string, cwd: string, progress: (t: string) => void): Promise<{ code: number; tail: string }> {
  return new Promise((resolve) => {
    const shell =
      process.platform === 'win32' ? { cmd: process.env.ComSpec || 'cmd.exe', args: ['/d', '/s', '/c', command] } : { cmd: '/bin/sh', args: ['-c', command] }
    const child = spawn(shell.cmd, shell.args, { cwd, env: process.env, stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true })
    const tail: string[] = []
    let pending = ''
    let timer: ReturnType<typeof setTimeout> | null = null
    // Output goes to the pane in batches (one row per 300 ms), not one row per line.
    const flush = () => {
      timer = null
      if (pending) {
        progress(pending.replace(/\n$/, ''))
        pending = ''
      }
    }
    const onData = (b: Buffer) => {
      const text = b.toString('utf8')
      for (const l of text.split('\n'))
        if (l) {
          tail.push(l)
          if (tail.length > TAIL_LINES) tail.shift()
        }
      pending += text
      if (pending.length > 16_000) flush()
      timer ??= setTimeout(flush, 300)
    }
    child.stdout.on('data', onData)
    child.stderr.on('data', onData)
    child.on('error', (e) => {
      flush()
      resolve({ code: 127, tail: String(e) })
    })
    child.on('close', (code) => {
      if (timer) clearTimeout(timer)
      flush()
      resolve({ code: code ?? 1, tail: tail.join('\n') })
    })
  })
}
