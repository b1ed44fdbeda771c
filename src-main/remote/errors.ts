/**
 * Why an SSH host could not be used, typed. ssh itself exits 255 for its own failures and prints
 * one line saying why; these patterns are OpenSSH's wording (stable for many years).
 */
import { ShepherdError } from '../shared/errors'

export type RemoteFailure =
  | 'ssh_missing'
  | 'unknown_host'
  | 'unreachable'
  | 'timeout'
  | 'auth_failed'
  | 'host_key_unknown'
  | 'host_key_changed'
  | 'no_folder'
  | 'no_permission'
  | 'cli_missing'
  | 'connection_lost'
  | 'ssh_failed'

export class RemoteError extends ShepherdError {
  constructor(
    readonly reason: RemoteFailure,
    message: string,
    /** For host_key_unknown: the key the host presented (known_hosts lines) and its fingerprint. */
    readonly hostKey?: { fingerprint: string; lines: string }
  ) {
    super('SSH_FAILED', message, { reason, ...(hostKey ? { fingerprint: hostKey.fingerprint } : {}) })
  }
}

/** The reason in ssh's stderr for exit status 255; `timeoutS` for the message. */
export function classifySshFailure(host: string, stderr: string, timeoutS: number): RemoteError {
  const s = stderr.trim()
  const last =
    s
      .split('\n')
      .filter((l) => l.trim() && !l.startsWith('Warning: Permanently added'))
      .pop() ?? ''
  if (/Could not resolve hostname|Name or service not known|nodename nor servname/i.test(s)) {
    return new RemoteError('unknown_host', `Unknown host "${host}": it is neither an alias in your ~/.ssh/config nor a name DNS resolves.`)
  }
  if (/REMOTE HOST IDENTIFICATION HAS CHANGED|Host key for .* has changed/i.test(s)) {
    return new RemoteError(
      'host_key_changed',
      `The host key of ${host} has CHANGED since it was accepted. Shepherd refuses to connect; check with your admin, then fix known_hosts.`
    )
  }
  if (/No (?:\S+ )?host key is known|Host key verification failed|host key is not known/i.test(s)) {
    return new RemoteError('host_key_unknown', `The host key of ${host} is not known yet: accept it first.`)
  }
  if (/Connection timed out|Operation timed out|timed out during banner exchange|Connection timed out during/i.test(s)) {
    return new RemoteError('timeout', `${host} did not answer within ${timeoutS} s (ConnectTimeout): the host is down or unreachable from here.`)
  }
  if (/Connection refused|No route to host|Network is unreachable|Connection closed by|Connection reset/i.test(s)) {
    return new RemoteError('unreachable', `${host} is unreachable: ${last.replace(/^ssh: /, '')}`)
  }
  if (/Permission denied|Too many authentication failures|no matching host key type|Authentication failed/i.test(s)) {
    return new RemoteError(
      'auth_failed',
      `Authentication to ${host} failed (${last.replace(/^.*: /, '')}). Shepherd uses key-based auth only (BatchMode): load your key into ssh-agent or set IdentityFile in ~/.ssh/config; password and 2FA prompts are never answered.`
    )
  }
  return new RemoteError('ssh_failed', `ssh to ${host} failed: ${last || 'exit status 255'}`)
}
