// A throw-away HOME / XDG dirs / project for running the pinned OpenCode CLI offline against the
// fake model server (Chat Completions), and the path of its native binary (test/agents).

import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { seedOpenCodeConfigDir } from './opencode-offline'
import { TEST_AGENTS_DIR } from './agents'

/** Switches that stop OpenCode's background traffic (models catalog, npm registry, updates, share). */
export const OPENCODE_TRAFFIC_OFF: Record<string, string> = {
  OPENCODE_DISABLE_MODELS_FETCH: '1',
  OPENCODE_DISABLE_AUTOUPDATE: '1',
  OPENCODE_DISABLE_SHARE: '1',
  OPENCODE_DISABLE_LSP_DOWNLOAD: '1',
  OPENCODE_DISABLE_DEFAULT_PLUGINS: '1'
}

/** Fake pricing (USD per million tokens) so OpenCode reports a non-zero cost per step. */
export const FAKE_MODEL_COST = { input: 1, output: 2 }

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

/** `opencode.json` for provider `fake` (→ `<serverUrl>/v1`), models fake-model and fake-model-2. */
export function fakeOpenCodeConfig(serverUrl: string): object {
  const model = (name: string) => ({ name, tool_call: true, cost: FAKE_MODEL_COST, limit: { context: 200_000, output: 8_192 } })
  return {
    $schema: 'https://opencode.ai/config.json',
    provider: {
      fake: {
        npm: '@ai-sdk/openai-compatible',
        name: 'Fake local server',
        options: { baseURL: `${serverUrl.replace(/\/+$/, '')}/v1`, apiKey: 'fake-key' },
        models: { 'fake-model': model('Fake model'), 'fake-model-2': model('Fake model 2') }
      }
    },
    model: 'fake/fake-model'
  }
}

export function makeOpenCodeSandbox(serverUrl: string, extraEnv: Record<string, string> = {}): OpenCodeSandbox {
  const root = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'shepherd-opencode-')))
  const home = path.join(root, 'home')
  const projectDir = path.join(root, 'project')
  const tmpDir = path.join(root, 'tmp')
  const xdg = {
    XDG_CONFIG_HOME: path.join(home, '.config'),
    XDG_DATA_HOME: path.join(home, '.local', 'share'),
    XDG_CACHE_HOME: path.join(home, '.cache'),
    XDG_STATE_HOME: path.join(home, '.local', 'state')
  }
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
