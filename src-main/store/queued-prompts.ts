/**
 * The `queued_prompts` column: a JSON array of `{id, text}` (one item per accepted prompt, so two
 * identical follow-ups stay two items). The store encodes and decodes it; nobody else parses it.
 */
import { randomUUID } from 'node:crypto'

export interface QueuedPrompt {
  id: string
  text: string
}

/** Column value → items. Rows written before items had ids hold plain strings: each gets a new id. */
export function decodeQueue(column: string | null | undefined): QueuedPrompt[] {
  if (!column) return []
  let parsed: unknown
  try {
    parsed = JSON.parse(column)
  } catch {
    return []
  }
  if (!Array.isArray(parsed)) return []
  return parsed.flatMap((q): QueuedPrompt[] => {
    if (typeof q === 'string') return [{ id: randomUUID(), text: q }]
    if (q && typeof q === 'object' && typeof (q as QueuedPrompt).text === 'string') {
      const { id, text } = q as QueuedPrompt
      return [{ id: typeof id === 'string' ? id : randomUUID(), text }]
    }
    return []
  })
}

export function encodeQueue(items: readonly QueuedPrompt[]): string {
  return JSON.stringify(items.map(({ id, text }) => ({ id, text })))
}
