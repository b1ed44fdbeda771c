/**
 * Finds the CLIs' transcripts for a project folder. Claude Code keeps one folder per cwd
 * (`$CLAUDE_CONFIG_DIR` or `~/.claude`, then `projects/<cwd with every non-alphanumeric as "-">/`);
 * Codex keeps every session under `$CODEX_HOME` (or `~/.codex`) `/sessions/YYYY/MM/DD/` and records
 * the cwd in the first line, so its files are matched by that (the folder itself or below it).
 * Only reads; never writes into those folders.
 */
import { existsSync, openSync, readSync, closeSync, readdirSync, realpathSync, statSync } from 'node:fs'
import { homedir } from 'node:os'
import { basename, join, sep } from 'node:path'
import { isObj, str, type FoundTranscript } from './types'

export type Env = Record<string, string | undefined>

const home = (env: Env) => env.HOME || homedir()
export const claudeConfigDir = (env: Env) => env.CLAUDE_CONFIG_DIR || join(home(env), '.claude')
export const codexHome = (env: Env) => env.CODEX_HOME || join(home(env), '.codex')

/** Claude Code's folder name for a cwd. */
export const encodeClaudePath = (p: string) => p.replace(/[^a-zA-Z0-9]/g, '-')

const real = (p: string) => {
  try {
    return realpathSync(p)
  } catch {
    return p
  }
}
const within = (cwd: string, project: string) => cwd === project || cwd.startsWith(project.endsWith(sep) ? project : project + sep)

export function findClaudeTranscripts(projectPath: string, env: Env): FoundTranscript[] {
  const root = join(claudeConfigDir(env), 'projects')
  if (!existsSync(root)) return []
  const project = real(projectPath)
  const names = new Set([encodeClaudePath(project), encodeClaudePath(projectPath)])
  // Very long paths are cut (and suffixed) by the CLI: also look at folders sharing the first 200 chars.
  const dirs = readdirSync(root).filter((d) => names.has(d) || [...names].some((n) => n.length > 200 && d.startsWith(n.slice(0, 200))))
  const out: FoundTranscript[] = []
  for (const d of dirs) {
    const dir = join(root, d)
    for (const f of safeList(dir)) {
      if (!f.endsWith('.jsonl')) continue
      const main = join(dir, f)
      const id = basename(f, '.jsonl')
      const cwd = firstCwd(main, 'claude')
      // An encoding collision (/a/b-c vs /a/b/c) is told apart by the recorded cwd.
      if (cwd && !within(real(cwd), project) && !within(cwd, projectPath)) continue
      const subDir = join(dir, id, 'subagents')
      const subs = safeList(subDir)
        .filter((s) => s.endsWith('.jsonl'))
        .sort()
        .map((s) => join(subDir, s))
      out.push(found('claude', id, [main, ...subs]))
    }
  }
  return out.sort((a, b) => a.mtimeMs - b.mtimeMs)
}

export function findCodexTranscripts(projectPath: string, env: Env): FoundTranscript[] {
  const root = join(codexHome(env), 'sessions')
  if (!existsSync(root)) return []
  const project = real(projectPath)
  const out: FoundTranscript[] = []
  const walk = (dir: string) => {
    for (const e of safeEntries(dir)) {
      const p = join(dir, e.name)
      if (e.isDirectory()) walk(p)
      else if (e.name.startsWith('rollout-') && e.name.endsWith('.jsonl')) {
        const meta = firstMeta(p)
        if (!meta?.cwd || !meta.id) continue
        if (!within(real(meta.cwd), project) && !within(meta.cwd, projectPath)) continue
        out.push(found('codex', meta.id, [p]))
      }
    }
  }
  walk(root)
  return out.sort((a, b) => a.mtimeMs - b.mtimeMs)
}

function found(provider: 'claude' | 'codex', cliSessionId: string, files: string[]): FoundTranscript {
  let size = 0
  let mtimeMs = 0
  for (const f of files) {
    try {
      const st = statSync(f)
      size += st.size
      mtimeMs = Math.max(mtimeMs, st.mtimeMs)
    } catch {
      /* vanished meanwhile */
    }
  }
  return { provider, cliSessionId, files, size, mtimeMs }
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir)
  } catch {
    return []
  }
}
function safeEntries(dir: string) {
  try {
    return readdirSync(dir, { withFileTypes: true })
  } catch {
    return []
  }
}

/** The first lines of a file (up to `max` bytes), complete lines only. */
function headLines(file: string, max: number): string[] {
  let fd: number | null = null
  try {
    fd = openSync(file, 'r')
    const buf = Buffer.alloc(max)
    const n = readSync(fd, buf, 0, max, 0)
    const text = buf.subarray(0, n).toString('utf8')
    const lines = text.split('\n')
    if (n === max) lines.pop() // cut mid-line
    return lines.filter(Boolean)
  } catch {
    return []
  } finally {
    if (fd !== null) closeSync(fd)
  }
}

function headText(file: string, max: number): string | null {
  let fd: number | null = null
  try {
    fd = openSync(file, 'r')
    const buf = Buffer.alloc(max)
    return buf.subarray(0, readSync(fd, buf, 0, max, 0)).toString('utf8')
  } catch {
    return null
  } finally {
    if (fd !== null) closeSync(fd)
  }
}

function firstCwd(file: string, _p: 'claude'): string | null {
  for (const line of headLines(file, 256 * 1024)) {
    try {
      const v: unknown = JSON.parse(line)
      if (isObj(v) && str(v.cwd)) return v.cwd as string
    } catch {
      /* a bad line is reported by the import itself */
    }
  }
  return null
}

/** Codex's first line is `session_meta` (its base instructions make it tens of KB). */
function firstMeta(file: string): { id: string | null; cwd: string | null } | null {
  // Scanning thousands of rollouts: `id` and `cwd` come early in the line, before the long base
  // instructions, so 16 KB usually tells; a full parse only when it does not.
  const head = headText(file, 16 * 1024)
  if (head && /^\{"timestamp":"[^"]*",(?:"ordinal":\d+,)?"type":"session_meta"/.test(head)) {
    const field = (k: string) => {
      const m = new RegExp(`"${k}":("(?:[^"\\\\]|\\\\.)*")`).exec(head)
      try {
        return m ? (JSON.parse(m[1]!) as string) : null
      } catch {
        return null
      }
    }
    const id = field('id')
    const cwd = field('cwd')
    if (id && cwd) return { id, cwd }
  }
  const first = headLines(file, 64 * 1024)[0] ?? headLines(file, 4 * 1024 * 1024)[0]
  if (!first) return null
  try {
    const v: unknown = JSON.parse(first)
    if (!isObj(v) || v.type !== 'session_meta' || !isObj(v.payload)) return null
    return { id: str(v.payload.id), cwd: str(v.payload.cwd) }
  } catch {
    return null
  }
}
