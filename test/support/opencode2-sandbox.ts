// The pinned OpenCode 2 (`@opencode/cli`, test/agents) beside the pinned 1.x (`opencode-ai`): where its
// native binary is. Its sandbox is the 1.x one (makeOpenCodeSandbox): the same `opencode.json`
// (provider `fake` → the fake model server) and XDG dirs work for both majors.

import { existsSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { TEST_AGENTS_DIR } from './agents'

export { makeOpenCodeSandbox, type OpenCodeSandbox } from './opencode-sandbox'

export const OPENCODE2_PACKAGE = '@opencode/cli'

export function pinnedOpenCode2Version(): string {
  const pkg = JSON.parse(readFileSync(path.join(TEST_AGENTS_DIR, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> }
  const v = pkg.dependencies?.[OPENCODE2_PACKAGE]
  if (!v) throw new Error(`test/agents/package.json does not pin ${OPENCODE2_PACKAGE}`)
  return v
}

/**
 * Absolute path of the installed native OpenCode 2 binary. The package's postinstall links its
 * platform package's binary (`@opencode/cli-<os>-<arch>[-baseline|-musl]`) over `bin/opencode.exe`;
 * without it (scripts skipped) that file is a small placeholder, so a size check tells them apart.
 */
export function opencode2BinaryPath(): string {
  const nm = path.join(TEST_AGENTS_DIR, 'node_modules')
  const pkgFile = path.join(nm, '@opencode', 'cli', 'package.json')
  if (!existsSync(pkgFile)) throw new Error(`OpenCode 2 is not installed for tests (${pkgFile} missing): run node scripts/install-test-agents.mjs`)
  const installed = (JSON.parse(readFileSync(pkgFile, 'utf8')) as { version?: string }).version
  const pinned = pinnedOpenCode2Version()
  if (installed !== pinned) throw new Error(`test OpenCode 2 is ${installed}, pinned ${pinned}: run node scripts/install-test-agents.mjs`)
  const exe = process.platform === 'win32' ? 'opencode.exe' : 'opencode'
  const platform = process.platform === 'win32' ? 'windows' : process.platform
  const candidates = [path.join(nm, '@opencode', 'cli', 'bin', 'opencode.exe'), path.join(nm, '@opencode', `cli-${platform}-${process.arch}`, 'bin', exe)]
  for (const c of candidates) {
    try {
      if (statSync(c).isFile() && statSync(c).size > 1024 * 1024) return c
    } catch {
      /* next */
    }
  }
  throw new Error(`no native OpenCode 2 binary found (looked at ${candidates.join(', ')}): run node scripts/install-test-agents.mjs`)
}
