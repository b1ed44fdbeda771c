// Electron security lint (`npm test` step): Doyensec's Electronegativity (pinned in devDependencies)
// over the app's own sources — main, preload and renderer together, so its global checks (CSP,
// navigation limits, permission handler) see the whole app — with no network (scripts/lib/offline-got.cjs).
// Every finding must be fixed or justified in security/electronegativity.json (check id + file, and
// why); a justification that no longer matches a finding fails too, so the file stays true.
// Usage: node scripts/electron-lint.mjs   (exit 0 = nothing unjustified)
import { spawnSync } from 'node:child_process'
import { cpSync, mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { root } from './lib.mjs'

const BIN = join(root, 'node_modules/@doyensec/electronegativity/dist/index.js')
const JUSTIFIED = join(root, 'security/electronegativity.json')
const SOURCES = ['src-main', 'src-preload', 'src-renderer']
// Test code, generated protocol types and fixtures are not the app.
const skip = (p) => /\.test\.ts$|__snapshots__|[/\\]fixtures[/\\]?|[/\\]generated[/\\]?/.test(p)

/** RFC 4180-ish: quoted fields with doubled quotes, commas and newlines inside. */
export function parseCsv(text) {
  const rows = []
  let row = []
  let field = ''
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"'
        i++
      } else if (c === '"') quoted = false
      else field += c
    } else if (c === '"') quoted = true
    else if (c === ',') {
      row.push(field.trim())
      field = ''
    } else if (c === '\n') {
      row.push(field.trim())
      rows.push(row)
      row = []
      field = ''
    } else if (c !== '\r') field += c
  }
  if (field !== '' || row.length) {
    row.push(field.trim())
    rows.push(row)
  }
  return rows
}

function main() {
  if (!existsSync(BIN)) {
    console.error('Electronegativity is not installed (npm install)')
    return 1
  }
  const electron = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).devDependencies.electron
  const stage = mkdtempSync(join(tmpdir(), 'shepherd-electron-lint-'))
  try {
    for (const d of SOURCES) cpSync(join(root, d), join(stage, d), { recursive: true, filter: (p) => !skip(p) })
    cpSync(join(root, 'package.json'), join(stage, 'package.json'))
    const out = join(stage, 'findings.csv')
    // The package.json check always reports the Electron version: without it the scan did not run
    // over the sources (seen once in ~20 runs: an empty report), so it is run again, up to 3 times.
    let findings = []
    for (let attempt = 1; attempt <= 3; attempt++) {
      rmSync(out, { force: true })
      const r = spawnSync(
        process.execPath,
        [
          '-r',
          join(root, 'scripts/lib/offline-got.cjs'),
          BIN,
          '-i',
          stage,
          '-e',
          electron,
          '-r',
          '-v',
          'false',
          // The one check that needs the network (Electron release notes from GitHub).
          '-x',
          'AvailableSecurityFixesGlobalCheck',
          '-o',
          out
        ],
        { cwd: root, encoding: 'utf8', timeout: 300_000 }
      )
      if (r.status !== 0 || !existsSync(out)) {
        console.error(`electronegativity failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`)
        return 1
      }
      const [, ...rows] = parseCsv(readFileSync(out, 'utf8'))
      findings = rows
        .filter((x) => x.length >= 5)
        .map(([check, severity, confidence, file, location, sample]) => ({ check, severity, confidence, file: file.replace(/\\/g, '/'), location, sample }))
      if (findings.some((f) => f.check === 'ELECTRON_VERSION_JSON_CHECK')) break
      if (attempt === 3) {
        console.error('electronegativity produced an empty report three times')
        return 1
      }
    }
    const justified = JSON.parse(readFileSync(JUSTIFIED, 'utf8')).findings
    const key = (f) => `${f.check} ${f.file}`
    const known = new Map(justified.map((j) => [key(j), j]))
    const open = findings.filter((f) => !known.has(key(f)))
    const stale = justified.filter((j) => !findings.some((f) => key(f) === key(j)))
    console.log(
      `Electronegativity (Electron ${electron}): ${findings.length} finding(s), ${findings.length - open.length} justified in security/electronegativity.json`
    )
    for (const f of findings) if (known.has(key(f))) console.log(`  ok   ${f.check} ${f.file}:${f.location} — ${known.get(key(f)).why.slice(0, 100)}…`)
    for (const f of open) console.log(`  OPEN ${f.check} [${f.severity}/${f.confidence}] ${f.file}:${f.location} ${f.sample ?? ''}`)
    for (const j of stale) console.log(`  STALE justification (no such finding any more): ${key(j)}`)
    return open.length === 0 && stale.length === 0 ? 0 : 1
  } finally {
    rmSync(stage, { recursive: true, force: true })
  }
}

if (import.meta.url === `file://${process.argv[1]}`) process.exit(main())
