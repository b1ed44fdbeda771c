/** The built-in providers. Codex, OpenCode and ACP plug in here behind the same interface. */
import type { AgentProvider } from './types'
import { ClaudeProvider } from './claude/provider'

export function defaultProviders(): AgentProvider[] {
  return [new ClaudeProvider()]
}
