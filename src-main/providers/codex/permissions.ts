/**
 * Shepherd's permission modes (named after Claude Code's) mapped to Codex's two knobs: the approval
 * policy (when Codex asks before running something) and the sandbox (what a command may touch).
 * Applied at `thread/start|resume|fork` and, after `setPermissionMode`, on the next `turn/start`.
 */
import type { PermissionMode } from '../../shared/status'
import type { AskForApproval, SandboxMode, SandboxPolicy } from './protocol'

export interface CodexPermission {
  approvalPolicy: AskForApproval
  sandbox: SandboxMode
  /** One line for the UI. */
  description: string
}

export const CODEX_PERMISSION_MODES: Readonly<Record<PermissionMode, Readonly<CodexPermission>>> = {
  default: {
    approvalPolicy: 'untrusted',
    sandbox: 'workspace-write',
    description: 'Asks before every edit and every command not known to be read-only; writes stay inside the project folder.'
  },
  acceptEdits: {
    approvalPolicy: 'on-request',
    sandbox: 'workspace-write',
    description: 'Edits and commands run without asking inside the project folder; asks only to leave the sandbox.'
  },
  plan: {
    approvalPolicy: 'untrusted',
    sandbox: 'read-only',
    description: 'Read-only sandbox: Codex can look around but not change files; asks before commands not known to be read-only.'
  },
  bypassPermissions: {
    approvalPolicy: 'never',
    sandbox: 'danger-full-access',
    description: 'No sandbox and no questions: every command and edit runs with your full permissions.'
  }
}

export function codexPermission(mode: PermissionMode): Readonly<CodexPermission> {
  return CODEX_PERMISSION_MODES[mode] ?? CODEX_PERMISSION_MODES.default
}

/**
 * `turn/start` takes a full sandbox policy, not a mode name. `known` holds policies Codex reported
 * (thread/start|resume|fork responses), so a user's own settings (extra writable roots, network
 * access from config.toml) survive a mode switch.
 */
export function sandboxPolicyFor(mode: SandboxMode, known: ReadonlyMap<SandboxPolicy['type'], SandboxPolicy> = new Map()): SandboxPolicy {
  switch (mode) {
    case 'read-only':
      return known.get('readOnly') ?? { type: 'readOnly', networkAccess: false }
    case 'workspace-write':
      return (
        known.get('workspaceWrite') ?? { type: 'workspaceWrite', writableRoots: [], networkAccess: false, excludeTmpdirEnvVar: false, excludeSlashTmp: false }
      )
    case 'danger-full-access':
      return { type: 'dangerFullAccess' }
  }
}
