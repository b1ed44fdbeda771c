/**
 * Projects on SSH hosts, the app side: the host check shown when adding one, host-key acceptance
 * (the key is probed, shown, and only that exact key stored once the user accepts), per-host
 * connection status for the status bar.
 */
import { readFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { RemoteError } from './errors'
import { hostKey, parseRemoteLocation, type RemoteLocation } from './location'
import type { HostStatus, SshHosts } from './ssh'
import { EXTRA_PATH } from './wrapper'

/** The CLIs looked for on a host; `cli` is also what a remote session runs (by name, on the host's PATH). */
export const REMOTE_CLIS = [
  { id: 'claude', cli: 'claude', name: 'Claude Code', installHint: 'npm install -g @anthropic-ai/claude-code' },
  { id: 'codex', cli: 'codex', name: 'Codex', installHint: 'npm install -g @openai/codex' },
  { id: 'opencode', cli: 'opencode', name: 'OpenCode', installHint: 'npm install -g opencode-ai' }
] as const

export interface HostCheck {
  location: string
  host: string
  path: string
  /** 'ok', or why the folder cannot be used. */
  folder: 'ok' | 'missing' | 'no_permission'
  writable: boolean
  /** `uname -s -m` on the host. */
  os: string
  git: { found: boolean; version: string | null }
  clis: { id: string; name: string; found: boolean; path: string | null; version: string | null; installHint: string }[]
}

const CHECK_MARKER = '__SHEPHERD_CHECK__'
/** Prints key=value lines after the marker (rc-file banners land before it and are ignored). */
const CHECK_SH = `PATH="${EXTRA_PATH}:$PATH"; export PATH
p=$1; shift
echo ${CHECK_MARKER}
if [ -d "$p" ]; then echo folder=yes; else echo folder=no; fi
if [ -r "$p" ] && [ -x "$p" ]; then echo read=yes; else echo read=no; fi
if [ -w "$p" ]; then echo write=yes; else echo write=no; fi
echo "os=$(uname -s 2>/dev/null) $(uname -m 2>/dev/null)"
for c in git "$@"; do
  if w=$(command -v "$c" 2>/dev/null); then v=$("$c" --version </dev/null 2>/dev/null | head -n 1); echo "cli.$c=$w|$v"; else echo "cli.$c="; fi
done`

export class RemoteService {
  /** Keys probed and shown, waiting for the user's yes (by host). */
  private readonly pendingKeys = new Map<string, { fingerprint: string; lines: string }>()

  constructor(readonly hosts: SshHosts) {}

  statuses(): HostStatus[] {
    return this.hosts.statuses()
  }

  /** Host aliases from the ssh config (`Host` lines without wildcards), for picking one. Includes are not followed. */
  configHosts(): string[] {
    let text: string
    try {
      text = readFileSync(this.hosts.configFile ?? join(homedir(), '.ssh', 'config'), 'utf8')
    } catch {
      return []
    }
    const out = new Set<string>()
    for (const line of text.split('\n')) {
      const m = /^\s*Host\s+(.+)$/i.exec(line)
      if (!m) continue
      for (const h of (m[1] as string).split(/\s+/)) if (h && !/[*?!]/.test(h)) out.add(h)
    }
    return [...out].slice(0, 200)
  }

  /**
   * Connect and look: folder, permissions, OS, git and the agent CLIs with versions. An unknown
   * host key comes back as RemoteError('host_key_unknown') carrying the key's fingerprint.
   */
  async check(location: string): Promise<HostCheck> {
    const loc = parseRemoteLocation(location)
    await this.#connect(loc)
    const r = await this.hosts.exec(loc, CHECK_SH, [loc.path, ...REMOTE_CLIS.map((c) => c.cli)], { timeoutMs: 60_000 })
    const i = r.stdout.indexOf(CHECK_MARKER)
    if (i < 0) throw new RemoteError('ssh_failed', `The check on ${loc.host} printed nothing usable (exit ${r.code}): ${r.stderr.trim().slice(-300)}`)
    const kv = new Map<string, string>()
    for (const line of r.stdout.slice(i + CHECK_MARKER.length).split('\n')) {
      const eq = line.indexOf('=')
      if (eq > 0) kv.set(line.slice(0, eq), line.slice(eq + 1).trim())
    }
    const cli = (c: string) => {
      const v = kv.get(`cli.${c}`) ?? ''
      if (!v) return { found: false, path: null, version: null }
      const [path, out] = [v.slice(0, v.indexOf('|')), v.slice(v.indexOf('|') + 1)]
      return { found: true, path, version: /\d+\.\d+\.\d+[^\s]*/.exec(out)?.[0] ?? null }
    }
    const folder = kv.get('folder') !== 'yes' ? 'missing' : kv.get('read') !== 'yes' ? 'no_permission' : 'ok'
    const git = cli('git')
    return {
      location,
      host: hostKey(loc),
      path: loc.path,
      folder,
      writable: kv.get('write') === 'yes',
      os: kv.get('os') ?? '',
      git: { found: git.found, version: git.version },
      clis: REMOTE_CLIS.map((c) => ({ id: c.id, name: c.name, installHint: c.installHint, ...cli(c.cli) }))
    }
  }

  /** A check that must pass for a project to be added: the folder exists and can be read. */
  async checkForProject(location: string): Promise<HostCheck> {
    const c = await this.check(location)
    if (c.folder === 'missing') throw new RemoteError('no_folder', `There is no folder ${c.path} on ${c.host}.`)
    if (c.folder === 'no_permission') throw new RemoteError('no_permission', `${c.path} on ${c.host} cannot be read by your account there (permission denied).`)
    return c
  }

  async #connect(loc: RemoteLocation): Promise<void> {
    try {
      await this.hosts.connect(loc)
    } catch (err) {
      if (err instanceof RemoteError && err.reason === 'host_key_unknown') {
        // Show the key the host presents; nothing is trusted until the user accepts it.
        const key = await this.hosts.probeHostKey(loc)
        this.pendingKeys.set(hostKey(loc), key)
        throw new RemoteError(
          'host_key_unknown',
          `${hostKey(loc)} presents a host key Shepherd does not know yet: ${key.fingerprint}. Accept it only if it is the one your admin published.`,
          key
        )
      }
      throw err
    }
  }

  /** The user accepted the key shown for `location` (its fingerprint must match what was shown). */
  acceptHostKey(location: string, fingerprint: string): void {
    const loc = parseRemoteLocation(location)
    const key = this.pendingKeys.get(hostKey(loc))
    if (!key || key.fingerprint !== fingerprint)
      throw new RemoteError('host_key_unknown', `No host key from ${hostKey(loc)} is waiting to be accepted (check the host again).`)
    this.hosts.acceptHostKey(key.lines)
    this.pendingKeys.delete(hostKey(loc))
  }
}
