/**
 * The query sanitizer: whatever the user types becomes a valid FTS5 query, never a syntax error.
 *
 * Supported: words (all must match), "exact phrases", prefixes (`auth*`, `"parse conf"*`). Everything
 * else FTS5 would read as syntax — OR, AND, NOT, NEAR, ^, column filters `col:`, parentheses, `+`,
 * `-`, unbalanced quotes — is searched as the plain words it contains: each term is emitted as an
 * FTS5 string ("…" with `"` doubled), and inside a string FTS5 reads no operators at all; the
 * tokenizer then drops the punctuation. Paths and identifiers (`src/store/writer.ts`,
 * `parse_config`) become phrases of their parts, which is what makes them findable (docs/search.md).
 */

/** Longer input is cut here (a pasted log line still searches; a 10 MB paste does not reach SQLite). */
export const MAX_QUERY_CHARS = 1000
/** At most this many terms are kept (each one is a doc-list FTS5 intersects). */
export const MAX_TERMS = 24
/** Prefixes shorter than this are searched as whole words: `a*` would expand to most of the vocabulary. */
export const MIN_PREFIX_CHARS = 2

export interface QueryTerm {
  text: string
  phrase: boolean
  prefix: boolean
}

const WORDY = /[\p{L}\p{N}]/u
/** Han, Hiragana, Katakana, Hangul: written without spaces, so unicode61 indexes a whole run as one token. */
const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u

/** Split user input into terms (pure; exported for tests and for highlighting in the renderer). */
export function parseQuery(input: string): QueryTerm[] {
  // Control characters (NUL ends a string in SQLite's parser) read as spaces.
  // eslint-disable-next-line no-control-regex
  const s = input.slice(0, MAX_QUERY_CHARS).replace(/[\u0000-\u001f\u007f]/g, ' ')
  const terms: QueryTerm[] = []
  let i = 0
  while (i < s.length && terms.length < MAX_TERMS) {
    const c = s[i]!
    if (/\s/.test(c)) {
      i++
      continue
    }
    if (c === '"') {
      const end = s.indexOf('"', i + 1)
      if (end < 0) {
        i++
        continue
      } // unbalanced: the quote is dropped, the rest reads as words
      let text = s.slice(i + 1, end)
      i = end + 1
      let prefix = false
      if (s[i] === '*') {
        prefix = true
        while (s[i] === '*') i++
      }
      text = text.replace(/\*/g, ' ')
      push(terms, text, true, prefix)
      continue
    }
    let j = i
    while (j < s.length && !/\s/.test(s[j]!) && s[j] !== '"') j++
    let word = s.slice(i, j)
    i = j
    let prefix = false
    if (word.endsWith('*')) {
      prefix = true
      word = word.replace(/\*+$/, '')
    }
    push(terms, word.replace(/\*/g, ' '), false, prefix)
  }
  return terms
}

function push(terms: QueryTerm[], text: string, phrase: boolean, prefix: boolean) {
  const t = text.trim().replace(/\s+/g, ' ')
  if (!WORDY.test(t)) return // only punctuation: nothing the tokenizer would index
  // A prefix needs at least MIN_PREFIX_CHARS letters/digits in its last token.
  const last =
    t
      .split(/[^\p{L}\p{N}]+/u)
      .filter(Boolean)
      .pop() ?? ''
  // A CJK word is found at the start of a run (docs/search.md): it is searched as a prefix.
  const cjk = CJK.test(last)
  terms.push({ text: t, phrase, prefix: cjk || (prefix && [...last].length >= MIN_PREFIX_CHARS) })
}

/** The FTS5 MATCH expression for `input`, or null when nothing searchable is left. */
export function toFtsQuery(input: string): string | null {
  const terms = parseQuery(input)
  if (terms.length === 0) return null
  return terms.map((t) => `"${t.text.replace(/"/g, '""')}"${t.prefix ? '*' : ''}`).join(' ')
}
