/**
 * An agent process on an SSH host, seen locally as one ManagedProcess: the local `ssh` client
 * (own process group, watchdog, back-pressure, stderr tail — all as for a local agent) running the
 * wrapper (wrapper.ts) over the host's master connection. The agent's stdio is the channel's.
 */
import { homedir } from 'node:os'
import { spawnManaged, type ManagedProcess } from '../providers/process'
import { ShepherdError } from '../shared/errors'
import type { RemoteLocation } from './location'
import { shQuoteOneLine } from './quote'
import type { SshHosts } from './ssh'
import { KILL_GROUP_SH, STARTED_MARKER, WRAPPER_SH } from './wrapper'

/** What a provider's handle needs to start its CLI on a host instead of locally. */
export interface RemoteSpawn {
  hosts: SshHosts
  location: RemoteLocation
  /** Seconds a remote agent outlives a lost connection (setting; default DEFAULT_REMOTE_GRACE_S). */
  graceS?: number
}

export const DEFAULT_REMOTE_GRACE_S = 5

/** Host-local variables: the remote account has its own (the wrapper extends its PATH). */
const LOCAL_ONLY = new Set(['PATH', 'HOME', 'USER', 'LOGNAME', 'SHELL', 'TMPDIR', 'TEMP', 'TMP'])

/** The environment block the wrapper reads first: `export NAME='value'` lines and an empty line. */
export function envBlock(env: Record<string, string>): string {
  let out = ''
  for (const [k, v] of Object.entries(env)) {
    if (LOCAL_ONLY.has(k) || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) continue
    out += `export ${k}=${shQuoteOneLine(v)}\n`
  }
  return out + '\n'
}

/**
 * Drops stdout until the wrapper's start marker (banners from rc files land there), reads the
 * remote process group id from it, then passes every byte on.
 */
export class MarkerFilter {
  private head = ''
  private started = false
  pgid: number | null = null
  constructor(
    private readonly onData: (chunk: Buffer) => void,
    private readonly onStarted: (pgid: number) => void
  ) {}
  push(chunk: Buffer): void {
    if (this.started) return this.onData(chunk)
    this.head += chunk.toString('latin1')
    const re = new RegExp(`(?:^|\\n)${STARTED_MARKER} (\\d+)\\n`)
    const m = re.exec(this.head)
    if (!m) {
      // Keep only what could still hold the marker (a banner may be long).
      if (this.head.length > 64 * 1024) this.head = this.head.slice(-256)
      return
    }
    this.started = true
    this.pgid = Number(m[1])
    this.onStarted(this.pgid)
    const rest = Buffer.from(this.head.slice(m.index + m[0].length), 'latin1')
    this.head = ''
    if (rest.length) this.onData(rest)
  }
}

/** Start `cli argv…` in `remote.location.path` on the host. Throws ShepherdError / RemoteError. */
export async function spawnRemote(
  remote: RemoteSpawn,
  cli: string,
  argv: readonly string[],
  o: { env: Record<string, string>; onStdout: (chunk: Buffer) => void; onStderr?: (chunk: Buffer) => void; displayName: string; installHint: string }
): Promise<ManagedProcess> {
  const { hosts, location } = remote
  await hosts.connect(location)
  const grace = Math.max(0, Math.round(remote.graceS ?? DEFAULT_REMOTE_GRACE_S))
  const args = hosts.commandArgs(location, WRAPPER_SH, [location.path, String(grace), o.installHint, cli, ...argv])
  let pgid: number | null = null
  const filter = new MarkerFilter(o.onStdout, (g) => (pgid = g))
  const proc = await spawnManaged(hosts.sshBinary, args, {
    cwd: homedir(),
    env: hosts.sshEnv(),
    onStdout: (chunk) => filter.push(chunk),
    onStderr: o.onStderr,
    displayName: `${o.displayName} on ${location.host}`,
    installHint: 'apt-get install openssh-client'
  }).catch((err: unknown) => {
    if (err instanceof ShepherdError && err.code === 'AGENT_NOT_FOUND')
      throw new ShepherdError('SPAWN_FAILED', `The ssh client was not found: install OpenSSH to use projects on SSH hosts.`)
    throw err
  })
  // The environment first (never on a command line, where `ps` on the host would show API keys).
  // writeLine is serialised: the protocol's first line follows the block.
  for (const line of envBlock(o.env).slice(0, -1).split('\n')) void proc.writeLine(line).catch(() => {})
  let stopping = false
  // Registered before the handle's own `exited` callback, so the handle sees the mark. ssh exits 255
  // for its own failures (the agent's code is passed through otherwise); without a start marker the
  // wrapper never ran, so it is a launch failure, not a lost connection.
  void proc.exited.then((exit) => {
    if (exit.code === 255 && !stopping && pgid !== null) exit.disconnected = true
  })
  proc.beforeStop = async (graceMs) => {
    stopping = true
    if (pgid === null) return
    await hosts.exec(location, KILL_GROUP_SH, [String(pgid), String(Math.max(1, Math.ceil(graceMs / 1000)))], { timeoutMs: graceMs + 10_000 })
  }
  return proc
}
