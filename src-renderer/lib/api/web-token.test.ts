import { describe, expect, it, vi } from 'vitest'
import { adoptToken, tokenFromAddress } from './web-token'

function env(hash: string, stored: string | null = null) {
  const store = new Map<string, string>(stored ? [['shepherd.token', stored]] : [])
  const replaceState = vi.fn()
  return {
    e: {
      location: { hash, pathname: '/', search: '' },
      history: { replaceState },
      storage: { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => void store.set(k, v) }
    },
    store,
    replaceState
  }
}

describe('the page side of the access token', () => {
  it('moves the token from the fragment into sessionStorage and out of the address bar', () => {
    const { e, store, replaceState } = env('#token=abc123')
    expect(adoptToken(e)).toBe('abc123')
    expect(store.get('shepherd.token')).toBe('abc123')
    expect(replaceState).toHaveBeenCalledWith(null, '', '/')
  })

  it('a reload (no fragment any more) keeps the stored token; a newly printed address replaces it', () => {
    expect(adoptToken(env('', 'old').e)).toBe('old')
    expect(adoptToken(env('#token=new', 'old').e)).toBe('new')
  })

  it.each(['#token=', '#token=a b', '#token=<script>', '#foo=bar', '', '#token=' + 'x'.repeat(513)])('ignores %j', (hash) => {
    const { e, replaceState } = env(hash)
    expect(adoptToken(e)).toBeNull()
    expect(replaceState).not.toHaveBeenCalled()
  })

  it('reads a pasted address or fragment, never a query token', () => {
    expect(tokenFromAddress('http://127.0.0.1:5199/#token=abc')).toBe('abc')
    expect(tokenFromAddress('#token=abc')).toBe('abc')
    expect(tokenFromAddress('http://127.0.0.1:5199/?token=abc')).toBeNull()
  })
})
