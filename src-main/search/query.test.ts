import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { MAX_QUERY_CHARS, MAX_TERMS, parseQuery, toFtsQuery } from './query'

/** Every sanitized query must be accepted by FTS5 itself (the point of the sanitizer). */
const db = new Database(':memory:')
db.exec(`CREATE VIRTUAL TABLE f USING fts5(text, tokenize = "unicode61 remove_diacritics 2");`)
const ins = db.prepare('INSERT INTO f (rowid, text) VALUES (?, ?)')
const docs = [
  'please fix the auth_token refresh in src/store/writer.ts',
  'authentication failed: NEAR the OR gate',
  'parse_config returned null',
  'the quick brown fox',
  '日本語 のテキスト',
  'Crème brûlée recipe'
]
docs.forEach((d, i) => ins.run(i + 1, d))
const search = (q: string): number[] => {
  const fts = toFtsQuery(q)
  if (fts === null) return []
  return db
    .prepare<[string], { rowid: number }>('SELECT rowid FROM f WHERE f MATCH ? ORDER BY rowid')
    .all(fts)
    .map((r) => r.rowid)
}

describe('query sanitizer', () => {
  it('words are ANDed, case-insensitive', () => {
    expect(search('QUICK fox')).toEqual([4])
    expect(search('fox auth')).toEqual([])
  })
  it('phrases and prefixes', () => {
    expect(search('"brown fox"')).toEqual([4])
    expect(search('"fox brown"')).toEqual([])
    expect(search('auth*')).toEqual([1, 2])
    expect(search('"quick bro"*')).toEqual([4])
  })
  it('identifiers and paths match as phrases of their parts', () => {
    expect(search('auth_token')).toEqual([1])
    expect(search('src/store/writer.ts')).toEqual([1])
    expect(search('store/writer')).toEqual([1])
    expect(search('parse_config')).toEqual([3])
    expect(search('config')).toEqual([3])
  })
  it('FTS5 keywords and operators are plain words', () => {
    expect(search('NEAR')).toEqual([2])
    expect(search('OR')).toEqual([2])
    expect(search('auth OR fox')).toEqual([])
    expect(search('NEAR(auth fox)')).toEqual([])
    expect(search('^quick')).toEqual([4])
    expect(search('text:quick')).toEqual([])
    expect(search('-fox +quick')).toEqual([4])
    expect(search('AND')).toEqual([])
    expect(toFtsQuery('NOT')).toBe('"NOT"')
  })
  it('only punctuation or stars is no query, not an error', () => {
    expect(toFtsQuery('!!! ... ??? /// ***')).toBeNull()
    expect(toFtsQuery('*')).toBeNull()
    expect(toFtsQuery('""')).toBeNull()
    expect(toFtsQuery('')).toBeNull()
    expect(toFtsQuery('   ')).toBeNull()
  })
  it('unbalanced and embedded quotes', () => {
    expect(search('"brown fox')).toEqual([4])
    expect(search('brown" fox')).toEqual([4])
    expect(search('"""')).toEqual([])
    expect(search('a"b"c')).toEqual([])
    expect(toFtsQuery('say "hi')).toBe('"say" "hi"')
  })
  it('a prefix needs two characters', () => {
    expect(parseQuery('a*')[0]).toEqual({ text: 'a', phrase: false, prefix: false })
    expect(parseQuery('au*')[0]!.prefix).toBe(true)
    expect(parseQuery('fo*o')[0]).toEqual({ text: 'fo o', phrase: false, prefix: false })
  })
  it('diacritics fold, CJK runs match by prefix', () => {
    expect(search('creme brulee')).toEqual([6])
    expect(search('日本語')).toEqual([5])
    expect(search('のテ*')).toEqual([5])
    expect(search('のテ')).toEqual([5]) // CJK terms are prefixes
    expect(search('日本')).toEqual([5])
  })
  it('10,000 characters are cut and bounded', () => {
    const long = 'word '.repeat(2000)
    const terms = parseQuery(long)
    expect(terms.length).toBeLessThanOrEqual(MAX_TERMS)
    expect(() => search(long)).not.toThrow()
    const one = 'x'.repeat(10_000)
    expect(parseQuery(one)[0]!.text.length).toBe(MAX_QUERY_CHARS)
    expect(() => search(one)).not.toThrow()
    expect(() => search('"'.repeat(10_000))).not.toThrow()
    expect(() => search('('.repeat(5000) + 'fox' + ')'.repeat(5000))).not.toThrow()
  })
  it('control characters are spaces', () => {
    expect(toFtsQuery('fox\u0000quick')).toBe('"fox" "quick"')
  })
  it('random garbage never makes FTS5 throw', () => {
    const alphabet = ['"', '*', '^', '(', ')', ':', '-', '+', '{', '}', 'NEAR', 'OR', 'AND', 'NOT', ' ', 'fox', 'a', '_', '/', '.', '\\', "'", '日', '\u0000']
    let seed = 7
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31
      return seed / 2 ** 31
    }
    for (let n = 0; n < 2000; n++) {
      let q = ''
      const len = Math.floor(rnd() * 20)
      for (let k = 0; k < len; k++) q += alphabet[Math.floor(rnd() * alphabet.length)]
      expect(() => search(q), q).not.toThrow()
    }
  })
})
