/** Issue 11 item 5: big texts are cut into display lines by offset, and tool inputs read as written. */
import { describe, expect, it } from 'vitest'
import { inputFields, lineAt, lineStarts, needsVirtualizing } from './long-text'

const lines = (text: string, wrap: number) => {
  const s = lineStarts(text, wrap)
  return Array.from({ length: s.length }, (_, i) => lineAt(text, s, i, wrap))
}

describe('lineStarts / lineAt', () => {
  it('keeps the text’s own lines, empty ones included', () => {
    expect(lines('a\n\nbc\n', 10)).toEqual(['a', '', 'bc', ''])
  })
  it('folds lines longer than the wrap width', () => {
    expect(lines('abcdefg\nxy', 3)).toEqual(['abc', 'def', 'g', 'xy'])
    expect(lines('abcdef', 3)).toEqual(['abc', 'def'])
  })
  it('gives every character of a 5 MB text back, in order', () => {
    const text = Array.from({ length: 60_000 }, (_, i) => `line ${i} ` + 'x'.repeat(i % 200)).join('\n')
    expect(text.length).toBeGreaterThan(5_000_000)
    const starts = lineStarts(text, 160)
    const parts: string[] = []
    for (let i = 0; i < starts.length; i++) parts.push(lineAt(text, starts, i, 160))
    const joined = parts.join('')
    expect(joined).toBe(text.replace(/\n/g, ''))
    expect(needsVirtualizing(text)).toBe(true)
  })
  it('renders small texts whole', () => {
    expect(needsVirtualizing('a\nb')).toBe(false)
    expect(needsVirtualizing('a\n'.repeat(2_000))).toBe(true)
  })
})

describe('inputFields', () => {
  it('shows file content with real line breaks, short values on one line', () => {
    const f = inputFields(JSON.stringify({ file_path: '/p/a.ts', content: 'one\ntwo\n', replace_all: false }))
    expect(f).toEqual([
      { key: 'file_path', value: '/p/a.ts', block: false },
      { key: 'content', value: 'one\ntwo\n', block: true },
      { key: 'replace_all', value: 'false', block: false }
    ])
  })
  it('pretty-prints long nested values, and returns null for non-objects', () => {
    const todos = Array.from({ length: 5 }, (_, i) => ({ content: `task number ${i}`, status: 'pending' }))
    expect(inputFields(JSON.stringify({ todos }))?.[0]?.value).toContain('\n    "content": "task number 0"')
    expect(inputFields('[1,2]')).toBeNull()
    expect(inputFields('not json')).toBeNull()
  })
})
