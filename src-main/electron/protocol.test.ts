import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'

vi.mock('electron', () => import('../../test/support/fake-electron'))

import * as fake from '../../test/support/fake-electron'
import {
  APP_INDEX_URL,
  CONTENT_SECURITY_POLICY,
  handleAppProtocol,
  isPathInside,
  registerAppSchemePrivileges,
  resolveRendererPath,
  resolveServedFile,
  serveRendererRequest
} from './protocol'

const ROOT = resolve('/srv/shepherd/out/renderer')

describe('resolveRendererPath (SEC-6, lexical)', () => {
  const rejected: Array<[string, string]> = [
    ['parent traversal', '/../../etc/passwd'],
    ['traversal inside a path', '/assets/../../secret'],
    ['encoded dots as segments', '/%2e%2e/%2e%2e/etc/passwd'],
    ['encoded dots and slashes', '/%2e%2e%2f%2e%2e%2fetc%2fpasswd'],
    ['upper-case encoding', '/%2E%2E%2Fetc'],
    ['double-encoded traversal', '/%252e%252e%252fetc%252fpasswd'],
    ['double-encoded, anything', '/assets/%2541.js'],
    ['NUL byte (encoded)', '/index.html%00.png'],
    ['NUL byte (raw)', '/index.html\0.png'],
    ['backslash traversal', '/..\\..\\etc\\passwd'],
    ['encoded backslash traversal', '/..%5c..%5cetc'],
    ['absolute after the leading slash', '//etc/passwd'],
    ['encoded absolute', '/%2fetc%2fpasswd'],
    ['UNC path', '/\\\\host\\share\\x'],
    ['drive-absolute', '/C:/Windows/win.ini'],
    ['drive-relative', '/C:foo'],
    ['sibling-prefix directory', '/../renderer-evil/x.js'],
    ['malformed encoding', '/%E0%A4%A.js'],
    ['the root itself', '/.']
  ]
  it.each(rejected)('rejects %s', (_name, pathname) => {
    expect(resolveRendererPath(ROOT, pathname)).toBeNull()
  })

  const allowed: Array<[string, string, string]> = [
    ['empty path → index.html', '/', 'index.html'],
    ['index', '/index.html', 'index.html'],
    ['hashed asset', '/assets/index-Bx12.js', join('assets', 'index-Bx12.js')],
    ['name starting with two dots', '/..notes.md', '..notes.md'],
    ['nested dotted name', '/assets/..notes.md', join('assets', '..notes.md')],
    ['single dot segment', '/./index.html', 'index.html'],
    ['encoded space', '/assets/a%20b.css', join('assets', 'a b.css')]
  ]
  it.each(allowed)('allows %s', (_name, pathname, expected) => {
    expect(resolveRendererPath(ROOT, pathname)).toBe(join(ROOT, expected))
  })
})

describe('isPathInside', () => {
  it.each([
    [join(ROOT, 'index.html'), true],
    [join(ROOT, 'a', 'b.js'), true],
    [ROOT, true],
    [`${ROOT}-evil/x.js`, false],
    [resolve(ROOT, '..', 'main', 'index.js'), false],
    ['/etc/passwd', false]
  ])('%s → %s', (child, expected) => {
    expect(isPathInside(child, ROOT)).toBe(expected)
  })
})

describe('resolveServedFile and serveRendererRequest (real files)', () => {
  let base: string
  let root: string
  beforeAll(() => {
    base = mkdtempSync(join(tmpdir(), 'shepherd-protocol-'))
    root = join(base, 'renderer')
    mkdirSync(join(root, 'assets'), { recursive: true })
    mkdirSync(join(base, 'renderer-evil'))
    writeFileSync(join(root, 'index.html'), '<!doctype html><title>Shepherd</title>')
    writeFileSync(join(root, 'assets', 'app.js'), 'console.log(1)')
    writeFileSync(join(root, '..notes.md'), 'notes')
    writeFileSync(join(base, 'secret.txt'), 'secret')
    writeFileSync(join(base, 'renderer-evil', 'x.js'), 'evil')
    symlinkSync(join(base, 'secret.txt'), join(root, 'assets', 'link-out.txt'))
    symlinkSync(join(root, 'assets', 'app.js'), join(root, 'assets', 'link-in.js'))
  })
  afterAll(() => rmSync(base, { recursive: true, force: true }))

  it('serves files inside the root', async () => {
    expect(await resolveServedFile(root, '/assets/app.js')).toBe(join(root, 'assets', 'app.js'))
    expect(await resolveServedFile(root, '/..notes.md')).toBe(join(root, '..notes.md'))
  })

  it('rejects a symlink pointing outside the root, allows one pointing inside', async () => {
    expect(await resolveServedFile(root, '/assets/link-out.txt')).toBeNull()
    expect(await resolveServedFile(root, '/assets/link-in.js')).toBe(join(root, 'assets', 'app.js'))
  })

  it('rejects missing files and the sibling-prefix directory', async () => {
    expect(await resolveServedFile(root, '/missing.js')).toBeNull()
    expect(await resolveServedFile(root, '/../renderer-evil/x.js')).toBeNull()
    expect(await resolveServedFile(root, '/%2e%2e/renderer-evil/x.js')).toBeNull()
  })

  it('responds with the file, its type and the CSP header', async () => {
    const res = await serveRendererRequest(root, APP_INDEX_URL)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(res.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY)
    expect(res.headers.get('x-content-type-options')).toBe('nosniff')
    expect(await res.text()).toContain('<title>Shepherd</title>')
    const js = await serveRendererRequest(root, 'app://shepherd/assets/app.js')
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8')
  })

  it('answers 404 (still with CSP) for traversal, foreign hosts and bad URLs', async () => {
    for (const url of ['app://shepherd/%2e%2e%2fsecret.txt', 'app://other/index.html', 'app://shepherd/assets/link-out.txt', 'not a url']) {
      const res = await serveRendererRequest(root, url)
      expect(res.status, url).toBe(404)
      expect(res.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY)
    }
  })

  it('handleAppProtocol registers the handler for app: on the default session', async () => {
    handleAppProtocol(root)
    expect(fake.protocol.handle).toHaveBeenCalledWith('app', expect.any(Function))
    const handler = fake.protocol.handlers.get('app')!
    const res = await handler({ url: 'app://shepherd/assets/app.js' })
    expect(res.status).toBe(200)
  })
})

describe('scheme registration and CSP', () => {
  beforeEach(() => fake.resetFakeElectron())

  it('registers app: as standard, secure and fetch-capable', () => {
    registerAppSchemePrivileges()
    expect(fake.protocol.registerSchemesAsPrivileged).toHaveBeenCalledWith([
      { scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } }
    ])
  })

  it('the CSP is the production policy: no eval, no inline script', () => {
    expect(CONTENT_SECURITY_POLICY).toBe(
      "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: app:; " +
        "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'"
    )
    // Only our own origin: no other local port (ws://127.0.0.1:*) can be reached from the window.
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/ws:|127\.0\.0\.1|localhost|\*/)
    expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe-eval')
    const scriptSrc = CONTENT_SECURITY_POLICY.split('; ').find((d) => d.startsWith('script-src'))
    expect(scriptSrc).toBe("script-src 'self'")
  })
})
