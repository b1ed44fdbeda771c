/**
 * MCP elicitation forms (`elicitation/create`, MCP 2025-06-18 / 2025-11-25 `requestedSchema`) as
 * Shepherd question fields, for every agent that forwards them (Codex `mcpServer/elicitation/request`,
 * Claude Code's `elicitation` control request, ACP `elicitation/create`). The schema is a flat object
 * of primitive properties: string (with min/max length), number / integer (min/max), boolean, and
 * single-select enums (`enum`, `enum` + `enumNames`, `oneOf: [{const, title}]`), multi-select
 * arrays of such choices. Anything else (a nested object, an array of free values) is reported as unsupported: the caller declines the form and
 * shows an error row instead of sending a half-filled one.
 */
import { questionField, type QuestionField, type QuestionOption } from '../../shared/questions'
import { isObj, type Obj } from './values'

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null)
const str = (v: unknown): string | null => (typeof v === 'string' && v ? v : null)

export interface ElicitationFields {
  fields: QuestionField[]
  /** Properties Shepherd cannot render ("tags (array)"); empty when the whole form is supported. */
  unsupported: string[]
}

function enumOptions(p: Obj): QuestionOption[] | null {
  if (Array.isArray(p.oneOf)) {
    const opts = p.oneOf
      .filter(isObj)
      .flatMap((o) => (typeof o.const === 'string' ? [{ value: o.const, label: str(o.title) ?? o.const, description: null }] : []))
    return opts.length ? opts : null
  }
  if (Array.isArray(p.enum)) {
    const names = Array.isArray(p.enumNames) ? p.enumNames : []
    const opts = p.enum.flatMap((v, i) => (typeof v === 'string' ? [{ value: v, label: str(names[i]) ?? v, description: null }] : []))
    return opts.length ? opts : null
  }
  return null
}

/** Array items list their choices as `enum` or `anyOf`/`oneOf` of `{const, title}`. */
function normalizedItems(items: Obj): Obj {
  return Array.isArray(items.anyOf) && !Array.isArray(items.oneOf) ? { ...items, oneOf: items.anyOf } : items
}

/** `order`: the property order the agent asks for (Claude Code sends `property_order`); else the schema's own. */
export function fieldsFromSchema(schema: unknown, order?: readonly string[] | null): ElicitationFields {
  const fields: QuestionField[] = []
  const unsupported: string[] = []
  if (!isObj(schema) || !isObj(schema.properties)) return { fields, unsupported }
  const props = schema.properties
  const required = new Set(Array.isArray(schema.required) ? schema.required.filter((r): r is string => typeof r === 'string') : [])
  const keys = [...new Set([...(order ?? []).filter((k) => k in props), ...Object.keys(props)])]
  for (const id of keys) {
    const p = props[id]
    if (!isObj(p)) continue
    const base = { id, label: str(p.title) ?? id, description: str(p.description), required: required.has(id) }
    let options = enumOptions(p)
    if (p.type === 'string' && options) {
      fields.push(questionField({ ...base, type: 'enum', options, default: str(p.default) }))
    } else if (p.type === 'string') {
      fields.push(
        questionField({
          ...base,
          type: 'string',
          default: typeof p.default === 'string' ? p.default : null,
          minLength: num(p.minLength),
          maxLength: num(p.maxLength),
          secret: p.format === 'password'
        })
      )
    } else if (p.type === 'number' || p.type === 'integer') {
      fields.push(questionField({ ...base, type: p.type, default: num(p.default), minimum: num(p.minimum), maximum: num(p.maximum) }))
    } else if (p.type === 'array' && isObj(p.items) && (options = enumOptions(normalizedItems(p.items)))) {
      // A multi-select (MCP `items.enum` / `items.anyOf: [{const, title}]`): several of the choices.
      fields.push(questionField({ ...base, type: 'multi', options }))
    } else if (p.type === 'boolean') {
      fields.push(questionField({ ...base, type: 'boolean', default: typeof p.default === 'boolean' ? p.default : null }))
    } else {
      unsupported.push(`${id} (${typeof p.type === 'string' ? p.type : 'unknown type'})`)
    }
  }
  return { fields, unsupported }
}
