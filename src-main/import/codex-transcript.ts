/**
 * Codex's rollout files (`<CODEX_HOME>/sessions/YYYY/MM/DD/rollout-<time>-<thread id>.jsonl`) → Shepherd
 * messages. Learned from files the pinned Codex (0.169.0) wrote in tests (./fixtures/codex). The
 * `response_item` lines are the conversation as the model saw it (messages, reasoning summaries, tool
 * calls and their output); `event_msg` `token_count` carries the running token totals. The app-server's
 * live notifications have another shape, so the live parser does not apply; commands are named `Bash`
 * like the live Codex sessions so both read the same in the pane and in search.
 */
import { COMMAND_TOOL, unwrapShellCommand } from '../providers/codex/parser'
import { emptyTotals, isObj, num, str, timeOf, type ImportTotals, type ImportedMessage, type Obj } from './types'

export interface CodexMapState {
  totals: ImportTotals
  model: string | null
  title: string | null
  cwd: string | null
  cliSessionId: string | null
}

export function newCodexState(): CodexMapState {
  return { totals: { ...emptyTotals(), costKnown: false }, model: null, title: null, cwd: null, cliSessionId: null }
}

// Whole-text wrappers Codex injects as "user" text (environment, instructions, aborted-turn notes).
const INJECTED =
  /^\s*<(environment_context|user_instructions|permissions instructions|skills_instructions|system-reminder|user_shell_command|turn_aborted|subagent_notification)>/
const SHELL_TOOLS = new Set(['shell', 'exec_command', 'local_shell', 'container.exec', 'shell_command'])

export function mapCodexLine(value: Obj, st: CodexMapState): { messages: ImportedMessage[]; ignored: boolean } {
  const at = timeOf(value.timestamp, Date.now())
  const p = isObj(value.payload) ? value.payload : {}
  const out: ImportedMessage[] = []
  const push = (m: Omit<ImportedMessage, 'createdAt'>) => out.push({ ...m, createdAt: at })
  switch (value.type) {
    case 'session_meta':
      st.cliSessionId = str(p.id) ?? st.cliSessionId
      st.cwd = str(p.cwd) ?? st.cwd
      return { messages: [], ignored: false }
    case 'turn_context':
      st.model = str(p.model) ?? st.model
      return { messages: [], ignored: false }
    case 'event_msg': {
      if (p.type === 'token_count' && isObj(p.info)) {
        const u = isObj(p.info.total_token_usage) ? p.info.total_token_usage : {}
        const last = isObj(p.info.last_token_usage) ? p.info.last_token_usage : null
        st.totals = {
          inputTokens: num(u.input_tokens) ?? 0,
          outputTokens: num(u.output_tokens) ?? 0,
          cacheReadTokens: num(u.cached_input_tokens) ?? 0,
          cacheWriteTokens: num(u.cache_write_input_tokens) ?? 0,
          contextTokens: last ? num(last.input_tokens) : null,
          contextWindow: num(p.info.model_context_window),
          costUsd: null,
          costKnown: false
        }
      } else if (p.type === 'error') {
        push({ kind: 'error', text: str(p.message) ?? 'Codex error', isError: true })
      } else if (p.type === 'turn_aborted') {
        push({ kind: 'system', text: 'Interrupted' })
      } else return { messages: [], ignored: true }
      return { messages: out, ignored: false }
    }
    case 'response_item':
      return { messages: responseItem(p, push, out, st), ignored: false }
    default:
      return { messages: [], ignored: true }
  }
}

function responseItem(p: Obj, push: (m: Omit<ImportedMessage, 'createdAt'>) => void, out: ImportedMessage[], st: CodexMapState): ImportedMessage[] {
  switch (p.type) {
    case 'message': {
      const content = Array.isArray(p.content) ? p.content : []
      const text = content.map((b) => (isObj(b) ? (str(b.text) ?? (b.type === 'input_image' ? '[image]' : '')) : '')).join('\n')
      if (p.role === 'user') {
        if (!text.trim() || INJECTED.test(text)) break
        push({ kind: 'user', text })
        if (!st.title) st.title = text.trim().replace(/\s+/g, ' ').slice(0, 80)
      } else if (p.role === 'assistant' && text) push({ kind: 'assistant', text })
      break
    }
    case 'reasoning': {
      const summary = Array.isArray(p.summary)
        ? p.summary
            .map((b) => (isObj(b) ? (str(b.text) ?? '') : ''))
            .filter(Boolean)
            .join('\n\n')
        : ''
      const content = Array.isArray(p.content)
        ? p.content
            .map((b) => (isObj(b) ? (str(b.text) ?? '') : ''))
            .filter(Boolean)
            .join('\n\n')
        : ''
      if (summary || content) push({ kind: 'thinking', text: summary || content })
      break
    }
    case 'function_call':
    case 'custom_tool_call':
    case 'local_shell_call': {
      const name = str(p.name) ?? (p.type === 'local_shell_call' ? 'local_shell' : 'tool')
      const rawArgs = str(p.arguments) ?? str(p.input) ?? JSON.stringify(p.action ?? {})
      let args: unknown = rawArgs
      try {
        args = JSON.parse(rawArgs)
      } catch {
        /* custom tools (apply_patch) take free text */
      }
      const id = str(p.call_id) ?? str(p.id)
      const command = SHELL_TOOLS.has(name) && isObj(args) ? commandOf(args) : null
      if (command !== null) {
        push({
          kind: 'tool_call',
          text: `${COMMAND_TOOL}: ${command}`,
          toolName: COMMAND_TOOL,
          toolInput: JSON.stringify({ command, cwd: isObj(args) ? (args.workdir ?? args.cwd ?? null) : null }),
          toolPath: command,
          toolUseId: id
        })
      } else {
        const path = isObj(args) ? (str(args.path) ?? str(args.file_path) ?? null) : name === 'apply_patch' ? patchPaths(rawArgs) : null
        push({
          kind: 'tool_call',
          text: path ? `${name}: ${path}` : name,
          toolName: name,
          toolInput: typeof args === 'string' ? JSON.stringify({ input: args }) : JSON.stringify(args),
          toolPath: path,
          toolUseId: id
        })
      }
      break
    }
    case 'function_call_output':
    case 'custom_tool_call_output': {
      const o = p.output
      const text =
        typeof o === 'string'
          ? o
          : isObj(o)
            ? (str(o.content) ?? JSON.stringify(o))
            : Array.isArray(o)
              ? o.map((b) => (isObj(b) ? (str(b.text) ?? '') : '')).join('\n')
              : ''
      const failed = isObj(o) && isObj(o.metadata) && typeof o.metadata.exit_code === 'number' && o.metadata.exit_code !== 0
      push({ kind: 'tool_result', text, toolUseId: str(p.call_id), isError: failed || /Process exited with code [1-9]/.test(text.slice(0, 300)) })
      break
    }
    case 'web_search_call': {
      const action = isObj(p.action) ? p.action : {}
      const q = str(action.query) ?? ''
      push({ kind: 'tool_call', text: `WebSearch: ${q}`, toolName: 'WebSearch', toolInput: JSON.stringify(action), toolPath: q || null, toolUseId: str(p.id) })
      break
    }
  }
  return out
}

function commandOf(args: Obj): string | null {
  const c = args.cmd ?? args.command
  if (typeof c === 'string') return unwrapShellCommand(c)
  if (Array.isArray(c) && c.every((x) => typeof x === 'string')) {
    const parts = c as string[]
    // ["bash", "-lc", "cmd"] → cmd
    if (parts.length === 3 && /(^|\/)(ba|z)?sh$/.test(parts[0]!) && /^-l?c$/.test(parts[1]!)) return parts[2]!
    return parts.join(' ')
  }
  return null
}

function patchPaths(patch: string): string | null {
  const paths = [...patch.matchAll(/^\*\*\* (?:Add|Update|Delete) File: (.+)$/gm)].map((m) => m[1]!.trim())
  return paths.length ? paths.join(', ') : null
}

export const codexTotals = (st: CodexMapState): ImportTotals => st.totals
