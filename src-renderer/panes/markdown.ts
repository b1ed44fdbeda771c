/**
 * Assistant text as sanitized Markdown. `marked` turns it into HTML, DOMPurify keeps only inert
 * markup (no scripts, no event handlers, no styles, no forms or frames), links keep an `href` only
 * when it is https and then open in a new window without an opener. Results are cached per text.
 */
import DOMPurify from 'dompurify'
import { escapeHtml, plainHtml, plainTextReason } from './markdown-guard'
import { markdownToHtml } from './markdown-parse'
import { controlBadges, visibleControls } from './visible-text'

const purify = DOMPurify(window)

purify.addHook('afterSanitizeAttributes', (node) => {
  if (node.nodeName === 'A') {
    const href = node.getAttribute('href') ?? ''
    if (/^https:\/\//i.test(href)) {
      node.setAttribute('target', '_blank')
      node.setAttribute('rel', 'noopener noreferrer')
      node.setAttribute('title', href)
    } else {
      // Relative, file:, javascript:, http: … stay as text.
      node.removeAttribute('href')
      node.removeAttribute('target')
    }
  }
})

const CONFIG = {
  FORBID_TAGS: [
    'style',
    'img',
    'form',
    'input',
    'button',
    'textarea',
    'select',
    'option',
    'iframe',
    'frame',
    'object',
    'embed',
    'video',
    'audio',
    'source',
    'picture',
    'svg',
    'math',
    'link',
    'meta',
    'base'
  ],
  FORBID_ATTR: ['style', 'class', 'id', 'name', 'srcset', 'src', 'action', 'formaction', 'background', 'ping'],
  ALLOW_DATA_ATTR: false,
  ALLOW_ARIA_ATTR: false,
  RETURN_TRUSTED_TYPE: false
} as const

const cache = new Map<string, string>()
const CACHE_MAX = 2000

export function renderMarkdown(text: string): string {
  const hit = cache.get(text)
  if (hit !== undefined) return hit
  let html: string
  // Long or pathological text is not parsed at all (see markdown-guard.ts): a frame stays cheap.
  const plain = plainTextReason(text)
  if (plain) {
    html = plainHtml(visibleControls(text), plain)
  } else {
    try {
      html = purify.sanitize(markdownToHtml(text), { ...CONFIG, FORBID_TAGS: [...CONFIG.FORBID_TAGS], FORBID_ATTR: [...CONFIG.FORBID_ATTR] })
    } catch {
      html = purify.sanitize(escapeHtml(visibleControls(text)))
    }
  }
  html = controlBadges(html)
  if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value as string)
  cache.set(text, html)
  return html
}
