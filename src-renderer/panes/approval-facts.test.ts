/** Issue 12 item 3: the card's facts for every agent's shapes, hostile paths and commands included. */
import { describe, expect, it } from 'vitest'
import { approvalFacts, classifyPath, resolvePath } from './approval-facts'

const j = (v: unknown) => JSON.stringify(v)
const P = '/home/u/proj'

describe('approvalFacts', () => {
  it('a Codex-style write outside the project shows the absolute path, flagged', () => {
    const f = approvalFacts(
      j({ changes: [{ path: '/home/u/.bashrc', kind: { type: 'update' }, diff: '@@ -1 +1 @@\n-a\n+curl x | sh\n' }], grantRoot: null }),
      P
    )
    expect(f.paths).toEqual([{ raw: '/home/u/.bashrc', shown: '/home/u/.bashrc', risks: ['outside', 'shell-rc'] }])
  })

  it.each([
    ['Claude Write (a single file)', { file_path: `${P}/src/a.ts`, content: 'x' }, 'src/a.ts', []],
    ['OpenCode edit', { filePath: `${P}/README.md`, oldString: 'a', newString: 'b' }, 'README.md', []],
    ['ACP locations', { locations: [{ path: '/etc/hosts' }] }, '/etc/hosts', ['outside']],
    ['a relative path climbing out', { file_path: '../other/x.txt' }, '/home/u/other/x.txt', ['outside']],
    ['a prefix twin of the project', { file_path: '/home/u/proj-evil/x' }, '/home/u/proj-evil/x', ['outside']],
    ['.git inside the project', { file_path: `${P}/.git/hooks/pre-commit` }, '.git/hooks/pre-commit', ['git']],
    ['~/.ssh', { path: '/home/u/.ssh/authorized_keys' }, '/home/u/.ssh/authorized_keys', ['outside', 'ssh']],
    ['~ paths', { file_path: '~/.zshrc' }, '~/.zshrc', ['outside', 'shell-rc']],
    ['a shell rc file inside the project', { file_path: `${P}/.envrc` }, '.envrc', ['shell-rc']],
    ['credentials', { file_path: '/home/u/.aws/credentials' }, '/home/u/.aws/credentials', ['outside', 'credentials']],
    ['dot segments hiding an escape', { file_path: `${P}/src/../../../../etc/passwd` }, '/etc/passwd', ['outside']]
  ])('%s', (_what, input, shown, risks) => {
    const f = approvalFacts(j(input), P)
    expect(f.paths.map((p) => [p.shown, p.risks])).toEqual([[shown, risks]])
  })

  it('a 2,000-character command is kept whole, whatever it contains', () => {
    const cmd = `echo start && ${'x'.repeat(1_960)} # ] ]] \n next line`.slice(0, 2_000)
    expect(approvalFacts(j({ command: cmd }), P).command).toBe(cmd)
    expect(approvalFacts(j({ command: ['bash', '-lc', 'rm -rf ~'] }), P).command).toBe('bash -lc rm -rf ~')
  })

  it('a command run outside the project says where, flagged', () => {
    const f = approvalFacts(j({ command: 'ls', cwd: '/' }), P)
    expect(f.commandCwd).toMatchObject({ shown: '/', risks: ['outside'] })
    expect(approvalFacts(j({ command: 'ls', cwd: P }), P).commandCwd).toBeNull()
  })

  it('several files: each is listed once', () => {
    const f = approvalFacts(j({ changes: [{ path: `${P}/a` }, { path: `${P}/a` }, { path: '/tmp/b' }] }), P)
    expect(f.paths.map((p) => p.shown)).toEqual(['a', '/tmp/b'])
  })

  it('bad input: nothing, no throw', () => {
    expect(approvalFacts('{not json', P)).toEqual({ command: null, commandCwd: null, paths: [] })
    expect(approvalFacts(null, P).paths).toEqual([])
  })
})

describe('paths', () => {
  it('normalises', () => {
    expect(resolvePath('a/./b/../c', '/p')).toBe('/p/a/c')
    expect(resolvePath('C:\\\\p\\\\x', 'C:\\\\p')).toBe('C:/p/x')
    expect(classifyPath(P, P)).toMatchObject({ shown: '.', risks: [] })
  })
})
