import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { tempDir } from '../../test/support/temp'
import { TOKEN_FILE, loadAccessToken, newToken, tokenMatches, tokenProblem } from './access-token'

const posix = process.platform !== 'win32'
const dirs: Array<{ cleanup(): void }> = []
function dataDir(): string {
  const t = tempDir()
  dirs.push(t)
  return join(t.dir, 'data')
}
afterEach(() => {
  for (const d of dirs.splice(0)) d.cleanup()
})

describe('SHEPHERD_TOKEN strength', () => {
  it.each([
    ['short', 'abc123'],
    ['31 random-looking characters', newToken().slice(0, 31)],
    ['one repeated character', 'a'.repeat(64)],
    ['a word padded with zeros', 'e2eReconnectToken'.padEnd(64, '0')],
    ['two characters alternating', 'ab'.repeat(40)],
    ['a short alphabet', '0123'.repeat(16)],
    ['characters outside the URL-safe set', `${newToken()}&x=1`],
    ['a space', `${newToken()} `],
    ['longer than 512', newToken().repeat(9)]
  ])('refuses %s with a clear message', (_what, token) => {
    const problem = tokenProblem(token)
    expect(problem).not.toBeNull()
    expect(() => loadAccessToken(dataDir(), { envToken: token })).toThrow(/^SHEPHERD_TOKEN is not accepted: .+ Unset it/)
  })

  it('accepts 32 random bytes as hex or base64url, and uses it without touching the data dir', () => {
    expect(tokenProblem(newToken())).toBeNull()
    expect(tokenProblem(Buffer.from(newToken(), 'hex').toString('base64url'))).toBeNull()
    const dir = dataDir()
    const t = newToken()
    const src = loadAccessToken(dir, { envToken: t })
    expect(src).toMatchObject({ token: t, from: 'env' })
  })
})

describe('the token kept in the data dir', () => {
  it('is created 0600 in a 0700 dir, kept across starts, and replaced by --rotate-token', () => {
    const dir = dataDir()
    const first = loadAccessToken(dir)
    expect(first.from).toBe('new')
    expect(tokenProblem(first.token)).toBeNull()
    if (posix) {
      expect(statSync(join(dir, TOKEN_FILE)).mode & 0o777).toBe(0o600)
      expect(statSync(dir).mode & 0o777).toBe(0o700)
    }
    const again = loadAccessToken(dir)
    expect(again).toMatchObject({ token: first.token, from: 'file' })
    const rotated = loadAccessToken(dir, { rotate: true })
    expect(rotated.token).not.toBe(first.token)
    expect(loadAccessToken(dir).token).toBe(rotated.token)
    // Rotating from Settings writes the file too.
    const fromSettings = rotated.rotate()
    expect(readFileSync(join(dir, TOKEN_FILE), 'utf8').trim()).toBe(fromSettings)
    if (posix) expect(statSync(join(dir, TOKEN_FILE)).mode & 0o777).toBe(0o600)
  })

  it.runIf(posix)('replaces a token file others could read (it may have been seen)', () => {
    const dir = dataDir()
    const first = loadAccessToken(dir)
    chmodSync(join(dir, TOKEN_FILE), 0o644)
    const next = loadAccessToken(dir)
    expect(next.token).not.toBe(first.token)
    expect(statSync(join(dir, TOKEN_FILE)).mode & 0o777).toBe(0o600)
  })

  it('replaces a weak or garbled token file', () => {
    const dir = dataDir()
    loadAccessToken(dir)
    writeFileSync(join(dir, TOKEN_FILE), 'aaaa\n', { mode: 0o600 })
    const next = loadAccessToken(dir)
    expect(next.from).toBe('new')
    expect(tokenProblem(next.token)).toBeNull()
  })
})

describe('tokenMatches', () => {
  it('compares exactly and refuses non-strings', () => {
    const t = newToken()
    expect(tokenMatches(t, t)).toBe(true)
    expect(tokenMatches(t.toUpperCase(), t)).toBe(false)
    expect(tokenMatches(t.slice(1), t)).toBe(false)
    expect(tokenMatches(undefined, t)).toBe(false)
    expect(tokenMatches({ toString: () => t }, t)).toBe(false)
    expect(tokenMatches('', '')).toBe(false)
  })
})
