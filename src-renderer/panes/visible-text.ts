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
