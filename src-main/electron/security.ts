/**
 * Every web-contents guard of the Electron host, installed in one place at startup.
 *
 * Review before changing: each guard below implements an item of the Electron security checklist
 * (https://www.electronjs.org/docs/latest/tutorial/security) and docs/fault-catalogue.md SEC-2/SEC-3.
 * Loosening any of them lets a compromised renderer (e.g. hostile agent output) navigate the
 * privileged window, open windows, launch arbitrary protocol handlers (`file:`, `smb:`,
 * `ms-msdt:`) or use device permissions. Tests: `security.test.ts`, `e2e/electron`.
 */
import { app, session, shell, type Session, type WebContents } from 'electron'

export type SecurityLog = (message: string) => void

const defaultLog: SecurityLog = (message) => console.warn(`[shepherd:security] ${message}`)

/** Permissions a page may get; everything else is denied (checklist item "permission handlers"). */
const ALLOWED_PERMISSIONS: ReadonlySet<string> = new Set(['notifications'])

/**
 * Whether `url` may be handed to `shell.openExternal`: only `https:` with a host and no
 * credentials, and `mailto:`. Parsed with `new URL` (a `startsWith` check lets
 * `https://example.com.attacker.com` or `javascript:` tricks through).
 */
export function isAllowedExternalUrl(url: string): boolean {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return false
  }
  if (parsed.protocol === 'mailto:') return true
  if (parsed.protocol !== 'https:') return false
  return parsed.hostname !== '' && parsed.username === '' && parsed.password === ''
}

/** Opens `url` in the OS browser / mail client if {@link isAllowedExternalUrl}; logs otherwise. */
export function openExternalSafely(url: string, log: SecurityLog = defaultLog): boolean {
  if (!isAllowedExternalUrl(url)) {
    log(`refused to open external URL ${JSON.stringify(url.slice(0, 200))}`)
    return false
  }
  shell.openExternal(url).catch((err: unknown) => log(`openExternal failed: ${String(err)}`))
  return true
}

/** Permission handlers on one session: deny all except {@link ALLOWED_PERMISSIONS}. */
export function applySessionGuards(ses: Session): void {
  ses.setPermissionRequestHandler((_contents, permission, callback) => {
    callback(ALLOWED_PERMISSIONS.has(permission))
  })
  ses.setPermissionCheckHandler((_contents, permission) => ALLOWED_PERMISSIONS.has(permission))
}

/** Navigation, window-open and webview guards for one web contents. */
export function applyWebContentsGuards(contents: WebContents, log: SecurityLog = defaultLog): void {
  // The app is a single page: any navigation away (a link in agent markdown, `location = …`) is
  // refused. Programmatic `loadURL` and reloads do not emit `will-navigate`.
  contents.on('will-navigate', (event, url) => {
    event.preventDefault()
    log(`blocked navigation to ${JSON.stringify(String(url).slice(0, 200))}`)
  })
  // No new windows ever; safe external links go to the OS browser instead.
  contents.setWindowOpenHandler(({ url }) => {
    openExternalSafely(url, log)
    return { action: 'deny' }
  })
  contents.on('will-attach-webview', (event) => {
    event.preventDefault()
    log('blocked <webview> attachment')
  })
}

let installed = false

/**
 * Installs the guards on the default session and on every web contents created from now on
 * (`web-contents-created` fires for windows, devtools and any frame-hosting contents). Call once,
 * before the first window is created. Idempotent.
 */
export function installSecurityGuards(log: SecurityLog = defaultLog): void {
  if (installed) return
  installed = true
  const guardedSessions = new WeakSet<Session>()
  const guardSession = (ses: Session) => {
    if (guardedSessions.has(ses)) return
    guardedSessions.add(ses)
    applySessionGuards(ses)
  }
  if (app.isReady()) guardSession(session.defaultSession)
  else void app.whenReady().then(() => guardSession(session.defaultSession))
  app.on('web-contents-created', (_event, contents) => {
    guardSession(contents.session)
    applyWebContentsGuards(contents, log)
  })
}
