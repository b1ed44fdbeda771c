// A throw-away HOME / XDG dirs / project folders for running the pinned OpenCode CLI as an ACP
// agent (`opencode acp`) offline against the fake model server (Chat Completions).

import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { TEST_AGENTS_DIR } from './agents'
import { fakeOpenCodeConfig, OPENCODE_TRAFFIC_OFF, seedOpenCodeConfigDir, xdgDirs } from './agent-config'

/** Switches that stop OpenCode's background traffic (models catalog, npm registry, updates, share). */
export const OPENCODE_OFFLINE_ENV = OPENCODE_TRAFFIC_OFF

/** Absolute path of the pinned native `opencode` binary in test/agents (throws with a hint when missing). */
export function opencodeAcpBinary(): string {
  const nm = path.join(TEST_AGENTS_DIR, 'node_modules')
  const pkgFile = path.join(nm, 'opencode-ai', 'package.json')
  if (!existsSync(pkgFile)) throw new Error(`OpenCode is not installed for tests (${pkgFile} missing): run node scripts/install-test-agents.mjs`)
  const pinned = (JSON.parse(readFileSync(path.join(TEST_AGENTS_DIR, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> }).dependencies?.[
    'opencode-ai'
  ]
  const installed = (JSON.parse(readFileSync(pkgFile, 'utf8')) as { version?: string }).version
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

/** `opencode.json`: provider `fake` (→ `<serverUrl>/v1`) with priced models, plus optional permission rules. */
export const acpOpenCodeConfig = fakeOpenCodeConfig

export interface AcpSandbox {
  root: string
  home: string
  /** Project with OpenCode's default permissions (bash and edits allowed). */
  projectDir: string
  /** Project whose `opencode.json` makes bash and edits `ask` (→ ACP session/request_permission). */
  askProjectDir: string
  /** A folder outside both projects. */
  outsideDir: string
  /** Host environment for the core (the supervisor builds the child env from it). */
  env: Record<string, string>
  cleanup(): void
}

export function makeAcpSandbox(serverUrl: string): AcpSandbox {
  const root = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'shepherd-acp-')))
  const home = path.join(root, 'home')
  const projectDir = path.join(root, 'project')
  const askProjectDir = path.join(root, 'project-ask')
  const outsideDir = path.join(root, 'outside')
  const tmpDir = path.join(root, 'tmp')
  const xdg = xdgDirs(home)
  for (const dir of [projectDir, askProjectDir, outsideDir, tmpDir, ...Object.values(xdg)]) mkdirSync(dir, { recursive: true })
  writeFileSync(path.join(projectDir, 'opencode.json'), JSON.stringify(acpOpenCodeConfig(serverUrl), null, 2))
  writeFileSync(path.join(askProjectDir, 'opencode.json'), JSON.stringify(acpOpenCodeConfig(serverUrl, { bash: 'ask', edit: 'ask' }), null, 2))
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
    ...OPENCODE_OFFLINE_ENV
  }
  return {
    root,
    home,
    projectDir,
    askProjectDir,
    outsideDir,
    env,
    cleanup() {
      rmSync(root, { recursive: true, force: true, maxRetries: 3, retryDelay: 100 })
    }
  }
}
