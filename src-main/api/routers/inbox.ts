import { z } from 'zod'
import { procedure, router } from '../trpc'
import { idSchema } from '../schemas'

/** Item keys are built by the inbox (`kind:session[:time]`), bounded here. */
const keySchema = z
  .string()
  .min(1)
  .max(300)
  .regex(/^[A-Za-z0-9_:.-]+$/, 'invalid inbox item key')

export const inboxRouter = router({
  /** Everything that needs the user across projects, most urgent kind first, newest first within a kind. */
  list: procedure.query(({ ctx }) => ctx.attention.inbox.list()),
  /** "Done": the item leaves for good (a later occurrence is a new item). */
  done: procedure.input(z.object({ key: keySchema }).strict()).mutation(({ ctx, input }) => {
    ctx.attention.inbox.mark(input.key, 'done', null)
    return { ok: true as const }
  }),
  /** "Not now": hidden until `until` (ms epoch, in the future, at most 30 days ahead). */
  snooze: procedure.input(z.object({ key: keySchema, until: z.number().int().positive().max(8_640_000_000_000_000) }).strict()).mutation(({ ctx, input }) => {
    ctx.attention.inbox.mark(input.key, 'snoozed', Math.min(input.until, Date.now() + 30 * 86_400_000))
    return { ok: true as const }
  }),
  unmark: procedure.input(z.object({ key: keySchema }).strict()).mutation(({ ctx, input }) => {
    ctx.attention.inbox.unmark(input.key)
    return { ok: true as const }
  }),
  /** The user looked at this session: its "finished" item goes. */
  seen: procedure.input(z.object({ sessionId: idSchema }).strict()).mutation(({ ctx, input }) => {
    ctx.attention.inbox.seen(input.sessionId)
    return { ok: true as const }
  }),
  /** Answer an approval from the inbox: the same path as the pane, so two answers at once give one to the agent and "already answered" to the other. */
  answer: procedure
    .input(
      z
        .object({
          approvalId: idSchema,
          decision: z.discriminatedUnion('behavior', [
            z.object({ behavior: z.literal('allow'), scope: z.enum(['once', 'session']) }).strict(),
            z.object({ behavior: z.literal('deny'), message: z.string().max(2000) }).strict()
          ])
        })
        .strict()
    )
    .mutation(({ ctx, input }) => ctx.supervisor.answerApproval(input.approvalId, input.decision))
})
