import { describe, expect, it } from 'vitest'
import { changePreview, PREVIEW_MAX_LINES } from './diff-preview'

const j = (v: unknown) => JSON.stringify(v)
const signs = (r: ReturnType<typeof changePreview>) => r?.changes.map((c) => c.lines.map((l) => `${l.sign}${l.text}`))

describe('changePreview', () => {
  it('Claude Code Write / Edit / MultiEdit', () => {
    expect(signs(changePreview(j({ file_path: '/p/a.txt', content: 'one\ntwo\n' })))).toEqual([['+one', '+two']])
    const edit = changePreview(j({ file_path: '/p/a.ts', old_string: 'let a = 1', new_string: 'const a = 1\nexport { a }' }))
    expect(edit?.changes[0]).toMatchObject({ path: '/p/a.ts', kind: 'update' })
    expect(signs(edit)).toEqual([['-let a = 1', '+const a = 1', '+export { a }']])
    expect(
      signs(
        changePreview(
          j({
            file_path: '/p/a.ts',
            edits: [
              { old_string: 'x', new_string: 'y' },
              { old_string: 'p', new_string: 'q' }
            ]
          })
        )
      )
    ).toEqual([['-x', '+y', '@…', '-p', '+q']])
  })

  it('Codex changes[]: an added file is its content, an update is its unified diff', () => {
    const r = changePreview(
      j({
        changes: [
          { path: '/p/new.txt', kind: { type: 'add' }, diff: 'hello\nworld\n' },
          {
            path: '/p/old.txt',
            kind: { type: 'update' },
            diff: '--- a/old.txt\n+++ b/old.txt\n@@ -1,2 +1,2 @@\n keep\n-gone\n+come\n\\ No newline at end of file\n'
          }
        ],
        grantRoot: null
      })
    )
    expect(r?.changes.map((c) => [c.path, c.kind])).toEqual([
      ['/p/new.txt', 'add'],
      ['/p/old.txt', 'update']
    ])
    expect(signs(r)).toEqual([
      ['+hello', '+world'],
      ['@@@ -1,2 +1,2 @@', ' keep', '-gone', '+come']
    ])
  })

  it('OpenCode / ACP shapes: filePath + content, oldString / newString, a bare diff', () => {
    expect(signs(changePreview(j({ filePath: '/p/b.txt', content: 'y' })))).toEqual([['+y']])
    expect(signs(changePreview(j({ filePath: '/p/b.txt', oldString: 'a', newString: 'b' })))).toEqual([['-a', '+b']])
    expect(signs(changePreview(j({ filepath: '/p/c.txt', diff: '@@ -1 +1 @@\n-a\n+b\n' })))).toEqual([['@@@ -1 +1 @@', '-a', '+b']])
  })

  it('not a file change (a command, no path, bad JSON): null', () => {
    expect(changePreview(j({ command: 'echo hi' }))).toBeNull()
    expect(changePreview(j({ content: 'no path' }))).toBeNull()
    expect(changePreview('{not json')).toBeNull()
    expect(changePreview(null)).toBeNull()
  })

  it('long changes are cut at the preview limit across files', () => {
    const big = Array.from({ length: PREVIEW_MAX_LINES * 0.6 }, (_, i) => `line ${i}`).join('\n')
    const r = changePreview(
      j({
        changes: [
          { path: 'a', kind: { type: 'add' }, diff: big },
          { path: 'b', kind: { type: 'add' }, diff: big }
        ]
      })
    )
    expect(r?.cut).toBe(true)
    expect(r!.changes.reduce((n, c) => n + c.lines.length, 0)).toBe(PREVIEW_MAX_LINES)
  })

  it('keeps every line of a hunk: removed "-- x" and added "++ y" are content, not file headers', () => {
    const diff = [
      'diff --git a/q.sql b/q.sql',
      'index 1..2 100644',
      '--- a/q.sql',
      '+++ b/q.sql',
      '@@ -1,4 +1,3 @@',
      ' select 1;',
      '--- old comment',
      '-- kept? no: this removes "- kept? no…"',
      '+++ new comment',
      ' end;',
      '@@ -10,2 +10,3 @@',
      ' a',
      '-b',
      '+c',
      '+--- not a header',
      '--- a/other.txt',
      '+++ b/other.txt',
      '@@ -1 +1 @@',
      '-x',
      '+y'
    ].join('\n')
    expect(signs(changePreview(j({ path: '/p/q.sql', diff })))).toEqual([
      [
        '@@@ -1,4 +1,3 @@',
        ' select 1;',
        '--- old comment',
        '-- kept? no: this removes "- kept? no…"',
        '+++ new comment',
        ' end;',
        '@@@ -10,2 +10,3 @@',
        ' a',
        '-b',
        '+c',
        '+--- not a header',
        '@@@ -1 +1 @@',
        '-x',
        '+y'
      ]
    ])
  })

  it('a diff of a few thousand lines is kept whole', () => {
    const lines = Array.from({ length: 3_000 }, (_, i) => `+-- line ${i}`)
    const r = changePreview(j({ path: '/p/a', diff: `@@ -0,0 +1,3000 @@\n${lines.join('\n')}\n` }))
    expect(r?.cut).toBe(false)
    expect(r?.changes[0]?.lines.filter((l) => l.sign === '+')).toHaveLength(3_000)
  })
})
