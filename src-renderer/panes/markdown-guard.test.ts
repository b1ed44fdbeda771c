/**
 * Issue 12 item 7: no agent output makes the page spend long in Markdown parsing. Hostile shapes
 * are sent to plain text (counted, not timed); what the guard still lets through is bounded by a
 * ratio against ordinary prose of the largest admitted size, measured in the same run.
 */
import { Marked } from 'marked'
import { describe, expect, it } from 'vitest'
import { MAX_EMPHASIS_DELIMITERS, MAX_MARKDOWN_CHARS, plainHtml, plainTextReason } from './markdown-guard'

const marked = new Marked({ gfm: true, breaks: false, async: false })

const prose = (chars: number) => {
  let s = ''
  for (let i = 0; s.length < chars; i++) s += `Paragraph ${i} with **bold**, _it_, \`code\` and [a link](https://x.y/${i}).\n\n`
  return s.slice(0, chars)
}

describe('plainTextReason', () => {
  it.each([
    ['16,000 characters of _a (the issue’s case)', '_a'.repeat(8_000), 'delimiters'],
    ['**a_ repeated (2.9 s per parse unguarded)', '**a_'.repeat(4_000), 'delimiters'],
    ['*_a repeated', '*_a'.repeat(1_000), 'delimiters'],
    ['~a repeated', '~a'.repeat(2_000), 'delimiters'],
    ['[a repeated', '[a'.repeat(8_000), 'delimiters'],
    ['`a repeated', '`a'.repeat(8_000), 'delimiters'],
    ['8,000 nested block quotes (stack overflow unguarded)', '> '.repeat(8_000) + 'a', 'nesting'],
    ['a list nested 100 deep', Array.from({ length: 100 }, (_, i) => ' '.repeat(i * 2) + '- item').join('\n'), 'nesting'],
    ['more than the length limit of ordinary prose', prose(MAX_MARKDOWN_CHARS + 1), 'long'],
    ['delimiters spread over lines of one paragraph', Array.from({ length: 300 }, () => '_a _b').join('\n'), 'delimiters']
  ])('sends %s to plain text', (_what, text, reason) => {
    expect(plainTextReason(text)).toBe(reason)
  })

  it.each([
    ['ordinary prose of the largest admitted size', prose(MAX_MARKDOWN_CHARS)],
    ['many emphasised words over many paragraphs', Array.from({ length: 500 }, (_, i) => `Item ${i}: **bold** and _it_.`).join('\n\n')],
    ['a code fence full of delimiters (not parsed as inline)', '```\n' + '**a_'.repeat(5_000) + '\n```'],
    ['a table', '| a | b |\n|---|---|\n' + '| `x` | *y* |\n'.repeat(100)],
    ['a few nested quotes and lists', '> > > quoted\n\n- a\n  - b\n    - c']
  ])('formats %s', (_what, text) => {
    expect(plainTextReason(text)).toBeNull()
  })

  it('plain rendering keeps every character, escaped', () => {
    const text = '<img src=x onerror=alert(1)>\n_a_a & "q"'
    const html = plainHtml(text, 'delimiters')
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;\n_a_a &amp; &quot;q&quot;')
    expect(html).not.toContain('<img')
  })
})

describe('parse cost of what the guard admits', () => {
  function minParseMs(text: string): number {
    let best = Infinity
    for (let i = 0; i < 3; i++) {
      const t = performance.now()
      marked.parse(text)
      best = Math.min(best, performance.now() - t)
    }
    return best
  }

  it('the worst admitted shapes cost at most ~3× ordinary prose of the largest admitted size; unguarded they cost far more', () => {
    const baseline = minParseMs(prose(MAX_MARKDOWN_CHARS))
    const n = MAX_EMPHASIS_DELIMITERS
    const admitted = ['**a_'.repeat(Math.floor(n / 3)), '*_a'.repeat(Math.floor(n / 2)), '_a'.repeat(n), '_*a '.repeat(Math.floor(n / 2))]
    for (const text of admitted) {
      expect(plainTextReason(text)).toBeNull()
      expect(minParseMs(text) / baseline).toBeLessThan(3)
    }
    // Control: the shape the guard refuses is many times dearer than the baseline.
    const refused = '**a_'.repeat(1_000)
    expect(plainTextReason(refused)).toBe('delimiters')
    expect(minParseMs(refused) / baseline).toBeGreaterThan(3)
  })
})
