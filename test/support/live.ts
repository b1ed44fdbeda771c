/** Helpers for integration tests that run real (or fake) agent processes through a real core. */
import Database from 'better-sqlite3'
import { join } from 'node:path'
import { DB_FILE } from '../../src-main/core'
import type { ShepherdEvent } from '../../src-main/shared/events'
import type { SessionDTO } from '../../src-main/shared/dto'
import type { SessionStatus } from '../../src-main/shared/status'
import type { Core } from '../../src-main/core'

/** Collects every pushed event of a core (subscribed from the start). */
export function recordEvents(core: Core): { events: ShepherdEvent[]; stop(): void } {
  const events: ShepherdEvent[] = []
  const ac = new AbortController()
  void (async () => {
    for await (const item of core.hub.subscribe(null, ac.signal)) events.push(item.event)
  })()
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
    } catch (err) {
      last = err
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`)
    await new Promise((r) => setTimeout(r, everyMs))
  }
}

export async function waitForStatus(core: Core, id: string, statuses: SessionStatus[], timeoutMs = 30_000): Promise<SessionDTO> {
  return waitFor(
    `session ${id} to reach ${statuses.join('/')}`,
    () => {
      const s = core.supervisor.getSession(id)
      return statuses.includes(s.status) ? s : null
    },
    timeoutMs
  )
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

/**
 * The raw CLI lines stored for a session so far, read through a second, read-only connection
 * (WAL lets it read beside the writer). The app has no reader for them; tests use them to know
 * how far an agent really got instead of sleeping a fixed time.
 */
export function rawLines(dataDir: string, sessionId: string): string[] {
  const db = new Database(join(dataDir, DB_FILE), { readonly: true, fileMustExist: true })
  try {
    return db
      .prepare<[string], { data: string }>('SELECT data FROM raw_events WHERE session_id = ? ORDER BY id')
      .all(sessionId)
      .map((r) => r.data)
  } finally {
    db.close()
  }
}

/** Wait until the agent's stored raw output has a line that `match` accepts (a streamed model chunk, a started part…). */
export function waitForRaw(dataDir: string, sessionId: string, what: string, match: (line: string) => boolean, timeoutMs = 30_000): Promise<true> {
  return waitFor(what, () => rawLines(dataDir, sessionId).some(match) || null, timeoutMs, 50)
}

/** The texts of the drafts pushed for a session so far (what a pane showed while the agent wrote). */
export function draftsOf(events: readonly ShepherdEvent[], sessionId: string): string[] {
  return events.flatMap((e) => (e.type === 'agent.draft' && e.sessionId === sessionId && e.draft ? [e.draft.text] : []))
}
