/**
 * What an approval card must say, for every agent's shapes (issue 12, item 3): every path the
 * request touches (also a single file), each flagged when it is outside the project or somewhere
 * sensitive (.git, ~/.ssh, shell startup files, …), and the command in full. Pure, unit-tested.
 */
export type PathRisk = 'outside' | 'git' | 'ssh' | 'shell-rc' | 'credentials'

export interface ApprovalPath {
  /** As the agent gave it. */
  raw: string
  /** Relative to the project when inside it, else absolute (normalised). */
  shown: string
  /** Every reason to look twice; empty = inside the project, nothing special. */
  risks: PathRisk[]
}

export interface ApprovalFacts {
  /** The command in full (argv joined with spaces when given as a list), or null. */
  command: string | null
  /** Working directory of the command when it is not the project itself. */
  commandCwd: ApprovalPath | null
  paths: ApprovalPath[]
}

export const RISK_TEXT: Record<PathRisk, string> = {
  outside: 'outside the project',
  git: 'inside .git (repository internals, hooks run code)',
  ssh: 'SSH keys and config',
  'shell-rc': 'a shell startup file (runs in every new shell)',
  credentials: 'a credentials or tool config file'
}

const SHELL_RC = new Set([
  '.bashrc',
  '.bash_profile',
  '.bash_login',
  '.bash_logout',
  '.profile',
  '.zshrc',
  '.zshenv',
  '.zprofile',
  '.zlogin',
  '.zlogout',
  '.cshrc',
  '.tcshrc',
  '.kshrc',
  '.mkshrc',
  '.inputrc',
  'config.fish',
  '.envrc'
])
const CREDENTIALS = new Set(['.netrc', '.npmrc', '.pypirc', '.gitconfig', '.git-credentials', '.pgpass', 'authorized_keys', 'known_hosts'])
const CREDENTIAL_DIRS = new Set(['.aws', '.gnupg', '.kube', '.docker', '.config/gh', '.claude', '.codex'])

type Obj = Record<string, unknown>
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null)

/** POSIX-style normalisation (`a/./b/../c` → `a/c`), relative paths resolved against `cwd`. */
export function resolvePath(path: string, cwd: string): string {
  const win = /^[A-Za-z]:[\\/]/.test(path) || /^[A-Za-z]:[\\/]/.test(cwd)
  const p = win ? path.replace(/\\/g, '/') : path
  const base = win ? cwd.replace(/\\/g, '/') : cwd
  const abs = p.startsWith('/') || /^[A-Za-z]:\//.test(p) || p.startsWith('~') ? p : `${base.replace(/\/+$/, '')}/${p}`
  const parts: string[] = []
  for (const seg of abs.split('/')) {
    if (seg === '' || seg === '.') continue
    if (seg === '..') parts.pop()
    else parts.push(seg)
  }
  const head = /^[A-Za-z]:$/.test(parts[0] ?? '') || parts[0] === '~' ? '' : '/'
  return head + parts.join('/')
}

export function classifyPath(raw: string, cwd: string): ApprovalPath {
  const abs = resolvePath(raw, cwd)
  const root = resolvePath(cwd, '/')
  const inside = abs === root || abs.startsWith(root === '/' ? '/' : root + '/')
  const rel = inside ? abs.slice(root.length).replace(/^\//, '') || '.' : abs
  const segs = abs.split('/').filter(Boolean)
  const name = segs.at(-1) ?? ''
  const risks: PathRisk[] = []
  if (!inside) risks.push('outside')
  if (segs.includes('.git')) risks.push('git')
  if (segs.includes('.ssh')) risks.push('ssh')
  if (SHELL_RC.has(name) || (segs.at(-2) === 'fish' && name === 'config.fish')) risks.push('shell-rc')
  const joined = segs.join('/')
  if (CREDENTIALS.has(name) || [...CREDENTIAL_DIRS].some((d) => joined.includes(`/${d}/`) || joined.startsWith(`${d}/`) || segs.includes(d))) {
    if (!risks.includes('ssh')) risks.push('credentials')
  }
  return { raw, shown: rel, risks }
}

const PATH_KEYS = ['file_path', 'filePath', 'filepath', 'path', 'notebook_path', 'target', 'destination', 'grantRoot', 'directory', 'dir']

function commandOf(input: Obj): string | null {
  const c = input.command ?? input.cmd
  if (typeof c === 'string') return c
  if (Array.isArray(c) && c.every((x) => typeof x === 'string')) return (c as string[]).join(' ')
  return null
}

/** Paths and command of an approval's input (JSON text), whatever the agent. */
export function approvalFacts(inputJson: string | null, cwd: string): ApprovalFacts {
  let input: unknown
  try {
    input = inputJson ? JSON.parse(inputJson) : null
  } catch {
    input = null
  }
  if (!isObj(input)) return { command: null, commandCwd: null, paths: [] }
  const raws: string[] = []
  for (const k of PATH_KEYS) {
    const v = str(input[k])
    if (v) raws.push(v)
  }
  // Codex file changes, ACP locations, OpenCode patterns that are paths, MultiEdit-like lists.
  for (const list of [input.changes, input.locations, input.files, input.paths]) {
    if (Array.isArray(list)) {
      for (const item of list) {
        if (typeof item === 'string') raws.push(item)
        else if (isObj(item))
          for (const k of PATH_KEYS) {
            const v = str(item[k])
            if (v) raws.push(v)
          }
      }
    } else if (isObj(list)) {
      // Codex (older shape): { changes: { "/abs/path": {...} } }
      raws.push(...Object.keys(list))
    }
  }
  const seen = new Set<string>()
  const paths: ApprovalPath[] = []
  for (const raw of raws) {
    const p = classifyPath(raw, cwd)
    if (seen.has(p.shown)) continue
    seen.add(p.shown)
    paths.push(p)
  }
  const command = commandOf(input)
  const cwdRaw = str(input.cwd) ?? str(input.workdir)
  const commandCwd = command !== null && cwdRaw && resolvePath(cwdRaw, cwd) !== resolvePath(cwd, '/') ? classifyPath(cwdRaw, cwd) : null
  return { command, commandCwd, paths }
}
