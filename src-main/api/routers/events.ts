import { tracked } from '@trpc/server'
import { z } from 'zod'
import { procedure, router } from '../trpc'

/**
 * A connection with more than this waiting to be sent is not reading: the stream stops handing it
 * events (the hub queues them, and past its high-water mark replaces them with one `resync`).
 * 4 MiB is a few seconds of the busiest streams, far above what a page that keeps up ever has queued.
 */
export const MAX_TRANSPORT_BACKLOG_BYTES = 4 * 1024 * 1024
/** How often a stalled stream looks at the backlog again. */
const BACKLOG_POLL_MS = 50

export const eventsRouter = router({
  /**
   * The one live stream: agent.message / agent.status / agent.cost / agent.approval / agent.draft
   * and list changes. Each item is `tracked(id)`, so a reconnecting client resumes from `lastEventId`.
   */
  stream: procedure
    .input(
      z
        .object({ lastEventId: z.string().max(100).nullish() })
        .strict()
        .optional()
    )
    .subscription(async function* ({ ctx, input, signal }) {
      for await (const item of ctx.hub.subscribe(input?.lastEventId ?? null, signal)) {
        while (ctx.transportBacklog && ctx.transportBacklog() > MAX_TRANSPORT_BACKLOG_BYTES && !signal?.aborted) {
          await new Promise((r) => setTimeout(r, BACKLOG_POLL_MS))
        }
        yield tracked(item.id, item.event)
      }
    })
})
