/**
 * Labels for the controls × agents table and the marks on controls an agent cannot do. What each
 * agent supports comes from the main process (`settings.providers` → each provider's table).
 */
import type { ControlId, ControlSupport, SupportLevel } from '../../src-main/shared/controls'

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

/** A note split at its `code` spans, for rendering. */
export function noteParts(note: string): { code: boolean; text: string }[] {
  return note.split('`').flatMap((text, i) => (text ? [{ code: i % 2 === 1, text }] : []))
}

/** A note as plain text (tooltips, error lines): without the backticks. */
export function plain(note: string): string {
  return note.replaceAll('`', '')
}

/** The reason a control is unavailable, or null when it can be used (only a definite `no` disables). */
export function unavailable(c: ControlSupport | null | undefined): string | null {
  return c?.level === 'no' ? plain(c.note) : null
}

/** A tooltip: the control's own title, plus the agent's caveat when it only partly works. */
export function withCaveat(title: string, c: ControlSupport | null | undefined): string {
  if (!c || c.level === 'yes') return title
  return c.level === 'no' ? `Unavailable: ${plain(c.note)}` : `${title}. ${plain(c.note)}`
}
