/**
 * Markdown → HTML before sanitizing (markdown.ts runs DOMPurify on the result), kept free of the DOM
 * so it is unit-tested in Node. What the agent wrote stays visible as written (issue 11 item 8):
 * - raw HTML is escaped, except a few inert formatting tags agents use on purpose (`<kbd>`, `<br>`,
 *   `<details>` …): DOMPurify would otherwise delete unknown tags such as `<tools-used>` outright;
 * - a backslash before a bracket or parenthesis is kept (`[^\]]`, `\[ x \]`, `\(`): CommonMark
 *   would drop it as an escape; other escapes (`\*`, `\_`, `\#`) keep their Markdown meaning;
 * - control characters become visible symbols (visible-text.ts).
 */
import { Marked, type Tokens } from 'marked'
import { escapeHtml } from './markdown-guard'
import { visibleControls } from './visible-text'

/** Tags passed through as HTML (DOMPurify still strips their attributes); any other tag is shown as text. */
const KEPT_TAGS = new Set(['br', 'kbd', 'sub', 'sup', 'b', 'i', 'em', 'strong', 'code', 'del', 's', 'u', 'mark', 'details', 'summary', 'hr'])
/** Escapes whose backslash stays: brackets and parentheses are not Markdown emphasis, the backslash is usually meant. */
const KEPT_BACKSLASH = new Set(['[', ']', '(', ')', '{', '}'])

function onlyKeptTags(html: string): boolean {
  const tags = html.match(/<\/?([A-Za-z][A-Za-z0-9-]*)|<!--|<\?|<!/g)
  if (!tags) return false
  return tags.every((t) => {
    const name = /^<\/?([A-Za-z][A-Za-z0-9-]*)/.exec(t)?.[1]
    return name !== undefined && KEPT_TAGS.has(name.toLowerCase())
  })
}

const marked = new Marked({ gfm: true, breaks: false, async: false })
marked.use({
  tokenizer: {
    escape(src: string) {
      const m = /^\\([!"#$%&'()*+,\-./:;<=>?@[\]\\^_`{|}~])/.exec(src)
      if (!m || !KEPT_BACKSLASH.has(m[1]!)) return false
      // Same span as the built-in escape (the structure around it is unchanged), shown with its backslash.
      return { type: 'escape', raw: m[0], text: m[0] }
    }
  },
  renderer: {
    html(token: Tokens.HTML | Tokens.Tag) {
      if (onlyKeptTags(token.text)) return false
      const shown = escapeHtml(token.text)
      // A block of HTML keeps its lines; inline tags stay inline.
      return token.block ? `<p>${shown.replace(/\n+$/, '').replace(/\n/g, '<br>')}</p>\n` : shown
    }
  }
})

export function markdownToHtml(text: string): string {
  return marked.parse(visibleControls(text)) as string
}
