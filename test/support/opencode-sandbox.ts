// A throw-away HOME / XDG dirs / project for running the pinned OpenCode CLI offline against the
// fake model server (Chat Completions), and the path of its native binary (test/agents).

import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { TEST_AGENTS_DIR } from './agents'
import { fakeOpenCodeConfig, OPENCODE_TRAFFIC_OFF, seedOpenCodeConfigDir, xdgDirs } from './agent-config'

export { FAKE_MODEL_COST, fakeOpenCodeConfig, OPENCODE_TRAFFIC_OFF } from './agent-config'

export function pinnedOpenCodeVersion(): string {
  const pkg = JSON.parse(readFileSync(path.join(TEST_AGENTS_DIR, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> }
  const v = pkg.dependencies?.['opencode-ai']
  if (!v) throw new Error('test/agents/package.json does not pin opencode-ai')
  return v
}

/** Absolute path of the installed native `opencode` binary (throws with a hint when missing or not the pin). */
export function opencodeBinaryPath(): string {
  const nm = path.join(TEST_AGENTS_DIR, 'node_modules')
  const pkgFile = path.join(nm, 'opencode-ai', 'package.json')
  if (!existsSync(pkgFile)) throw new Error(`OpenCode is not installed for tests (${pkgFile} missing): run node scripts/install-test-agents.mjs`)
  const installed = (JSON.parse(readFileSync(pkgFile, 'utf8')) as { version?: string }).version
  const pinned = pinnedOpenCodeVersion()
  if (installed !== pinned) throw new Error(`test OpenCode is ${installed}, pinned ${pinned}: run node scripts/install-test-agents.mjs`)
  const exe = process.platform === 'win32' ? 'opencode.exe' : 'opencode'
  const candidates = [path.join(nm, `opencode-${process.platform}-${process.arch}`, 'bin', exe), path.join(nm, 'opencode-ai', 'bin', 'opencode.exe')]
  for (const c of candidates) {
    try {
      if (statSync(c).isFile() && statSync(c).size > 1024 * 1024) return c
    } catch {
      /* next */
    }
  }
  throw new Error(`no native opencode binary found (looked at ${candidates.join(', ')})`)
}

export interface OpenCodeSandbox {
  root: string
  home: string
  /** Project folder with an `opencode.json` pointing provider `fake` at the fake server. */
  projectDir: string
  /** Host environment for the core (the supervisor builds the child env from it). */
  env: Record<string, string>
  cleanup(): void
}

export function makeOpenCodeSandbox(serverUrl: string, extraEnv: Record<string, string> = {}): OpenCodeSandbox {
  const root = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'shepherd-opencode-')))
  const home = path.join(root, 'home')
  const projectDir = path.join(root, 'project')
  const tmpDir = path.join(root, 'tmp')
  const xdg = xdgDirs(home)
  for (const dir of [projectDir, tmpDir, ...Object.values(xdg)]) mkdirSync(dir, { recursive: true })
  writeFileSync(path.join(projectDir, 'opencode.json'), JSON.stringify(fakeOpenCodeConfig(serverUrl), null, 2))
  // Else OpenCode installs its plugin package from the npm registry in the background.
  seedOpenCodeConfigDir(path.join(xdg.XDG_CONFIG_HOME, 'opencode'))
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    HOME: home,
    USER: os.userInfo().username,
    SHELL: existsSync('/bin/bash') ? '/bin/bash' : '/bin/sh',
    LANG: 'C.UTF-8',
    TMPDIR: tmpDir,
    ...xdg,
    ...OPENCODE_TRAFFIC_OFF,
    ...extraEnv
  }
  return {
    root,
    home,
    projectDir,
    env,
    cleanup() {
      rmSync(root, { recursive: true, force: true, maxRetries: 3, retryDelay: 100 })
    }
  }
}
