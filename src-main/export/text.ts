/** Small formatting helpers shared by the writers. */
import type { SessionRow } from '../store/rows'

export const iso = (ms: number) =>
  new Date(ms)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, ' UTC')

export function totalsLine(s: SessionRow): string {
  const cost = s.cost_known ? `$${s.cost_usd.toFixed(4)}` : 'cost n/a'
  return `${cost} · ${s.input_tokens.toLocaleString('en-US')} input / ${s.output_tokens.toLocaleString('en-US')} output tokens (cache ${s.cache_read_tokens.toLocaleString('en-US')} read, ${s.cache_write_tokens.toLocaleString('en-US')} written)`
}

export const AGENT_NAMES: Record<string, string> = { claude: 'Claude Code', codex: 'Codex', opencode: 'OpenCode', acp: 'ACP agent' }

/** Pretty JSON when the text is JSON, else the text. */
export function prettyInput(input: string | null): string {
  if (!input) return ''
  try {
    return JSON.stringify(JSON.parse(input), null, 2)
  } catch {
    return input
  }
}
