/**
 * The `app://shepherd/` protocol: serves the built renderer (`out/renderer`) in production instead
 * of `file://` (Electron security checklist: "Use a custom protocol instead of file://").
 *
 * Every response carries the production CSP. Paths go through {@link resolveRendererPath} (pure,
 * lexical) and then `realpath` + containment again (symlinks), see docs/fault-catalogue.md SEC-6.
 */
import { realpath as realpathCb, readFile as readFileCb } from 'node:fs'
import { extname, isAbsolute, resolve, sep } from 'node:path'
import { promisify } from 'node:util'
import { protocol } from 'electron'

// Callback-style fs functions, promisified: Electron's asar patching covers them for sure (the
// packaged renderer lives inside app.asar).
const realpath = promisify(realpathCb)
const readFile = promisify(readFileCb)

export const APP_SCHEME = 'app'
export const APP_HOST = 'shepherd'
/** Origin of the production renderer, as compared by the IPC sender check. */
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`
export const APP_INDEX_URL = `${APP_ORIGIN}/index.html`

/**
 * Production Content-Security-Policy (docs/fault-catalogue.md SEC-10). No `'unsafe-eval'`, no inline
 * script; inline styles are allowed because Svelte transitions and style directives write them.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: app:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  // Nothing in the app submits a form to a URL: an injected <form> can never navigate the window.
  "form-action 'none'"
].join('; ')

const MIME_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm'
}

/** `(child + sep).startsWith(dir + sep)`: the trailing separator rejects `/renderer-evil`. */
export function isPathInside(child: string, dir: string): boolean {
  const root = resolve(dir)
  const target = resolve(child)
  return target === root || target.startsWith(root.endsWith(sep) ? root : root + sep)
}

/**
 * Maps a URL pathname (still percent-encoded, as in `new URL(request.url).pathname`) to a file
 * under `root`, or `null` when the path is not acceptable. Pure and lexical: no file system access.
 *
 * Rejected: malformed encoding, anything still percent-encoded after one decode (double encoding),
 * NUL, backslashes, absolute / UNC / drive paths, `..` segments, and anything that resolves
 * outside `root`. Names that merely start with dots (`..notes.md`) are fine.
 */
export function resolveRendererPath(root: string, pathname: string): string | null {
  let decoded: string
  try {
    decoded = decodeURIComponent(pathname)
  } catch {
    return null
  }
  if (/%[0-9a-f]{2}/i.test(decoded)) return null
  if (decoded.includes('\0') || decoded.includes('\\')) return null
  // The URL pathname starts with exactly one '/'; whatever follows must be relative.
  const relative = decoded.startsWith('/') ? decoded.slice(1) : decoded
  if (relative === '') return resolve(root, 'index.html')
  if (relative.startsWith('/') || isAbsolute(relative) || /^[a-z]:/i.test(relative)) return null
  if (relative.split('/').some((segment) => segment === '..')) return null
  const target = resolve(root, relative)
  return isPathInside(target, root) && target !== resolve(root) ? target : null
}

/**
 * {@link resolveRendererPath} plus `realpath` of both sides, so a symlink inside `root` that points
 * outside is refused. Returns `null` for anything not servable (including missing files).
 */
export async function resolveServedFile(root: string, pathname: string): Promise<string | null> {
  const lexical = resolveRendererPath(root, pathname)
  if (lexical === null) return null
  try {
    const [realRoot, realTarget] = await Promise.all([realpath(root), realpath(lexical)])
    return isPathInside(realTarget, realRoot) && realTarget !== realRoot ? realTarget : null
  } catch {
    return null
  }
}

function securityHeaders(contentType: string): Record<string, string> {
  return {
    'content-type': contentType,
    'content-security-policy': CONTENT_SECURITY_POLICY,
    'x-content-type-options': 'nosniff'
  }
}

/** The request handler behind `protocol.handle('app', …)`; exported for tests. */
export async function serveRendererRequest(rendererRoot: string, requestUrl: string): Promise<Response> {
  const notFound = () => new Response('Not found', { status: 404, headers: securityHeaders('text/plain; charset=utf-8') })
  let url: URL
  try {
    url = new URL(requestUrl)
  } catch {
    return notFound()
  }
  if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) return notFound()
  const file = await resolveServedFile(rendererRoot, url.pathname)
  if (file === null) return notFound()
  try {
    const body = await readFile(file)
    const type = MIME_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream'
    return new Response(new Uint8Array(body), { status: 200, headers: securityHeaders(type) })
  } catch {
    return notFound()
  }
}

/**
 * Must run before `app` is ready: `standard` gives relative URLs and a real origin, `secure`
 * makes it a secure context, `supportFetchAPI` lets the renderer fetch its own assets.
 */
export function registerAppSchemePrivileges(): void {
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }])
}

/** Installs the `app:` handler on the default session (after `app` is ready). */
export function handleAppProtocol(rendererRoot: string): void {
  protocol.handle(APP_SCHEME, (request) => serveRendererRequest(rendererRoot, request.url))
}
