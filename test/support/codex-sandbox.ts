// A throw-away HOME / CODEX_HOME / project for running the pinned Codex CLI offline against the
// fake model server (OpenAI Responses API), and the path of its native binary (test/agents).

import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { TEST_AGENTS_DIR } from './agents'
import { fakeCodexConfig, xdgDirs } from './agent-config'

export { CODEX_TEST_MODEL, fakeCodexConfig } from './agent-config'

export function pinnedCodexVersion(): string {
  const pkg = JSON.parse(readFileSync(path.join(TEST_AGENTS_DIR, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> }
  const v = pkg.dependencies?.['@openai/codex']
  if (!v) throw new Error('test/agents/package.json does not pin @openai/codex')
  return v
}

const TARGETS: Record<string, string> = {
  'linux-x64': 'x86_64-unknown-linux-musl',
  'linux-arm64': 'aarch64-unknown-linux-musl',
  'darwin-x64': 'x86_64-apple-darwin',
  'darwin-arm64': 'aarch64-apple-darwin',
  'win32-x64': 'x86_64-pc-windows-msvc',
  'win32-arm64': 'aarch64-pc-windows-msvc'
}

/** Absolute path of the installed native `codex` binary (throws with a hint when missing or not the pin). */
export function codexBinaryPath(): string {
  const nm = path.join(TEST_AGENTS_DIR, 'node_modules')
  const pkgFile = path.join(nm, '@openai', 'codex', 'package.json')
  if (!existsSync(pkgFile)) throw new Error(`Codex is not installed for tests (${pkgFile} missing): run node scripts/install-test-agents.mjs`)
  const installed = (JSON.parse(readFileSync(pkgFile, 'utf8')) as { version?: string }).version
  const pinned = pinnedCodexVersion()
  if (installed !== pinned) throw new Error(`test Codex is ${installed}, pinned ${pinned}: run node scripts/install-test-agents.mjs`)
  const key = `${process.platform}-${process.arch}`
  const target = TARGETS[key]
  const exe = process.platform === 'win32' ? 'codex.exe' : 'codex'
  const candidates = target
    ? [path.join(nm, '@openai', `codex-${key}`, 'vendor', target, 'bin', exe), path.join(nm, '@openai', 'codex', 'vendor', target, 'bin', exe)]
    : []
  for (const c of candidates) {
    try {
      if (statSync(c).isFile() && statSync(c).size > 1024 * 1024) return c
    } catch {
      /* next */
    }
  }
  throw new Error(`no native codex binary found (looked at ${candidates.join(', ') || `nothing: unsupported platform ${key}`})`)
}

/** The npm launcher (`node_modules/.bin/codex`, a Node script that spawns the native binary). */
export function codexLauncherPath(): string {
  return path.join(TEST_AGENTS_DIR, 'node_modules', '.bin', process.platform === 'win32' ? 'codex.cmd' : 'codex')
}

export interface CodexSandbox {
  root: string
  home: string
  /** CODEX_HOME (holds config.toml; Codex writes sessions/ and its state db here). */
  codexHome: string
  /** Empty project folder to use as the agent's cwd. */
  projectDir: string
  /** Host environment for the core (the supervisor builds the child env from it). */
  env: Record<string, string>
  cleanup(): void
}

export function makeCodexSandbox(serverUrl: string, extraEnv: Record<string, string> = {}): CodexSandbox {
  const root = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'shepherd-codex-')))
  const home = path.join(root, 'home')
  const codexHome = path.join(home, '.codex')
  const projectDir = path.join(root, 'project')
  const tmpDir = path.join(root, 'tmp')
  const xdg = xdgDirs(home)
  for (const dir of [codexHome, projectDir, tmpDir, ...Object.values(xdg)]) mkdirSync(dir, { recursive: true })
  writeFileSync(path.join(codexHome, 'config.toml'), fakeCodexConfig(serverUrl))
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    HOME: home,
    USER: os.userInfo().username,
    SHELL: existsSync('/bin/bash') ? '/bin/bash' : '/bin/sh',
    LANG: 'C.UTF-8',
    TMPDIR: tmpDir,
    ...xdg,
    CODEX_HOME: codexHome,
    OPENAI_API_KEY: 'fake-key',
    ...extraEnv
  }
  return {
    root,
    home,
    codexHome,
    projectDir,
    env,
    cleanup() {
      rmSync(root, { recursive: true, force: true, maxRetries: 3, retryDelay: 100 })
    }
  }
}
