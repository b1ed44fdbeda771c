/**
 * What keeps Markdown parsing cheap whatever an agent writes (issue 12, item 7). `marked` is
 * super-linear on some inputs: 16,000 characters of `_a` took 0.3–0.6 s per parse and `**a_`
 * repeated 2.9 s (measured here), 8,000 nested `>` overflow the stack; and a streaming answer is
 * re-parsed on every draft. Text that is too long or that has too many emphasis delimiters in one
 * paragraph, or nests too deep, is shown as plain text instead (escaped, line breaks kept): the
 * words are all there, only the formatting is skipped. Pure (no DOM), so it is unit-tested in Node.
 *
 * Thresholds, from measurements with marked 18 on a 2-core Xeon: normal agent prose parses at
 * ~1 ms per 1,000 characters (41 ms for 48,000 on a loaded machine), so 32,000 stay near 25–30 ms; 400 emphasis delimiters in
 * one paragraph (the worst shape found) cost ~10–15 ms, while 1,500 cost 100+ ms.
 */
export const MAX_MARKDOWN_CHARS = 32_000
/** `*`, `_` and `~` in one paragraph (between blank lines, outside code fences). */
export const MAX_EMPHASIS_DELIMITERS = 400
/** `[`, `]`, `<`, `>` and backticks in one paragraph: cheaper, but not free. */
export const MAX_OTHER_DELIMITERS = 2_000
/** Block quote markers or list indentation (in characters) at the start of one line. */
export const MAX_NESTING = 32

export type PlainReason = 'long' | 'delimiters' | 'nesting'

/** Why `text` should be shown as plain text, or null when Markdown parsing is cheap enough. */
export function plainTextReason(text: string): PlainReason | null {
  if (text.length > MAX_MARKDOWN_CHARS) return 'long'
  let emphasis = 0
  let other = 0
  let inFence = false
  let start = 0
  while (start <= text.length) {
    let end = text.indexOf('\n', start)
    if (end < 0) end = text.length
    const line = text.slice(start, end)
    start = end + 1
    if (/^\s{0,3}(```|~~~)/.test(line)) {
      inFence = !inFence
      continue
    }
    if (inFence) continue
    if (line.trim() === '') {
      emphasis = 0
      other = 0
      continue
    }
    const lead = /^[\s>*+\-\d.)]*/.exec(line)?.[0] ?? ''
    if (lead.length > MAX_NESTING * 2 || countOf(lead, '>') > MAX_NESTING) return 'nesting'
    for (let i = 0; i < line.length; i++) {
      const c = line.charCodeAt(i)
      // * _ ~
      if (c === 42 || c === 95 || c === 126) emphasis++
      // [ ] < > `
      else if (c === 91 || c === 93 || c === 60 || c === 62 || c === 96) other++
    }
    if (emphasis > MAX_EMPHASIS_DELIMITERS || other > MAX_OTHER_DELIMITERS) return 'delimiters'
  }
  return null
}

function countOf(s: string, ch: string): number {
  let n = 0
  for (const c of s) if (c === ch) n++
  return n
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c)
}

const NOTES: Record<PlainReason, string> = {
  long: 'Shown as plain text: too long to format quickly.',
  delimiters: 'Shown as plain text: too much Markdown markup to format quickly.',
  nesting: 'Shown as plain text: nested too deeply to format.'
}

/** The plain rendering: every character, escaped, line breaks kept, with a short note why. */
export function plainHtml(text: string, reason: PlainReason): string {
  return `<p class="md-plain-note">${NOTES[reason]}</p><div class="md-plain">${escapeHtml(text)}</div>`
}
