/**
 * The one place Shepherd runs `git`: argument arrays through execFile (never a shell), a neutral
 * environment (no prompts, no pager, C locale, no optional locks), and a bounded queue per repository.
 *
 * Why 2 processes per repository: git serialises writers on `index.lock` anyway, so more parallel
 * processes in one repo only contend for the lock and the same disk; 2 lets one read (a Changes
 * refresh) go past one long write (a merge). 20 agents finishing at once therefore start at most
 * 2 git processes per repository at any moment; the rest wait in line (FIFO).
 */
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { cp, mkdir, rm } from 'node:fs/promises'
import { ShepherdError } from '../shared/errors'
import type { SshHosts } from '../remote/ssh'
import { countOnHost, fsOnHost, gitOnHost, remoteOf } from './remote-git'
import { hostKey } from '../remote/location'

export const GIT_PER_REPO = 2
/** Oldest git with everything used here: `--end-of-options` (2.24), `merge-tree --write-tree` (2.38). */
export const GIT_MIN_VERSION: readonly [number, number] = [2, 38]

export interface GitResult {
  stdout: string
  stderr: string
  code: number
}
export interface GitRunOptions {
  /** Exit codes that are answers, not failures (e.g. 1 from `diff --no-index`). */
  okCodes?: number[]
  env?: Record<string, string>
  /** Up to this many bytes of stdout (default 64 MiB). */
  maxBuffer?: number
  timeoutMs?: number
}

export class GitError extends ShepherdError {
  constructor(
    message: string,
    readonly args: string[],
    readonly stderr: string,
    readonly exitCode: number | null
  ) {
    super('BAD_REQUEST', message)
  }
}

export class GitRunner {
  /** Every git process started (the bench and tests count them). */
  spawns = 0
  readonly #queues = new Map<string, { running: number; waiting: (() => void)[] }>()
  #version: Promise<[number, number, number] | null> | null = null
  /** SSH hosts: a `host:/path` cwd runs git there, over the host's master (remote-git.ts). */
  remote: SshHosts | null = null
  readonly #hostVersions = new Map<string, Promise<[number, number, number] | null>>()

  constructor(
    readonly gitBinary = process.env.SHEPHERD_GIT || 'git',
    private readonly baseEnv: NodeJS.ProcessEnv = process.env
  ) {}

  /** Run `git args` in `cwd`, waiting for a slot of `queueKey` (the repository's main folder). */
  async run(cwd: string, args: string[], opts: GitRunOptions = {}, queueKey = cwd): Promise<GitResult> {
    await this.#acquire(queueKey)
    try {
      return await this.#exec(cwd, args, opts)
    } finally {
      this.#release(queueKey)
    }
  }

  /** The installed git's version (on the host of `where`, a `host:/path`), or null when git is missing. Cached: one spawn per app run (per host). */
  version(where?: string): Promise<[number, number, number] | null> {
    const parse = (r: GitResult) => {
      const m = /(\d+)\.(\d+)(?:\.(\d+))?/.exec(r.stdout)
      return m ? ([Number(m[1]), Number(m[2]), Number(m[3] ?? 0)] as [number, number, number]) : null
    }
    const host = where ? remoteOf(where) : null
    if (host) {
      const key = hostKey(host)
      let v = this.#hostVersions.get(key)
      if (!v) {
        // A host that cannot be reached says so (not "git missing") and is asked again next time.
        v = this.#exec(`${where!.slice(0, where!.indexOf(':/'))}:/`, ['--version'], {}).then(parse, (e: unknown) => {
          this.#hostVersions.delete(key)
          if (e instanceof GitError) return null
          throw e
        })
        this.#hostVersions.set(key, v)
      }
      return v
    }
    this.#version ??= this.#exec(process.cwd(), ['--version'], {}).then(parse, () => null)
    return this.#version
  }

  /** Throws a clear error when git is missing or older than GIT_MIN_VERSION (on the host of `where`, when given). */
  async requireVersion(where?: string): Promise<void> {
    const v = await this.version(where)
    if (!v)
      throw new ShepherdError(
        'UNAVAILABLE',
        where && remoteOf(where)
          ? `git was not found on ${hostKey(remoteOf(where)!)}. Install git there (e.g. \`apt install git\`).`
          : 'git was not found. Install git (e.g. `apt install git`, `brew install git`, or git-scm.com) and restart Shepherd.'
      )
    const [maj, min] = GIT_MIN_VERSION
    if (v[0] < maj || (v[0] === maj && v[1] < min)) {
      throw new ShepherdError('UNAVAILABLE', `git ${v.join('.')} is too old: worktrees need git ${maj}.${min} or newer.`)
    }
  }

  // ---- file operations worktrees need: local fs, or on the SSH host of a `host:/path` ----------

  async exists(p: string): Promise<boolean> {
    if (!remoteOf(p)) return existsSync(p)
    return (await fsOnHost(this.#hosts(), 'exists', p)).code === 0
  }

  async mkdirp(p: string): Promise<void> {
    if (!remoteOf(p)) return void (await mkdir(p, { recursive: true }))
    const r = await fsOnHost(this.#hosts(), 'mkdirp', p)
    if (r.code !== 0) throw new ShepherdError('BAD_REQUEST', `cannot make the folder ${p}: ${r.stderr.trim()}`)
  }

  async rmrf(p: string): Promise<void> {
    if (!remoteOf(p)) return rm(p, { recursive: true, force: true })
    const r = await fsOnHost(this.#hosts(), 'rmrf', p)
    if (r.code !== 0) throw new ShepherdError('BAD_REQUEST', `cannot remove ${p}: ${r.stderr.trim()}`)
  }

  /** Copy a file or folder (into an existing worktree: files there are overwritten). Both on one host, or both local. */
  async copy(from: string, to: string): Promise<void> {
    if (!remoteOf(from)) return cp(from, to, { recursive: true, errorOnExist: false, force: true })
    const r = await fsOnHost(this.#hosts(), 'cp', from, to)
    if (r.code !== 0) throw new ShepherdError('BAD_REQUEST', `cannot copy ${from}: ${r.stderr.trim()}`)
  }

  /** The remote account's home folder, as `host:/home/…` (cached per host). */
  async remoteHome(location: string): Promise<string> {
    const key = hostKey(remoteOf(location)!)
    let h = this.#homes.get(key)
    if (!h) {
      h = fsOnHost(this.#hosts(), 'home', location).then((r) => {
        if (r.code !== 0 || !r.stdout.startsWith('/')) throw new ShepherdError('UNAVAILABLE', `cannot read the home folder on ${key}`)
        return location.slice(0, location.indexOf(':/') + 1) + r.stdout
      })
      h.catch(() => this.#homes.delete(key))
      this.#homes.set(key, h)
    }
    return h
  }
  readonly #homes = new Map<string, Promise<string>>()

  /** Untracked files of a worktree on a host: lines and binary flag, one round trip. */
  countOnHost(worktree: string, files: string[]): Promise<Map<string, { lines: number; binary: boolean }>> {
    return countOnHost(this.#hosts(), worktree, files)
  }

  /** A project's setup command on the host, in the worktree: exit code and its output's last lines. */
  async setupOnHost(worktree: string, command: string): Promise<{ code: number; output: string }> {
    const r = await fsOnHost(this.#hosts(), 'setup', worktree, command)
    return { code: r.code ?? 1, output: r.stdout }
  }

  #hosts(): SshHosts {
    if (!this.remote) throw new ShepherdError('UNAVAILABLE', 'SSH hosts are not available in this build')
    return this.remote
  }

  #exec(cwd: string, args: string[], opts: GitRunOptions): Promise<GitResult> {
    this.spawns++
    const neutral = {
      GIT_TERMINAL_PROMPT: '0',
      GIT_PAGER: 'cat',
      PAGER: 'cat',
      LC_ALL: 'C',
      LANG: 'C',
      // Reads (status, diff) must not take index.lock and race the agent's own git commands.
      GIT_OPTIONAL_LOCKS: '0',
      GIT_EDITOR: 'true',
      GIT_MERGE_AUTOEDIT: 'no'
    }
    if (remoteOf(cwd)) return this.#execOnHost(cwd, args, { ...opts.env, ...neutral }, opts)
    const env: NodeJS.ProcessEnv = { ...this.baseEnv, ...opts.env, ...neutral }
    return new Promise((resolve, reject) => {
      execFile(
        this.gitBinary,
        ['-c', 'core.quotepath=off', '-c', 'color.ui=false', ...args],
        {
          cwd,
          env,
          maxBuffer: opts.maxBuffer ?? 64 * 1024 * 1024,
          timeout: opts.timeoutMs ?? 120_000,
          windowsHide: true,
          encoding: 'utf8'
        },
        (err, stdout, stderr) => {
          const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : null) : 0
          if (code !== null && (code === 0 || opts.okCodes?.includes(code))) return resolve({ stdout, stderr, code })
          const errno = err && (err as NodeJS.ErrnoException).code
          if (errno === 'ENOENT' && !stderr) {
            return reject(new GitError(`cannot run git in ${cwd}: the folder or the git program does not exist`, args, '', null))
          }
          const msg = (stderr || (err?.message ?? '')).trim().split('\n').filter(Boolean).slice(-3).join(' ')
          reject(
            new GitError(
              `git ${args
                .filter((a) => !a.startsWith('-'))
                .slice(0, 2)
                .join(' ')} failed: ${msg}`,
              args,
              stderr,
              code
            )
          )
        }
      )
    })
  }

  /** The same git run on an SSH host (remote-git.ts): same exit-code rules, same errors. */
  async #execOnHost(cwd: string, args: string[], env: Record<string, string>, opts: GitRunOptions): Promise<GitResult> {
    const r = await gitOnHost(this.#hosts(), cwd, ['-c', 'core.quotepath=off', '-c', 'color.ui=false', ...args], env, opts.timeoutMs ?? 120_000)
    const code = r.code
    if (code !== null && (code === 0 || opts.okCodes?.includes(code))) return { stdout: r.stdout, stderr: r.stderr, code }
    const msg = r.stderr.trim().split('\n').filter(Boolean).slice(-3).join(' ')
    throw new GitError(
      `git ${args
        .filter((a) => !a.startsWith('-'))
        .slice(0, 2)
        .join(' ')} failed: ${msg || `exit ${code}`}`,
      args,
      r.stderr,
      code
    )
  }

  async #acquire(key: string): Promise<void> {
    let q = this.#queues.get(key)
    if (!q) this.#queues.set(key, (q = { running: 0, waiting: [] }))
    if (q.running < GIT_PER_REPO) {
      q.running++
      return
    }
    await new Promise<void>((r) => q.waiting.push(r))
  }

  #release(key: string): void {
    const q = this.#queues.get(key)
    if (!q) return
    const next = q.waiting.shift()
    if (next)
      next() // the slot passes straight to the next caller
    else if (--q.running === 0) this.#queues.delete(key)
  }
}
