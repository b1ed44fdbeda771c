// Compares FTS5 tokenizers for Shepherd's transcripts (docs/search.md): index size per byte of text,
// insert time, and which code-shaped queries each one finds. Text: this repository's own sources and
// docs cut into message-sized pieces (code, identifiers, paths, prose), plus CJK lines.
//   node bench/search-tokenizers.mjs
import Database from 'better-sqlite3'
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'

const files = execFileSync('git', ['ls-files', 'src-main', 'src-renderer', 'docs', 'README.md'], { encoding: 'utf8' })
  .split('\n')
  .filter((f) => /\.(ts|svelte|md)$/.test(f))
const docs = []
for (const f of files) {
  const t = readFileSync(f, 'utf8')
  for (let i = 0; i < t.length; i += 900) docs.push(`${f}\n${t.slice(i, i + 900)}`)
}
for (let i = 0; i < 200; i++) docs.push(`ログインの不具合を修正しました ${i}。認証トークンの更新処理を見直しました。错误处理已经更新`)
const bytes = docs.reduce((a, d) => a + Buffer.byteLength(d), 0)

const TOKENIZERS = {
  'unicode61 remove_diacritics 2 (chosen)': 'unicode61 remove_diacritics 2',
  "unicode61 tokenchars '_'": "unicode61 remove_diacritics 2 tokenchars '_'",
  "unicode61 tokenchars '_./'": "unicode61 remove_diacritics 2 tokenchars '_./'",
  trigram: 'trigram'
}
const QUERIES = [
  '"mapSqliteError"',
  '"ログイン"*',
  '"group commit"',
  '"src-main/store/writer.ts"',
  '"store/writer"',
  '"writer"',
  '"busy_timeout"',
  '"timeout"',
  '"quick_check"',
  '"check"',
  '"ShepherdError"',
  '"Error"',
  '"認証トークン"',
  '"トークン"',
  '"错误"'
]

console.log(`${docs.length} messages, ${(bytes / 2 ** 20).toFixed(2)} MB of text`)
const header = ['tokenizer', 'index/text', 'insert ms/MB', ...QUERIES]
const rows = []
// The first pass only warms up the JIT and the allocator (insert times are compared).
for (const [name, tok] of [['warm-up', 'unicode61'], ...Object.entries(TOKENIZERS)]) {
  const db = new Database(':memory:')
  db.exec(`CREATE VIRTUAL TABLE f USING fts5(text, tokenize = "${tok.replace(/"/g, '""')}")`)
  const ins = db.prepare('INSERT INTO f (rowid, text) VALUES (?, ?)')
  const t0 = performance.now()
  db.transaction(() => docs.forEach((d, i) => ins.run(i + 1, d)))()
  const ms = performance.now() - t0
  db.exec("INSERT INTO f(f) VALUES ('optimize')")
  const idx = db.prepare('SELECT SUM(length(block)) AS b FROM f_data').get().b
  const counts = QUERIES.map((q) => {
    try {
      return db.prepare('SELECT COUNT(*) AS n FROM f WHERE f MATCH ?').get(q).n
    } catch {
      return 'err'
    }
  })
  if (name !== 'warm-up') rows.push([name, (idx / bytes).toFixed(2), (ms / (bytes / 2 ** 20)).toFixed(0), ...counts])
  db.close()
}
console.log(`| ${header.join(' | ')} |`)
console.log(`|${header.map(() => '---').join('|')}|`)
for (const r of rows) console.log(`| ${r.join(' | ')} |`)
