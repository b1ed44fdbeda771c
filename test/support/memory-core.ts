/** A core driven by the in-memory provider, with one project: the supervisor and session unit tests start here. */
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { testCore } from './core'
import { MemoryProvider } from './memory-provider'
import { tempDir } from './temp'

export async function memoryCore(cleanups: (() => unknown)[], opts: { dataDir?: string } = {}) {
  const provider = new MemoryProvider()
  const t = testCore({ providers: [provider], dataDir: opts.dataDir })
  const folders = tempDir('shepherd-proj-')
  cleanups.push(folders.cleanup, t.cleanup)
  const path = join(folders.dir, 'p')
  mkdirSync(path)
  const project = await t.caller.projects.add({ path })
  return { ...t, provider, project }
}
