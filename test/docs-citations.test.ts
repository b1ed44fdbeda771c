/**
 * The repository explains itself: every fault id the code and tests cite (CP-3, DB-5, SEC-7, …) is
 * defined in docs/fault-catalogue.md, and every docs/ file they cite exists.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'

const ROOT = join(import.meta.dirname, '..')
const DIRS = ['src-main', 'src-preload', 'src-renderer', 'test', 'e2e', 'bench', 'scripts']

function* sources(dir: string): Generator<string> {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'node_modules' || e.name === 'generated' || e.name === 'fixtures') continue
    const p = join(dir, e.name)
    if (e.isDirectory()) yield* sources(p)
    else if (/\.(ts|mts|mjs|svelte)$/.test(e.name) && statSync(p).size < 1_000_000) yield p
  }
}

describe('docs cited by the code', () => {
  const files = DIRS.filter((d) => existsSync(join(ROOT, d))).flatMap((d) => [...sources(join(ROOT, d))])
  const catalogue = readFileSync(join(ROOT, 'docs/fault-catalogue.md'), 'utf8')
  const defined = new Set([...catalogue.matchAll(/^\| ((?:CP|FR|BP|DB|SEC)-\d+) \|/gm)].map((m) => m[1]))

  it('every cited fault id is defined in docs/fault-catalogue.md', () => {
    const missing: string[] = []
    for (const f of files) {
      for (const m of readFileSync(f, 'utf8').matchAll(/\b(?:CP|FR|BP|DB|SEC)-\d+\b/g)) {
        if (!defined.has(m[0])) missing.push(`${relative(ROOT, f)}: ${m[0]}`)
      }
    }
    expect(defined.size).toBeGreaterThan(30)
    expect(missing).toEqual([])
  })

  it('every cited docs/ file exists', () => {
    const missing: string[] = []
    for (const f of files) {
      for (const m of readFileSync(f, 'utf8').matchAll(/\bdocs\/[\w.-]+\.md\b/g)) {
        if (!existsSync(join(ROOT, m[0]))) missing.push(`${relative(ROOT, f)}: ${m[0]}`)
      }
    }
    expect(missing).toEqual([])
  })
})
