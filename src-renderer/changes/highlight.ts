/**
 * Syntax colouring of a drawn diff2html diff, a slice of lines per task instead of all at once
 * (diff2html's own `highlightCode` colours every line in one go: a 5,000-line diff would block the
 * page for a long task). The same steps as diff2html's, with its helpers and its highlight.js build.
 */
import { hljs } from 'diff2html/lib-esm/ui/js/highlight.js-slim.js'
import { closeTags, getLanguage, mergeStreams, nodeStream } from 'diff2html/lib-esm/ui/js/highlight.js-helpers.js'

/** Lines coloured per task: small enough to keep each task well under 50 ms. */
const SLICE = 150

/** Colour the code lines under `root`; returns a cancel function (a newer diff replaces this one). */
export function highlightProgressively(root: HTMLElement): () => void {
  let cancelled = false
  const jobs: { lines: Element[]; language: string }[] = []
  for (const file of root.querySelectorAll('.d2h-file-wrapper')) {
    const ext = file.getAttribute('data-lang')
    let language = ext ? getLanguage(ext) : 'plaintext'
    if (!hljs.getLanguage(language)) language = 'plaintext'
    if (language === 'plaintext') continue
    jobs.push({ lines: [...file.querySelectorAll('.d2h-code-line-ctn')], language })
  }
  const colour = (line: Element, language: string) => {
    const text = line.textContent
    if (text === null) return
    const result = closeTags(hljs.highlight(text, { language, ignoreIllegals: true }))
    const original = nodeStream(line)
    if (original.length) {
      const node = document.createElement('div')
      node.innerHTML = result.value
      result.value = mergeStreams(original, nodeStream(node), text)
    }
    line.classList.add('hljs')
    line.innerHTML = result.value
  }
  let j = 0
  let i = 0
  const step = () => {
    if (cancelled) return
    let n = 0
    while (j < jobs.length && n < SLICE) {
      const job = jobs[j]!
      if (i >= job.lines.length) {
        j++
        i = 0
        continue
      }
      colour(job.lines[i++]!, job.language)
      n++
    }
    if (j < jobs.length) setTimeout(step, 0)
  }
  step()
  return () => {
    cancelled = true
  }
}

/** highlight.js language for a diff2html file's `language` (its extension), or null for plain text. */
export function languageFor(ext: string | undefined): string | null {
  const language = ext ? getLanguage(ext) : 'plaintext'
  return language !== 'plaintext' && hljs.getLanguage(language) ? language : null
}

/** One line's coloured HTML (escaped by highlight.js), for the windowed big diff. */
export function colourLine(text: string, language: string): string {
  return closeTags(hljs.highlight(text, { language, ignoreIllegals: true })).value
}
