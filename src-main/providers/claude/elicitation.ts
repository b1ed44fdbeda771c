/**
 * Claude Code's `elicitation` control request (an MCP server asks the user to fill in a form; the
 * CLI forwards it to the SDK host). Shape as the CLI sends it (2.1.330, and the Agent SDK's
 * `SDKControlElicitationRequest`): `{ subtype: 'elicitation', mcp_server_name, message, mode?: 'form' |
 * 'url', url?, elicitation_id?, requested_schema?, property_order?, title?, display_name?, description? }`;
 * the answer is a control_response with `{ action: 'accept' | 'decline' | 'cancel', content? }`.
 */
import type { QuestionAnswer } from '../../shared/questions'
import type { ProviderQuestionRequest } from '../types'
import { fieldsFromSchema } from '../scaffold/elicitation'
import { isObj, type Obj } from '../scaffold/values'

const str = (v: unknown): string | null => (typeof v === 'string' && v ? v : null)

export function claudeElicitation(requestId: string, request: Obj): ProviderQuestionRequest | { unsupported: string } {
  const server = str(request.display_name) ?? str(request.mcp_server_name) ?? 'an MCP server'
  if (request.mode === 'url') {
    return {
      unsupported: `MCP server ${server} asked you to open ${str(request.url) ?? 'a URL'} (an MCP URL elicitation), which Shepherd does not support yet: it was declined.`
    }
  }
  const order = Array.isArray(request.property_order) ? request.property_order.filter((k): k is string => typeof k === 'string') : null
  const { fields, unsupported } = fieldsFromSchema(isObj(request.requested_schema) ? request.requested_schema : {}, order)
  if (unsupported.length)
    return { unsupported: `MCP server ${server} sent a form with fields Shepherd cannot show (${unsupported.join(', ')}): it was declined.` }
  const message = [str(request.title), str(request.message), str(request.description)].filter(Boolean).join('\n') || null
  return { requestId, source: 'mcp', title: `MCP server ${server} asks`, message, fields, canDecline: true }
}

export function claudeElicitationResponse(answer: QuestionAnswer): Obj {
  return answer.action === 'accept' ? { action: 'accept', content: answer.values } : { action: answer.action }
}
