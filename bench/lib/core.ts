/** An in-process Shepherd core (real supervisor, store, writer, hub, router) on the synthetic agent. */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createCore, type Core } from '../../src-main/core'
import { createCallerFactory } from '../../src-main/api/trpc'
import { appRouter } from '../../src-main/api/router'
import { ClaudeProvider } from '../../src-main/providers/claude/provider'
import { SYNTHETIC_AGENT } from './paths'

const factory = createCallerFactory(appRouter)
export type Caller = ReturnType<typeof factory>

export interface BenchCore {
  core: Core
  caller: Caller
  dataDir: string
  projectId: string
  /** A caller whose subscriptions end when `signal` aborts. */
  callerWith(signal: AbortSignal): Caller
  cleanup(): Promise<void>
}

export async function benchCore(opts: { dataDir?: string } = {}): Promise<BenchCore> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'shepherd-bench-'))
  const home = join(dataDir, 'home')
  mkdirSync(home, { recursive: true })
  const core = createCore({
    dataDir,
    host: { kind: 'web' },
    providers: [new ClaudeProvider()],
    hostEnv: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home },
    log: () => {}
  })
  const caller = factory(core.createContext())
  const s = await caller.settings.get()
  await caller.settings.update({
    maxConcurrentSessions: 32,
    retentionCount: 50,
    providers: { ...s.providers, claude: { ...s.providers.claude, cliPath: SYNTHETIC_AGENT } }
  })
  const projectDir = join(dataDir, 'project')
  mkdirSync(projectDir, { recursive: true })
  const project = await caller.projects.add({ path: projectDir })
  return {
    core,
    caller,
    dataDir,
    projectId: project.id,
    callerWith: (signal) => factory(core.createContext(), { signal }),
    async cleanup() {
      await core.dispose()
      if (!opts.dataDir) rmSync(dataDir, { recursive: true, force: true })
    }
  }
}
