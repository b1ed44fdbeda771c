/**
 * Finding and identifying an agent CLI, the same way for every provider: the configured absolute
 * path or the first executable of that name on PATH (searched like a shell, without one), and its
 * version from `--version`.
 */
import { execFile } from 'node:child_process'
import { accessSync, constants, statSync } from 'node:fs'
import path from 'node:path'
import type { ProviderDetection } from '../types'

/** `--version` of a warm binary takes ~0.05–0.3 s, a cold one ~1 s; 10 s bounds a hung binary. */
export const VERSION_TIMEOUT_MS = 10_000

export function isExecutableFile(p: string): boolean {
  try {
    if (!statSync(p).isFile()) return false
    if (process.platform !== 'win32') accessSync(p, constants.X_OK)
    return true
  } catch {
    return false
  }
}

/** Search `envPath` like a shell would (no shell involved). Windows: only `.exe` is spawnable without a shell. */
export function findOnPath(name: string, envPath: string): string | null {
  const names = process.platform === 'win32' ? [`${name}.exe`] : [name]
  for (const dir of envPath.split(path.delimiter)) {
    if (!dir || !path.isAbsolute(dir)) continue // relative PATH entries would depend on our cwd
    for (const n of names) {
      const candidate = path.join(dir, n)
      if (isExecutableFile(candidate)) return candidate
    }
  }
  return null
}

/** The configured path when it is an absolute executable, else `name` on PATH; null when neither. */
export function locateCli(name: string, configuredPath: string | null, envPath: string): string | null {
  if (configuredPath) return path.isAbsolute(configuredPath) && isExecutableFile(configuredPath) ? configuredPath : null
  return findOnPath(name, envPath)
}

/** The first `x.y.z…` in `binary --version`'s output; null when it fails or prints none. */
export function readVersion(binary: string, env: Record<string, string>, timeoutMs = VERSION_TIMEOUT_MS): Promise<string | null> {
  return new Promise((resolve) => {
    const child = execFile(binary, ['--version'], { timeout: timeoutMs, env, shell: false, windowsHide: true }, (err, stdout) => {
      if (err) return resolve(null)
      resolve(/\d+\.\d+\.\d+[^\s]*/.exec(String(stdout))?.[0] ?? null)
    })
    // A CLI that reads stdin must see EOF, not wait on an open pipe.
    child.stdin?.end()
  })
}

export interface DetectCliOptions {
  /** The executable's name on PATH (e.g. `claude`). */
  name: string
  installHint: string
  configuredPath: string | null
  envPath: string
  /** false: only the path (starting a session needs no `--version` spawn). */
  version?: boolean
  /** The environment `--version` runs with. */
  versionEnv: () => Record<string, string>
}

/** `AgentProvider.detect()` for a CLI: where it is, its version, or how to install it. */
export async function detectCli(o: DetectCliOptions): Promise<ProviderDetection> {
  const found = locateCli(o.name, o.configuredPath, o.envPath)
  if (!found) return { found: false, path: null, version: null, installHint: o.installHint }
  return { found: true, path: found, version: o.version === false ? null : await readVersion(found, o.versionEnv()), installHint: o.installHint }
}
