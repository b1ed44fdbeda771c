/** Issue 11 item 8: Markdown shows what the agent wrote — tags, backslashes and control characters included. */
import { describe, expect, it } from 'vitest'
import { markdownToHtml } from './markdown-parse'
import { controlBadges, controlParts, visibleControls } from './visible-text'

describe('markdownToHtml', () => {
  it('shows an unknown tag on its own line as text', () => {
    const html = markdownToHtml('Before\n\n<tools-used>\nRead, Bash\n</tools-used>\n\nAfter')
    expect(html).toContain('&lt;tools-used&gt;')
    expect(html).toContain('Read, Bash')
    expect(html).toContain('&lt;/tools-used&gt;')
    expect(html).not.toMatch(/<tools-used>/)
  })

  it('shows an unknown inline tag as text', () => {
    const html = markdownToHtml('The wrapper <shell_metadata> is added by the CLI.')
    expect(html).toContain('The wrapper &lt;shell_metadata&gt; is added')
  })

  it('escapes script and event-handler markup rather than passing it', () => {
    const html = markdownToHtml('<script>alert(1)</script>\n\nand <img src=x onerror=alert(1)>')
    expect(html).not.toMatch(/<script|<img/)
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;')
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;')
  })

  it('keeps inert formatting tags agents use on purpose', () => {
    expect(markdownToHtml('Press <kbd>Ctrl</kbd>+<kbd>C</kbd>')).toContain('<kbd>Ctrl</kbd>')
  })

  it('keeps a backslash before ] and [ (regexes, LaTeX)', () => {
    expect(markdownToHtml('Match with [^\\]]+ here')).toContain('[^\\]]+')
    expect(markdownToHtml('Display math \\[ x^2 \\] ok')).toContain('\\[ x^2 \\]')
  })

  it('still treats other escapes as Markdown escapes', () => {
    expect(markdownToHtml('\\*not emphasis\\*')).toContain('*not emphasis*')
    expect(markdownToHtml('\\*not emphasis\\*')).not.toContain('<em>')
  })

  it('keeps links and emphasis working', () => {
    const html = markdownToHtml('See [the docs](https://example.com) and **bold**')
    expect(html).toContain('<a href="https://example.com">the docs</a>')
    expect(html).toContain('<strong>bold</strong>')
  })

  it('shows NUL and other control characters as visible symbols, also in code', () => {
    const html = markdownToHtml('a\u0000b\u001bc\u007fd and `x\u0007y`')
    expect(html).toContain('a\u2400b\u241bc\u2421d')
    expect(html).toContain('<code>x\u2407y</code>')
  })
})

describe('visibleControls', () => {
  it('maps C0 to Control Pictures, keeps tab and line breaks, marks C1', () => {
    expect(visibleControls('\u0000\t\n\r\u0001\u001f\u007f\u0085')).toBe('\u2400\t\n\r\u2401\u241f\u2421⟨U+0085⟩')
  })
  it('returns plain text unchanged (same string)', () => {
    const s = 'plain text'
    expect(visibleControls(s)).toBe(s)
  })
})

describe('controlBadges / controlParts', () => {
  it('labels control characters by name, font-independent', () => {
    expect(controlBadges(markdownToHtml('a\u0000b'))).toContain('a<span class="ctl" title="U+0000">NUL</span>b')
    expect(controlParts('x\u001by')).toEqual([
      { text: 'x', ctl: null },
      { text: '\u241b', ctl: { name: 'ESC', code: 'U+001B' } },
      { text: 'y', ctl: null }
    ])
    expect(controlParts('plain')).toEqual([{ text: 'plain', ctl: null }])
  })
})
