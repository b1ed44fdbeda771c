/**
 * Containment for the agent's file and terminal requests (ACP `fs/*`, `terminal/create` cwd):
 * Shepherd, as the ACP client, touches paths inside the session's project folder only.
 *
 * A path is resolved against the project, then through `realpath` (so symlinks count where they
 * point, not where they sit), and must then equal the project's real path or start with it plus a
 * separator (so `/p/proj-evil` is not inside `/p/proj`). A path that does not exist yet (a file
 * about to be written) is checked through its nearest existing ancestor; a dangling symlink is
 * refused (writing through it would create its target, wherever that is).
 */
import { lstatSync, realpathSync } from 'node:fs'
import path from 'node:path'

export class PathOutsideProjectError extends Error {
  constructor(
    readonly requested: string,
    reason: string
  ) {
    super(`${requested} ${reason}`)
    this.name = 'PathOutsideProjectError'
  }
}

const IS_WINDOWS = process.platform === 'win32'

function norm(p: string): string {
  return IS_WINDOWS ? p.toLowerCase() : p
}

/** True when `candidate` (a real path) is `root` (a real path) or below it. */
export function isWithin(root: string, candidate: string): boolean {
  const r = norm(root)
  const c = norm(candidate)
  if (c === r) return true
  const prefix = r.endsWith(path.sep) ? r : r + path.sep
  return c.startsWith(prefix)
}

function realpathOrNull(p: string): string | null {
  try {
    return realpathSync.native(p)
  } catch {
    return null
  }
}

function isSymlink(p: string): boolean {
  try {
    return lstatSync(p).isSymbolicLink()
  } catch {
    return false
  }
}

export interface ResolveOptions {
  /** The path itself must exist (reads). Otherwise its nearest existing ancestor is checked (writes). */
  mustExist: boolean
  /** The project folder itself is acceptable (terminal cwd), not only what is below it. */
  allowRoot?: boolean
}

/**
 * The real absolute path of `requested` when it lies inside `projectDir`; throws
 * PathOutsideProjectError otherwise (or when it must exist and does not).
 */
export function resolveInsideProject(projectDir: string, requested: unknown, opts: ResolveOptions): string {
  if (typeof requested !== 'string' || requested.length === 0) throw new PathOutsideProjectError(String(requested), 'is not a path')
  if (requested.includes('\0')) throw new PathOutsideProjectError(JSON.stringify(requested), 'contains a NUL character')
  const root = realpathOrNull(projectDir)
  if (!root) throw new PathOutsideProjectError(requested, `cannot be checked: the project folder ${projectDir} is missing`)
  // Relative paths (the spec asks for absolute ones) are taken relative to the project.
  const abs = path.resolve(root, requested)
  const real = realpathOrNull(abs)
  if (real !== null) {
    if (!isWithin(root, real)) throw new PathOutsideProjectError(requested, 'is outside the project folder')
    if (!opts.allowRoot && norm(real) === norm(root)) throw new PathOutsideProjectError(requested, 'is the project folder itself, not a file in it')
    return real
  }
  if (opts.mustExist) {
    // Say "outside" rather than "missing" for paths that could never be read anyway.
    if (!isWithin(root, abs) && !isWithin(path.resolve(projectDir), abs)) throw new PathOutsideProjectError(requested, 'is outside the project folder')
    throw new PathOutsideProjectError(requested, 'does not exist')
  }
  if (isSymlink(abs)) throw new PathOutsideProjectError(requested, 'is a symbolic link to a missing target')
  // Walk up to the nearest existing ancestor; what is below it gets created inside it.
  let dir = path.dirname(abs)
  const tail: string[] = [path.basename(abs)]
  for (;;) {
    const realDir = realpathOrNull(dir)
    if (realDir !== null) {
      if (!isWithin(root, realDir)) throw new PathOutsideProjectError(requested, 'is outside the project folder')
      return path.join(realDir, ...tail)
    }
    if (isSymlink(dir)) throw new PathOutsideProjectError(requested, 'goes through a symbolic link to a missing target')
    const parent = path.dirname(dir)
    if (parent === dir) throw new PathOutsideProjectError(requested, 'is outside the project folder')
    tail.unshift(path.basename(dir))
    dir = parent
  }
}
