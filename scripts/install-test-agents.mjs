#!/usr/bin/env node
// Installs the real agent CLIs used by the integration tests into test/agents/node_modules
// (test-only; never shipped). Idempotent: returns at once, silently, when every pinned package
// is already installed at its pinned version.
//
//   node scripts/install-test-agents.mjs          # install if needed
//   node scripts/install-test-agents.mjs --check  # exit 1 (and say why) if not installed; no install
//
// Versions are pinned exactly in test/agents/package.json. Pinning matters on Node 20:
// an unpinned `@anthropic-ai/claude-code` silently resolves 2.1.197 because 2.1.330 declares
// engines.node >=22 (its native binary does not need Node at all).

import { spawnSync } from 'node:child_process'
import { readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

export const TEST_AGENTS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'test', 'agents')

function readJson(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'))
  } catch {
    return null
  }
}

/** Pinned packages ({name: version}) from test/agents/package.json. */
export function pinnedTestAgents(dir = TEST_AGENTS_DIR) {
  const pkg = readJson(path.join(dir, 'package.json'))
  if (!pkg) throw new Error(`cannot read ${path.join(dir, 'package.json')}`)
  return { ...(pkg.dependencies ?? {}) }
}

/** Names of pinned packages whose installed version differs from the pin (empty = up to date). */
export function outdatedTestAgents(dir = TEST_AGENTS_DIR) {
  const pins = pinnedTestAgents(dir)
  return Object.entries(pins)
    .filter(([name, version]) => readJson(path.join(dir, 'node_modules', ...name.split('/'), 'package.json'))?.version !== version)
    .map(([name, version]) => `${name}@${version}`)
}

/**
 * Packages whose launcher file is replaced at install by the native binary of the platform package
 * (an optional dependency, e.g. `@opencode/cli-linux-x64`) by their postinstall script. Without it —
 * scripts skipped, or optional dependencies omitted (`omit=optional` in an npm config) — the
 * launcher is a small placeholder that cannot run, though the package's version matches the pin.
 */
export const NATIVE_LAUNCHERS = {
  'opencode-ai': 'bin/opencode.exe',
  '@opencode/cli': 'bin/opencode.exe'
}
/** A native agent binary is tens of MB; a placeholder launcher a few KB. */
const NATIVE_MIN_BYTES = 1024 * 1024

/** Pinned packages whose native binary did not land (empty = all there). */
export function missingNativeBinaries(dir = TEST_AGENTS_DIR) {
  const pins = pinnedTestAgents(dir)
  return Object.entries(NATIVE_LAUNCHERS)
    .filter(([name]) => name in pins)
    .filter(([name, file]) => {
      try {
        return statSync(path.join(dir, 'node_modules', ...name.split('/'), file)).size < NATIVE_MIN_BYTES
      } catch {
        return true
      }
    })
    .map(([name]) => name)
}

function runNpm(args, dir, quiet) {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'
  const r = spawnSync(npm, args, {
    cwd: dir,
    stdio: quiet ? ['ignore', 'ignore', 'pipe'] : ['ignore', 'inherit', 'inherit'],
    encoding: 'utf8',
    shell: process.platform === 'win32'
  })
  if (r.error) throw new Error(`install-test-agents: cannot run npm: ${r.error.message}`)
  if (r.status !== 0) throw new Error(`install-test-agents: npm ${args[0]} failed with exit code ${r.status}${quiet && r.stderr ? `\n${r.stderr}` : ''}`)
}

/**
 * Installs the pinned test agents if needed. Fast path (already installed): no output, no npm.
 * @param {{ quiet?: boolean, dir?: string }} [options]
 * @returns {{ installed: boolean }} installed=true when npm ran
 */
export function ensureTestAgents({ quiet = false, dir = TEST_AGENTS_DIR } = {}) {
  const missing = outdatedTestAgents(dir)
  let installed = false
  if (missing.length > 0) {
    // `npm install` (not `ci`): it honours the lockfile's pins, but tolerates the platform-only optional
    // packages (opencode-darwin-*, …) that npm leaves out of a lockfile written on Linux, which `npm ci` rejects.
    // `--include=optional`: the native binaries are optional dependencies; a user's `omit=optional` would drop them.
    const args = ['install', '--no-audit', '--no-fund', '--loglevel=error', '--include=optional']
    if (!quiet) process.stderr.write(`install-test-agents: ${missing.join(', ')} -> npm ${args.join(' ')} (in ${path.relative(process.cwd(), dir) || '.'})\n`)
    runNpm(args, dir, quiet)
    installed = true
    const still = outdatedTestAgents(dir)
    if (still.length) throw new Error(`install-test-agents: still missing after npm ${args[0]}: ${still.join(', ')}`)
  }
  const noBinary = missingNativeBinaries(dir)
  if (noBinary.length > 0) {
    // The postinstall links the platform package's binary over the launcher (or fetches that package).
    const args = ['rebuild', '--loglevel=error', ...noBinary]
    if (!quiet) process.stderr.write(`install-test-agents: no native binary for ${noBinary.join(', ')} -> npm ${args.join(' ')}\n`)
    runNpm(args, dir, quiet)
    installed = true
    const still = missingNativeBinaries(dir)
    if (still.length) throw new Error(`install-test-agents: the native binary of ${still.join(', ')} is still missing (is the platform package installed?)`)
  }
  return { installed }
}

const isMain = process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href
if (isMain) {
  try {
    if (process.argv.includes('--check')) {
      const missing = [...outdatedTestAgents(), ...missingNativeBinaries().map((n) => `${n} (native binary)`)]
      if (missing.length) {
        process.stderr.write(`install-test-agents: not installed: ${missing.join(', ')} (run: node scripts/install-test-agents.mjs)\n`)
        process.exit(1)
      }
    } else {
      ensureTestAgents()
    }
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`)
    process.exit(1)
  }
}
