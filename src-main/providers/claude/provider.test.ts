import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { ProviderEvent, StartOptions } from '../types'
import { buildClaudeArgs, ClaudeProvider } from './provider'
import { findOnPath } from '../scaffold/cli'

const POSIX = process.platform !== 'win32'
const dir = mkdtempSync(join(tmpdir(), 'shepherd-claude-provider-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** A fake `claude` (node script) that prints its argv and env as one `probe` line, or a version. */
function fakeClaude(folder: string): string {
  mkdirSync(folder, { recursive: true })
  const file = join(folder, 'claude')
  writeFileSync(
    file,
    `#!${process.execPath}
if (process.argv[2] === '--version') { console.log('2.1.330 (Claude Code)'); process.exit(0) }
console.log(JSON.stringify({ type: 'probe', argv: process.argv.slice(2), env: process.env }))
process.stdin.resume(); process.stdin.on('end', () => process.exit(0))
`
  )
  chmodSync(file, 0o755)
  return file
}

const base: Pick<StartOptions, 'model' | 'permissionMode' | 'systemPrompt' | 'resumeCliSessionId' | 'fork'> = {
  model: null,
  permissionMode: 'default',
  systemPrompt: null,
  resumeCliSessionId: null,
  fork: false
}
const STREAM = [
  '-p',
  '--output-format',
  'stream-json',
  '--input-format',
  'stream-json',
  '--verbose',
  '--permission-prompt-tool',
  'stdio',
  '--include-partial-messages',
  '--forward-subagent-text'
]

describe('buildClaudeArgs', () => {
  it('minimal: stream-json both ways, stdio approvals, explicit permission mode', () => {
    expect(buildClaudeArgs(base)).toEqual([...STREAM, '--permission-mode=default'])
  })

  it('model, system prompt, resume + fork; user values stay single `--flag=value` elements', () => {
    const args = buildClaudeArgs({
      ...base,
      model: '-p',
      permissionMode: 'plan',
      systemPrompt: '--dangerously-skip-permissions\nbe brief',
      resumeCliSessionId: 'abc',
      fork: true
    })
    expect(args).toEqual([
      ...STREAM,
      '--model=-p',
      '--permission-mode=plan',
      '--append-system-prompt=--dangerously-skip-permissions\nbe brief',
      '--resume=abc',
      '--fork-session'
    ])
    expect(args).not.toContain('--dangerously-skip-permissions')
  })

  it('bypassPermissions is allowed explicitly, never via --dangerously-skip-permissions', () => {
    const args = buildClaudeArgs({ ...base, permissionMode: 'bypassPermissions' })
    expect(args.slice(STREAM.length)).toEqual(['--allow-dangerously-skip-permissions', '--permission-mode=bypassPermissions'])
  })

  it('fork without resume is ignored', () => {
    expect(buildClaudeArgs({ ...base, fork: true })).not.toContain('--fork-session')
  })
})

describe.runIf(POSIX)('ClaudeProvider.detect', () => {
  const bin = join(dir, 'bin')
  const claude = fakeClaude(bin)
  const provider = new ClaudeProvider()

  it('finds claude on PATH (skipping empty and relative entries) and reads its version', async () => {
    const result = await provider.detect(null, ['', 'relative/bin', join(dir, 'nothing-here'), bin].join(':'))
    expect(result).toEqual({ found: true, path: claude, version: '2.1.330', installHint: 'npm install -g @anthropic-ai/claude-code' })
  })

  it('uses the configured path instead of PATH', async () => {
    expect((await provider.detect(claude, '')).path).toBe(claude)
    expect(await provider.detect(join(dir, 'missing', 'claude'), bin)).toMatchObject({ found: false, path: null })
    expect(await provider.detect('bin/claude', bin)).toMatchObject({ found: false })
  })

  it('reports not found with the install hint', async () => {
    const result = await provider.detect(null, join(dir, 'nothing-here'))
    expect(result).toEqual({ found: false, path: null, version: null, installHint: expect.stringContaining('@anthropic-ai/claude-code') })
  })

  it('ignores directories and non-executable files named claude', () => {
    mkdirSync(join(dir, 'd1', 'claude'), { recursive: true })
    mkdirSync(join(dir, 'd2'), { recursive: true })
    writeFileSync(join(dir, 'd2', 'claude'), 'text')
    expect(findOnPath('claude', [join(dir, 'd1'), join(dir, 'd2')].join(':'))).toBeNull()
  })
})

describe.runIf(POSIX)('ClaudeProvider.start', () => {
  const provider = new ClaudeProvider()
  const opts = (binaryPath: string): StartOptions => ({
    ...base,
    sessionId: 's1',
    cwd: dir,
    model: 'claude-x',
    env: { PATH: process.env.PATH ?? '', CLAUDECODE: '1', CLAUDE_CODE_ENTRYPOINT: 'cli', MY_VAR: 'kept' },
    binaryPath
  })

  it('spawns with the built argv and an env without CLAUDECODE / CLAUDE_CODE_ENTRYPOINT', async () => {
    const handle = await provider.start(opts(fakeClaude(join(dir, 'start'))))
    const probe = await new Promise<{ argv: string[]; env: Record<string, string> }>((resolve) => {
      handle.onEvent((e: ProviderEvent) => {
        if (e.kind === 'raw' && e.stream === 'unknown') resolve(JSON.parse(e.data) as { argv: string[]; env: Record<string, string> })
      })
    })
    expect(probe.argv).toEqual([...STREAM, '--model=claude-x', '--permission-mode=default'])
    expect(probe.env.MY_VAR).toBe('kept')
    // The CLI sends session_state_changed (the turn-over signal) only when asked this way.
    expect(probe.env.CLAUDE_CODE_SDK_READS_SESSION_STATE).toBe('1')
    expect(probe.env.CLAUDECODE).toBeUndefined()
    expect(probe.env.CLAUDE_CODE_ENTRYPOINT).toBeUndefined()
    expect(handle.pid).toBeGreaterThan(0)
    await handle.stop(2000)
  })

  it('a missing binary → AGENT_NOT_FOUND naming the install command', async () => {
    await expect(provider.start(opts(join(dir, 'no', 'claude')))).rejects.toMatchObject({
      code: 'AGENT_NOT_FOUND',
      message: expect.stringContaining('npm install -g @anthropic-ai/claude-code')
    })
  })
})
