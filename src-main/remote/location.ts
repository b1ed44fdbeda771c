/**
 * Where a project lives: a local folder, or `host:/path` on an SSH host. The host part is what the
 * user types to `ssh`: an alias from ~/.ssh/config, `host`, `user@host` or `user@host:port`.
 */
import { ShepherdError } from '../shared/errors'

export interface RemoteLocation {
  /** As typed (alias, host or user@host), without the port. */
  host: string
  port: number | null
  /** Absolute path on the host. */
  path: string
}

/** Characters a destination may contain: nothing ssh would read as an option or a shell would expand. */
const HOST_RE = /^(?:[A-Za-z0-9._+-]+@)?[A-Za-z0-9._-]+$|^(?:[A-Za-z0-9._+-]+@)?\[[0-9A-Fa-f:.]+\]$/

/** True when `location` names a folder on an SSH host (`host:/path`), not a local path. */
export function isRemoteLocation(location: string): boolean {
  const s = location.trim()
  if (s.startsWith('/') || s.startsWith('\\')) return false
  const i = s.indexOf(':/')
  if (i <= 0) return false
  // Windows drive letters (`C:/x`) are local.
  if (process.platform === 'win32' && i === 1) return false
  return true
}

/** Parse `host:/path` / `user@host:port:/path`; throws BAD_REQUEST with the reason. */
export function parseRemoteLocation(location: string): RemoteLocation {
  const s = location.trim()
  const i = s.indexOf(':/')
  if (!isRemoteLocation(s) || i < 0) throw new ShepherdError('BAD_REQUEST', `"${s}" is not host:/path.`)
  let hostPart = s.slice(0, i)
  const path = s.slice(i + 1)
  let port: number | null = null
  const m = /^(.*[^:]):(\d{1,5})$/.exec(hostPart)
  if (m && !hostPart.endsWith(']')) {
    hostPart = m[1] as string
    port = Number(m[2])
    if (port < 1 || port > 65535) throw new ShepherdError('BAD_REQUEST', `Port ${port} is out of range (1–65535).`)
  }
  if (hostPart.startsWith('-')) throw new ShepherdError('BAD_REQUEST', `The host "${hostPart}" cannot start with "-".`)
  if (!HOST_RE.test(hostPart)) {
    throw new ShepherdError('BAD_REQUEST', `"${hostPart}" is not a host name, an ~/.ssh/config alias or user@host (letters, digits, . _ - only).`)
  }
  if (path.includes('\0') || path.includes('\n')) throw new ShepherdError('BAD_REQUEST', 'The remote path contains a NUL or newline character.')
  const clean = path.length > 1 ? path.replace(/\/+$/, '') : path
  return { host: hostPart, port, path: clean }
}

/** The canonical text stored as the project's path: `host:/path` or `host:port:/path`. */
export function formatRemoteLocation(l: RemoteLocation): string {
  return `${l.host}${l.port ? `:${l.port}` : ''}:${l.path}`
}

/** One connection per destination: host plus port. */
export function hostKey(l: Pick<RemoteLocation, 'host' | 'port'>): string {
  return l.port ? `${l.host}:${l.port}` : l.host
}
