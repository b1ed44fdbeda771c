/**
 * Control characters an agent wrote, made visible (issue 11 item 8). NUL, the other C0 controls
 * (except tab, line feed and carriage return) and DEL would vanish or show as a font's box; they
 * become the Unicode "Control Pictures" (U+2400 + code: NUL → ␀, ESC → ␛, DEL → ␡), C1 controls
 * (U+0080–U+009F) their code point in brackets. Pure, so transcript text and Markdown share it.
 */
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]/g

export function visibleControls(text: string): string {
  if (!hasControls(text)) return text
  return text.replace(CONTROLS, (c) => {
    const code = c.charCodeAt(0)
    if (code < 0x20) return String.fromCharCode(0x2400 + code)
    if (code === 0x7f) return '\u2421'
    return `⟨U+${code.toString(16).toUpperCase().padStart(4, '0')}⟩`
  })
}

function hasControls(text: string): boolean {
  CONTROLS.lastIndex = 0
  const found = CONTROLS.test(text)
  CONTROLS.lastIndex = 0
  return found
}

const NAMES = 'NUL SOH STX ETX EOT ENQ ACK BEL BS HT LF VT FF CR SO SI DLE DC1 DC2 DC3 DC4 NAK SYN ETB CAN EM SUB ESC FS GS RS US'.split(' ')

/** The control character a Control Picture stands for: its name and code point (null for other characters). */
export function controlName(ch: string): { name: string; code: string } | null {
  const c = ch.charCodeAt(0)
  if (c >= 0x2400 && c <= 0x241f) return { name: NAMES[c - 0x2400]!, code: `U+${(c - 0x2400).toString(16).toUpperCase().padStart(4, '0')}` }
  if (c === 0x2421) return { name: 'DEL', code: 'U+007F' }
  return null
}

/**
 * Many fonts have no glyph for the Control Pictures (they show as boxes, the very thing to avoid), so
 * where HTML can be written they become a small labelled badge: `NUL`, `ESC`, with the code point as
 * the title. Runs on sanitized HTML: it only adds fixed markup.
 */
export function controlBadges(html: string): string {
  return html.replace(/[\u2400-\u241f\u2421]/g, (ch) => {
    const n = controlName(ch)!
    return `<span class="ctl" title="${n.code}">${n.name}</span>`
  })
}

/** Plain text cut into text and control-character parts, for components that render text nodes. */
export function controlParts(text: string): { text: string; ctl: { name: string; code: string } | null }[] {
  const shown = visibleControls(text)
  if (!/[\u2400-\u241f\u2421]/.test(shown)) return [{ text: shown, ctl: null }]
  const out: { text: string; ctl: { name: string; code: string } | null }[] = []
  let last = 0
  for (const m of shown.matchAll(/[\u2400-\u241f\u2421]/g)) {
    if (m.index > last) out.push({ text: shown.slice(last, m.index), ctl: null })
    out.push({ text: m[0], ctl: controlName(m[0]) })
    last = m.index + 1
  }
  if (last < shown.length) out.push({ text: shown.slice(last), ctl: null })
  return out
}
