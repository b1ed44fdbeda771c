/** The built-in providers. Each implements the same interface; the supervisor never special-cases one. */
import type { AgentProvider } from './types'
import { ClaudeProvider } from './claude/provider'
import { CodexProvider } from './codex/provider'

export function defaultProviders(): AgentProvider[] {
  return [new ClaudeProvider(), new CodexProvider()]
}
