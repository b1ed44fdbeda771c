/** Talking to the synthetic agent: prompts with directives, and the stamp it puts in every event. */
import type { MessageDTO } from '../../src-main/shared/dto'

/** A prompt that makes the synthetic agent emit `events` lines at `rate` lines/s (0 = max). */
export function synthPrompt(events: number, rate = 0, seed = 1): string {
  return `[[synth:${events}:${rate}]] [[seed:${seed}]] benchmark turn`
}

const STAMP = /⟦t=([\d.]+)#(\d+)⟧/

export interface Stamp {
  writtenAt: number
  index: number
}

/** The stamp the agent wrote into a message (text, or the tool input for tool calls). */
export function stampOf(m: Pick<MessageDTO, 'text' | 'toolInput'>): Stamp | null {
  const hit = STAMP.exec(m.text) ?? (m.toolInput ? STAMP.exec(m.toolInput) : null)
  return hit ? { writtenAt: Number(hit[1]), index: Number(hit[2]) } : null
}

/** Wall clock with sub-ms resolution, comparable with the agent's stamps. */
export const wallNow = (): number => performance.timeOrigin + performance.now()
