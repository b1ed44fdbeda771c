import { z } from 'zod'
import { globalBudgetSchema, MAX_TOKEN_CAP, MAX_USD_CAP, projectBudgetSchema } from '../../services/budget-rules'
import { procedure, router } from '../trpc'
import { idSchema } from '../schemas'

export const budgetsRouter = router({
  /** Global and per-project caps, and the time zone "per day" uses. */
  get: procedure.query(({ ctx }) => ctx.attention.budgets.config()),
  /** Caps refused with the field named: negative, zero, absurdly large or non-numeric. null = no cap. */
  setGlobal: procedure.input(globalBudgetSchema.partial().strict()).mutation(({ ctx, input }) => ctx.attention.budgets.setGlobal(input)),
  setProject: procedure
    .input(z.object({ projectId: idSchema, caps: projectBudgetSchema.partial().strict() }).strict())
    .mutation(({ ctx, input }) => ctx.attention.budgets.setProject(input.projectId, input.caps)),
  /** Sessions paused at a cap, with why. */
  holds: procedure.query(({ ctx }) => ctx.attention.budgets.holds()),
  /** Raise this session's cap by an amount: USD for agents that report cost, tokens for token-only agents. */
  raise: procedure
    .input(
      z
        .object({
          sessionId: idSchema,
          amount: z
            .number({ error: 'amount must be a number' })
            .refine((v) => Number.isFinite(v) && v > 0, 'amount must be more than 0')
            .refine((v) => v <= Math.max(MAX_USD_CAP, MAX_TOKEN_CAP), 'amount is too large')
        })
        .strict()
    )
    .mutation(({ ctx, input }) => ctx.attention.budgets.raise(input.sessionId, input.amount)),
  /** Allow one more turn past the cap. */
  allowTurn: procedure.input(z.object({ sessionId: idSchema }).strict()).mutation(({ ctx, input }) => {
    ctx.attention.budgets.allowTurn(input.sessionId)
    return { ok: true as const }
  }),
  stop: procedure.input(z.object({ sessionId: idSchema }).strict()).mutation(async ({ ctx, input }) => {
    await ctx.attention.budgets.stop(input.sessionId)
    return { ok: true as const }
  })
})
