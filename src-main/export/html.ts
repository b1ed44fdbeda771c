/**
 * One self-contained HTML file that reads like the pane: inline CSS (light and dark by the reader's
 * system setting), no scripts, no external requests (a Content-Security-Policy of `default-src 'none'`
 * says so to the browser too). Every text is escaped; the agent's Markdown goes through `marked` with
 * raw HTML escaped, images shown as their alt text and only https links kept. Thinking and tool input
 * are <details> blocks, which open without scripts.
 */
import { Marked, type Tokens } from 'marked'
import type { MessageRow } from '../store/rows'
import type { ExportSnapshot } from './snapshot'
import { AGENT_NAMES, iso, prettyInput, totalsLine } from './text'

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!)
}

const marked = new Marked({
  gfm: true,
  breaks: false,
  async: false,
  renderer: {
    html(token: Tokens.HTML | Tokens.Tag) {
      return escapeHtml(token.text)
    },
    image(token: Tokens.Image) {
      return escapeHtml(token.text || token.href)
    },
    link(token: Tokens.Link) {
      const inner = this.parser.parseInline(token.tokens)
      return /^https:\/\//i.test(token.href) ? `<a href="${escapeHtml(token.href)}" rel="noopener noreferrer">${inner}</a>` : inner
    }
  }
})

function markdownHtml(text: string): string {
  try {
    return marked.parse(text) as string
  } catch {
    return `<pre>${escapeHtml(text)}</pre>`
  }
}

const CSS = `
:root{color-scheme:light dark;--bg:#fff;--subtle:#f4f4f5;--border:#e3e3e6;--strong:#cfcfd4;--text:#18181b;--muted:#5f5f68;--accent:#5151cd;--accent-soft:#ececfb;--danger:#c4320a;--danger-soft:#fdeee9}
@media (prefers-color-scheme:dark){:root{--bg:#1a1a1e;--subtle:#222227;--border:#2f2f36;--strong:#45454e;--text:#ececf0;--muted:#a3a3ad;--accent:#7c7cf2;--accent-soft:#2a2a4a;--danger:#ff8a70;--danger-soft:#3a201b}}
*{box-sizing:border-box}body{margin:0;background:var(--bg);color:var(--text);font:14px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,Ubuntu,'Noto Sans',Arial,sans-serif}
main{max-width:920px;margin:0 auto;padding:24px 0 48px}
header{padding:0 18px 14px;border-bottom:1px solid var(--border)}h1{margin:0 0 6px;font-size:18px}
.meta{margin:0;color:var(--muted);font-size:12px}.meta div{margin:2px 0}code,pre,.mono{font-family:ui-monospace,'SF Mono',Menlo,Consolas,'DejaVu Sans Mono',monospace;font-size:12px}
.snap{margin-top:8px;padding:6px 10px;border-radius:6px;background:var(--subtle);font-size:12px}
.row{position:relative;padding:4px 18px}.row.nested{padding-left:36px}.row.nested::before{content:'';position:absolute;top:0;bottom:0;left:21px;border-left:2px solid var(--strong)}
.row.user{padding-top:14px}.who{color:var(--muted);font-size:11px;font-weight:600;letter-spacing:.03em;text-transform:uppercase;margin-bottom:3px}
.prompt{padding:8px 12px;border:1px solid var(--border);border-radius:10px;background:var(--accent-soft);white-space:pre-wrap;overflow-wrap:anywhere}
.md{overflow-wrap:anywhere;line-height:1.55}.md>:first-child{margin-top:0}.md>:last-child{margin-bottom:0}.md p,.md ul,.md ol,.md pre,.md blockquote,.md table{margin:0 0 8px}
.md pre,pre.out{padding:10px 12px;border:1px solid var(--border);border-radius:6px;background:var(--subtle);overflow-x:auto;white-space:pre-wrap;overflow-wrap:anywhere}
.md code{padding:1px 4px;border-radius:4px;background:var(--subtle)}.md pre code{padding:0;background:none}.md a{color:var(--accent)}
.md blockquote{padding-left:10px;border-left:3px solid var(--strong);color:var(--muted)}.md table{border-collapse:collapse}.md th,.md td{padding:3px 8px;border:1px solid var(--border)}
details{margin:2px 0}summary{cursor:pointer;color:var(--muted);font-size:12px}
.thinking .text{padding-left:10px;border-left:3px solid var(--strong);color:var(--muted);white-space:pre-wrap;font-style:italic}
.tool{display:flex;gap:6px;align-items:baseline;font-size:12.5px}.tool b{font-weight:600}.tool .path{color:var(--muted);overflow-wrap:anywhere}
pre.out{margin:2px 0 0;max-height:none}.err pre.out,.error .box{border-color:var(--danger);background:var(--danger-soft)}
.error .box{padding:8px 12px;border:1px solid var(--danger);border-radius:6px;color:var(--danger);white-space:pre-wrap}
.system{color:var(--muted);font-size:12px;font-style:italic;text-align:center}.seq{float:right;color:var(--muted);font-size:11px}
footer{padding:16px 18px 0;color:var(--muted);font-size:12px;border-top:1px solid var(--border);margin-top:16px}
`

export function htmlHeader(snap: ExportSnapshot): string {
  const s = snap.session
  const e = escapeHtml
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="Shepherd">
<title>${e(s.title)}</title>
<style>${CSS}</style></head>
<body><main>
<header><h1>${e(s.title)}</h1><div class="meta">
<div>Project <b>${e(snap.project.name)}</b> · <span class="mono">${e(snap.project.path)}</span></div>
<div>${e(AGENT_NAMES[s.provider] ?? s.provider)}${s.model ? ` · ${e(s.model)}` : ''} · status ${e(s.status)} · session <span class="mono">${e(s.id)}</span>${s.cli_session_id ? ` · CLI session <span class="mono">${e(s.cli_session_id)}</span>` : ''}</div>
<div>Started ${e(iso(s.created_at))} · last activity ${e(iso(s.last_activity_at))}</div>
<div>${e(totalsLine(s))}</div></div>
<div class="snap" data-up-to-seq="${snap.upToSeq}">Snapshot: messages 1–${snap.upToSeq} (up to seq ${snap.upToSeq}), exported ${e(iso(snap.exportedAt))}${snap.running ? ' while the agent was still working; later messages are not included' : ''}.</div>
</header>
`
}

export function messageHtml(m: MessageRow): string {
  const e = escapeHtml
  const cls = `row ${m.kind}${m.parent_id ? ' nested' : ''}${m.is_error ? ' err' : ''}`
  const seq = `<span class="seq">#${m.seq}</span>`
  const sub = m.parent_id ? ' · sub-agent' : ''
  let body: string
  switch (m.kind) {
    case 'user':
      body = `${seq}<div class="who">You${sub} · ${e(iso(m.created_at))}</div><div class="prompt">${e(m.text)}</div>`
      break
    case 'assistant':
      body = `${seq}<div class="md">${markdownHtml(m.text)}</div>`
      break
    case 'thinking':
      body = `<details class="thinking"><summary>Thinking${sub}</summary><div class="text">${e(m.text)}</div></details>`
      break
    case 'tool_call': {
      const input = prettyInput(m.tool_input)
      body = `${seq}<div class="tool"><b>${e(m.tool_name ?? 'tool')}</b>${m.tool_path ? `<span class="path mono">${e(m.tool_path)}</span>` : ''}</div>${input ? `<details><summary>Input</summary><pre class="out">${e(input)}</pre></details>` : ''}`
      break
    }
    case 'tool_result':
      body = `<details${m.text.length < 2000 ? ' open' : ''}><summary>${m.is_error ? 'Tool error' : 'Output'} · ${m.text.length.toLocaleString('en-US')} chars</summary><pre class="out">${e(m.text)}</pre></details>`
      break
    case 'error':
      body = `${seq}<div class="box">${e(m.text)}</div>`
      break
    default:
      body = `<div>${e(m.text)}</div>`
  }
  return `<section class="${cls}" data-seq="${m.seq}" data-kind="${e(m.kind)}">${body}</section>\n`
}

export function* htmlChunks(snap: ExportSnapshot, rows: Iterable<MessageRow>): Generator<string> {
  yield htmlHeader(snap)
  for (const m of rows) yield messageHtml(m)
  yield `<footer>Exported from Shepherd: ${snap.upToSeq} messages (up to seq ${snap.upToSeq}).</footer>\n</main></body></html>\n`
}
