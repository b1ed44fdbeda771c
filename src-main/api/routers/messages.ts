import { z } from 'zod'
import { messageToDTO } from '../../store/rows'
import { ShepherdError } from '../../shared/errors'
import { procedure, router } from '../trpc'
import { idSchema, limitSchema, seqSchema } from '../schemas'

export const messagesRouter = router({
  /** A page ending before `beforeSeq` (null = the tail), ascending. Used for first paint and scroll-up. */
  page: procedure
    .input(z.object({ sessionId: idSchema, beforeSeq: seqSchema.nullable().default(null), limit: limitSchema.default(200) }).strict())
    .query(({ ctx, input }) => {
      const rows = ctx.store.pageMessages(input.sessionId, input.beforeSeq, input.limit)
      return { messages: rows.map((r) => messageToDTO(r)), hasMore: (rows[0]?.seq ?? 1) > 1 }
    }),
  /** Everything after `afterSeq` (gap fill and resync), ascending, at most `limit`. */
  after: procedure.input(z.object({ sessionId: idSchema, afterSeq: seqSchema, limit: limitSchema.default(1000) }).strict()).query(({ ctx, input }) => {
    const rows = ctx.store.messagesAfter(input.sessionId, input.afterSeq, input.limit)
    return { messages: rows.map((r) => messageToDTO(r)), lastSeq: ctx.store.maxSeq(input.sessionId) }
  }),
  /**
   * The page around `seq` (`before` messages before it, it, and up to `after` after it), ascending:
   * opening a search hit deep in a long session paints there first, then scrolls both ways.
   */
  around: procedure
    .input(
      z
        .object({
          sessionId: idSchema,
          seq: seqSchema,
          before: z.number().int().min(0).max(1000).default(100),
          after: z.number().int().min(0).max(1000).default(100)
        })
        .strict()
    )
    .query(({ ctx, input }) => {
      const older = input.before > 0 ? ctx.store.pageMessages(input.sessionId, input.seq, input.before) : []
      const newer = ctx.store.messagesAfter(input.sessionId, input.seq - 1, input.after + 1)
      const lastSeq = ctx.store.maxSeq(input.sessionId)
      const messages = older.concat(newer)
      return {
        messages: messages.map((r) => messageToDTO(r)),
        hasOlder: (messages[0]?.seq ?? 1) > 1,
        hasNewer: (messages[messages.length - 1]?.seq ?? lastSeq) < lastSeq,
        lastSeq
      }
    }),
  /**
   * The first message at or after `at` (epoch ms) — the transcript's "jump to a date" (and, with 0,
   * to the first message) opens the page around it without loading everything between.
   */
  seqAtDate: procedure
    .input(z.object({ sessionId: idSchema, at: z.number().int().min(0).max(8_640_000_000_000_000) }).strict())
    .query(({ ctx, input }) => ({ seq: ctx.store.seqAtTime(input.sessionId, input.at), lastSeq: ctx.store.maxSeq(input.sessionId) })),
  /** One message with its full text (tool results are sent truncated elsewhere). */
  full: procedure.input(z.object({ sessionId: idSchema, seq: seqSchema }).strict()).query(({ ctx, input }) => {
    const row = ctx.store.getMessage(input.sessionId, input.seq)
    if (!row) throw new ShepherdError('NOT_FOUND', `no message ${input.seq} in session ${input.sessionId}`)
    return messageToDTO(row, true)
  })
})
