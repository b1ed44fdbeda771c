/**
 * scripts/install-test-agents.mjs on a made-up test/agents folder (no npm runs here): a pinned
 * package whose native binary did not land — its launcher still the small placeholder, as when
 * install scripts were skipped — is reported, so `ensureTestAgents` repairs it (`npm rebuild`) and
 * `--check` fails, though the package's version matches the pin. Installing for real is what
 * `npm test` does first. Checked by hand on an empty folder with the pinned lockfile: the install
 * took 106 s on the loaded 2-core machine with 2.x's binary in place (213 MB), and a placeholder
 * put back over it was repaired by `npm rebuild @opencode/cli` in 3 s.
 */
import { describe, expect, it } from 'vitest'
import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { tempDir } from './support/temp'
import { missingNativeBinaries, outdatedTestAgents } from '../scripts/install-test-agents.mjs'

function agentsDir(pins: Record<string, string>) {
  const d = tempDir('shepherd-agents-')
  writeFileSync(path.join(d.dir, 'package.json'), JSON.stringify({ dependencies: pins }))
  const install = (name: string, version: string, launcherBytes: number) => {
    const pkg = path.join(d.dir, 'node_modules', ...name.split('/'))
    mkdirSync(path.join(pkg, 'bin'), { recursive: true })
    writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({ name, version }))
    writeFileSync(path.join(pkg, 'bin', 'opencode.exe'), Buffer.alloc(launcherBytes))
  }
  return { dir: d.dir, install, cleanup: d.cleanup }
}

describe('install-test-agents: native binaries', () => {
  it('reports a pinned OpenCode whose launcher is still the placeholder, for either major', () => {
    const a = agentsDir({ 'opencode-ai': '1.18.33', '@opencode/cli': '2.1.2' })
    try {
      expect(missingNativeBinaries(a.dir)).toEqual(['opencode-ai', '@opencode/cli'])
      a.install('opencode-ai', '1.18.33', 2 * 1024 * 1024)
      a.install('@opencode/cli', '2.1.2', 600)
      expect(outdatedTestAgents(a.dir)).toEqual([])
      expect(missingNativeBinaries(a.dir)).toEqual(['@opencode/cli'])
      a.install('@opencode/cli', '2.1.2', 2 * 1024 * 1024)
      expect(missingNativeBinaries(a.dir)).toEqual([])
    } finally {
      a.cleanup()
    }
  })

  it('checks only pinned packages', () => {
    const a = agentsDir({ '@openai/codex': '0.169.0' })
    try {
      expect(missingNativeBinaries(a.dir)).toEqual([])
    } finally {
      a.cleanup()
    }
  })
})
