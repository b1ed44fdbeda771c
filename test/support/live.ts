/** Helpers for integration tests that run real (or fake) agent processes through a real core. */
import type { ShepherdEvent } from '../../src-main/shared/events'
import type { SessionDTO } from '../../src-main/shared/dto'
import type { SessionStatus } from '../../src-main/shared/status'
import type { Core } from '../../src-main/core'

/** Collects every pushed event of a core (subscribed from the start). */
export function recordEvents(core: Core): { events: ShepherdEvent[]; stop(): void } {
  const events: ShepherdEvent[] = []
  const ac = new AbortController()
  void (async () => { for await (const item of core.hub.subscribe(null, ac.signal)) events.push(item.event) })()
  return { events, stop: () => ac.abort() }
}

/** Poll until `check` returns a truthy value (or throw after `timeoutMs` with `what`). */
export async function waitFor<T>(what: string, check: () => T | Promise<T>, timeoutMs = 30_000, everyMs = 25): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs
  let last: unknown
  for (;;) {
    try {
      const v = await check()
      if (v) return v as NonNullable<T>
    } catch (err) { last = err }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`)
    await new Promise((r) => setTimeout(r, everyMs))
  }
}

export async function waitForStatus(core: Core, id: string, statuses: SessionStatus[], timeoutMs = 30_000): Promise<SessionDTO> {
  return waitFor(`session ${id} to reach ${statuses.join('/')}`, () => {
    const s = core.supervisor.getSession(id)
    return statuses.includes(s.status) ? s : null
  }, timeoutMs)
}

/** True when no process of the given process group is alive. */
export function groupGone(pgid: number): boolean {
  try {
    process.kill(-pgid, 0)
    return false
  } catch {
    return true
  }
}

/** Seq of all stored messages of a session must be 1..n with no gap. */
export function seqsOf(core: Core, id: string): number[] {
  return core.store.messagesAfter(id, 0, 1000).map((m) => m.seq)
}
