import { createCore, type Core } from '../../src-main/core'
import type { AgentProvider } from '../../src-main/providers/types'
import { createCallerFactory } from '../../src-main/api/trpc'
import { appRouter } from '../../src-main/api/router'
import { tempDir } from './temp'

const factory = createCallerFactory(appRouter)

/** A core on a fresh temp data dir, plus a server-side caller (no transport). */
export function testCore(opts: { providers?: AgentProvider[]; hostEnv?: NodeJS.ProcessEnv; dataDir?: string } = {}) {
  const t = opts.dataDir ? null : tempDir()
  const dataDir = opts.dataDir ?? t!.dir
  const core: Core = createCore({ dataDir, host: { kind: 'web' }, providers: opts.providers ?? [], hostEnv: opts.hostEnv ?? process.env, log: () => {} })
  const caller = factory(core.createContext())
  return {
    core,
    caller,
    dataDir,
    async cleanup() {
      await core.dispose()
      t?.cleanup()
    }
  }
}
