/**
 * Big texts in the transcript (issue 11 item 5): a 5 MB tool input or output must open without
 * freezing the page. The text is cut into display lines — its own line breaks, and lines longer
 * than `wrap` characters folded — kept as start offsets only (no copies of the text), so a viewer
 * can render just the lines in view. Pure, unit-tested.
 */

/** Texts up to these sizes are rendered whole (one `<pre>`); bigger ones are virtualized. */
export const WHOLE_MAX_CHARS = 60_000
export const WHOLE_MAX_LINES = 1_500

export function needsVirtualizing(text: string): boolean {
  if (text.length > WHOLE_MAX_CHARS) return true
  let lines = 1
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) if (++lines > WHOLE_MAX_LINES) return true
  return false
}

/** Start offset of every display line; the line ends where the next starts (minus its line break). */
export function lineStarts(text: string, wrap: number): Uint32Array {
  let out = new Uint32Array(Math.max(16, (text.length / 40) | 0))
  let n = 0
  const push = (v: number) => {
    if (n === out.length) {
      const next = new Uint32Array(out.length * 2)
      next.set(out)
      out = next
    }
    out[n++] = v
  }
  let start = 0
  while (true) {
    const nl = text.indexOf('\n', start)
    const end = nl < 0 ? text.length : nl
    for (let s = start; s < end || s === start; s += wrap) {
      push(s)
      if (end - s <= wrap) break
    }
    if (nl < 0) break
    start = nl + 1
  }
  return out.slice(0, n)
}

/** Display line `i` (without its line break). */
export function lineAt(text: string, starts: Uint32Array, i: number, wrap: number): string {
  const s = starts[i]!
  const next = i + 1 < starts.length ? starts[i + 1]! : text.length
  const end = Math.min(next, s + wrap)
  return text.slice(s, text.charCodeAt(end - 1) === 10 ? end - 1 : end)
}

export interface InputField {
  key: string
  value: string
  /** Shown as a block with its own line breaks (file content, long commands), not on the key's line. */
  block: boolean
}

/**
 * A tool call's input as fields: strings as written (file content with real line breaks, not `\n`),
 * other values as compact JSON, or pretty JSON when long. Null when the input is not a JSON object.
 */
export function inputFields(json: string | null): InputField[] | null {
  if (!json) return null
  let v: unknown
  try {
    v = JSON.parse(json)
  } catch {
    return null
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) return null
  return Object.entries(v as Record<string, unknown>).map(([key, val]) => {
    if (typeof val === 'string') return { key, value: val, block: val.includes('\n') || val.length > 100 }
    const compact = JSON.stringify(val) ?? String(val)
    return compact.length > 100 ? { key, value: JSON.stringify(val, null, 2), block: true } : { key, value: compact, block: false }
  })
}
