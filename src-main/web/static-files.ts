/** Serving the built renderer: a path-contained lookup and the headers every response carries. */
import { realpathSync, statSync } from 'node:fs'
import { extname, resolve, sep } from 'node:path'

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.map': 'application/json'
}

/** Same policy as the Electron window: no inline or eval'd script, nothing from elsewhere. */
export const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
  "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'"

export function mimeOf(file: string): string {
  return MIME[extname(file).toLowerCase()] ?? 'application/octet-stream'
}

/**
 * Resolve a URL path inside `root`, or null. One URL-decode, no NUL, no `..` escape (also via
 * symlinks: realpath), containment checked with a trailing separator (so `/root-evil` is outside).
 */
export function resolveInside(root: string, urlPath: string): string | null {
  let decoded: string
  try {
    decoded = decodeURIComponent(urlPath)
  } catch {
    return null
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null
  const rel = decoded.replace(/^\/+/, '') || 'index.html'
  const realRoot = realpathSync(root)
  const candidate = resolve(realRoot, rel)
  if (!(candidate + sep).startsWith(realRoot + sep)) return null
  try {
    const real = realpathSync(candidate)
    if (!(real + sep).startsWith(realRoot + sep) || !statSync(real).isFile()) return null
    return real
  } catch {
    return null
  }
}
