/**
 * Which OpenCode a binary is. 1.x (`opencode-ai`) is driven over `opencode serve` (../handle.ts);
 * 2.x (`@opencode/cli`: every route moved under `/api/*`, new event schema, no `prompt_async`) is
 * driven over `opencode acp` (./handle.ts). The supervisor starts sessions without a `--version`
 * spawn, so the provider asks here once per binary build (path, size, mtime, inode): an upgraded or
 * replaced binary has another identity and is asked afresh.
 */
import { statSync } from 'node:fs'
import { readVersion } from '../../scaffold/cli'

const cache = new Map<string, Promise<string | null>>()

function identity(binaryPath: string): string {
  try {
    const st = statSync(binaryPath)
    return JSON.stringify([binaryPath, st.size, st.mtimeMs, st.ino])
  } catch {
    return binaryPath
  }
}

/** `opencode --version` of this binary (1.x prints `1.18.33`, 2.x `opencode v2.1.2`), cached per build. */
export function openCodeVersion(binaryPath: string, env: Record<string, string>): Promise<string | null> {
  const key = identity(binaryPath)
  let v = cache.get(key)
  if (!v) {
    v = readVersion(binaryPath, env)
    cache.set(key, v)
    // A failed read (a hung or broken binary) is not kept: the next start asks again.
    void v.then((r) => r === null && cache.get(key) === v && cache.delete(key))
  }
  return v
}

/** The major version of an `x.y.z` string; null when there is none. */
export function majorOf(version: string | null): number | null {
  const m = version ? /^(\d+)\./.exec(version) : null
  return m ? Number(m[1]) : null
}

/** OpenCode 2 or later: driven over ACP. An unreadable version keeps the 1.x driver (what Shepherd did before). */
export function isOpenCode2(version: string | null): boolean {
  return (majorOf(version) ?? 1) >= 2
}

/**
 * `@opencode/cli` installs its binary as `opencode` and as `opencode2`, the name to use beside a
 * 1.x `opencode`: found on PATH when no `opencode` is.
 */
export const OPENCODE2_CLI_NAME = 'opencode2'
