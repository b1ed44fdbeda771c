/** The built-in providers. Each implements the same interface; the supervisor never special-cases one. */
import type { AgentProvider } from './types'
import { ClaudeProvider } from './claude/provider'
import { CodexProvider } from './codex/provider'
import { AcpProvider } from './acp/provider'
import { OpenCodeProvider } from './opencode/provider'
import type { AppSettings } from '../services/settings'

export function defaultProviders(settings: () => AppSettings): AgentProvider[] {
  return [
    new ClaudeProvider(),
    new CodexProvider(),
    new OpenCodeProvider(),
    // Any ACP agent: its command line comes from settings (e.g. `opencode acp`, `gemini --experimental-acp`).
    new AcpProvider({ command: () => settings().providers.acp.command ?? null })
  ]
}
