/** The pure parts of SSH hosts: quoting, locations, failure classification, the stdout start marker, the env block. */
import { execFileSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { classifySshFailure } from './errors'
import { formatRemoteLocation, isRemoteLocation, parseRemoteLocation } from './location'
import { shJoin, shQuote, shQuoteOneLine } from './quote'
import { envBlock, MarkerFilter } from './spawn'
import { STARTED_MARKER } from './wrapper'

describe('shQuote', () => {
  it('round-trips hostile arguments through a real sh', () => {
    const args = ["it's", '$(touch /tmp/x)', '`id`', 'a b\tc', '; rm -rf ~', '"q"', '\\', '', 'ünïcødé', '*', '-n']
    const out = execFileSync('/bin/sh', ['-c', `for a in ${shJoin(args)}; do printf '%s\\0' "$a"; done`], { encoding: 'utf8' })
    expect(out.split('\0').slice(0, -1)).toEqual(args)
  })
  it('refuses NUL; one-line quoting survives eval with nl defined', () => {
    expect(() => shQuote('a\0b')).toThrow(/NUL/)
    const v = 'line1\nline2 $HOME'
    const q = shQuoteOneLine(v)
    expect(q).not.toContain('\n')
    // Exactly as the wrapper reads it: one line from stdin, then eval.
    const out = execFileSync('/bin/sh', ['-c', `nl='\n'\nIFS= read -r l; eval "$l"; printf %s "$x"`], { input: `x=${q}\n`, encoding: 'utf8' })
    expect(out).toBe(v)
  })
})

describe('remote locations', () => {
  it('parses alias, user@host, ports and keeps the path literal', () => {
    expect(parseRemoteLocation('devbox:/srv/app')).toEqual({ host: 'devbox', port: null, path: '/srv/app' })
    expect(parseRemoteLocation('me@gpu.example.com:2222:/home/me/my repo/')).toEqual({ host: 'me@gpu.example.com', port: 2222, path: '/home/me/my repo' })
    expect(formatRemoteLocation(parseRemoteLocation(' h:22:/x; y '))).toBe('h:22:/x; y')
    expect(isRemoteLocation('/local/path')).toBe(false)
    expect(isRemoteLocation('relative/path')).toBe(false)
    expect(isRemoteLocation('host:/p')).toBe(true)
  })
  it('refuses what ssh could read as an option or a shell could expand', () => {
    expect(() => parseRemoteLocation('-oProxyCommand=x:/p')).toThrow(/cannot start with "-"/)
    expect(() => parseRemoteLocation('host name:/p')).toThrow(/not a host name/)
    expect(() => parseRemoteLocation('$(id):/p')).toThrow(/not a host name/)
    expect(() => parseRemoteLocation('h:99999:/p')).toThrow(/out of range/)
    expect(() => parseRemoteLocation('h:/a\nb')).toThrow(/newline/)
  })
})

describe('ssh failures', () => {
  const cases: [string, string][] = [
    ['ssh: Could not resolve hostname nope: Name or service not known', 'unknown_host'],
    ['ssh: connect to host 10.0.0.1 port 22: Connection timed out', 'timeout'],
    ['Connection timed out during banner exchange', 'timeout'],
    ['ssh: connect to host 127.0.0.1 port 1: Connection refused', 'unreachable'],
    ['me@h: Permission denied (publickey).', 'auth_failed'],
    ['No ED25519 host key is known for [127.0.0.1]:2222 and you have requested strict checking.\nHost key verification failed.', 'host_key_unknown'],
    ['@@@ WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED! @@@', 'host_key_changed'],
    ['something else', 'ssh_failed']
  ]
  it.each(cases)('%s → %s', (stderr, reason) => {
    const e = classifySshFailure('h', stderr, 7)
    expect(e.reason).toBe(reason)
    expect(e.code).toBe('SSH_FAILED')
    if (reason === 'timeout') expect(e.message).toMatch(/7 s/)
  })
})

describe('the start marker and the env block', () => {
  it('drops a login banner before the marker, reads the pgid, passes the rest byte for byte', () => {
    const out: Buffer[] = []
    let pgid = 0
    const f = new MarkerFilter(
      (c) => out.push(c),
      (g) => (pgid = g)
    )
    f.push(Buffer.from('Welcome!\n{"type":"fake"}\n\n' + STARTED_MARKER.slice(0, 5)))
    f.push(Buffer.from(STARTED_MARKER.slice(5) + ' 4242\n{"type":"system","t":"é"}\n'))
    f.push(Buffer.from('{"type":"result"}\n'))
    expect(pgid).toBe(4242)
    expect(Buffer.concat(out).toString('utf8')).toBe('{"type":"system","t":"é"}\n{"type":"result"}\n')
  })
  it('sends provider and extra variables, never host-local ones, one line each', () => {
    const b = envBlock({ PATH: '/x', HOME: '/h', ANTHROPIC_API_KEY: "k'ey", MULTI: 'a\nb', 'BAD-NAME': 'x' })
    expect(b).toBe(`export ANTHROPIC_API_KEY='k'\\''ey'\nexport MULTI='a'"$nl"'b'\n\n`)
  })
})
