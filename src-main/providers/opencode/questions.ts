/**
 * OpenCode's own `question` tool (issue 13) as a Shepherd question. OpenCode 1.18 offers the tool to
 * the model when its client is the CLI (the default of `opencode serve`, `OPENCODE_CLIENT=cli`) and
 * publishes `question.asked` with a `QuestionRequest`: `{ id: 'que_…', sessionID, questions: [{
 * question, header, options: [{ label, description }], multiple?, custom? }], tool?: { messageID,
 * callID } }` (shape from the binary's schema, 1.18.33). It waits until `POST /question/{id}/reply
 * { answers: string[][] }` (one list of chosen labels per question, in order) or `POST
 * /question/{id}/reject` (the tool fails with "dismissed"); `question.replied` / `question.rejected`
 * tell every client it is settled.
 */
import { questionField, type QuestionAnswer, type QuestionField } from '../../shared/questions'
import type { ProviderQuestionRequest } from '../types'
import { isObj, type Obj } from '../scaffold/values'

const str = (v: unknown): string | null => (typeof v === 'string' && v ? v : null)

/** The field id of the i-th question (OpenCode's questions have no ids; the answer is positional). */
export const questionFieldId = (i: number): string => `q${i + 1}`

/**
 * One field per question: a choice among its options, free text too unless `custom: false`
 * (OpenCode's default is true); a multi-select question (`multiple: true`) is a `multi` field.
 */
export function openCodeQuestion(p: Obj, agentName = 'OpenCode'): ProviderQuestionRequest | null {
  const id = str(p.id)
  if (!id || !Array.isArray(p.questions)) return null
  const fields: QuestionField[] = p.questions.filter(isObj).map((q, i) => {
    const options = (Array.isArray(q.options) ? q.options : [])
      .filter(isObj)
      .flatMap((o) => (str(o.label) ? [{ value: str(o.label) as string, label: str(o.label) as string, description: str(o.description) }] : []))
    const question = str(q.question)
    return questionField({
      id: questionFieldId(i),
      label: str(q.header) ?? question ?? questionFieldId(i),
      description: question,
      type: !options.length ? 'string' : q.multiple === true ? 'multi' : 'enum',
      required: true,
      options,
      allowOther: options.length > 0 && q.custom !== false
    })
  })
  if (!fields.length) return null
  return { requestId: id, source: 'agent', title: `${agentName} asks`, message: null, fields, canDecline: true }
}

/** `POST /question/{id}/reply` body: the answers in the order of the questions; null means reject. */
export function openCodeQuestionReply(answer: QuestionAnswer, fieldCount: number): { answers: string[][] } | null {
  if (answer.action !== 'accept') return null
  const answers: string[][] = []
  for (let i = 0; i < fieldCount; i++) {
    const v = answer.values[questionFieldId(i)]
    answers.push(Array.isArray(v) ? v : v === undefined || v === '' ? [] : [String(v)])
  }
  return { answers }
}
