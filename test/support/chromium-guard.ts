/**
 * Every Chromium that tests or the bench start is kept on this machine: Chromium left to itself looks
 * up Google hosts even with background networking off, so the resolver maps every name but the
 * loopback ones to "not found", and any request that still aims elsewhere is aborted by the context.
 */
import type { BrowserContext } from 'playwright-core'

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1'
]

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]'])

/** True for http(s)/ws(s) addresses on another machine; data:, blob: and about: stay local. */
export function isRemoteUrl(url: URL): boolean {
  if (!/^(https?|wss?):$/.test(url.protocol)) return false
  return !LOOPBACK_HOSTS.has(url.hostname) && !url.hostname.startsWith('127.')
}

/** Abort every request of the context that leaves the loopback interface. */
export async function keepOnLoopback(context: Pick<BrowserContext, 'route'>): Promise<void> {
  await context.route(isRemoteUrl, (route) => route.abort('addressunreachable'))
}
