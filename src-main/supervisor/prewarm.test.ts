/** `sessions.prewarm`: typed input, a clear error for an unknown project, a no-op for agents with nothing to warm. */
import { afterEach, describe, expect, it } from 'vitest'
import { memoryCore } from '../../test/support/memory-core'

const cleanups: (() => unknown)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

describe('sessions.prewarm', () => {
  it('answers warming: false for an agent without a warm-up, NOT_FOUND for an unknown project, BAD_REQUEST for bad input', async () => {
    const t = await memoryCore(cleanups)
    expect(await t.caller.sessions.prewarm({ projectId: t.project.id, provider: 'claude' })).toEqual({ warming: false })
    await expect(t.caller.sessions.prewarm({ projectId: 'no-such-project', provider: 'claude' })).rejects.toMatchObject({ code: 'NOT_FOUND' })
    await expect(t.caller.sessions.prewarm({ projectId: t.project.id, provider: 'nope' as never })).rejects.toMatchObject({ code: 'BAD_REQUEST' })
    await expect(t.caller.sessions.prewarm({ projectId: t.project.id, provider: 'claude', extra: 1 } as never)).rejects.toMatchObject({ code: 'BAD_REQUEST' })
  })
})
