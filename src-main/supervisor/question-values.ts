/**
 * The zod schema of one question's answer, built from its fields (the JSON-schema subset agents
 * send: string with min/max length, number/integer with min/max, boolean, enum with or without free
 * text, required). The API checks every answer with it before anything reaches the agent, so a bad
 * value is a BAD_REQUEST naming the field, never a malformed reply to the CLI.
 */
import { z } from 'zod'
import { ShepherdError } from '../shared/errors'
import type { QuestionField, QuestionValue } from '../shared/questions'

/** Longest text accepted for one field (an agent's own maxLength may be lower). */
export const MAX_ANSWER_CHARS = 20_000

function fieldSchema(f: QuestionField): z.ZodType<QuestionValue> {
  switch (f.type) {
    case 'boolean':
      return z.boolean()
    case 'number':
    case 'integer': {
      let n = z.number()
      if (f.type === 'integer') n = n.int()
      if (f.minimum !== null) n = n.min(f.minimum)
      if (f.maximum !== null) n = n.max(f.maximum)
      return n
    }
    case 'enum': {
      const values = f.options.map((o) => o.value)
      const free = z.string().trim().min(1).max(MAX_ANSWER_CHARS)
      if (f.allowOther || values.length === 0) return free
      return z.string().refine((v) => values.includes(v), { message: `must be one of: ${values.join(', ')}` })
    }
    case 'multi': {
      // Several of the choices (and free text when allowed), each once; a required one needs one.
      const values = f.options.map((o) => o.value)
      const item = f.allowOther
        ? z.string().trim().min(1).max(MAX_ANSWER_CHARS)
        : z.string().refine((v) => values.includes(v), { message: `must be among: ${values.join(', ')}` })
      const list = z
        .array(item)
        .max(values.length + 1)
        .refine((l) => new Set(l).size === l.length, { message: 'names a choice twice' })
      return f.required ? list.min(1, 'pick at least one') : list
    }
    case 'string': {
      let s = z.string().max(Math.min(f.maxLength ?? MAX_ANSWER_CHARS, MAX_ANSWER_CHARS))
      if (f.minLength !== null && f.minLength > 1) s = s.min(f.minLength, `needs at least ${f.minLength} characters`)
      else if (f.required || (f.minLength ?? 0) > 0) s = s.min(1, 'is required')
      return s
    }
  }
}

export function questionValuesSchema(fields: readonly QuestionField[]) {
  const shape: Record<string, z.ZodType<QuestionValue | undefined>> = {}
  for (const f of fields) shape[f.id] = f.required ? fieldSchema(f) : fieldSchema(f).optional()
  return z.object(shape).strict()
}

/** The values checked against the fields; throws ShepherdError('BAD_REQUEST') with per-field messages. */
export function checkQuestionValues(fields: readonly QuestionField[], values: unknown): Record<string, QuestionValue> {
  const r = questionValuesSchema(fields).safeParse(values)
  if (r.success) {
    const out: Record<string, QuestionValue> = {}
    for (const [k, v] of Object.entries(r.data)) if (v !== undefined) out[k] = v
    return out
  }
  const perField: Record<string, string> = {}
  for (const issue of r.error.issues) {
    const key = issue.path.length ? String(issue.path[0]) : issue.code === 'unrecognized_keys' ? (issue.keys[0] ?? '_') : '_'
    const field = fields.find((f) => f.id === key)
    const missing = field?.required && (values as Record<string, unknown> | null)?.[key] === undefined
    perField[key] ??= `${field?.label ?? key}: ${missing ? 'is required' : issue.message}`
  }
  throw new ShepherdError('BAD_REQUEST', `the answer does not fit the form: ${Object.values(perField).join('; ')}`, perField)
}

/** What is stored and shown as the answer: secret fields masked. */
export function maskedAnswer(fields: readonly QuestionField[], values: Record<string, QuestionValue>): Record<string, QuestionValue> {
  const out: Record<string, QuestionValue> = {}
  for (const [k, v] of Object.entries(values)) out[k] = fields.find((f) => f.id === k)?.secret ? '(secret)' : v
  return out
}
