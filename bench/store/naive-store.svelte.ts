/**
 * The baseline for bench part 3: a store that re-spreads the whole transcript per batch
 * (`messages = [...messages, ...batch]`), as a first implementation would.
 */
import type { MessageDTO } from '../../src-main/shared/dto'
import type { ShepherdEvent } from '../../src-main/shared/events'

export class NaiveStore {
  messages = $state.raw<MessageDTO[]>([])

  apply(e: ShepherdEvent): void {
    if (e.type === 'agent.message') this.messages = [...this.messages, ...e.messages]
  }
}

/** The harness floor: applies nothing (what remains is the per-frame await, flushSync and effect). */
export class NoopStore {
  messages = $state.raw<MessageDTO[]>([])

  apply(_e: ShepherdEvent): void {}
}

/** A consumer like a pane: an effect that reads the store's messages (returns the cleanup). */
export function watch(read: () => unknown): () => void {
  return $effect.root(() => {
    $effect(() => {
      void read()
    })
  })
}
