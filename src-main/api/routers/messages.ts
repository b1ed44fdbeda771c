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
  after: procedure
    .input(z.object({ sessionId: idSchema, afterSeq: seqSchema, limit: limitSchema.default(1000) }).strict())
    .query(({ ctx, input }) => {
      const rows = ctx.store.messagesAfter(input.sessionId, input.afterSeq, input.limit)
      return { messages: rows.map((r) => messageToDTO(r)), lastSeq: ctx.store.maxSeq(input.sessionId) }
    }),
  /** One message with its full text (tool results are sent truncated elsewhere). */
  full: procedure.input(z.object({ sessionId: idSchema, seq: seqSchema }).strict()).query(({ ctx, input }) => {
    const row = ctx.store.getMessage(input.sessionId, input.seq)
    if (!row) throw new ShepherdError('NOT_FOUND', `no message ${input.seq} in session ${input.sessionId}`)
    return messageToDTO(row, true)
  })
})
