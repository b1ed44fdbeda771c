import { describe, expect, it } from 'vitest'
import { ShepherdError } from '../shared/errors'
import { buildChildEnv, DENIED_NAMES, DENIED_PREFIXES, extraEnvKeyProblem, extraEnvSchema, GIT_ALLOWED, parseExtraEnv, stripForbiddenEnv } from './child-env'
import { CLAUDE_ENV_PASSTHROUGH, claudeProviderEnv } from './claude/provider'
import { CODEX_ENV_PASSTHROUGH } from './codex/provider'
import { OPENCODE_ENV_PASSTHROUGH } from './opencode/provider'
import { ACP_ENV_PASSTHROUGH } from './acp/provider'

/** SEC-8: each of these keys must be refused with a message on that key. */
const REJECTED_KEYS = [
  'ANTHROPIC_API_KEY',
  'anthropic_base_url',
  'ClaudeCode',
  'CLAUDECODE',
  'CODEX_HOME',
  'OLLAMA_HOST',
  'NODE_OPTIONS',
  'node_options',
  'LD_PRELOAD',
  'LD_LIBRARY_PATH',
  'DYLD_INSERT_LIBRARIES',
  'ELECTRON_RUN_AS_NODE',
  'A=B',
  'FOO\n',
  '1ABC',
  ''
]

describe('extraEnvSchema', () => {
  it.each(REJECTED_KEYS)('SEC-8: rejects key %j with a field error', (key) => {
    const result = extraEnvSchema.safeParse({ OK_VAR: 'fine', [key]: 'x' })
    expect(result.success).toBe(false)
    const issues = result.error?.issues ?? []
    expect(issues).toHaveLength(1)
    expect(issues[0]?.path).toEqual([key])
    expect(issues[0]?.message.length).toBeGreaterThan(5)
  })

  it('accepts ordinary variables', () => {
    const env = { MY_TOKEN_DIR: '/tmp/x', _private: 'y', HTTPS_PROXY: 'http://127.0.0.1:3128', EMPTY: '' }
    expect(extraEnvSchema.parse(env)).toEqual(env)
  })

  it.each([
    ['newline', 'a\nb'],
    ['carriage return', 'a\rb'],
    ['NUL', 'a\0b'],
    ['over 8 KiB', 'x'.repeat(8 * 1024 + 1)],
    ['over 8 KiB in UTF-8 bytes', 'é'.repeat(4097)]
  ])('rejects a value with %s on its key', (_what, value) => {
    const result = extraEnvSchema.safeParse({ GOOD: 'ok', BAD: value })
    expect(result.error?.issues.map((i) => i.path)).toEqual([['BAD']])
  })

  it('accepts a value of exactly 8 KiB', () => {
    expect(extraEnvSchema.safeParse({ V: 'x'.repeat(8 * 1024) }).success).toBe(true)
  })

  it('rejects more than 64 keys and non-string values', () => {
    const many = Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`K${i}`, 'v']))
    expect(extraEnvSchema.safeParse(many).success).toBe(false)
    expect(extraEnvSchema.safeParse(Object.fromEntries(Object.entries(many).slice(0, 64))).success).toBe(true)
    const wrongType = extraEnvSchema.safeParse({ N: 5 })
    expect(wrongType.error?.issues[0]?.path).toEqual(['N'])
  })
})

describe('parseExtraEnv', () => {
  it('throws BAD_REQUEST with one message per offending key', () => {
    let error: unknown
    try {
      parseExtraEnv({ ANTHROPIC_API_KEY: 'k', LD_PRELOAD: '/x.so', FINE: '1', BAD_VALUE: 'a\nb' })
    } catch (err) {
      error = err
    }
    expect(error).toBeInstanceOf(ShepherdError)
    const e = error as ShepherdError
    expect(e.code).toBe('BAD_REQUEST')
    expect(Object.keys(e.fields ?? {}).sort()).toEqual(['ANTHROPIC_API_KEY', 'BAD_VALUE', 'LD_PRELOAD'])
    expect(e.message).toContain('ANTHROPIC_API_KEY')
  })
})

describe('buildChildEnv', () => {
  const parentEnv = {
    PATH: '/usr/bin:/bin',
    HOME: '/home/u',
    USER: 'u',
    LANG: 'en_US.UTF-8',
    LC_ALL: 'C.UTF-8',
    TMPDIR: '/tmp',
    CLAUDECODE: '1',
    CLAUDE_CODE_ENTRYPOINT: 'cli',
    ANTHROPIC_API_KEY: 'sk-parent-canary',
    AWS_SECRET_ACCESS_KEY: 'aws-canary',
    NODE_OPTIONS: '--require /evil.js',
    ELECTRON_RUN_AS_NODE: '1',
    SystemRoot: 'C:\\Windows',
    UNDEFINED_ONE: undefined
  }

  it('keeps only the allowlist, strips inherited CLAUDECODE / CLAUDE_CODE_ENTRYPOINT', () => {
    const env = buildChildEnv({ parentEnv, platform: 'linux' })
    expect(env).toEqual({ PATH: '/usr/bin:/bin', HOME: '/home/u', USER: 'u', LANG: 'en_US.UTF-8', LC_ALL: 'C.UTF-8', TMPDIR: '/tmp' })
  })

  it('adds Windows variables (case-insensitively) only on Windows', () => {
    const env = buildChildEnv({ parentEnv: { ...parentEnv, Path: 'C:\\bin', comspec: 'cmd.exe' }, platform: 'win32' })
    expect(env.SystemRoot).toBe('C:\\Windows')
    expect(env.Path).toBe('C:\\bin')
    expect(env.comspec).toBe('cmd.exe')
    expect(env.CLAUDECODE).toBeUndefined()
  })

  it('layers validated extra env, then provider env (the provider wins); strips CLAUDECODE from every layer', () => {
    const env = buildChildEnv({
      parentEnv,
      platform: 'linux',
      providerEnv: { ANTHROPIC_BASE_URL: 'http://127.0.0.1:1', LANG: 'C', CLAUDECODE: '1', claude_code_entrypoint: 'x' },
      extraEnv: { LANG: 'de_DE.UTF-8', MY_FLAG: 'on' }
    })
    expect(env.ANTHROPIC_BASE_URL).toBe('http://127.0.0.1:1')
    // What Shepherd sets for the provider is never overridden by the user's extra env.
    expect(env.LANG).toBe('C')
    expect(env.MY_FLAG).toBe('on')
    expect(env.CLAUDECODE).toBeUndefined()
    expect(env.claude_code_entrypoint).toBeUndefined()
    expect(env.ANTHROPIC_API_KEY).toBeUndefined()
  })

  it('re-validates extra env (defence in depth)', () => {
    expect(() => buildChildEnv({ parentEnv, extraEnv: { NODE_OPTIONS: '--inspect' } })).toThrow(ShepherdError)
  })

  it('stripForbiddenEnv is case-insensitive and does not mutate its input', () => {
    const input = { ClaudeCode: '1', CLAUDE_CODE_ENTRYPOINT: 'x', KEEP: 'y' }
    expect(stripForbiddenEnv(input)).toEqual({ KEEP: 'y' })
    expect(input.ClaudeCode).toBe('1')
  })
})

/** Issue 12 item 4: every refused name, each with its reason; what stays allowed; the provider always wins. */
describe('the refused list (code, trust, provider-managed)', () => {
  const issueNames = [
    'BASH_ENV',
    'ENV',
    'PERL5OPT',
    'PYTHONSTARTUP',
    'NODE_OPTIONS',
    'NODE_TLS_REJECT_UNAUTHORIZED',
    'GIT_SSH_COMMAND',
    'LD_PRELOAD',
    'DYLD_INSERT_LIBRARIES'
  ]
  const exact = Object.keys(DENIED_NAMES)
  const byPrefix = Object.keys(DENIED_PREFIXES).map((p) => `${p}X`)
  const hostile = [
    'GIT_CONFIG_COUNT',
    'GIT_CONFIG_KEY_0',
    'GIT_CONFIG_VALUE_0',
    'GIT_EXTERNAL_DIFF',
    'GIT_ASKPASS',
    'GIT_PROXY_COMMAND',
    'GIT_EXEC_PATH',
    'GIT_DIR',
    'GIT_SSL_NO_VERIFY',
    'BASH_FUNC_ls%%'.replace('%%', ''),
    'npm_config_script_shell',
    'npm_config_node_options',
    'ld_preload',
    'bash_env',
    'XDG_CONFIG_HOME',
    'OPENAI_BASE_URL',
    'OPENCODE_CONFIG_CONTENT',
    'OPENCODE_SERVER_PASSWORD',
    'CODEX_HOME',
    'CLAUDE_CONFIG_DIR'
  ]
  const everyProviderName = [
    ...CLAUDE_ENV_PASSTHROUGH,
    ...CODEX_ENV_PASSTHROUGH,
    ...OPENCODE_ENV_PASSTHROUGH,
    ...ACP_ENV_PASSTHROUGH,
    ...Object.keys(claudeProviderEnv({ apiKey: 'k', baseUrl: 'u' }))
  ]

  it.each([...new Set([...issueNames, ...exact, ...byPrefix, ...hostile, ...everyProviderName])])('refuses %s with a reason', (key) => {
    const problem = extraEnvKeyProblem(key)
    expect(problem).toMatch(
      new RegExp(
        `^${key} cannot be set here: (it makes shells or programs run code|it changes which servers|agent settings and API keys|it changes how programs load)`
      )
    )
    expect(extraEnvSchema.safeParse({ [key]: 'x' }).success).toBe(false)
  })

  it.each([
    'HTTPS_PROXY',
    'HTTP_PROXY',
    'NO_PROXY',
    'NODE_EXTRA_CA_CERTS',
    'JAVA_HOME',
    'GOPATH',
    'MY_PROJECT_FLAG',
    'PATH',
    'LANG',
    'SSH_AUTH_SOCK',
    'PYTHONUNBUFFERED',
    'ENVIRONMENT',
    'ENV_FILE',
    ...GIT_ALLOWED
  ])('allows %s', (key) => {
    expect(extraEnvKeyProblem(key)).toBeNull()
  })

  it("a provider variable wins over the user's extra env, also in another case on Windows", () => {
    // Stored before a rule existed (so not refused by validation): still overridden.
    const env = buildChildEnv({ parentEnv: {}, platform: 'win32', providerEnv: { MY_ENDPOINT: 'shepherd' }, extraEnv: { my_endpoint: 'user', OTHER: 'kept' } })
    expect(env).toEqual({ MY_ENDPOINT: 'shepherd', OTHER: 'kept' })
    const posix = buildChildEnv({ parentEnv: {}, platform: 'linux', providerEnv: { MY_ENDPOINT: 'shepherd' }, extraEnv: { MY_ENDPOINT: 'user' } })
    expect(posix.MY_ENDPOINT).toBe('shepherd')
  })

  it("Shepherd's own web token never reaches an agent (not inherited, cannot be added)", () => {
    const env = buildChildEnv({ parentEnv: { PATH: '/bin', SHEPHERD_TOKEN: 'secret-token-value', SHEPHERD_DATA_DIR: '/d' }, platform: 'linux' })
    expect(JSON.stringify(env)).not.toContain('secret-token-value')
    expect(extraEnvKeyProblem('SHEPHERD_TOKEN')).toMatch(/cannot be set here/)
  })
})
