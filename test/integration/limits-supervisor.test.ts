/**
 * Usage limits with the real Codex (issue 16): the fake model server sends the `x-codex-primary-*`
 * rate-limit headers, Codex reports them as `account/rateLimits/updated` (the meters), a turn refused
 * with 429 leaves the session "waiting for the usage limit to reset at HH:MM" (not failed), and the
 * opt-in auto-resume re-sends the refused prompt at the reset — after an app restart in between.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startFakeModelServer, type FakeModelServer } from '../support/fake-model-server.mjs'
import { codexBinaryPath, makeCodexSandbox, type CodexSandbox } from '../support/codex-sandbox'
import { testCore } from '../support/core'
import { tempDir } from '../support/temp'
import { waitFor } from '../support/live'
import { CodexProvider } from '../../src-main/providers/codex/provider'

let server: FakeModelServer
let sandbox: CodexSandbox
let cleanups: (() => unknown)[] = []

beforeAll(async () => {
  server = await startFakeModelServer()
  sandbox = makeCodexSandbox(server.url)
})
afterEach(async () => {
  for (const c of cleanups.reverse()) await c()
  cleanups = []
})
afterAll(async () => {
  sandbox?.cleanup()
  await server?.close()
})

async function core(dataDir: string) {
  const t = testCore({ providers: [new CodexProvider()], hostEnv: sandbox.env, dataDir })
  cleanups.push(t.cleanup)
  const s = await t.caller.settings.get()
  await t.caller.settings.update({ defaultProvider: 'codex', providers: { ...s.providers, codex: { ...s.providers.codex, cliPath: codexBinaryPath() } } })
  const project = (await t.caller.projects.list())[0] ?? (await t.caller.projects.add({ path: sandbox.projectDir }))
  return { ...t, project }
}

describe('usage limits with the real Codex', () => {
  it('meters from account/rateLimits/updated; a refused turn waits for the reset and resumes by itself, across a restart', async () => {
    const data = tempDir('shepherd-limits-')
    cleanups.push(data.cleanup)
    const c = await core(data.dir)
    const s = await c.caller.sessions.start({ projectId: c.project.id, prompt: '[[codexlimit:85:300:8]] [[text:first answer]]' })
    const meters = await waitFor(
      'meters',
      async () => {
        const m = (await c.caller.usage.limits()).meters
        return m.length === 2 ? m : null
      },
      60_000
    )
    expect(meters.map((m) => [m.provider, m.window, m.status, m.utilization])).toEqual([
      ['codex', 'five_hour', 'warning', 0.85],
      ['codex', 'seven_day', 'allowed', 0.12]
    ])
    const resetsAt = meters.find((m) => m.window === 'five_hour')!.resetsAt!
    await waitFor('idle', () => c.core.supervisor.getSession(s.id).status === 'idle' || null, 60_000)

    const prompt = `[[limited-until:${Math.ceil(resetsAt / 1000)}]] [[text:after the reset]]`
    await c.caller.sessions.send({ id: s.id, prompt })
    const waiting = await waitFor(
      'waiting for the reset',
      () => {
        const cur = c.core.supervisor.getSession(s.id)
        return cur.statusReason?.message?.startsWith('waiting for the usage limit to reset') ? cur : null
      },
      60_000
    )
    expect(waiting.status).toBe('idle')
    expect(waiting.statusReason?.message).toBe(`waiting for the usage limit to reset at ${new Date(resetsAt).toTimeString().slice(0, 5)}`)
    const inbox = await c.caller.inbox.list()
    expect(inbox.items.map((i) => i.kind)).toContain('limit')
    expect(inbox.items.map((i) => i.kind)).not.toContain('failed')
    await c.caller.usage.autoResume({ sessionId: s.id, on: true })

    // The app closes and comes back before the reset: the resume still happens, once.
    await c.core.dispose()
    const again = await core(data.dir)
    expect((await again.caller.usage.limits()).waits).toEqual([expect.objectContaining({ sessionId: s.id, autoResume: true, prompt })])
    await waitFor(
      'the resumed answer',
      () => again.core.store.messagesAfter(s.id, 0, 1000).some((m) => m.kind === 'assistant' && m.text === 'after the reset') || null,
      60_000
    )
    expect(Date.now()).toBeGreaterThanOrEqual(resetsAt)
    expect((await again.caller.usage.limits()).waits).toEqual([])
    expect(again.core.store.messagesAfter(s.id, 0, 1000).filter((m) => m.kind === 'user' && m.text === prompt)).toHaveLength(2)
  }, 180_000)
})
