/**
 * Words for what both sides show: the app (renderer) and the document written from the providers'
 * tables (docs/agents.md, by src-main/providers/controls-doc.test.ts). One wording per mode,
 * control and level. Pure values: no Node.
 */
import type { ControlId, SupportLevel } from './controls'
import type { PermissionMode, ProviderId } from './status'

/** Before detection answers; the same names the providers give themselves (displayName). */
export const PROVIDER_NAMES: Record<ProviderId, string> = {
  claude: 'Claude Code',
  codex: 'Codex',
  opencode: 'OpenCode',
  acp: 'ACP agent'
}

export const PERMISSION_LABELS: Record<PermissionMode, string> = {
  default: 'Ask before edits and commands',
  acceptEdits: 'Accept edits, ask for commands',
  plan: 'Plan only (no changes)',
  bypassPermissions: 'Never ask (bypass)'
}

/** Short labels for the compact selector in the pane header. */
export const PERMISSION_SHORT: Record<PermissionMode, string> = {
  default: 'Ask first',
  acceptEdits: 'Accept edits',
  plan: 'Plan only',
  bypassPermissions: 'Never ask'
}

/** In the order of the Settings table: what a user does first comes first. */
export const CONTROL_LABELS: Record<ControlId, string> = {
  queue: 'Follow-ups while it works',
  interrupt: 'Interrupt the turn (Esc)',
  stop: 'Stop the agent',
  model: 'Choose and switch the model',
  permissionMode: 'Choose and switch the permission mode',
  approvals: 'Approvals: allow once, deny',
  approveForSession: 'Allow for this session',
  denyReason: 'Deny with a reason the agent reads',
  questions: 'Questions and forms the agent asks',
  resume: 'Resume after a restart',
  fork: 'Fork a session',
  cost: 'Cost in USD',
  tokens: 'Tokens and context use'
}

export const LEVEL_LABELS: Record<SupportLevel, string> = {
  yes: 'Yes',
  partial: 'Partly',
  no: 'No',
  depends: 'Depends'
}
