import { z } from 'zod'
import { procedure, router } from '../trpc'
import { idSchema } from '../schemas'
import { MAX_ANSWER_CHARS } from '../../supervisor/question-values'

/**
 * Questions and forms agents ask (issue 13). The input's shape is checked here; the values are then
 * checked against the question's own fields (its schema, built by `questionValuesSchema`) before the
 * agent gets anything, so a wrong type, a missing required field or an unknown key is a BAD_REQUEST.
 */
const valueSchema = z.union([z.string().max(MAX_ANSWER_CHARS), z.number().finite(), z.boolean(), z.array(z.string().max(MAX_ANSWER_CHARS)).max(100)])
const keySchema = z.string().min(1).max(200)

export const questionsRouter = router({
  /** Pending questions (one project, or all): what the pane and the inbox show after a reload. */
  pending: procedure.input(z.object({ projectId: idSchema.optional() }).strict()).query(({ ctx, input }) => ctx.supervisor.pendingQuestions(input.projectId)),
  /** The user's answer (pane or inbox: the same path, so two answers at once give the agent one). */
  answer: procedure
    .input(
      z
        .object({
          questionId: idSchema,
          answer: z.discriminatedUnion('action', [
            z.object({ action: z.literal('accept'), values: z.record(keySchema, valueSchema) }).strict(),
            z.object({ action: z.literal('decline') }).strict(),
            z.object({ action: z.literal('cancel') }).strict()
          ])
        })
        .strict()
    )
    .mutation(({ ctx, input }) => ctx.supervisor.answerQuestion(input.questionId, input.answer))
})
