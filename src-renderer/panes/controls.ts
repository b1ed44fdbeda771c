/**
 * Labels for the controls × agents table and the marks on controls an agent cannot do. What each
 * agent supports comes from the main process (`settings.providers` → each provider's table).
 */
import type { ControlSupport } from '../../src-main/shared/controls'

// The labels are shared with the generated docs/agents.md: defined once in src-main/shared/labels.ts.
export { CONTROL_LABELS, LEVEL_LABELS } from '../../src-main/shared/labels'

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
