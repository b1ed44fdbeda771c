/** What the transcript mappers produce: provider messages with the time they were written. */
import type { ProviderMessage } from '../providers/types'

export interface ImportedMessage extends ProviderMessage {
  createdAt: number
}

export interface ImportTotals {
  inputTokens: number
  outputTokens: number
  cacheReadTokens: number
  cacheWriteTokens: number
  contextTokens: number | null
  contextWindow: number | null
  /** Session total as the CLI reports it (Claude Code's cost-state); null = unknown (Codex reports tokens only). */
  costUsd: number | null
  costKnown: boolean
}

export const emptyTotals = (): ImportTotals => ({
  inputTokens: 0,
  outputTokens: 0,
  cacheReadTokens: 0,
  cacheWriteTokens: 0,
  contextTokens: null,
  contextWindow: null,
  costUsd: null,
  costKnown: false
})

/** A transcript file found for a project folder. */
export interface FoundTranscript {
  provider: 'claude' | 'codex'
  cliSessionId: string
  /** The main transcript, then (Claude Code) its sub-agents' files. */
  files: string[]
  size: number
  mtimeMs: number
}

export type Obj = Record<string, unknown>
export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)
export const str = (v: unknown): string | null => (typeof v === 'string' ? v : null)
export const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null)
export const timeOf = (v: unknown, fallback: number): number => {
  const t = typeof v === 'string' ? Date.parse(v) : NaN
  return Number.isFinite(t) ? t : fallback
}
