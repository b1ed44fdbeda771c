/**
 * Shepherd's permission modes for OpenCode 2 (driven over ACP, one `opencode acp` per session).
 * ACP has no call to change an agent's permission rules, and a process's config is fixed at spawn,
 * so OpenCode 2 is told to ask for every file edit and shell command (`OPENCODE_CONFIG_CONTENT`
 * `permission: {edit: ask, bash: ask}`; `bash` also covers 2.x's `shell` tool) and Shepherd answers
 * those requests itself from the session's current mode: a mode switch applies at once, also to the
 * turn in flight and to requests already waiting — as with 1.x's session rules. Plan mode also
 * switches OpenCode's own agent to `plan` (its read-only agent). As with 1.x's session rules, the
 * mode wins over the project's own `edit`/`bash` rules. Every other permission
 * (webfetch, external_directory, …) keeps OpenCode's / the project's setting and reaches the user.
 */
import type { PermissionMode } from '../../../shared/status'
import type { ApprovalDecision } from '../../types'

/** OpenCode 2's file-changing tools (its `edit` permission) and its command tools (`bash`). */
const EDIT_TOOLS = new Set(['edit', 'write', 'patch', 'apply_patch', 'multiedit'])
const COMMAND_TOOLS = new Set(['shell', 'bash'])

export type ToolClass = 'edit' | 'command' | 'other'

export function toolClass(toolName: string): ToolClass {
  const t = toolName.toLowerCase()
  if (EDIT_TOOLS.has(t)) return 'edit'
  if (COMMAND_TOOLS.has(t)) return 'command'
  return 'other'
}

/** Shepherd's answer for a request under `mode`, or null when the user decides. */
export function autoDecision(mode: PermissionMode, toolName: string): ApprovalDecision | null {
  const c = toolClass(toolName)
  if (c === 'other') return null
  switch (mode) {
    case 'bypassPermissions':
      return { behavior: 'allow', scope: 'once' }
    case 'acceptEdits':
      return c === 'edit' ? { behavior: 'allow', scope: 'once' } : null
    case 'plan':
      return { behavior: 'deny', message: 'Plan mode: file edits and shell commands are not allowed.' }
    default:
      return null
  }
}

/** OpenCode's own agent for a mode (`build` is its default agent, `plan` its read-only one). */
export function acpAgentMode(mode: PermissionMode): PermissionMode {
  return mode === 'plan' ? 'plan' : 'default'
}

/**
 * The session's `OPENCODE_CONFIG_CONTENT`: the user's own inline config (when it is a JSON object)
 * with `edit` and `bash` set to `ask`, so every such request reaches Shepherd.
 */
export function configContent(existing: string | undefined): string {
  let base: Record<string, unknown> = {}
  if (existing) {
    try {
      const parsed: unknown = JSON.parse(existing)
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) base = parsed as Record<string, unknown>
    } catch {
      /* not JSON: OpenCode would reject it too; replaced */
    }
  }
  const perm = base.permission && typeof base.permission === 'object' && !Array.isArray(base.permission) ? (base.permission as Record<string, unknown>) : {}
  return JSON.stringify({ ...base, permission: { ...perm, edit: 'ask', bash: 'ask' } })
}
