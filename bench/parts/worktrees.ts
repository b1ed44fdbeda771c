/**
 * Part 8 — session worktrees: git processes and the Changes view.
 *
 * - A project with N worktree sessions (real `git worktree add`, records seeded in the database).
 *   The host runs git through a counting wrapper (SHEPHERD_GIT): every git process it starts is one
 *   line in a log. Counted: startup (the reconcile), opening the project in the app (one pane), and
 *   then the app open and idle for `idleSeconds`.
 * - The newest session's worktree has `files` changed files (`linesPerFile` lines each) and one
 *   file with `bigLines` changed lines. In Chromium: click the pane header's badge → frame where the
 *   file list is painted (all rows); click the big file → frame where its diff is painted; long tasks
 *   (> 50 ms) while scrolling that diff.
 * - Creating one worktree in a repository of `repoFiles` files, through the real `addWorktree`.
 */
import { execFileSync } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { launchChromium, openApp } from '../lib/browser'
import { startHost } from '../lib/host'
import { SqliteStore } from '../../src-main/store/sqlite-store'
import { GitRunner } from '../../src-main/git/runner'
import { addWorktree } from '../../src-main/git/repo'

export interface WorktreesOptions {
  sessions: number
  idleSeconds: number
  files: number
  linesPerFile: number
  bigLines: number
  repoFiles: number
  runs: number
}

export interface WorktreesResult {
  sessions: number
  startupSpawns: number
  openSpawns: number
  visiblePanes: number
  idleSpawns: number
  idleSeconds: number
  files: number
  changedLines: number
  listPaintMs: number[]
  bigLines: number
  diffPaintMs: number[]
  scrollLongTasks: number[]
  scrollLongestMs: number[]
  repoFiles: number
  createMs: number[]
}

const GIT_ENV = {
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_AUTHOR_NAME: 'Bench',
  GIT_AUTHOR_EMAIL: 'bench@example.invalid',
  GIT_COMMITTER_NAME: 'Bench',
  GIT_COMMITTER_EMAIL: 'bench@example.invalid'
}
const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', args, { cwd, env: { ...process.env, ...GIT_ENV }, encoding: 'utf8', maxBuffer: 256 * 2 ** 20 })
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

export async function worktreesRun(o: WorktreesOptions): Promise<WorktreesResult> {
  const dir = mkdtempSync(join(tmpdir(), 'shepherd-bench-wt-'))
  try {
    // ---- the repository and N worktrees -------------------------------------------------------
    const repo = join(dir, 'repo')
    mkdirSync(repo)
    git(repo, 'init', '-q', '-b', 'main')
    writeFileSync(join(repo, 'README.md'), '# bench\n')
    const big = Array.from({ length: o.bigLines }, (_, i) => `export const line${i} = ${i} // original`).join('\n') + '\n'
    writeFileSync(join(repo, 'big.ts'), big)
    git(repo, 'add', '-A')
    git(repo, 'commit', '-q', '-m', 'initial')
    const base = git(repo, 'rev-parse', 'HEAD').trim()
    const wtRoot = join(dir, 'worktrees')
    const data = join(dir, 'data')
    mkdirSync(data)
    const store = new SqliteStore(join(data, 'shepherd.db'))
    const projectId = randomUUID()
    const now = Date.now()
    store.insertProject({
      id: projectId,
      name: 'Bench worktrees',
      path: repo,
      created_at: now,
      updated_at: now,
      stall_threshold_ms: null,
      retention_count: null,
      retention_days: null
    })
    const ins = store.connection.prepare(
      'INSERT INTO session_worktrees (session_id, project_id, repo_path, path, branch, base_branch, base_commit, state, merged_head, note, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, ?, ?)'
    )
    let newest = ''
    console.error(`creating ${o.sessions} worktrees…`)
    for (let i = 0; i < o.sessions; i++) {
      const id = randomUUID()
      const path = join(wtRoot, `s${i}`)
      const branch = `shepherd/bench-${i}`
      git(repo, 'worktree', 'add', '-q', '-b', branch, path, base)
      store.insertSession({
        id,
        projectId,
        provider: 'claude',
        model: null,
        permissionMode: 'default',
        cwd: path,
        title: `Worktree session ${i}`,
        systemPrompt: null,
        extraEnv: {},
        status: 'done',
        now: now + i
      })
      ins.run(id, projectId, repo, path, branch, 'main', base, 'ready', now + i, now + i)
      newest = path
    }
    // The newest session (opened by default) changed many files, and one big one.
    console.error(`writing ${o.files} changed files in the newest worktree…`)
    const body = Array.from({ length: o.linesPerFile }, (_, i) => `const v${i} = ${i}`).join('\n') + '\n'
    for (let f = 0; f < o.files; f++) {
      const sub = join(newest, 'src', `m${Math.floor(f / 100)}`)
      mkdirSync(sub, { recursive: true })
      writeFileSync(join(sub, `file${f}.ts`), body)
    }
    writeFileSync(join(newest, 'big.ts'), big.replaceAll('// original', '// changed by the agent'))
    git(newest, 'add', '-A')
    git(newest, 'commit', '-q', '-m', 'agent work')
    store.close()

    // ---- counting git wrapper -----------------------------------------------------------------
    const log = join(dir, 'git-spawns.log')
    writeFileSync(log, '')
    const realGit = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim()
    const wrapper = join(dir, 'git-counting')
    writeFileSync(wrapper, `#!/bin/sh\necho "$*" >> '${log}'\nexec '${realGit}' "$@"\n`)
    chmodSync(wrapper, 0o755)
    const count = () => readFileSync(log, 'utf8').split('\n').filter(Boolean).length

    const host = await startHost(data, { SHEPHERD_GIT: wrapper, ...GIT_ENV })
    const browser = await launchChromium()
    const res: WorktreesResult = {
      sessions: o.sessions,
      startupSpawns: 0,
      openSpawns: 0,
      visiblePanes: 1,
      idleSpawns: 0,
      idleSeconds: o.idleSeconds,
      files: o.files + 1,
      changedLines: o.files * o.linesPerFile + 2 * o.bigLines,
      listPaintMs: [],
      bigLines: o.bigLines,
      diffPaintMs: [],
      scrollLongTasks: [],
      scrollLongestMs: [],
      repoFiles: o.repoFiles,
      createMs: []
    }
    try {
      await sleep(3000) // the startup reconcile runs in the background
      res.startupSpawns = count()
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } })
      const page = await context.newPage()
      await openApp(page, host.url)
      await page.getByRole('button', { name: 'Bench worktrees' }).first().click()
      const badge = page.getByTestId('changes-badge')
      await badge.filter({ hasText: /files changed/ }).waitFor({ timeout: 60_000 })
      await sleep(2000)
      res.openSpawns = count() - res.startupSpawns
      console.error(`idle ${o.idleSeconds} s with the app open…`)
      const beforeIdle = count()
      await sleep(o.idleSeconds * 1000)
      res.idleSpawns = count() - beforeIdle

      for (let r = 0; r < o.runs; r++) {
        // Click the badge → the frame that paints the whole file list.
        const listWatch = page.evaluate(
          (n) =>
            new Promise<number>((resolve) => {
              let t0 = 0
              document.addEventListener(
                'click',
                () => {
                  t0 = performance.now()
                },
                { capture: true, once: true }
              )
              const check = () => {
                const rows = document.querySelectorAll('[data-testid="changed-files"] li').length
                if (t0 && rows >= n) requestAnimationFrame(() => setTimeout(() => resolve(performance.now() - t0)))
                else requestAnimationFrame(check)
              }
              requestAnimationFrame(check)
            }),
          res.files
        )
        const [listMs] = await Promise.all([listWatch, badge.click()])
        res.listPaintMs.push(listMs)
        // Click the big file → the frame that paints its diff.
        const diffWatch = page.evaluate(
          (n) =>
            new Promise<number>((resolve) => {
              let t0 = 0
              document.addEventListener(
                'click',
                () => {
                  t0 = performance.now()
                },
                { capture: true, once: true }
              )
              const check = () => {
                const rows = document.querySelectorAll('[data-testid="file-diff"] .d2h-diff-tbody tr').length
                // A windowed diff has only the rows in view in the DOM; it states its total in data-lines.
                const windowed = document.querySelector<HTMLElement>('[data-testid="file-diff"] [data-lines]')
                const total = windowed ? Number(windowed.dataset.lines) : rows
                if (t0 && rows > 0 && total >= n) requestAnimationFrame(() => setTimeout(() => resolve(performance.now() - t0)))
                else requestAnimationFrame(check)
              }
              requestAnimationFrame(check)
            }),
          o.bigLines
        )
        const [diffMs] = await Promise.all([diffWatch, page.getByTestId('changed-files').locator('button[title="big.ts"]').click()])
        res.diffPaintMs.push(diffMs)
        // Scroll the diff top to bottom; long tasks meanwhile.
        const scroll = await page.evaluate(
          () =>
            new Promise<{ n: number; longest: number }>((resolve) => {
              const tasks: number[] = []
              const obs = new PerformanceObserver((l) => {
                for (const e of l.getEntries()) tasks.push(e.duration)
              })
              obs.observe({ type: 'longtask', buffered: false })
              const el = document.querySelector('[data-testid="file-diff"]')?.closest('.diff-pane') as HTMLElement
              let y = 0
              const step = () => {
                y += 600
                el.scrollTop = y
                if (y < el.scrollHeight) requestAnimationFrame(step)
                else
                  setTimeout(() => {
                    obs.disconnect()
                    resolve({ n: tasks.length, longest: Math.max(0, ...tasks) })
                  }, 200)
              }
              requestAnimationFrame(step)
            })
        )
        res.scrollLongTasks.push(scroll.n)
        res.scrollLongestMs.push(scroll.longest)
        await page.keyboard.press('Escape')
        await page.getByTestId('changes-view').waitFor({ state: 'detached' })
      }
      await context.close()
    } finally {
      await browser.close()
      await host.stop()
    }

    // ---- worktree creation in a repository of repoFiles files ---------------------------------
    const large = join(dir, 'large')
    mkdirSync(large)
    git(large, 'init', '-q', '-b', 'main')
    for (let f = 0; f < o.repoFiles; f++) {
      const sub = join(large, `d${Math.floor(f / 200)}`)
      if (f % 200 === 0) mkdirSync(sub)
      writeFileSync(join(sub, `f${f}.txt`), `file ${f}\n`)
    }
    git(large, 'add', '-A')
    git(large, 'commit', '-q', '-m', 'many files')
    const g = new GitRunner('git', { ...process.env, ...GIT_ENV })
    for (let r = 0; r < o.runs; r++) {
      const t0 = performance.now()
      await addWorktree(g, large, { path: join(dir, `large-wt-${r}`), branch: `shepherd/create-${r}`, base: 'main' })
      res.createMs.push(performance.now() - t0)
    }
    return res
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
