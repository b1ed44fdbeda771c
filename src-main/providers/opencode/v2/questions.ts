/**
 * OpenCode 2's `question` tool over ACP (measured with 2.1.2): because Shepherd advertises
 * `elicitation.form`, OpenCode sends the question as `elicitation/create` with one `oneOf` string
 * property per question (`q0`, not required) and, when free text is allowed, a second string
 * property `q0_custom` titled "Colour (other)". Shown as they come that is two fields for one
 * question; here they become one choice with "Other" (Shepherd's own shape for Codex's and 1.x's
 * questions), and an answer that is none of the choices goes back as the `_custom` value.
 * (A question OpenCode cannot express as a form — e.g. a secret-looking one — never reaches the
 * client: OpenCode tells the model "The question couldn't be shown to the user in this client".)
 */
import type { QuestionAnswer, QuestionValue } from '../../../shared/questions'
import type { ProviderQuestionRequest } from '../../types'

export const CUSTOM_SUFFIX = '_custom'

/** Per merged choice field: its option values and the id of the free-text property it absorbed. */
export type CustomMerges = Map<string, { options: Set<string>; customId: string }>

export function mergeCustomFields(q: ProviderQuestionRequest): { request: ProviderQuestionRequest; merges: CustomMerges } {
  const merges: CustomMerges = new Map()
  const byId = new Map(q.fields.map((f) => [f.id, f]))
  for (const f of q.fields) {
    const custom = byId.get(f.id + CUSTOM_SUFFIX)
    if ((f.type === 'enum' || f.type === 'multi') && custom?.type === 'string')
      merges.set(f.id, { options: new Set(f.options.map((o) => o.value)), customId: custom.id })
  }
  if (!merges.size) return { request: q, merges }
  const absorbed = new Set([...merges.values()].map((m) => m.customId))
  const fields = q.fields.filter((f) => !absorbed.has(f.id)).map((f) => (merges.has(f.id) ? { ...f, allowOther: true } : f))
  return { request: { ...q, fields }, merges }
}

/** A merged field's free text goes back in its `_custom` property, a choice in its own. */
export function splitCustomAnswer(answer: QuestionAnswer, merges: CustomMerges | undefined): QuestionAnswer {
  if (answer.action !== 'accept' || !merges?.size) return answer
  const values: Record<string, QuestionValue> = { ...answer.values }
  for (const [id, m] of merges) {
    const v = values[id]
    if (typeof v === 'string' && v !== '' && !m.options.has(v)) {
      delete values[id]
      values[m.customId] = v
    } else if (Array.isArray(v) && v.some((x) => !m.options.has(x))) {
      // A multi-select keeps its choices; the free text goes to `_custom`.
      values[id] = v.filter((x) => m.options.has(x))
      values[m.customId] = v.filter((x) => !m.options.has(x)).join(', ')
    }
  }
  return { action: 'accept', values }
}

/** What OpenCode 2.1.2 tells the model when it could not send a question to the client as a form. */
export const NOT_SHOWN_MARKER = "couldn't be shown to the user in this client"

/**
 * A question OpenCode kept from Shepherd (it could not express it as an ACP form, e.g. one whose
 * words look secret): the model is told to go on without an answer; the user gets an error row
 * saying so, instead of never knowing. Null for any other message.
 */
export function notShownRow(m: { kind: string; text: string; toolName?: string | null }): { kind: 'error'; text: string; isError: true } | null {
  if (m.kind !== 'tool_result' || !m.text.includes(NOT_SHOWN_MARKER)) return null
  return {
    kind: 'error',
    text: 'OpenCode asked you a question it could not send to Shepherd as a form (OpenCode only sends questions it can express as one, and none whose words look secret); the model was told to go on without your answer.',
    isError: true
  }
}
