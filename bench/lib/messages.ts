/**
 * Realistic transcript messages for seeding databases and feeding stores, without running an agent:
 * the synthetic agent's mix (assistant text 40–600 chars, thinking to 1.8k, tool calls, tool results
 * mostly under 6k with a tail to 20k), deterministic for a seed.
 */
import type { MessageDTO } from '../../src-main/shared/dto'

export function rng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = Math.imul(a ^ (a >>> 15), a | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const WORDS = 'the store session batch commit seq event pane render message tool result agent project status function return value test file line'.split(' ')

/** Text is cut from a pool of random words (fast enough to seed a million messages). */
const POOL_CHARS = 1 << 17

export class MessageMaker {
  readonly #r: () => number
  readonly #pool: string
  constructor(seed: number) {
    this.#r = rng(seed)
    let pool = ''
    while (pool.length < POOL_CHARS + 32_000) pool += WORDS[Math.floor(this.#r() * WORDS.length)] + ' '
    this.#pool = pool
  }

  #text(len: number): string {
    const at = Math.floor(this.#r() * POOL_CHARS)
    return this.#pool.slice(at, at + len)
  }

  /** Message `seq` of `sessionId`; `text` overrides the body (tail markers). */
  make(sessionId: string, seq: number, createdAt: number, text?: string): MessageDTO {
    const r = this.#r
    const k = r()
    const kind = text !== undefined ? 'assistant' : k < 0.3 ? 'assistant' : k < 0.4 ? 'thinking' : k < 0.7 ? 'tool_call' : 'tool_result'
    const len =
      kind === 'tool_result'
        ? r() < 0.9
          ? 40 + Math.floor(r() * 6000)
          : 6000 + Math.floor(r() * 14000)
        : kind === 'thinking'
          ? 150 + Math.floor(r() * 1650)
          : 40 + Math.floor(r() * 560)
    const path = `/work/project/src/file${seq % 97}.ts`
    return {
      sessionId,
      seq,
      kind,
      text: text ?? (kind === 'tool_call' ? `Read: ${path}` : `${seq} ${this.#text(len)}`),
      toolName: kind === 'tool_call' ? 'Read' : null,
      toolInput: kind === 'tool_call' ? JSON.stringify({ file_path: path }) : null,
      toolPath: kind === 'tool_call' ? path : null,
      toolUseId: kind === 'tool_call' || kind === 'tool_result' ? `toolu_${sessionId.slice(0, 8)}_${Math.floor(seq / 2)}` : null,
      parentId: null,
      isError: false,
      createdAt,
      fullLength: null
    }
  }

  /** Batch sizes like the commit batching pushes them: mostly 1–20, some to 100, a few to 500. */
  batchSize(): number {
    const r = this.#r
    const x = r()
    return x < 0.7 ? 1 + Math.floor(r() * 20) : x < 0.95 ? 20 + Math.floor(r() * 80) : 100 + Math.floor(r() * 400)
  }
}
