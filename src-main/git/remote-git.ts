/**
 * git and the few file operations worktrees need, for a repository on an SSH host (issue 17): run
 * on the host over the host's ControlMaster (src-main/remote/ssh.ts), so a Changes refresh or a
 * merge pays no new handshake. Every path and git argument travels as its own quoted argv word
 * (`sh -c SCRIPT shepherd ARG…`, quote.ts), never inside a shell string; the scripts below only
 * ever expand "$1"…"$@". Locations stay `host:/path` strings everywhere in Shepherd; only here
 * are they split into the host and its path.
 *
 * stdout is clean: each script prints a marker first and everything before it (a banner from the
 * account's rc files) is dropped.
 */
import { ShepherdError } from '../shared/errors'
import { formatRemoteLocation, hostKey, isRemoteLocation, parseRemoteLocation, type RemoteLocation } from '../remote/location'
import type { ExecResult, SshHosts } from '../remote/ssh'
import { EXTRA_PATH } from '../remote/wrapper'

const MARK = '__SHEPHERD_GIT__'
const HEAD = `PATH="${EXTRA_PATH}:$PATH"; export PATH; printf '\\n%s\\n' ${MARK}\n`

/** `GIT_SH <cwd> NAME=value… -- <git args…>`: the environment as literal `export` words, then git. */
const GIT_SH = `${HEAD}cd "$1" 2>/dev/null || { echo "fatal: cannot change to '$1': No such file or directory or no permission" >&2; exit 128; }
shift
while [ "$#" -gt 0 ] && [ "$1" != "--" ]; do export "$1"; shift; done
shift
exec git "$@"`

/** `FS_SH <verb> <path> [<path2>]`: the file operations worktrees need. */
const FS_SH = `${HEAD}v=$1; shift
case $v in
  exists) test -e "$1" ;;
  mkdirp) mkdir -p -- "$1" ;;
  rmrf) rm -rf -- "$1" ;;
  home) printf '%s' "$HOME" ;;
  cp) if [ -d "$1" ]; then mkdir -p -- "$2" && cp -R -- "$1/." "$2"; else mkdir -p -- "$(dirname -- "$2")" && cp -- "$1" "$2"; fi ;;
  count)
    # Untracked files: "<lines> <nul bytes in the first 8000>" per file, one line each (4 MiB read at most).
    cd "$1" || exit 1; shift
    for f in "$@"; do
      if [ -f "$f" ]; then
        n=$(head -c 4194304 -- "$f" | wc -l); z=$(head -c 8000 -- "$f" | tr -cd '\\000' | wc -c)
        if [ -s "$f" ] && [ "$(tail -c 1 -- "$f" | wc -l)" -eq 0 ]; then n=$((n+1)); fi
        echo "$n $z"
      else echo "0 1"; fi
    done ;;
  setup) cd "$1" || exit 1; exec sh -c "$2" 2>&1 ;;
  *) exit 2 ;;
esac`

/** `host:/x` → its host part; null for a local path. */
export function remoteOf(location: string): RemoteLocation | null {
  return isRemoteLocation(location) ? parseRemoteLocation(location) : null
}

/** The path on the host of `host:/x`; a local path unchanged (what goes into git's argv). */
export function hostPath(location: string): string {
  return remoteOf(location)?.path ?? location
}

/** A path git printed on the host, as a location on the same host as `like` (local: unchanged). */
export function sameHost(like: string, path: string): string {
  const r = remoteOf(like)
  return r ? formatRemoteLocation({ ...r, path }) : path
}

function strip(r: ExecResult): ExecResult {
  const i = r.stdout.indexOf(`\n${MARK}\n`)
  return { ...r, stdout: i < 0 ? '' : r.stdout.slice(i + MARK.length + 2) }
}

/** The host of a location must be reachable; ssh's own failures (exit 255) become a clear error. */
function sshFailed(loc: RemoteLocation, r: ExecResult): ShepherdError | null {
  if (r.code === 255 || (r.code === null && !r.stdout.includes(MARK)))
    return new ShepherdError('UNAVAILABLE', `cannot reach ${hostKey(loc)} to run git there: ${r.stderr.trim().split('\n').pop() ?? 'ssh failed'}`)
  return null
}

/** Run git on the host in `cwd` (a `host:/path`). Exit code and output as a local run would give them. */
export async function gitOnHost(hosts: SshHosts, cwd: string, args: readonly string[], env: Record<string, string>, timeoutMs: number): Promise<ExecResult> {
  const loc = parseRemoteLocation(cwd)
  const r = await hosts.exec(loc, GIT_SH, [loc.path, ...Object.entries(env).map(([k, v]) => `${k}=${v}`), '--', ...args], { timeoutMs })
  const err = sshFailed(loc, r)
  if (err) throw err
  return strip(r)
}

/** One file operation on the host of `location` (see FS_SH). */
export async function fsOnHost(hosts: SshHosts, verb: 'exists' | 'mkdirp' | 'rmrf' | 'home' | 'cp' | 'count' | 'setup', location: string, ...more: string[]) {
  const loc = parseRemoteLocation(location)
  const r = await hosts.exec(loc, FS_SH, [verb, loc.path, ...more.map(hostPath)], { timeoutMs: verb === 'setup' ? 30 * 60_000 : 120_000 })
  const err = sshFailed(loc, r)
  if (err) throw err
  return strip(r)
}

/** Untracked files' line counts and binary flags, one host round trip for all of them. */
export async function countOnHost(hosts: SshHosts, worktree: string, files: string[]): Promise<Map<string, { lines: number; binary: boolean }>> {
  const out = new Map<string, { lines: number; binary: boolean }>()
  if (!files.length) return out
  const loc = parseRemoteLocation(worktree)
  const r = await hosts.exec(loc, FS_SH, ['count', loc.path, ...files], { timeoutMs: 120_000 })
  const err = sshFailed(loc, r)
  if (err) throw err
  const lines = strip(r).stdout.split('\n')
  files.forEach((f, i) => {
    const [n, z] = (lines[i] ?? '0 0').trim().split(/\s+/).map(Number)
    out.set(f, { lines: z ? 0 : (n ?? 0), binary: !!z })
  })
  return out
}
