/**
 * Which lines an agent CLI writes on stderr matter to the user (issue 11 #12): most of stderr is
 * logging, but some lines say the agent runs degraded — Codex without its sandbox helper or
 * bubblewrap, a setting it could not apply, a disk it cannot write. Those are shown once per
 * session as a row; everything else stays in the stderr tail kept for exit reasons.
 */

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*[A-Za-z]/g
/** `tracing`-style log lines (Codex, Rust CLIs): `2026-…Z  WARN target: message`. */
const LOG_LINE = /^\d{4}-\d\d-\d\dT[\d:.]+Z?\s+(TRACE|DEBUG|INFO|WARN|ERROR)\s+[\w:.-]+:\s*(.*)$/
/** A plain warning line: `WARNING: …`, `Warning: …`, `warn: …`. */
const WARNING_LINE = /^(?:⚠\s*)?(?:WARNING|Warning|WARN|warn(?:ing)?)\s*[:!-]\s*(.+)$/
/** What a logged WARN/ERROR must be about to matter to the user (the rest is the CLI's own noise). */
const MATTERS =
  /sandbox|bubblewrap|bwrap|landlock|seccomp|helper binar|not find .* on PATH|permission denied|EACCES|ENOSPC|EDQUOT|disk (is )?full|read-only file system|config(uration)? (file )?(is )?invalid|could not (load|parse|read) .*(config|settings)/i

/** The user-facing text of a stderr line that matters, or null. */
export function cliWarningOf(line: string): string | null {
  const text = line.replace(ANSI, '').trim()
  if (!text) return null
  const log = LOG_LINE.exec(text)
  if (log) {
    const [, level, message] = log
    return (level === 'WARN' || level === 'ERROR') && message && MATTERS.test(message) ? message.trim() : null
  }
  const warning = WARNING_LINE.exec(text)
  return warning ? warning[1]!.trim() : null
}
