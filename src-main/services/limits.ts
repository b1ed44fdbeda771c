/**
 * Usage limits: the subscription/rate-limit windows each agent reports (Claude Code's
 * `rate_limit_event`, Codex's `account/rateLimits/updated`), kept per agent for the meters, and the
 * sessions a limit stopped — "waiting for the usage limit to reset at 14:05", not failed — with an
 * opt-in automatic resume that re-sends the refused turn's prompt at the reset. Waits are rows in
 * `limit_waits`, so a resume set before an app restart still happens after it (one timer per wait,
 * armed at startup; a reset that passed while the app was closed resumes at once).
 */
import type Database from 'better-sqlite3'
import type { RateLimitWindowDTO, ShepherdEvent } from '../shared/events'
import { ShepherdError } from '../shared/errors'
import type { EventHub } from '../supervisor/event-hub'

export interface LimitWaitDTO {
  sessionId: string
  provider: string
  resetsAt: number | null
  autoResume: boolean
  at: number
  prompt: string | null
}
export interface LimitMeterDTO {
  provider: string
  window: string
  status: RateLimitWindowDTO['status']
  utilization: number | null
  resetsAt: number | null
  updatedAt: number
}

export interface LimitControl {
  send(id: string, prompt: string): Promise<unknown>
}

/** When the agent did not say when its limit resets, auto-resume tries again after this. */
export const UNKNOWN_RESET_RETRY_MS = 15 * 60_000
/** Timers beyond this are re-armed in steps (setTimeout's range is ~24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1

export class LimitService {
  readonly #s
  #timers = new Map<string, ReturnType<typeof setTimeout>>()
  #control: LimitControl | null = null

  constructor(
    private readonly db: Database.Database,
    private readonly hub: EventHub,
    private readonly clock: () => number = Date.now
  ) {
    this.#s = {
      upsert: db.prepare(`INSERT INTO usage_limits (provider, window, status, utilization, resets_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)
        ON CONFLICT (provider, window) DO UPDATE SET status = excluded.status, utilization = excluded.utilization, resets_at = excluded.resets_at, updated_at = excluded.updated_at`),
      meters: db.prepare<[], { provider: string; window: string; status: string; utilization: number | null; resets_at: number | null; updated_at: number }>(
        'SELECT * FROM usage_limits ORDER BY provider, window'
      ),
      wait: db.prepare(`INSERT INTO limit_waits (session_id, provider, resets_at, prompt, auto_resume, at) SELECT @sid, @provider, @resetsAt, @prompt, 0, @at WHERE EXISTS (SELECT 1 FROM sessions WHERE id = @sid)
        ON CONFLICT (session_id) DO UPDATE SET resets_at = excluded.resets_at, prompt = excluded.prompt, at = excluded.at`),
      waits: db.prepare<[], { session_id: string; provider: string; resets_at: number | null; prompt: string | null; auto_resume: number; at: number }>(
        'SELECT * FROM limit_waits ORDER BY at'
      ),
      setAuto: db.prepare('UPDATE limit_waits SET auto_resume = ? WHERE session_id = ?'),
      drop: db.prepare('DELETE FROM limit_waits WHERE session_id = ?')
    }
  }

  attach(control: LimitControl): void {
    this.#control = control
    for (const w of this.waits()) if (w.autoResume) this.#arm(w)
  }

  dispose(): void {
    for (const t of this.#timers.values()) clearTimeout(t)
    this.#timers.clear()
  }

  onEvent(e: ShepherdEvent): void {
    if (e.type === 'agent.ratelimit') {
      const now = this.clock()
      for (const w of e.windows) this.#s.upsert.run(e.provider, w.window, w.status, w.utilization, w.resetsAt, now)
      if (e.limited) this.#s.wait.run({ sid: e.sessionId, provider: e.provider, resetsAt: e.resetsAt, prompt: e.prompt, at: now })
      this.hub.publish({ type: 'attention.changed' })
    } else if (e.type === 'agent.status' && (e.status === 'running' || e.status === 'starting')) {
      // It runs again (the user went on, or the auto-resume fired): no longer waiting.
      if (this.#s.drop.run(e.sessionId).changes > 0) {
        this.#disarm(e.sessionId)
        this.hub.publish({ type: 'attention.changed' })
      }
    } else if (e.type === 'session.removed') this.#disarm(e.sessionId)
  }

  meters(): LimitMeterDTO[] {
    return this.#s.meters.all().map((r) => ({
      provider: r.provider,
      window: r.window,
      status: r.status as LimitMeterDTO['status'],
      utilization: r.utilization,
      resetsAt: r.resets_at,
      updatedAt: r.updated_at
    }))
  }

  waits(): LimitWaitDTO[] {
    return this.#s.waits
      .all()
      .map((r) => ({ sessionId: r.session_id, provider: r.provider, resetsAt: r.resets_at, autoResume: r.auto_resume === 1, at: r.at, prompt: r.prompt }))
  }

  /** Opt in (or out) of resuming this session by itself when its limit resets. */
  setAutoResume(sessionId: string, on: boolean): LimitWaitDTO {
    const w = this.waits().find((x) => x.sessionId === sessionId)
    if (!w) throw new ShepherdError('NOT_FOUND', 'this session is not waiting for a usage limit')
    this.#s.setAuto.run(on ? 1 : 0, sessionId)
    if (on) this.#arm({ ...w, autoResume: true })
    else this.#disarm(sessionId)
    this.hub.publish({ type: 'attention.changed' })
    return { ...w, autoResume: on }
  }

  #arm(w: LimitWaitDTO): void {
    this.#disarm(w.sessionId)
    // An unknown reset (a bare 429): try again in 15 minutes.
    const ms = w.resetsAt === null ? UNKNOWN_RESET_RETRY_MS : Math.max(0, w.resetsAt - this.clock()) + 1000
    const t = setTimeout(
      () => {
        this.#timers.delete(w.sessionId)
        if (w.resetsAt !== null && w.resetsAt > this.clock()) return this.#arm(w)
        this.#fire(w)
      },
      Math.min(ms, MAX_TIMER_MS)
    )
    t.unref?.()
    this.#timers.set(w.sessionId, t)
  }

  #fire(w: LimitWaitDTO): void {
    const prompt = w.prompt ?? 'Continue where you stopped: the usage limit has reset.'
    this.#s.drop.run(w.sessionId)
    this.hub.publish({ type: 'attention.changed' })
    this.#control?.send(w.sessionId, prompt).catch(() => {
      /* the session shows why */
    })
  }

  #disarm(sessionId: string): void {
    const t = this.#timers.get(sessionId)
    if (t) clearTimeout(t)
    this.#timers.delete(sessionId)
  }
}
