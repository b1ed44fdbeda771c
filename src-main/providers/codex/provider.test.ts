import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { CODEX_CAPABILITIES, CODEX_ENV_PASSTHROUGH, CODEX_INSTALL_HINT, CodexProvider } from './provider'

const dir = mkdtempSync(path.join(tmpdir(), 'shepherd-codex-provider-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function fakeBinary(sub: string, script = '#!/bin/sh\necho "codex-cli 0.169.0"\n'): string {
  const d = path.join(dir, sub)
  mkdirSync(d, { recursive: true })
  const file = path.join(d, 'codex')
  writeFileSync(file, script)
  chmodSync(file, 0o755)
  return file
}

describe('CodexProvider', () => {
  const provider = new CodexProvider()

  it('identity, capabilities (tokens only: cost unknown)', () => {
    expect(provider.id).toBe('codex')
    expect(provider.displayName).toBe('Codex')
    expect(provider.capabilities).toBe(CODEX_CAPABILITIES)
    expect(CODEX_CAPABILITIES).toEqual({
      interrupt: true,
      setModel: true,
      setPermissionMode: true,
      approvals: true,
      resume: true,
      fork: true,
      costKnown: false
    })
  })

  it('passes Codex-owned variables through, never the sandbox markers Codex sets for its children', () => {
    expect(provider.envPassthrough).toEqual(CODEX_ENV_PASSTHROUGH)
    expect(CODEX_ENV_PASSTHROUGH).toEqual(expect.arrayContaining(['CODEX_HOME', 'OPENAI_API_KEY', 'OPENAI_BASE_URL']))
    expect(CODEX_ENV_PASSTHROUGH.filter((k) => k.startsWith('CODEX_SANDBOX'))).toEqual([])
    expect(CODEX_ENV_PASSTHROUGH).not.toContain('PATH')
  })

  it.skipIf(process.platform === 'win32')('finds `codex` on PATH and reads its version', async () => {
    const bin = fakeBinary('on-path')
    const d = await provider.detect(null, ['relative/dir', path.join(dir, 'empty'), path.dirname(bin)].join(path.delimiter))
    expect(d).toEqual({ found: true, path: bin, version: '0.169.0', installHint: CODEX_INSTALL_HINT })
    expect((await provider.detect(null, path.dirname(bin), { version: false })).version).toBeNull()
  })

  it.skipIf(process.platform === 'win32')('a configured path wins; it must be absolute and executable', async () => {
    const bin = fakeBinary('configured')
    expect((await provider.detect(bin, '')).path).toBe(bin)
    expect((await provider.detect('codex', path.dirname(bin))).found).toBe(false)
    const notExec = path.join(dir, 'configured', 'plain')
    writeFileSync(notExec, 'x')
    expect(await provider.detect(notExec, '')).toEqual({ found: false, path: null, version: null, installHint: 'npm install -g @openai/codex' })
  })

  it('not found: the install hint', async () => {
    expect(await provider.detect(null, path.join(dir, 'nowhere'))).toEqual({
      found: false,
      path: null,
      version: null,
      installHint: 'npm install -g @openai/codex'
    })
  })

  it.skipIf(process.platform === 'win32')('a binary whose --version fails is found without a version', async () => {
    const bin = fakeBinary('broken', '#!/bin/sh\nexit 1\n')
    expect(await provider.detect(bin, '')).toMatchObject({ found: true, path: bin, version: null })
  })
})
