/**
 * Markdown export: a heading per turn (a turn starts at each prompt), the answer as written (it is
 * Markdown already), tool calls and output in code blocks fenced longer than any backtick run inside,
 * thinking as a quoted block. Sub-agent rows say so.
 */
import type { MessageRow } from '../store/rows'
import type { ExportSnapshot } from './snapshot'
import { AGENT_NAMES, iso, prettyInput, totalsLine } from './text'

export function fence(text: string, lang = ''): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length))
  const f = '`'.repeat(longest + 1)
  return `${f}${lang}\n${text}${text.endsWith('\n') ? '' : '\n'}${f}`
}

const quote = (text: string) =>
  text
    .split('\n')
    .map((l) => (l ? `> ${l}` : '>'))
    .join('\n')

export function markdownHeader(snap: ExportSnapshot): string {
  const s = snap.session
  return [
    `# ${s.title.replace(/\n/g, ' ')}`,
    '',
    `- **Project:** ${snap.project.name} (\`${snap.project.path}\`)`,
    `- **Agent:** ${AGENT_NAMES[s.provider] ?? s.provider}${s.model ? ` · ${s.model}` : ''}`,
    `- **Session:** \`${s.id}\`${s.cli_session_id ? ` · CLI session \`${s.cli_session_id}\`` : ''}`,
    `- **Started:** ${iso(s.created_at)} · **last activity:** ${iso(s.last_activity_at)} · **status:** ${s.status}`,
    `- **Totals:** ${totalsLine(s)}`,
    `- **Snapshot:** messages 1–${snap.upToSeq} (up to seq ${snap.upToSeq}), exported ${iso(snap.exportedAt)}${snap.running ? ' while the agent was still working; later messages are not included' : ''}`,
    '',
    '---',
    ''
  ].join('\n')
}

/** One message as Markdown (also what "Copy as Markdown" on a row gives). `turn` adds the turn heading. */
export function messageMarkdown(m: MessageRow, turn: number | null = null): string {
  const sub = m.parent_id ? ' (sub-agent)' : ''
  switch (m.kind) {
    case 'user':
      return `${turn !== null ? `## Turn ${turn}${sub}\n\n` : ''}**You**${turn === null ? sub : ''} · ${iso(m.created_at)}\n\n${m.text}\n`
    case 'assistant':
      return `**Agent**${sub}\n\n${m.text}\n`
    case 'thinking':
      return `${quote(`**Thinking**${sub}\n\n${m.text}`)}\n`
    case 'tool_call': {
      const input = prettyInput(m.tool_input)
      return `**Tool call: ${m.tool_name ?? 'tool'}**${sub}${m.tool_path ? ` — \`${m.tool_path.replace(/`/g, "'").replace(/\n/g, ' ').slice(0, 200)}\`` : ''}\n\n${input ? fence(input, 'json') : ''}\n`
    }
    case 'tool_result':
      return `**${m.is_error ? 'Tool error' : 'Output'}**${sub}\n\n${fence(m.text)}\n`
    case 'error':
      return `**Error**${sub}\n\n${fence(m.text)}\n`
    default:
      return `*${m.text.replace(/\*/g, '\\*')}*\n`
  }
}

/** Streams the document: header, then each message (turn counter kept across pages). */
export function* markdownChunks(snap: ExportSnapshot, rows: Iterable<MessageRow>): Generator<string> {
  yield markdownHeader(snap)
  let turn = 0
  for (const m of rows) {
    const startsTurn = m.kind === 'user' && !m.parent_id
    yield `${messageMarkdown(m, startsTurn ? ++turn : null)}\n`
  }
  yield `---\n\n*Exported from Shepherd: ${snap.upToSeq} messages (up to seq ${snap.upToSeq}).*\n`
}
