/**
 * Wires the attention-and-spend services (issue 16) to the core: one in-process listener on the
 * event hub feeds the usage ledger, the budget rules, the inbox and the usage limits; the supervisor
 * is driven only through its public methods (holdForBudget / release / stop / send, and the turn gate).
 */
import type Database from 'better-sqlite3'
import type { Store } from '../store/store'
import type { GroupCommitWriter } from '../store/writer'
import type { EventHub } from '../supervisor/event-hub'
import type { Supervisor } from '../supervisor/supervisor'
import type { ShepherdEvent } from '../shared/events'
import { BudgetService } from './budgets'
import { InboxService } from './inbox'
import { LimitService } from './limits'
import { UsageLedger } from './usage'

export interface Attention {
  usage: UsageLedger
  budgets: BudgetService
  inbox: InboxService
  limits: LimitService
  /** The hub listener (exposed for the bench's with/without measurement). */
  onEvent(e: ShepherdEvent): void
  dispose(): void
}

export function createAttention(o: {
  db: Database.Database
  store: Store
  writer: GroupCommitWriter
  hub: EventHub
  supervisor: Supervisor
  clock?: () => number
}): Attention {
  const clock = o.clock ?? Date.now
  const usage = new UsageLedger(o.db, o.writer)
  const budgets = new BudgetService(o.db, o.store, o.writer, o.hub, usage, clock)
  const limits = new LimitService(o.db, o.hub, clock)
  const inbox = new InboxService(o.db, o.writer, o.hub, budgets, limits, clock)
  const onEvent = (e: ShepherdEvent) => {
    budgets.onEvent(e)
    limits.onEvent(e)
    inbox.onEvent(e)
  }
  const unlisten = o.hub.listen(onEvent)
  o.supervisor.setTurnGate((id) => budgets.gate(id))
  budgets.attach({
    holdForBudget: (id, opts) => o.supervisor.holdForBudget(id, opts),
    release: (id) => o.supervisor.release(id),
    stop: (id) => o.supervisor.stop(id)
  })
  limits.attach({ send: (id, prompt) => o.supervisor.send(id, prompt) })
  return {
    usage,
    budgets,
    inbox,
    limits,
    onEvent,
    dispose() {
      unlisten()
      budgets.dispose()
      limits.dispose()
    }
  }
}
