import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { AcpProvider, ACP_ENV_PASSTHROUGH } from './provider'

const dir = realpathSync(mkdtempSync(path.join(tmpdir(), 'shepherd-acp-provider-')))
const bin = path.join(dir, 'bin')
mkdirSync(bin)
afterAll(() => rmSync(dir, { recursive: true, force: true }))

// An executable `fake-acp` on a private PATH: a shell-less launcher for the scripted agent.
const FAKE = fileURLToPath(new URL('fixtures/fake-acp-agent.mjs', import.meta.url))
const launcher = path.join(bin, 'fake-acp')
writeFileSync(launcher, `#!${process.execPath}\nimport(${JSON.stringify(FAKE)})\n`)
chmodSync(launcher, 0o755)
const notExec = path.join(bin, 'not-exec')
copyFileSync(launcher, notExec)
chmodSync(notExec, 0o644)

describe('AcpProvider.detect', () => {
  it('without a configured command: not found, with a hint to set it', async () => {
    const d = await new AcpProvider().detect(null, bin)
    expect(d).toMatchObject({ found: false, path: null })
    expect(d.installHint).toMatch(/Settings → ACP/)
  })

  it('a bare name is looked up on PATH; an absolute path is checked; cliPath overrides argv[0]', async () => {
    expect(await new AcpProvider({ command: ['fake-acp', 'acp'] }).detect(null, `/nonexistent:${bin}`, { version: false })).toMatchObject({
      found: true,
      path: launcher
    })
    expect(await new AcpProvider({ command: ['fake-acp'] }).detect(null, '/nonexistent', { version: false })).toMatchObject({ found: false })
    expect(await new AcpProvider({ command: [launcher] }).detect(null, '', { version: false })).toMatchObject({ found: true, path: launcher })
    expect(await new AcpProvider({ command: [notExec] }).detect(null, '', { version: false })).toMatchObject({ found: false })
    expect(await new AcpProvider({ command: ['other-name', 'acp'] }).detect(launcher, '', { version: false })).toMatchObject({ found: true, path: launcher })
    expect(await new AcpProvider().detect('relative/agent', bin, { version: false })).toMatchObject({ found: false })
  })

  it('an invalid command (from hand-edited settings) is reported, not run', async () => {
    const d = await new AcpProvider({ command: () => ['./agent'] }).detect(null, bin)
    expect(d.found).toBe(false)
    expect(d.installHint).toMatch(/absolute path or a plain name/)
  })

  it('the version probe runs `initialize` only and learns what the agent supports', async () => {
    const p = new AcpProvider({ command: () => ['fake-acp'] })
    expect(p.capabilities).toEqual({
      interrupt: true,
      approvals: true,
      resume: false,
      fork: false,
      setModel: false,
      setPermissionMode: false,
      costKnown: false
    })
    const d = await p.detect(null, bin)
    expect(d).toMatchObject({ found: true, path: launcher, version: '9.9.9' })
    expect(p.agentInfo).toMatchObject({ name: 'Fake ACP', loadSession: true })
    // Resume is known from initialize; model/mode selection only once a session showed them.
    expect(p.capabilities).toMatchObject({ resume: true, fork: false, setModel: false, setPermissionMode: false })
  })

  it('a probe is not repeated for the same binary; a replaced binary is probed again', async () => {
    const starts = path.join(dir, 'starts.log')
    const counting = path.join(bin, 'counting-acp')
    const write = (tag: string) => {
      writeFileSync(counting, `#!/bin/sh\n# ${tag}\necho start >> '${starts}'\nexec '${launcher}' "$@"\n`)
      chmodSync(counting, 0o755)
    }
    write('v1')
    const p = new AcpProvider({ command: () => ['counting-acp'] })
    const runs = () => readFileSync(starts, 'utf8').trim().split('\n').length
    expect((await p.detect(null, bin)).version).toBe('9.9.9')
    expect((await p.detect(null, bin)).version).toBe('9.9.9')
    expect(runs()).toBe(1)
    write('v2, a different size')
    expect((await p.detect(null, bin)).version).toBe('9.9.9')
    expect(runs()).toBe(2)
  })

  it('a binary that does not speak ACP: found, no version', async () => {
    const script = path.join(bin, 'not-acp')
    writeFileSync(script, '#!/bin/sh\necho hello\n')
    chmodSync(script, 0o755)
    expect(await new AcpProvider({ command: ['not-acp'] }).detect(null, bin)).toMatchObject({ found: true, version: null })
  })
})

describe('AcpProvider.start', () => {
  it('runs argv[1..] after the detected binary and reports session capabilities back', async () => {
    const setup = {
      configOptions: [{ id: 'mode', name: 'Mode', category: 'mode', type: 'select', currentValue: 'build', options: [{ value: 'build', name: 'build' }] }]
    }
    const p = new AcpProvider({ command: ['fake-acp', 'some-arg'] })
    const d = await p.detect(null, bin, { version: false })
    const h = await p.start({
      sessionId: 's1',
      cwd: dir,
      model: null,
      permissionMode: 'default',
      systemPrompt: null,
      env: { PATH: bin, FAKE_ACP_SETUP: JSON.stringify(setup) },
      binaryPath: d.path as string
    })
    try {
      expect(h.cliSessionId).toBe('fake-1')
      expect(p.capabilities).toMatchObject({ resume: true, setPermissionMode: true, setModel: false })
      const cmdline = (await import('node:fs')).readFileSync(`/proc/${h.pid}/cmdline`, 'utf8').split('\0')
      expect(cmdline.slice(-2, -1)).toEqual(['some-arg'])
    } finally {
      await h.stop(500)
    }
  })

  it('passes agent variables through (XDG, OpenCode switches, API keys), never CLAUDECODE', () => {
    const p = new AcpProvider({ envPassthrough: ['MY_AGENT_HOME'] })
    expect(p.envPassthrough).toEqual(expect.arrayContaining(['XDG_DATA_HOME', 'OPENCODE_DISABLE_MODELS_FETCH', 'GEMINI_API_KEY', 'MY_AGENT_HOME']))
    expect(ACP_ENV_PASSTHROUGH).not.toContain('CLAUDECODE')
  })
})
