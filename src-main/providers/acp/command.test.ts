import { describe, expect, it } from 'vitest'
import { settingsSchema, DEFAULT_SETTINGS } from '../../services/settings'
import { acpCommandProblem, acpCommandSchema, AcpCommandError, formatAcpCommand, parseAcpCommandLine } from './command'

describe('parseAcpCommandLine (no shell)', () => {
  it.each([
    ['opencode acp', ['opencode', 'acp']],
    ['  gemini   --experimental-acp  ', ['gemini', '--experimental-acp']],
    [`'/opt/my agent/bin/agent' --flag "two words" 'it''s'`, ['/opt/my agent/bin/agent', '--flag', 'two words', 'its']],
    [`agent --re 'a|b;c&d' "$HOME" '\`x\`'`, ['agent', '--re', 'a|b;c&d', '$HOME', '`x`']],
    [String.raw`agent a\ b "q\"x" 'back\slash'`, ['agent', 'a b', 'q"x', String.raw`back\slash`]],
    [`agent ''`, ['agent', '']],
    ['', []]
  ])('%s', (line, argv) => {
    expect(parseAcpCommandLine(line)).toEqual(argv)
  })

  it.each(['opencode acp | tee log', 'agent; rm -rf ~', 'agent && x', 'agent > out', 'agent $(whoami)', 'agent `id`', 'agent &'])(
    'refuses unquoted shell syntax: %s',
    (line) => {
      expect(() => parseAcpCommandLine(line)).toThrow(AcpCommandError)
      expect(() => parseAcpCommandLine(line)).toThrow(/without one/)
    }
  )

  it('refuses unclosed quotes and a trailing backslash', () => {
    expect(() => parseAcpCommandLine(`agent "x`)).toThrow(/Unclosed double quote/)
    expect(() => parseAcpCommandLine(`agent 'x`)).toThrow(/Unclosed single quote/)
    expect(() => parseAcpCommandLine('agent \\')).toThrow(/backslash/)
  })

  it('formatAcpCommand quotes only what needs it and round-trips', () => {
    const argv = ['/opt/my agent/agent', 'acp', "it's", '', '--x=a|b']
    const line = formatAcpCommand(argv)
    expect(line).toBe(`'/opt/my agent/agent' acp 'it'\\''s' '' '--x=a|b'`)
    expect(parseAcpCommandLine(line)).toEqual(argv)
  })
})

describe('acpCommandProblem', () => {
  it.each([
    [['opencode', 'acp'], null],
    [['/usr/local/bin/goose', 'acp'], null],
    [['C:\\Tools\\agent.exe'], null],
    [[], /Enter the command/],
    [['./agent'], /absolute path or a plain name/],
    [['bin/agent'], /absolute path or a plain name/],
    [['-rf'], /absolute path or a plain name/],
    [['agent', 'a\0b'], /NUL/],
    [['agent', 'a\nb'], /line breaks/],
    [['agent', 'x'.repeat(5000)], /4096/],
    [['agent', ...Array(64).fill('x')], /At most 64/]
  ])('%j', (argv, problem) => {
    const got = acpCommandProblem(argv as string[])
    if (problem === null) expect(got).toBeNull()
    else expect(got).toMatch(problem)
  })
})

describe('settings: providers.acp.command', () => {
  const withCommand = (command: unknown) => ({
    ...DEFAULT_SETTINGS,
    providers: { ...DEFAULT_SETTINGS.providers, acp: { ...DEFAULT_SETTINGS.providers.acp, command } }
  })

  it('is optional (defaults stay valid) and accepts argv or a command line', () => {
    expect(settingsSchema.safeParse(DEFAULT_SETTINGS).success).toBe(true)
    expect(settingsSchema.parse(withCommand(['opencode', 'acp'])).providers.acp.command).toEqual(['opencode', 'acp'])
    expect(settingsSchema.parse(withCommand(`'/opt/a b/agent' --acp`)).providers.acp.command).toEqual(['/opt/a b/agent', '--acp'])
    expect(acpCommandSchema.parse('goose acp')).toEqual(['goose', 'acp'])
  })

  it('rejects shell syntax, relative programs and empty commands with a message', () => {
    for (const bad of ['agent | x', './agent acp', '', [], ['rel/agent']]) {
      const r = settingsSchema.safeParse(withCommand(bad))
      expect(r.success).toBe(false)
      expect(r.error?.issues[0]?.path).toEqual(['providers', 'acp', 'command'])
    }
  })
})
