import type { TRPCClient } from '@trpc/client'
import type { AppRouter } from '../../src-main/api/router'
export async function probe(c: TRPCClient<AppRouter>) {
  const r = await c.messages.after.query({ sessionId: 'x', afterSeq: 0, limit: 10 })
  const s = await c.settings.get.query()
  const p = await c.sessions.prune.mutate({ projectId: 'x' })
  const sub = c.events.stream.subscribe({ lastEventId: null }, { onData: (d) => { const x: string = d.id; void x; void d.data } })
  return [r, s, p, sub] as const
}
