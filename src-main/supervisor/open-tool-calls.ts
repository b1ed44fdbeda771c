/**
 * No tool call is left open once its turn ends, for every agent: the runner notes each tool call a
 * provider reports and each result, and when the turn ends (or the process goes) every call still
 * without a result gets one, marked as an error, so the transcript never shows a call that seems to
 * run forever. Providers that know better close their own calls first (Codex flushes its open items
 * with the same text; OpenCode waits for an aborted tool's late final update), so this only catches
 * what the agent itself never closed: an interrupt mid-command, a crash, a denied call the CLI dropped.
 * Calls are noted in the order they start, so a sub-agent's calls come after the call that started it.
 */
import type { ProviderMessage } from '../providers/types'

/** The result row of a tool call that never got one (the same words as Codex's own). */
export const UNFINISHED_TOOL_TEXT = '(did not finish: the turn ended)'

interface OpenCall {
  toolName: string | null
  parentId: string | null
}

export class OpenToolCalls {
  readonly #open = new Map<string, OpenCall>()

  /** Note a message on its way to the transcript. */
  note(m: ProviderMessage): void {
    if (!m.toolUseId) return
    if (m.kind === 'tool_call') this.#open.set(m.toolUseId, { toolName: m.toolName ?? null, parentId: m.parentId ?? null })
    else if (m.kind === 'tool_result') this.#open.delete(m.toolUseId)
  }

  get size(): number {
    return this.#open.size
  }

  /**
   * The turn ended: the result rows that close every call still open (in the order the calls
   * started), and forgets them. A sub-agent's call is closed only when the call that started the
   * sub-agent is closed too: a sub-agent whose call already returned runs on in the background
   * (Claude Code's async agents answer "Async agent launched" and keep working after the turn), so
   * its calls stay open for their own results. `all` (the process is gone) closes everything.
   */
  close(all = false): ProviderMessage[] {
    const out: ProviderMessage[] = []
    const closing = new Set<string>()
    for (const [id, call] of this.#open) {
      if (!all && call.parentId !== null && !closing.has(call.parentId)) continue
      closing.add(id)
      out.push({ kind: 'tool_result', text: UNFINISHED_TOOL_TEXT, toolName: call.toolName, toolUseId: id, parentId: call.parentId, isError: true })
    }
    for (const id of closing) this.#open.delete(id)
    return out
  }
}
