import { tracked } from '@trpc/server'
import { z } from 'zod'
import { procedure, router } from '../trpc'

export const eventsRouter = router({
  /**
   * The one live stream: agent.message / agent.status / agent.cost / agent.approval and list changes.
   * Each item is `tracked(id)`, so a reconnecting client resumes from `lastEventId`.
   */
  stream: procedure
    .input(z.object({ lastEventId: z.string().max(100).nullish() }).strict().optional())
    .subscription(async function* ({ ctx, input, signal }) {
      for await (const item of ctx.hub.subscribe(input?.lastEventId ?? null, signal)) {
        yield tracked(item.id, item.event)
      }
    })
})
