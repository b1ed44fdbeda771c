/**
 * Words the UI shows for shared vocabulary, defined once (pure TypeScript: the renderer imports these
 * values; the main process uses them in system notes and notifications).
 */
import type { PermissionMode, ProviderId } from './status'

/** Before detection answers; the same names the providers give themselves (displayName). */
export const PROVIDER_NAMES: Record<ProviderId, string> = {
  claude: 'Claude Code',
  codex: 'Codex',
  opencode: 'OpenCode',
  acp: 'ACP agent'
}

/** What each permission mode does, in one wording (Settings, the new-session form, the pane). */
export const PERMISSION_LABELS: Record<PermissionMode, string> = {
  default: 'Ask before edits and commands',
  acceptEdits: 'Accept file edits, ask for commands',
  plan: 'Plan only (no changes)',
  bypassPermissions: 'Never ask (bypass permissions)'
}

/** Short labels for compact selectors (the pane header). */
export const PERMISSION_SHORT: Record<PermissionMode, string> = {
  default: 'Ask first',
  acceptEdits: 'Accept edits',
  plan: 'Plan only',
  bypassPermissions: 'Never ask'
}
