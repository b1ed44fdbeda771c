/**
 * Codex server requests beyond command/file approvals (issue 13), as Shepherd questions and
 * approvals: `item/tool/requestUserInput` (the model's request_user_input tool: questions with
 * options and free text), `mcpServer/elicitation/request` (an MCP server's form) and
 * `item/permissions/requestApproval` (the agent asks for more sandbox permissions). Types are the
 * generated ones (./generated, see its README).
 */
import { questionField, type QuestionAnswer, type QuestionField } from '../../shared/questions'
import type { ProviderQuestionRequest } from '../types'
import { fieldsFromSchema } from '../scaffold/elicitation'
import type { ToolRequestUserInputParams } from './generated/v2/ToolRequestUserInputParams'
import type { ToolRequestUserInputResponse } from './generated/v2/ToolRequestUserInputResponse'
import type { McpServerElicitationRequestParams } from './generated/v2/McpServerElicitationRequestParams'
import type { McpServerElicitationRequestResponse } from './generated/v2/McpServerElicitationRequestResponse'
import type { PermissionsRequestApprovalParams } from './generated/v2/PermissionsRequestApprovalParams'
import type { PermissionsRequestApprovalResponse } from './generated/v2/PermissionsRequestApprovalResponse'
import type { GrantedPermissionProfile } from './generated/v2/GrantedPermissionProfile'

export type { ToolRequestUserInputParams, McpServerElicitationRequestParams, PermissionsRequestApprovalParams }

/** One Codex question per field: options make it a choice (free text too when `isOther`), else a text box. */
export function userInputQuestion(requestId: string, p: ToolRequestUserInputParams): ProviderQuestionRequest {
  const fields: QuestionField[] = p.questions.map((q) => {
    const options = (q.options ?? []).map((o) => ({ value: o.label, label: o.label, description: o.description || null }))
    return questionField({
      id: q.id,
      label: q.header || q.id,
      description: q.question || null,
      type: options.length ? 'enum' : 'string',
      required: true,
      options,
      allowOther: options.length > 0 && q.isOther,
      secret: q.isSecret
    })
  })
  return { requestId, source: 'agent', title: 'Codex asks', message: null, fields, canDecline: false }
}

/** Codex wants an answer per question id; a cancelled form answers nothing (the model is told no answer came). */
export function userInputResponse(answer: QuestionAnswer): ToolRequestUserInputResponse {
  const answers: ToolRequestUserInputResponse['answers'] = {}
  if (answer.action === 'accept') for (const [id, v] of Object.entries(answer.values)) answers[id] = { answers: Array.isArray(v) ? v : [String(v)] }
  return { answers }
}

/** An MCP form as a question, or why it cannot be shown (URL mode, an unsupported property type). */
export function elicitationQuestion(requestId: string, p: McpServerElicitationRequestParams): ProviderQuestionRequest | { unsupported: string } {
  const title = `MCP server ${p.serverName} asks`
  if (p.mode === 'url')
    return { unsupported: `${p.serverName} asked you to open ${p.url} (an MCP URL elicitation), which Shepherd does not support yet: it was declined.` }
  const { fields, unsupported } = fieldsFromSchema(p.requestedSchema)
  if (unsupported.length) return { unsupported: `${p.serverName} sent a form with fields Shepherd cannot show (${unsupported.join(', ')}): it was declined.` }
  return { requestId, source: 'mcp', title, message: p.message || null, fields, canDecline: true }
}

export function elicitationResponse(answer: QuestionAnswer): McpServerElicitationRequestResponse {
  return { action: answer.action, content: answer.action === 'accept' ? answer.values : null, _meta: null }
}

/** The permission escalation as an approval card: what Codex wants, in its own terms. */
export function permissionsApproval(p: PermissionsRequestApprovalParams): {
  toolName: string
  input: unknown
  description: string | null
  sessionScope: string
} {
  return {
    toolName: 'Permissions',
    input: { cwd: p.cwd, network: p.permissions.network, fileSystem: p.permissions.fileSystem },
    description: p.reason ?? 'Codex asks for more permissions than its sandbox gives',
    sessionScope: 'Codex keeps these extra permissions for the rest of this session.'
  }
}

/** Allow grants what was asked (for this turn, or the session); deny grants nothing. */
export function permissionsResponse(p: PermissionsRequestApprovalParams, allow: false | 'once' | 'session'): PermissionsRequestApprovalResponse {
  if (!allow) return { permissions: {}, scope: 'turn' }
  const granted: GrantedPermissionProfile = {}
  if (p.permissions.network) granted.network = p.permissions.network
  if (p.permissions.fileSystem) granted.fileSystem = p.permissions.fileSystem
  return { permissions: granted, scope: allow === 'session' ? 'session' : 'turn' }
}

/**
 * Codex 0.171 asks before an MCP tool runs (feature `tool_call_mcp_elicitation`) with an
 * `mcpServer/elicitation/request` whose schema is empty and whose `_meta` says
 * `codex_approval_kind: "mcp_tool_call"` (plus `tool_name`, `tool_params`, `persist: ["session",
 * "always"]`): an approval, not a form. Null for a real form.
 */
export function mcpToolApproval(p: McpServerElicitationRequestParams): {
  toolName: string
  input: unknown
  description: string | null
  sessionScope: string | null
} | null {
  const meta = p._meta && typeof p._meta === 'object' && !Array.isArray(p._meta) ? (p._meta as Record<string, unknown>) : null
  if (meta?.codex_approval_kind !== 'mcp_tool_call') return null
  const tool = typeof meta.tool_name === 'string' ? meta.tool_name : 'tool'
  const persist = Array.isArray(meta.persist) ? meta.persist : []
  return {
    toolName: `${p.serverName}.${tool}`,
    input: meta.tool_params ?? {},
    description: p.message || null,
    sessionScope: persist.includes('session') ? `Codex lets ${p.serverName}.${tool} run without asking for the rest of this session.` : null
  }
}

/** Allow = accept the empty form (`_meta.persist: "session"` for the session), deny = decline. */
export function mcpToolApprovalResponse(allow: false | 'once' | 'session'): McpServerElicitationRequestResponse {
  if (!allow) return { action: 'decline', content: null, _meta: null }
  return { action: 'accept', content: {}, _meta: allow === 'session' ? { persist: 'session' } : null }
}
