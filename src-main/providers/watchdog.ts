/**
 * Agents die with Shepherd. A host killed with SIGKILL, crashed or cut off by a power loss of its UI
 * process runs no exit handler, so its agents would go on with their turn unwatched (in a test: 21
 * more shell commands in 12 s, nothing recorded). Each agent process group therefore gets a tiny
 * watchdog: `/bin/sh` blocked in `read` on a pipe whose other end only the host holds. The kernel
 * closes that end when the host dies, however it dies; `read` then returns and the watchdog sends
 * SIGTERM to the agent's group, and SIGKILL one second later — all gone within the 2 s promise.
 *
 * Why this and not the alternatives: Linux's PR_SET_PDEATHSIG needs a native addon and fires on the
 * death of the spawning *thread*, and macOS has no equivalent; polling the parent pid costs wakeups
 * on every idle agent. A pipe EOF is immediate, free while idle, and the same on Linux and macOS.
 * Windows has no process groups here (taskkill walks the tree on stop); there a job object would be
 * the tool, which Node does not expose, so Windows relies on the stop path and the startup sweep.
 *
 * The watchdog sits in its own process group (so stopping the agent's group does not take it along)
 * and never keeps the host's event loop alive. A normal stop releases it with one line, so it never
 * signals a group id that the OS may have handed to somebody else since.
 */
import { spawn, type ChildProcess } from 'node:child_process'

const IS_WINDOWS = process.platform === 'win32'
/** Seconds between SIGTERM and SIGKILL once the host is gone. */
const KILL_AFTER_S = 1

/**
 * $1 is the process group id, passed as an argument (digits only): nothing is interpolated into the
 * script. `kill -SIG -PGID` without `--`: dash (Debian's /bin/sh) rejects `--` there.
 */
const SCRIPT = `read -r line; [ "$line" = release ] && exit 0; kill -TERM "-$1" 2>/dev/null; sleep ${KILL_AFTER_S}; kill -KILL "-$1" 2>/dev/null; exit 0`

/** The watchdog's command line for group `pgid` (exported for the test that kills a host with SIGKILL). */
export function watchdogCommand(pgid: number): [file: string, args: string[]] {
  if (!Number.isSafeInteger(pgid) || pgid <= 1) throw new Error(`watchdog: bad process group ${pgid}`)
  return ['/bin/sh', ['-c', SCRIPT, 'shepherd-watchdog', String(pgid)]]
}

export interface Watchdog {
  /** The group ended normally: the watchdog exits without signalling anything. Idempotent. */
  release(): void
  /** The watchdog's pid (tests). */
  readonly pid: number | undefined
}

const NOOP: Watchdog = { release() {}, pid: undefined }

/** Watch process group `pgid` (POSIX); a no-op on Windows or when `/bin/sh` cannot be started. */
export function watchGroup(pgid: number): Watchdog {
  if (IS_WINDOWS) return NOOP
  let child: ChildProcess
  try {
    const [file, args] = watchdogCommand(pgid)
    child = spawn(file, args, {
      detached: true,
      stdio: ['pipe', 'ignore', 'ignore'],
      env: { PATH: '/usr/bin:/bin' }
    })
  } catch {
    return NOOP
  }
  child.on('error', () => {})
  child.stdin?.on('error', () => {})
  // Neither the process nor our end of its pipe may hold the host open at quit.
  child.unref()
  ;(child.stdin as unknown as { unref?: () => void } | null)?.unref?.()
  let released = false
  return {
    pid: child.pid,
    release() {
      if (released) return
      released = true
      if (child.stdin?.writable) child.stdin.end('release\n')
    }
  }
}
