/**
 * A question or form an agent asks the user (issue 13): Codex's `item/tool/requestUserInput`, an MCP
 * server's elicitation form (Codex, Claude Code, ACP agents), one shape for all of them. Like an
 * approval it is stored, pushed after the commit, shown in the pane and the inbox, and answered
 * through the API; the answer is checked against the fields (a JSON-schema subset: string, number,
 * integer, boolean, enum, required) before it reaches the agent.
 * Pure TypeScript: the renderer imports it with `import type`.
 */

export const QUESTION_FIELD_TYPES = ['string', 'number', 'integer', 'boolean', 'enum', 'multi'] as const
export type QuestionFieldType = (typeof QUESTION_FIELD_TYPES)[number]

export interface QuestionOption {
  value: string
  label: string
  description: string | null
}

export interface QuestionField {
  /** Key of the value in the answer (a JSON-schema property name, or Codex's question id). */
  id: string
  /** Short label (schema `title`, Codex `header`); the id when none is given. */
  label: string
  /** The question itself or the field's help text. */
  description: string | null
  type: QuestionFieldType
  required: boolean
  /** For `enum` and `multi` (several of the choices; the value is a list): the choices. */
  options: QuestionOption[]
  /** For `enum` / `multi`: free text is accepted besides the choices (Codex's "Other"). */
  allowOther: boolean
  /** Typed without echo (a password field); the answer is stored as "(secret)". */
  secret: boolean
  default: string | number | boolean | null
  minimum: number | null
  maximum: number | null
  minLength: number | null
  maxLength: number | null
}

/** Where the question comes from, for its card's heading. */
export type QuestionSource = 'agent' | 'mcp'

export interface QuestionDTO {
  id: string
  sessionId: string
  projectId: string
  source: QuestionSource
  /** "Codex asks", "MCP server docs asks" … */
  title: string
  /** The request's message (the form's purpose), or null. */
  message: string | null
  fields: QuestionField[]
  /** The user may decline (MCP forms); Codex questions can only be answered (or the turn interrupted). */
  canDecline: boolean
  status: 'pending' | 'answered' | 'declined' | 'cancelled'
  /** What was sent (secrets masked), once answered. */
  answer: Record<string, QuestionValue> | null
  createdAt: number
}

export type QuestionValue = string | number | boolean | string[]
export type QuestionAnswer = { action: 'accept'; values: Record<string, QuestionValue> } | { action: 'decline' } | { action: 'cancel' }

/** A field with every optional part at its default (for adapters building fields). */
export function questionField(f: Pick<QuestionField, 'id' | 'type'> & Partial<QuestionField>): QuestionField {
  return {
    label: f.id,
    description: null,
    required: false,
    options: [],
    allowOther: false,
    secret: false,
    default: null,
    minimum: null,
    maximum: null,
    minLength: null,
    maxLength: null,
    ...f
  }
}
