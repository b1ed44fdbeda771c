/**
 * Browser downloads under the web host's token rules. The access token never travels in an HTTP
 * request (issue 12: it lives in the page and goes only in the WebSocket's connectionParams), yet a
 * download must be a plain GET so the browser can stream it to disk. So an authenticated page asks,
 * over the WebSocket, for a ticket: random, for one path, good once, for one minute. A ticket that
 * leaked (a log, another local server) opens nothing after its one use or its minute.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto'

/** Long enough to click, short enough that a stray ticket soon opens nothing. */
const TICKET_TTL_MS = 60_000
/** Outstanding tickets at most; the oldest go first (a page that asks in a loop gains nothing). */
const MAX_TICKETS = 100

export class DownloadTickets {
  readonly #tickets = new Map<string, { path: string; expires: number }>()

  /** A ticket for GET `path` (e.g. `/export/<id>?format=json`, without the ticket). */
  issue(path: string, now = Date.now()): string {
    const ticket = randomBytes(24).toString('base64url')
    this.#tickets.set(ticket, { path, expires: now + TICKET_TTL_MS })
    while (this.#tickets.size > MAX_TICKETS) this.#tickets.delete(this.#tickets.keys().next().value!)
    return ticket
  }

  /** Whether `ticket` was issued for `path` and is still good; it is used up either way. */
  redeem(ticket: string | null, path: string, now = Date.now()): boolean {
    if (!ticket) return false
    for (const [t, v] of this.#tickets) if (v.expires <= now) this.#tickets.delete(t)
    const entry = this.#tickets.get(ticket)
    if (!entry) return false
    this.#tickets.delete(ticket)
    const a = Buffer.from(entry.path)
    const b = Buffer.from(path)
    return a.length === b.length && timingSafeEqual(a, b)
  }
}
