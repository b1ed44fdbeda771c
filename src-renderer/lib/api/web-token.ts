/**
 * The web host's access token on the page's side. The printed address carries it in the fragment
 * (`/#token=…`: never sent to any server, nor in a Referer); at startup it moves into this tab's
 * `sessionStorage` and out of the address bar. It is then sent only in the WebSocket's tRPC
 * `connectionParams` to the host that served this page. No cookie: a cookie on 127.0.0.1 would also
 * go to every other local server (an agent's dev server, …).
 */
const KEY = 'shepherd.token'
const TOKEN_RE = /^[A-Za-z0-9_-]{1,512}$/

/** The token in a pasted address or fragment (`…#token=abc`, `#token=abc`), or null. */
export function tokenFromAddress(text: string): string | null {
  const i = text.indexOf('#')
  if (i < 0) return null
  const value = new URLSearchParams(text.slice(i + 1)).get('token')
  return value && TOKEN_RE.test(value) ? value : null
}

interface Env {
  location: Pick<Location, 'hash' | 'pathname' | 'search'>
  history: Pick<History, 'replaceState'>
  storage: Pick<Storage, 'getItem' | 'setItem'>
}

const browserEnv = (): Env => ({ location, history, storage: sessionStorage })

/**
 * Move a token from the address into sessionStorage (replacing an older one: a newly printed
 * address wins) and drop the fragment from the address bar; returns the token this tab holds.
 */
export function adoptToken(env: Env = browserEnv()): string | null {
  const fromHash = tokenFromAddress(env.location.hash)
  if (fromHash) {
    env.storage.setItem(KEY, fromHash)
    env.history.replaceState(null, '', env.location.pathname + env.location.search)
  }
  return env.storage.getItem(KEY)
}

export function storedToken(storage: Pick<Storage, 'getItem'> = sessionStorage): string | null {
  return storage.getItem(KEY)
}

export function storeToken(token: string, storage: Pick<Storage, 'setItem'> = sessionStorage): void {
  storage.setItem(KEY, token)
}
