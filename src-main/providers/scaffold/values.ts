/**
 * Small helpers every provider's parser and protocol code uses. One copy here; providers import it.
 */

/** A parsed JSON object (not an array, not null). */
export type Obj = Record<string, unknown>

export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)

/** The transcript row every agent shows when a turn was interrupted (Esc), whatever its CLI says. */
export const INTERRUPTED_TEXT = 'Interrupted'

/** The first non-empty string among `keys` of an object (e.g. the path or command a tool call is about). */
export function firstStringOf(input: unknown, keys: readonly string[]): string | null {
  if (!isObj(input)) return null
  for (const key of keys) {
    const v = input[key]
    if (typeof v === 'string' && v) return v
  }
  return null
}
