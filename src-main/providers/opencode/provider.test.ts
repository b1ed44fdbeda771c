import { describe, expect, it } from 'vitest'
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { PERMISSION_MODES } from '../../shared/status'
import {
  OPENCODE_CAPABILITIES,
  OPENCODE_ENV_PASSTHROUGH,
  OPENCODE_INSTALL_HINT,
  OPENCODE_PERMISSION_MODES,
  OpenCodeProvider,
  permissionRules
} from './provider'
import { parseModel } from './handle'

describe('OpenCode permission modes', () => {
  it('maps every Shepherd mode to edit + bash rules, each with a one-line description', () => {
    for (const mode of PERMISSION_MODES) {
      const m = OPENCODE_PERMISSION_MODES[mode]
      expect(m.description).toMatch(/\S/)
      expect(m.description).not.toContain('\n')
      // Same keys in every mode: PATCH appends and the last matching rule wins.
      expect(m.rules.map((r) => `${r.permission}:${r.pattern}`).sort()).toEqual(['bash:*', 'edit:*'])
    }
    const action = (mode: (typeof PERMISSION_MODES)[number], key: string) => permissionRules(mode).find((r) => r.permission === key)?.action
    expect([action('default', 'edit'), action('default', 'bash')]).toEqual(['ask', 'ask'])
    expect([action('acceptEdits', 'edit'), action('acceptEdits', 'bash')]).toEqual(['allow', 'ask'])
    expect([action('plan', 'edit'), action('plan', 'bash')]).toEqual(['deny', 'deny'])
    expect([action('bypassPermissions', 'edit'), action('bypassPermissions', 'bash')]).toEqual(['allow', 'allow'])
    // Copies: a caller cannot change the table.
    permissionRules('default')[0]!.action = 'allow'
    expect(action('default', 'edit')).toBe('ask')
  })
})

describe('OpenCode provider', () => {
  it('parses provider/model (the model id may contain slashes)', () => {
    expect(parseModel('fake/fake-model-2')).toEqual({ providerID: 'fake', modelID: 'fake-model-2' })
    expect(parseModel('openrouter/anthropic/claude-x')).toEqual({ providerID: 'openrouter', modelID: 'anthropic/claude-x' })
    expect(parseModel('gpt-5')).toBeNull()
    expect(parseModel('/x')).toBeNull()
    expect(parseModel('x/')).toBeNull()
  })

  it('declares its capabilities and passes OpenCode’s own variables, never the server password', () => {
    expect(OPENCODE_CAPABILITIES).toEqual({
      interrupt: true,
      setModel: true,
      setPermissionMode: true,
      approvals: true,
      resume: true,
      fork: true,
      costKnown: true
    })
    expect(OPENCODE_ENV_PASSTHROUGH).toEqual(
      expect.arrayContaining(['OPENCODE_CONFIG', 'OPENCODE_CONFIG_CONTENT', 'OPENCODE_DISABLE_MODELS_FETCH', 'XDG_DATA_HOME', 'OPENAI_API_KEY'])
    )
    expect(OPENCODE_ENV_PASSTHROUGH.some((k) => k.startsWith('OPENCODE_SERVER_'))).toBe(false)
    expect(OPENCODE_INSTALL_HINT).toBe('npm install -g opencode-ai')
  })

  it('detects the binary on PATH or at the configured path, with the install hint when missing', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'oc-detect-'))
    try {
      const bin = path.join(dir, 'opencode')
      writeFileSync(bin, '#!/bin/sh\necho 9.8.7\n')
      chmodSync(bin, 0o755)
      const p = new OpenCodeProvider()
      expect(await p.detect(null, `/nonexistent${path.delimiter}${dir}`)).toEqual({
        found: true,
        path: bin,
        version: '9.8.7',
        installHint: OPENCODE_INSTALL_HINT
      })
      expect(await p.detect(bin, '', { version: false })).toMatchObject({ found: true, path: bin, version: null })
      expect(await p.detect('relative/opencode', dir)).toMatchObject({ found: false, installHint: OPENCODE_INSTALL_HINT })
      expect(await p.detect(null, '/nonexistent')).toMatchObject({ found: false, path: null })
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
