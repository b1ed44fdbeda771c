/**
 * Throw-away sandboxes for running each REAL agent CLI (test/agents, pinned) offline against the
 * fake model server from the web host: a temp HOME / TMPDIR (and XDG dirs for OpenCode), the CLI's config
 * pointing at the fake server, and a symlink named like the CLI (`claude`, `codex`, `opencode`)
 * first on PATH, which is where each provider's `detect()` looks when no CLI path is configured.
 *
 * Every variable set here reaches the agent: the supervisor builds the child env from the host env
 * through the allowlist (PATH, HOME, TMPDIR, …) plus the provider's `envPassthrough`
 * (src-main/providers/<id>/provider.ts); the comments say which list lets each one through.
 *
 * test/support/{agents,codex-sandbox,opencode-sandbox}.ts do the same for Vitest but use
 * `import.meta`, which Playwright's CJS transform cannot load, hence this copy of what e2e needs.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fakeCodexConfig, fakeOpenCodeConfig, OPENCODE_TRAFFIC_OFF, seedOpenCodeConfigDir, xdgDirs } from '../test/support/agent-config'

/** `opencode2`: OpenCode 2.x (`@opencode/cli`) under the name `opencode`, beside 1.x (`opencode-ai`). */
export type SandboxProvider = 'claude' | 'codex' | 'opencode' | 'opencode2'

const ROOT = path.resolve(__dirname, '..')
const AGENTS_NM = path.join(ROOT, 'test', 'agents', 'node_modules')

function bigFile(p: string): boolean {
  try {
    const st = statSync(p)
    return st.isFile() && st.size > 1024 * 1024
  } catch {
    return false
  }
}

function firstBinary(what: string, candidates: string[]): string {
  const found = candidates.find(bigFile)
  if (!found) throw new Error(`${what} is not installed for tests (looked at ${candidates.join(', ')}): run node scripts/install-test-agents.mjs`)
  return found
}

function pinned(pkg: string): string {
  const deps =
    (JSON.parse(readFileSync(path.join(ROOT, 'test', 'agents', 'package.json'), 'utf8')) as { dependencies?: Record<string, string> }).dependencies ?? {}
  const installed = (JSON.parse(readFileSync(path.join(AGENTS_NM, pkg, 'package.json'), 'utf8')) as { version?: string }).version
  if (!deps[pkg] || installed !== deps[pkg]) throw new Error(`test ${pkg} is ${installed}, pinned ${deps[pkg]}: run node scripts/install-test-agents.mjs`)
  return installed
}

const CODEX_TARGETS: Record<string, string> = {
  'linux-x64': 'x86_64-unknown-linux-musl',
  'linux-arm64': 'aarch64-unknown-linux-musl',
  'darwin-x64': 'x86_64-apple-darwin',
  'darwin-arm64': 'aarch64-apple-darwin'
}

/** The native binary of each CLI (what the symlink on PATH points at). */
export function agentBinary(provider: SandboxProvider): string {
  const key = `${process.platform}-${process.arch}`
  switch (provider) {
    case 'claude': {
      const a = path.join(AGENTS_NM, '@anthropic-ai')
      return firstBinary('Claude Code', [
        path.join(a, `claude-code-${key}`, 'claude'),
        path.join(a, `claude-code-${key}-musl`, 'claude'),
        path.join(a, 'claude-code', 'bin', 'claude.exe')
      ])
    }
    case 'codex': {
      pinned('@openai/codex')
      const target = CODEX_TARGETS[key] ?? 'unsupported'
      return firstBinary('Codex CLI', [
        path.join(AGENTS_NM, '@openai', `codex-${key}`, 'vendor', target, 'bin', 'codex'),
        path.join(AGENTS_NM, '@openai', 'codex', 'vendor', target, 'bin', 'codex')
      ])
    }
    case 'opencode':
      pinned('opencode-ai')
      return firstBinary('OpenCode', [path.join(AGENTS_NM, `opencode-${key}`, 'bin', 'opencode'), path.join(AGENTS_NM, 'opencode-ai', 'bin', 'opencode.exe')])
    case 'opencode2':
      // The postinstall links the platform package's binary over the launcher.
      pinned('@opencode/cli')
      return firstBinary('OpenCode 2', [
        path.join(AGENTS_NM, '@opencode', 'cli', 'bin', 'opencode.exe'),
        path.join(AGENTS_NM, '@opencode', `cli-${key}`, 'bin', 'opencode')
      ])
  }
}

export interface ProviderSandbox {
  root: string
  /** An empty folder to add as the project (the agent's cwd). */
  projectDir: string
  /** Environment for the host (and, through the allowlist and `envPassthrough`, the agent). */
  env: Record<string, string>
}

export function makeProviderSandbox(provider: SandboxProvider, serverUrl: string): ProviderSandbox {
  const url = serverUrl.replace(/\/+$/, '')
  const binary = agentBinary(provider)
  const root = realpathSync(mkdtempSync(path.join(os.tmpdir(), `shepherd-e2e-${provider}-`)))
  const home = path.join(root, 'home')
  const bin = path.join(root, 'bin')
  const tmp = path.join(root, 'tmp')
  const projectDir = path.join(root, 'project')
  const xdg = xdgDirs(home)
  for (const d of [home, bin, tmp, projectDir]) mkdirSync(d, { recursive: true })
  // Named as the provider's detect() looks for it (both OpenCode majors are `opencode`).
  symlinkSync(binary, path.join(bin, provider === 'opencode2' ? 'opencode' : provider))

  // Allowlisted for every agent (child-env.ts ALLOWED).
  const env: Record<string, string> = {
    PATH: `${bin}${path.delimiter}${process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin'}`,
    HOME: home,
    USER: os.userInfo().username,
    TMPDIR: tmp,
    SHELL: existsSync('/bin/bash') ? '/bin/bash' : '/bin/sh',
    LANG: 'C.UTF-8'
  }
  switch (provider) {
    case 'claude': {
      const configDir = path.join(home, '.claude')
      mkdirSync(configDir, { recursive: true })
      // All in CLAUDE_ENV_PASSTHROUGH.
      Object.assign(env, {
        CLAUDE_CONFIG_DIR: configDir,
        ANTHROPIC_BASE_URL: url,
        ANTHROPIC_API_KEY: 'fake-key',
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
        CLAUDE_CODE_MAX_RETRIES: '0',
        DISABLE_TELEMETRY: '1',
        DISABLE_AUTOUPDATER: '1',
        DISABLE_ERROR_REPORTING: '1'
      })
      break
    }
    case 'codex': {
      const codexHome = path.join(home, '.codex')
      mkdirSync(codexHome, { recursive: true })
      writeFileSync(path.join(codexHome, 'config.toml'), fakeCodexConfig(url))
      // Both in CODEX_ENV_PASSTHROUGH; OPENAI_API_KEY is the `env_key` of provider `fake`. Codex
      // keeps its sessions (what resume reads) and state db under CODEX_HOME.
      Object.assign(env, { CODEX_HOME: codexHome, OPENAI_API_KEY: 'fake-key' })
      break
    }
    case 'opencode':
    case 'opencode2': {
      for (const d of Object.values(xdg)) mkdirSync(d, { recursive: true })
      const configDir = path.join(xdg.XDG_CONFIG_HOME, 'opencode')
      mkdirSync(configDir, { recursive: true })
      writeFileSync(path.join(configDir, 'opencode.json'), JSON.stringify(fakeOpenCodeConfig(url), null, 2))
      // Else OpenCode installs its plugin package from the npm registry in the background.
      seedOpenCodeConfigDir(configDir)
      // All in OPENCODE_ENV_PASSTHROUGH: the XDG dirs (global config, data, cache, state) and the
      // switches that stop its background traffic (models catalog, updates, share, LSP downloads,
      // default plugins from npm).
      Object.assign(env, xdg, OPENCODE_TRAFFIC_OFF)
      break
    }
  }
  return { root, projectDir, env }
}
