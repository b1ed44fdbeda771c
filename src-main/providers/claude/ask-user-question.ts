/**
 * Claude Code's AskUserQuestion tool (issue 13): it reaches an SDK host as a permission prompt
 * (`can_use_tool`, tool_name `AskUserQuestion`, input `{ questions: [{ question, header, options:
 * [{ label, description }], multiSelect }] }`), and the host answers by allowing the call with the
 * user's answers in the input: `updatedInput: { ...input, answers: { [question text]: label } }`
 * (the Agent SDK's "Handle approvals and user input"; the CLI 2.1.332 validates `answers` keyed by
 * question text, a string per question, an array only for multiSelect). Shown as a Shepherd
 * question: one choice per question (several for `multiSelect`, sent as a list), free text too
 * (the CLI's own dialog always offers "Other").
 */
import { questionField, type QuestionAnswer, type QuestionField } from '../../shared/questions'
import type { ProviderQuestionRequest } from '../types'
import { isObj } from '../scaffold/values'

export const ASK_USER_QUESTION = 'AskUserQuestion'
const str = (v: unknown): string | null => (typeof v === 'string' && v ? v : null)

/** What the handle keeps to answer: the tool's input and the question text of each field. */
export interface PendingAsk {
  input: Record<string, unknown>
  questions: string[]
}

export function askUserQuestion(requestId: string, input: unknown): { request: ProviderQuestionRequest; pending: PendingAsk } | null {
  if (!isObj(input) || !Array.isArray(input.questions)) return null
  const questions: string[] = []
  const fields: QuestionField[] = []
  for (const q of input.questions.filter(isObj)) {
    const text = str(q.question)
    if (!text) return null
    const options = (Array.isArray(q.options) ? q.options : [])
      .filter(isObj)
      .flatMap((o) => (str(o.label) ? [{ value: str(o.label) as string, label: str(o.label) as string, description: str(o.description) }] : []))
    questions.push(text)
    fields.push(
      questionField({
        id: `q${fields.length + 1}`,
        label: str(q.header) ?? text,
        description: text,
        type: !options.length ? 'string' : q.multiSelect === true ? 'multi' : 'enum',
        required: true,
        options,
        allowOther: options.length > 0
      })
    )
  }
  if (!fields.length) return null
  return {
    request: { requestId, source: 'agent', title: 'Claude asks', message: null, fields, canDecline: true },
    pending: { input, questions }
  }
}

/** The can_use_tool answer: allow with the answers keyed by question text; decline/cancel deny the call. */
export function askUserQuestionResponse(pending: PendingAsk, answer: QuestionAnswer): Record<string, unknown> {
  if (answer.action !== 'accept') {
    const what = answer.action === 'decline' ? 'declined to answer' : 'did not answer'
    return { behavior: 'deny', message: `The user ${what} these questions.`, interrupt: false }
  }
  const answers: Record<string, string | string[]> = {}
  pending.questions.forEach((text, i) => {
    const v = answer.values[`q${i + 1}`]
    if (Array.isArray(v)) answers[text] = v
    else if (v !== undefined && v !== '') answers[text] = String(v)
  })
  return { behavior: 'allow', updatedInput: { ...pending.input, answers } }
}
