// The setup the real-CLI integration tests share: a test core with one real provider on its pinned
// binary (the default agent), its events recorded and one project. Cleanups go on the caller's list
// in the order they must run backwards (events, core, then the provider's own servers).
import type { AgentProvider } from '../../src-main/providers/types'
import type { ProviderId } from '../../src-main/shared/status'
import { testCore } from './core'
import { recordEvents } from './live'

export async function providerCore<P extends AgentProvider>(o: {
  provider: P
  id: ProviderId
  cliPath: string
  hostEnv: NodeJS.ProcessEnv
  projectDir: string
  cleanups: (() => unknown)[]
}) {
  const { provider, cleanups } = o
  const t = testCore({ providers: [provider], hostEnv: o.hostEnv })
  const shutdown = (provider as { shutdown?: () => unknown }).shutdown
  if (shutdown) cleanups.push(() => shutdown.call(provider))
  cleanups.push(t.cleanup)
  const s = await t.caller.settings.get()
  await t.caller.settings.update({ defaultProvider: o.id, providers: { ...s.providers, [o.id]: { ...s.providers[o.id], cliPath: o.cliPath } } })
  const rec = recordEvents(t.core)
  cleanups.push(rec.stop)
  const project = await t.caller.projects.add({ path: o.projectDir })
  return { ...t, provider, project, events: rec.events }
}

type ProviderCore = Awaited<ReturnType<typeof providerCore>>

/** A session's stored messages (the first 1,000). */
export const storedMessages = (c: Pick<ProviderCore, 'core'>, id: string) => c.core.store.messagesAfter(id, 0, 1000)

/** The session once it is idle with an answer containing `text`, else null (for waitFor). */
export function idleWith(c: Pick<ProviderCore, 'core'>, id: string, text: string) {
  const cur = c.core.supervisor.getSession(id)
  return cur.status === 'idle' && storedMessages(c, id).some((m) => m.kind === 'assistant' && m.text.includes(text)) ? cur : null
}
