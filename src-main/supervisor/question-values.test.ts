import { describe, expect, it } from 'vitest'
import { fieldsFromSchema } from '../providers/scaffold/elicitation'
import { checkQuestionValues, maskedAnswer } from './question-values'

const FORM = {
  type: 'object',
  properties: {
    name: { type: 'string', title: 'Name', minLength: 2, maxLength: 5 },
    pw: { type: 'string', format: 'password' },
    n: { type: 'integer', minimum: 1, maximum: 3 },
    x: { type: 'number' },
    ok: { type: 'boolean', default: true },
    size: { type: 'string', enum: ['s', 'l'], enumNames: ['Small', 'Large'] },
    pick: { type: 'string', oneOf: [{ const: 'a', title: 'A' }] },
    tags: { type: 'array', items: { type: 'string' } }
  },
  required: ['name', 'size']
}

describe('MCP elicitation schema → question fields', () => {
  it('maps string, password, integer, number, boolean and both enum spellings; arrays are reported unsupported', () => {
    const { fields, unsupported } = fieldsFromSchema(FORM)
    expect(fields.map((f) => `${f.id}:${f.type}:${f.required}`)).toEqual([
      'name:string:true',
      'pw:string:false',
      'n:integer:false',
      'x:number:false',
      'ok:boolean:false',
      'size:enum:true',
      'pick:enum:false'
    ])
    expect(fields[0]).toMatchObject({ label: 'Name', minLength: 2, maxLength: 5 })
    expect(fields[1]!.secret).toBe(true)
    expect(fields[4]!.default).toBe(true)
    expect(fields[5]!.options.map((o) => o.label)).toEqual(['Small', 'Large'])
    expect(fields[6]!.options).toEqual([{ value: 'a', label: 'A', description: null }])
    expect(unsupported).toEqual(['tags (array)'])
  })

  it('follows a given property order, then the schema order', () => {
    expect(
      fieldsFromSchema(FORM, ['size', 'nope', 'ok'])
        .fields.map((f) => f.id)
        .slice(0, 3)
    ).toEqual(['size', 'ok', 'name'])
  })

  it('a missing or odd schema is an empty form, never a throw', () => {
    expect(fieldsFromSchema(null)).toEqual({ fields: [], unsupported: [] })
    expect(fieldsFromSchema({ properties: { a: 5 } })).toEqual({ fields: [], unsupported: [] })
  })
})

describe('answers checked against the fields (the zod schema built from them)', () => {
  const { fields } = fieldsFromSchema({ ...FORM, properties: { ...FORM.properties, tags: undefined } })
  const ok = { name: 'Ada', size: 's' }

  it('accepts a fitting answer and drops nothing', () => {
    expect(checkQuestionValues(fields, { ...ok, n: 2, x: 1.5, ok: false, pw: 'secret', pick: 'a' })).toEqual({
      ...ok,
      n: 2,
      x: 1.5,
      ok: false,
      pw: 'secret',
      pick: 'a'
    })
  })

  it.each([
    [{ size: 's' }, 'name'],
    [{ ...ok, name: 'A' }, 'name'],
    [{ ...ok, name: 'Adaline' }, 'name'],
    [{ ...ok, size: 'm' }, 'size'],
    [{ ...ok, n: 4 }, 'n'],
    [{ ...ok, n: 1.5 }, 'n'],
    [{ ...ok, ok: 'yes' }, 'ok'],
    [{ ...ok, x: '1' }, 'x'],
    [{ ...ok, extra: 1 }, 'extra']
  ])('refuses %j (field %s) with a BAD_REQUEST naming it', (values, field) => {
    try {
      checkQuestionValues(fields, values)
      expect.unreachable()
    } catch (err) {
      expect(err).toMatchObject({ code: 'BAD_REQUEST' })
      expect(Object.keys((err as { fields: object }).fields)).toContain(field)
    }
  })

  it('free text is accepted for a choice that allows "Other", but not empty', () => {
    const other = [{ ...fields[5]!, allowOther: true }]
    expect(checkQuestionValues(other, { size: 'medium' })).toEqual({ size: 'medium' })
    expect(() => checkQuestionValues(other, { size: ' ' })).toThrow(/Size|size/)
  })

  it('secrets are masked in what is stored', () => {
    expect(maskedAnswer(fields, { pw: 'hunter2', name: 'Ada' })).toEqual({ pw: '(secret)', name: 'Ada' })
  })
})

describe('multi-select fields (several choices)', () => {
  it('an MCP array of choices (items.enum or items.anyOf) is a `multi` field; the answer is a list of its choices', () => {
    const { fields, unsupported } = fieldsFromSchema({
      type: 'object',
      properties: {
        sizes: { type: 'array', title: 'Sizes', items: { type: 'string', enum: ['s', 'l'] } },
        tags: {
          type: 'array',
          items: {
            anyOf: [
              { const: 'a', title: 'Alpha' },
              { const: 'b', title: 'Beta' }
            ]
          }
        }
      },
      required: ['sizes']
    })
    expect(unsupported).toEqual([])
    expect(fields.map((f) => [f.id, f.type, f.required])).toEqual([
      ['sizes', 'multi', true],
      ['tags', 'multi', false]
    ])
    expect(fields[1]!.options.map((o) => o.label)).toEqual(['Alpha', 'Beta'])
    expect(checkQuestionValues(fields, { sizes: ['s', 'l'] })).toEqual({ sizes: ['s', 'l'] })
    expect(() => checkQuestionValues(fields, { sizes: [] })).toThrow(/Sizes/)
    expect(() => checkQuestionValues(fields, { sizes: ['xl'] })).toThrow(/Sizes/)
    expect(() => checkQuestionValues(fields, { sizes: ['s', 's'] })).toThrow(/twice/)
    expect(() => checkQuestionValues(fields, { sizes: 's' })).toThrow(/Sizes/)
    // With free text allowed, any non-empty text is accepted among the choices.
    const free = fields.map((f) => ({ ...f, allowOther: true }))
    expect(checkQuestionValues(free, { sizes: ['s', 'teal'] })).toEqual({ sizes: ['s', 'teal'] })
  })
})
