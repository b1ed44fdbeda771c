import { describe, expect, it } from 'vitest'
import { askUserQuestion, askUserQuestionResponse } from './ask-user-question'

const input = {
  questions: [
    {
      question: 'Which colour?',
      header: 'Colour',
      multiSelect: false,
      options: [
        { label: 'Red', description: 'warm' },
        { label: 'Blue', description: 'cool' }
      ]
    },
    {
      question: 'Which sizes?',
      header: 'Sizes',
      multiSelect: true,
      options: [
        { label: 'S', description: '' },
        { label: 'L', description: '' }
      ]
    }
  ]
}

describe('Claude Code AskUserQuestion as a question', () => {
  it('one choice field per question, free text allowed; a multi-select is a `multi` field', () => {
    const r = askUserQuestion('req_1', input)!
    expect(r.request).toMatchObject({ requestId: 'req_1', title: 'Claude asks', canDecline: true })
    expect(r.request.fields.map((f) => [f.id, f.label, f.type, f.allowOther, f.required])).toEqual([
      ['q1', 'Colour', 'enum', true, true],
      ['q2', 'Sizes', 'multi', true, true]
    ])
    expect(r.request.fields[0]!.options[1]).toEqual({ value: 'Blue', label: 'Blue', description: 'cool' })
    expect(askUserQuestion('x', { questions: [] })).toBeNull()
    expect(askUserQuestion('x', { questions: [{ header: 'no question text' }] })).toBeNull()
    expect(askUserQuestion('x', 'nonsense')).toBeNull()
  })

  it('answers go back keyed by question text inside the tool input; decline and cancel deny the call', () => {
    const { pending } = askUserQuestion('req_1', input)!
    expect(askUserQuestionResponse(pending, { action: 'accept', values: { q1: 'Teal', q2: ['S', 'L'] } })).toEqual({
      behavior: 'allow',
      updatedInput: { ...input, answers: { 'Which colour?': 'Teal', 'Which sizes?': ['S', 'L'] } }
    })
    expect(askUserQuestionResponse(pending, { action: 'decline' })).toMatchObject({ behavior: 'deny', message: 'The user declined to answer these questions.' })
    expect(askUserQuestionResponse(pending, { action: 'cancel' })).toMatchObject({ behavior: 'deny' })
  })
})
