/**
 * The web host's access token. Whoever holds it can drive the API (and so start any program: the
 * ACP agent's command is a setting), so it is the whole security boundary of the web host.
 *
 * It is stable per data dir (`web-token`, mode 0600 next to the database, which holds everything the
 * token gives access to anyway): an open tab reconnects by itself after the host restarts, and the
 * printed address keeps working. It changes only when asked: `--rotate-token` on the command line or
 * "New access token" in Settings (then every tab that holds the old one is told to open the new
 * address). `SHEPHERD_TOKEN`, when set, is used instead, and must be long and random enough.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto'
import { chmodSync, existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { ensurePrivateDir } from '../store/private-files'

export const TOKEN_FILE = 'web-token'
/** 32 random bytes as hex: 256 bits. */
const TOKEN_BYTES = 32
export const TOKEN_MIN_LENGTH = 32
/** An estimate of the token's entropy (Shannon, per character × length) must reach this. */
export const TOKEN_MIN_BITS = 128
const TOKEN_RE = /^[A-Za-z0-9_-]+$/

export function newToken(): string {
  return randomBytes(TOKEN_BYTES).toString('hex')
}

/**
 * Why a given token (SHEPHERD_TOKEN, or the file's content) is not good enough, or null. Short,
 * repetitive or patterned strings (`aaaa…`, `0000…`, a word padded with zeros) are refused: the
 * character-frequency entropy estimate is an upper bound on guessability, so low means weak.
 */
export function tokenProblem(token: string): string | null {
  if (token.length < TOKEN_MIN_LENGTH)
    return `it is ${token.length} characters long; use at least ${TOKEN_MIN_LENGTH} random characters (e.g. \`openssl rand -hex 32\`)`
  if (token.length > 512) return 'it is longer than 512 characters'
  if (!TOKEN_RE.test(token)) return 'use only letters, digits, "-" and "_" (e.g. `openssl rand -hex 32`)'
  if (repeatsBlock(token)) return 'it is one short block repeated; use random characters (e.g. `openssl rand -hex 32`)'
  const bits = estimatedBits(token)
  if (bits < TOKEN_MIN_BITS) return `it is not random enough (about ${Math.floor(bits)} bits, at least ${TOKEN_MIN_BITS} needed; e.g. \`openssl rand -hex 32\`)`
  return null
}

/** `abcabcabc…`: the whole string repeats a block of at most half its length. */
function repeatsBlock(s: string): boolean {
  for (let p = 1; p <= s.length / 2; p++) {
    let i = p
    while (i < s.length && s[i] === s[i - p]) i++
    if (i === s.length) return true
  }
  return false
}

function estimatedBits(s: string): number {
  const counts = new Map<string, number>()
  for (const c of s) counts.set(c, (counts.get(c) ?? 0) + 1)
  let perChar = 0
  for (const n of counts.values()) perChar -= (n / s.length) * Math.log2(n / s.length)
  return perChar * s.length
}

/** Constant-time comparison; false for anything that is not a string of the same length. */
export function tokenMatches(given: unknown, token: string): boolean {
  if (typeof given !== 'string' || given.length !== token.length || token.length === 0) return false
  return timingSafeEqual(Buffer.from(given), Buffer.from(token))
}

export interface TokenSource {
  token: string
  /** Where it came from, for the startup message. */
  from: 'env' | 'file' | 'new'
  /** Replace it with a new random one (written to the file unless it came from the environment). */
  rotate(): string
}

/**
 * The token for this data dir: SHEPHERD_TOKEN when set (validated: throws with a clear message),
 * else the file's, else a new one written to the file. `rotate: true` (the `--rotate-token` flag)
 * writes a new one. A file readable by others, or holding a weak token, is replaced.
 */
export function loadAccessToken(dataDir: string, opts: { envToken?: string; rotate?: boolean } = {}): TokenSource {
  const file = join(dataDir, TOKEN_FILE)
  if (opts.envToken !== undefined && opts.envToken !== '') {
    const problem = tokenProblem(opts.envToken)
    if (problem) throw new Error(`SHEPHERD_TOKEN is not accepted: ${problem}. Unset it to use the token Shepherd keeps in ${file}.`)
    const src: TokenSource = {
      token: opts.envToken,
      from: 'env',
      rotate() {
        src.token = newToken()
        return src.token
      }
    }
    return src
  }
  ensurePrivateDir(dataDir)
  let token: string | null = null
  if (!opts.rotate && existsSync(file)) {
    const loose = process.platform !== 'win32' && (statSync(file).mode & 0o077) !== 0
    const content = readFileSync(file, 'utf8').trim()
    if (!loose && tokenProblem(content) === null) token = content
  }
  const src: TokenSource = {
    token: token ?? writeToken(file),
    from: token ? 'file' : 'new',
    rotate() {
      src.token = writeToken(file)
      return src.token
    }
  }
  return src
}

/** Write a new token atomically with mode 0600 (the temp file is created 0600, never wider). */
function writeToken(file: string): string {
  const token = newToken()
  const tmp = `${file}.${process.pid}.tmp`
  writeFileSync(tmp, token + '\n', { mode: 0o600 })
  chmodSync(tmp, 0o600)
  renameSync(tmp, file)
  return token
}
