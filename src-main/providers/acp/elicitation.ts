/**
 * ACP `elicitation/create` (stable in ACP schema 1.7.0; types from the official
 * `@agentclientprotocol/sdk`, pinned): the agent asks the user for structured input, a form (from its
 * own need or an MCP server's) or a URL. Forms become Shepherd questions; URL mode and unknown modes
 * are declined with an error row (Shepherd advertises `elicitation: { form: {} }` only).
 */
import type { CreateElicitationRequest, CreateElicitationResponse } from '@agentclientprotocol/sdk'
import type { QuestionAnswer } from '../../shared/questions'
import type { ProviderQuestionRequest } from '../types'
import { fieldsFromSchema } from '../scaffold/elicitation'
import { isObj } from '../scaffold/values'

/** What Shepherd tells the agent in `initialize.clientCapabilities`. */
export const ACP_ELICITATION_CAPABILITY = { form: {} } as const

export function acpElicitation(requestId: string, params: unknown, agentName: string): ProviderQuestionRequest | { unsupported: string } {
  const p = (isObj(params) ? params : {}) as Partial<CreateElicitationRequest> & Record<string, unknown>
  const message = typeof p.message === 'string' && p.message ? p.message : null
  if (p.mode !== 'form') {
    const what =
      p.mode === 'url' && typeof p.url === 'string' ? `to open ${p.url} (a URL elicitation)` : `for input in a mode Shepherd does not know (${String(p.mode)})`
    return { unsupported: `${agentName} asked ${what}, which Shepherd does not support yet: it was declined.` }
  }
  const { fields, unsupported } = fieldsFromSchema(p.requestedSchema)
  if (unsupported.length) return { unsupported: `${agentName} sent a form with fields Shepherd cannot show (${unsupported.join(', ')}): it was declined.` }
  return { requestId, source: 'agent', title: `${agentName} asks`, message, fields, canDecline: true }
}

export function acpElicitationResponse(answer: QuestionAnswer): CreateElicitationResponse {
  return answer.action === 'accept' ? { action: 'accept', content: answer.values } : { action: answer.action }
}
