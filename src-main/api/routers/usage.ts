import { z } from 'zod'
import { dayMinus, timeZoneName } from '../../services/day'
import { procedure, router } from '../trpc'
import { idSchema } from '../schemas'

const rangeSchema = z.union([z.literal(7), z.literal(30), z.literal(90)])

function projectNames(ctx: { store: { listProjects(): { id: string; name: string }[] } }): Record<string, string> {
  const names: Record<string, string> = {}
  for (const p of ctx.store.listProjects()) names[p.id] = p.name
  return names
}

export const usageRouter = router({
  /**
   * Cost and tokens per local day × project × agent × model for the last `days` days, from the daily
   * ledger (a few hundred rows; never a scan of messages), with project names and per-project totals.
   */
  daily: procedure.input(z.object({ days: rangeSchema }).strict()).query(({ ctx, input }) => {
    const now = Date.now()
    const since = dayMinus(now, input.days - 1)
    return { since, today: dayMinus(now, 0), timeZone: timeZoneName(), rows: ctx.attention.usage.rows(since), projects: projectNames(ctx) }
  }),
  /** The same per day and project / agent / model, summed in SQL: what the usage view draws. */
  grouped: procedure.input(z.object({ days: rangeSchema, by: z.enum(['project', 'agent', 'model']) }).strict()).query(({ ctx, input }) => {
    const now = Date.now()
    const since = dayMinus(now, input.days - 1)
    return { since, today: dayMinus(now, 0), timeZone: timeZoneName(), rows: ctx.attention.usage.grouped(since, input.by), projects: projectNames(ctx) }
  }),
  /** All-time totals per project (pane headers). */
  projectTotals: procedure.query(({ ctx }) => ctx.attention.usage.projectTotals()),
  /** Each agent's usage-limit windows (meters) and the sessions waiting for a reset. */
  limits: procedure.query(({ ctx }) => ({ meters: ctx.attention.limits.meters(), waits: ctx.attention.limits.waits() })),
  /** Opt in/out of resuming a limit-stopped session by itself at the reset (survives a restart). */
  autoResume: procedure
    .input(z.object({ sessionId: idSchema, on: z.boolean() }).strict())
    .mutation(({ ctx, input }) => ctx.attention.limits.setAutoResume(input.sessionId, input.on))
})
