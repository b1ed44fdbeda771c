/**
 * Shepherd's permission modes (named after Claude Code's) as OpenCode permission rules. A session's
 * rules are set at creation (`POST /session {permission}`) and changed live with
 * `PATCH /session/{id} {permission}`, which APPENDS to the session's list; OpenCode evaluates the
 * last matching rule, so every mode sets the same two keys (`edit`, `bash`) and a later mode fully
 * overrides an earlier one. Session rules come after the user's `opencode.json` rules for these keys,
 * so the mode chosen in Shepherd wins over a project's own `permission` for `edit` and `bash`; every
 * other permission (webfetch, external_directory, …) keeps OpenCode's / the project's setting.
 * `edit` covers OpenCode's write, edit and apply_patch tools. A `deny` removes the tool from what
 * the model is offered (a call then fails as the `invalid` tool).
 */
import type { PermissionMode } from '../../shared/status'

export interface OpenCodePermissionRule {
  permission: string
  pattern: string
  action: 'allow' | 'ask' | 'deny'
}

export interface OpenCodeModeMapping {
  /** One line for settings UIs and docs. */
  description: string
  rules: OpenCodePermissionRule[]
}

const rule = (permission: string, action: OpenCodePermissionRule['action']): OpenCodePermissionRule => ({ permission, pattern: '*', action })

export const OPENCODE_PERMISSION_MODES: Readonly<Record<PermissionMode, OpenCodeModeMapping>> = {
  default: {
    description: 'Asks before every file edit and every shell command (edit: ask, bash: ask).',
    rules: [rule('edit', 'ask'), rule('bash', 'ask')]
  },
  acceptEdits: {
    description: 'Edits files without asking; asks before shell commands (edit: allow, bash: ask).',
    rules: [rule('edit', 'allow'), rule('bash', 'ask')]
  },
  plan: {
    description: 'Read-only: file edits and shell commands are not available to the agent (edit: deny, bash: deny).',
    rules: [rule('edit', 'deny'), rule('bash', 'deny')]
  },
  bypassPermissions: {
    description: 'Edits files and runs shell commands without asking (edit: allow, bash: allow).',
    rules: [rule('edit', 'allow'), rule('bash', 'allow')]
  }
}

export function permissionRules(mode: PermissionMode): OpenCodePermissionRule[] {
  return OPENCODE_PERMISSION_MODES[mode].rules.map((r) => ({ ...r }))
}
