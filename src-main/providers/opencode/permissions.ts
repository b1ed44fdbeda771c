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

/**
 * Sub-agents. OpenCode 1.18 creates a sub-agent's session (the `task` tool) with its own rules
 * (`task: deny` only) and reads a session's rules once when its run starts, so this session's rules
 * never reach it: left alone, a sub-agent edits and runs commands by the project's config, whatever
 * the mode (in "Ask before edits and commands" it ran `sed -i` unasked). So every server Shepherd
 * starts gets `edit: ask` and `bash: ask` as its config's default (`OPENCODE_CONFIG_CONTENT`, over
 * the user's inline config), which only sessions without rules of their own — the sub-agents — fall
 * back to; the handle then answers each sub-agent request as the parent's CURRENT mode says
 * (`subagentAction`): allowed, refused, or shown as an approval card like the parent's own.
 */
export const SUBAGENT_FALLBACK_PERMISSION = { edit: 'ask', bash: 'ask' } as const

/** The server's inline config: the user's (when it is a JSON object) with the sub-agent fallback rules. */
export function serverConfigContent(userContent: string | undefined): string {
  let base: Record<string, unknown> = {}
  if (userContent) {
    try {
      const parsed = JSON.parse(userContent) as unknown
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) base = parsed as Record<string, unknown>
      else return userContent
    } catch {
      return userContent // OpenCode reports its own config error
    }
  }
  const permission = base.permission && typeof base.permission === 'object' && !Array.isArray(base.permission) ? base.permission : {}
  return JSON.stringify({ ...base, permission: { ...permission, ...SUBAGENT_FALLBACK_PERMISSION } })
}

/** What this session's mode does with a sub-agent's request for `permission` (anything but edit/bash: ask). */
export function subagentAction(mode: PermissionMode, permission: string): OpenCodePermissionRule['action'] {
  const rule = OPENCODE_PERMISSION_MODES[mode].rules.findLast((r) => r.permission === permission && r.pattern === '*')
  return rule?.action ?? 'ask'
}
