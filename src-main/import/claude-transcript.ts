/**
 * Claude Code's own session files (`<config>/projects/<encoded cwd>/<session id>.jsonl`, sub-agents in
 * `<session id>/subagents/agent-<id>.jsonl`) → Shepherd messages. Learned from files the pinned CLI
 * (2.1.330) wrote in tests (./fixtures/claude). Assistant and tool-result lines have the same shape as
 * stream-json's, so they go through the live parser; prompts, sub-agent links, usage per API message
 * and the `cost-state` line are read here. Everything else (attachments, api-request records, queue
 * operations) is bookkeeping the pane does not show.
 */
import { createParseState, parseClaudeLine, type ClaudeParseState } from '../providers/claude/parser'
import { emptyTotals, isObj, num, str, timeOf, type ImportTotals, type ImportedMessage, type Obj } from './types'

/** Cross-line state, persisted between imports so appended turns continue where the last import stopped. */
export interface ClaudeMapState {
  /** Sub-agent id → the tool_use id of the Agent/Task call that started it (the messages' parent id). */
  agents: Record<string, string>
  /** Usage of finished API messages, plus the latest one (its lines repeat the usage as it grows). */
  sums: { input: number; output: number; cacheRead: number; cacheWrite: number }
  lastId: string | null
  lastUsage: { input: number; output: number; cacheRead: number; cacheWrite: number }
  costUsd: number | null
  costKnown: boolean
  contextTokens: number | null
  model: string | null
  title: string | null
}

export function newClaudeState(): ClaudeMapState {
  const zero = { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 }
  return { agents: {}, sums: { ...zero }, lastId: null, lastUsage: { ...zero }, costUsd: null, costKnown: false, contextTokens: null, model: null, title: null }
}

const INJECTED = /^\s*<(system-reminder|command-name|command-message|command-args|local-command-stdout|local-command-stderr|local-command-caveat)>/
const INTERRUPT = '[Request interrupted by user'

export interface ClaudeLineResult {
  messages: ImportedMessage[]
  ignored: boolean
  /** A sub-agent this line started (its id). */ startedAgent?: string
}

/**
 * One parsed line → messages. `agentId` is set for a sub-agent's file: its messages get the parent id
 * of the call that started it. Throws nothing; unknown lines are ignored (`ignored: true`).
 */
export function mapClaudeLine(line: string, value: Obj, st: ClaudeMapState, parse: ClaudeParseState, agentId: string | null): ClaudeLineResult {
  const at = timeOf(value.timestamp, Date.now())
  const parentId = agentId ? (st.agents[agentId] ?? `agent:${agentId}`) : null
  const out: ImportedMessage[] = []
  const push = (m: Omit<ImportedMessage, 'createdAt'>) => out.push({ ...m, parentId: m.parentId ?? parentId, createdAt: at })
  switch (value.type) {
    case 'user': {
      if (value.isMeta === true) return { messages: [], ignored: true }
      const message = isObj(value.message) ? value.message : {}
      const content = message.content
      if (typeof content === 'string' || (Array.isArray(content) && content.every((b) => isObj(b) && b.type !== 'tool_result'))) {
        const text =
          typeof content === 'string'
            ? content
            : content.map((b) => (isObj(b) && b.type === 'text' ? (str(b.text) ?? '') : isObj(b) && b.type === 'image' ? '[image]' : '')).join('\n')
        if (text.startsWith(INTERRUPT)) push({ kind: 'system', text: 'Interrupted' })
        else if (text.startsWith('<task-notification>')) push({ kind: 'system', text: notificationText(text) })
        else if (INJECTED.test(text)) return { messages: [], ignored: true }
        else if (text.trim()) {
          push({ kind: 'user', text })
          if (!agentId && !st.title) st.title = text.trim().replace(/\s+/g, ' ').slice(0, 80)
        }
        return { messages: out, ignored: false }
      }
      // Tool results: the live parser's shape. Remember which sub-agent a call started.
      const toolUseResult = isObj(value.toolUseResult) ? value.toolUseResult : null
      const agent = toolUseResult ? str(toolUseResult.agentId) : null
      let startedAgent: string | undefined
      if (agent && Array.isArray(content) && !st.agents[agent]) {
        const block = content.find((b) => isObj(b) && b.type === 'tool_result')
        const id = isObj(block) ? str(block.tool_use_id) : null
        if (id) {
          st.agents[agent] = id
          startedAgent = agent
        }
      }
      for (const e of parseClaudeLine(line, parse).events) if (e.kind === 'message') push(e.message)
      return { messages: out, ignored: false, ...(startedAgent ? { startedAgent } : {}) }
    }
    case 'assistant': {
      const message = isObj(value.message) ? value.message : {}
      st.model = str(message.model) && message.model !== '<synthetic>' ? (message.model as string) : st.model
      const usage = isObj(message.usage) ? message.usage : null
      const id = str(message.id)
      if (usage && id) {
        const u = {
          input: num(usage.input_tokens) ?? 0,
          output: num(usage.output_tokens) ?? 0,
          cacheRead: num(usage.cache_read_input_tokens) ?? 0,
          cacheWrite: num(usage.cache_creation_input_tokens) ?? 0
        }
        if (id !== st.lastId) {
          for (const k of ['input', 'output', 'cacheRead', 'cacheWrite'] as const) st.sums[k] += st.lastUsage[k]
          st.lastId = id
        }
        st.lastUsage = u
        if (!agentId) st.contextTokens = u.input + u.cacheRead + u.cacheWrite
      }
      for (const e of parseClaudeLine(line, parse).events) if (e.kind === 'message') push(e.message)
      return { messages: out, ignored: false }
    }
    case 'cost-state': {
      const cost = num(value.totalCostUSD)
      if (cost !== null) {
        st.costUsd = cost
        st.costKnown = value.hasUnknownModelCost !== true
      }
      return { messages: [], ignored: false }
    }
    case 'summary':
    case 'ai-title': {
      const t = str(value.summary) ?? str(value.title)
      if (t) st.title = t.slice(0, 200)
      return { messages: [], ignored: false }
    }
    case 'system': {
      const text = str(value.content)
      if (text && value.isMeta !== true) push({ kind: value.level === 'error' ? 'error' : 'system', text, isError: value.level === 'error' })
      return { messages: out, ignored: !text }
    }
    default:
      return { messages: [], ignored: true }
  }
}

function notificationText(text: string): string {
  const summary = /<summary>([\s\S]*?)<\/summary>/.exec(text)?.[1]?.trim()
  const status = /<status>([\s\S]*?)<\/status>/.exec(text)?.[1]?.trim()
  return `Sub-agent ${status ?? 'finished'}${summary ? `: ${summary}` : ''}`
}

export function claudeTotals(st: ClaudeMapState): ImportTotals {
  const t = emptyTotals()
  t.inputTokens = st.sums.input + st.lastUsage.input
  t.outputTokens = st.sums.output + st.lastUsage.output
  t.cacheReadTokens = st.sums.cacheRead + st.lastUsage.cacheRead
  t.cacheWriteTokens = st.sums.cacheWrite + st.lastUsage.cacheWrite
  t.contextTokens = st.contextTokens
  t.costUsd = st.costUsd
  t.costKnown = st.costUsd !== null && st.costKnown
  return t
}

export { createParseState as newClaudeParseState }
