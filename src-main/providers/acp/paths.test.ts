import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { isWithin, PathOutsideProjectError, resolveInsideProject } from './paths'

let base: string
let proj: string
let sibling: string
let outside: string

beforeAll(() => {
  base = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'shepherd-acp-paths-')))
  proj = path.join(base, 'proj')
  sibling = path.join(base, 'proj-evil') // shares the prefix "proj"
  outside = path.join(base, 'outside')
  for (const d of [proj, sibling, outside, path.join(proj, 'sub')]) mkdirSync(d, { recursive: true })
  writeFileSync(path.join(proj, 'a.txt'), 'a')
  writeFileSync(path.join(proj, '..notes.md'), 'dots')
  writeFileSync(path.join(proj, 'sub', 'b.txt'), 'b')
  writeFileSync(path.join(sibling, 'secret.txt'), 's')
  writeFileSync(path.join(outside, 'secret.txt'), 's')
  symlinkSync(path.join(outside, 'secret.txt'), path.join(proj, 'link-out.txt'))
  symlinkSync(outside, path.join(proj, 'dir-out'))
  symlinkSync(path.join(proj, 'a.txt'), path.join(proj, 'link-in.txt'))
  symlinkSync(path.join(outside, 'missing.txt'), path.join(proj, 'dangling.txt'))
})
afterAll(() => rmSync(base, { recursive: true, force: true }))

type Row = [label: string, requested: () => string, mustExist: boolean, expected: (() => string) | 'reject']

const rows: Row[] = [
  ['file in the project', () => path.join(proj, 'a.txt'), true, () => path.join(proj, 'a.txt')],
  ['file in a subfolder', () => path.join(proj, 'sub', 'b.txt'), true, () => path.join(proj, 'sub', 'b.txt')],
  ['relative path (taken from the project)', () => 'sub/b.txt', true, () => path.join(proj, 'sub', 'b.txt')],
  ['"..notes.md" is a name, not a parent', () => path.join(proj, '..notes.md'), true, () => path.join(proj, '..notes.md')],
  ['sub/../a.txt stays inside', () => path.join(proj, 'sub', '..', 'a.txt'), true, () => path.join(proj, 'a.txt')],
  ['symlink to a file inside', () => path.join(proj, 'link-in.txt'), true, () => path.join(proj, 'a.txt')],
  ['../ escapes', () => path.join(proj, '..', 'outside', 'secret.txt'), true, 'reject'],
  ['relative ../ escapes', () => '../outside/secret.txt', true, 'reject'],
  ['absolute path outside', () => path.join(outside, 'secret.txt'), true, 'reject'],
  ['/etc/passwd', () => '/etc/passwd', true, 'reject'],
  ['sibling folder sharing the prefix', () => path.join(sibling, 'secret.txt'), true, 'reject'],
  ['symlink to a file outside', () => path.join(proj, 'link-out.txt'), true, 'reject'],
  ['through a symlinked folder outside', () => path.join(proj, 'dir-out', 'secret.txt'), true, 'reject'],
  ['the project folder itself', () => proj, true, 'reject'],
  ['missing file (read)', () => path.join(proj, 'nope.txt'), true, 'reject'],
  ['new file (write)', () => path.join(proj, 'new.txt'), false, () => path.join(proj, 'new.txt')],
  ['new file in new folders (write)', () => path.join(proj, 'x', 'y', 'z.txt'), false, () => path.join(proj, 'x', 'y', 'z.txt')],
  ['"..notes.md" (write)', () => path.join(proj, '..notes.md'), false, () => path.join(proj, '..notes.md')],
  ['new file outside (write)', () => path.join(outside, 'new.txt'), false, 'reject'],
  ['new file via ../ (write)', () => path.join(proj, '..', 'new.txt'), false, 'reject'],
  ['new file in the sibling (write)', () => path.join(sibling, 'new.txt'), false, 'reject'],
  ['new file through a symlinked folder (write)', () => path.join(proj, 'dir-out', 'new.txt'), false, 'reject'],
  ['new folders under a symlinked folder (write)', () => path.join(proj, 'dir-out', 'deep', 'new.txt'), false, 'reject'],
  ['existing symlink to outside (write)', () => path.join(proj, 'link-out.txt'), false, 'reject'],
  ['dangling symlink (write)', () => path.join(proj, 'dangling.txt'), false, 'reject'],
  ['NUL byte', () => path.join(proj, 'a.txt\0.png'), false, 'reject']
]

describe('resolveInsideProject', () => {
  it.each(rows)('%s', (_label, requested, mustExist, expected) => {
    if (expected === 'reject') {
      expect(() => resolveInsideProject(proj, requested(), { mustExist })).toThrow(PathOutsideProjectError)
    } else {
      expect(resolveInsideProject(proj, requested(), { mustExist })).toBe(expected())
    }
  })

  it('accepts the project folder itself only when asked (terminal cwd)', () => {
    expect(resolveInsideProject(proj, proj, { mustExist: true, allowRoot: true })).toBe(proj)
    expect(resolveInsideProject(proj, path.join(proj, 'sub'), { mustExist: true, allowRoot: true })).toBe(path.join(proj, 'sub'))
    expect(() => resolveInsideProject(proj, sibling, { mustExist: true, allowRoot: true })).toThrow(/outside/)
  })

  it('says "outside" for escaping paths and "does not exist" for missing ones inside', () => {
    expect(() => resolveInsideProject(proj, '/nonexistent/x', { mustExist: true })).toThrow(/outside/)
    expect(() => resolveInsideProject(proj, path.join(proj, 'nope.txt'), { mustExist: true })).toThrow(/does not exist/)
  })
})

describe('isWithin', () => {
  it('needs a separator after the root', () => {
    expect(isWithin('/a/proj', '/a/proj')).toBe(true)
    expect(isWithin('/a/proj', '/a/proj/x')).toBe(true)
    expect(isWithin('/a/proj', '/a/proj-evil/x')).toBe(false)
    expect(isWithin('/a/proj', '/a/projx')).toBe(false)
    expect(isWithin('/a/proj/', '/a/proj/x')).toBe(true)
    expect(isWithin('/', '/etc')).toBe(true)
  })
})
