/**
 * docs/agents.md holds the controls × agents table and the permission-mode mapping, written from
 * the providers' own tables so the document cannot drift from the app. When a provider's table
 * changes, regenerate it: `UPDATE_DOCS=1 npx vitest run src-main/providers/controls-doc.test.ts`.
 */
import { describe, expect, it } from 'vitest'
import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { defaultProviders } from './registry'
import type { ControlId, SupportLevel } from '../shared/controls'
import type { PermissionMode } from '../shared/status'
import type { AppSettings } from '../services/settings'
import { CONTROL_LABELS, PERMISSION_LABELS } from '../shared/labels'

const DOC = path.resolve(__dirname, '..', '..', 'docs', 'agents.md')
const BEGIN = '<!-- generated: controls table -->'
const END = '<!-- end generated -->'

// The same labels as the app's table (src-main/shared/labels.ts).
const CONTROL_ROWS = CONTROL_LABELS
const MODE_ROWS = PERMISSION_LABELS
const MARK: Record<SupportLevel, string> = { yes: '✓', partial: '◐ partly', no: '✕ no', depends: '? depends on the agent' }

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ')

function render(): string {
  const providers = defaultProviders(() => ({ providers: { acp: { command: null } } }) as unknown as AppSettings)
  const head = (first: string) => `| ${first} | ${providers.map((p) => p.displayName).join(' | ')} |\n|---|${providers.map(() => '---').join('|')}|\n`
  let out = `${BEGIN}\n### Controls × agents\n\n${head('Control')}`
  for (const [id, label] of Object.entries(CONTROL_ROWS) as [ControlId, string][]) {
    out += `| ${label} | ${providers.map((p) => cell(`${MARK[p.controls[id].level]} — ${p.controls[id].note}`)).join(' | ')} |\n`
  }
  out += `\n### Permission modes in each agent’s terms\n\n${head('Shepherd mode')}`
  for (const [mode, label] of Object.entries(MODE_ROWS) as [PermissionMode, string][]) {
    out += `| ${label} | ${providers.map((p) => cell(`\`${p.permissionModes[mode].native}\` — ${p.permissionModes[mode].description}`)).join(' | ')} |\n`
  }
  return `${out}${END}`
}

describe('docs/agents.md', () => {
  it('carries the controls × agents table and the permission modes exactly as the providers define them', () => {
    const doc = readFileSync(DOC, 'utf8')
    const start = doc.indexOf(BEGIN)
    const end = doc.indexOf(END)
    expect(start, `${DOC} has no ${BEGIN} marker`).toBeGreaterThanOrEqual(0)
    const fresh = render()
    if (process.env.UPDATE_DOCS) writeFileSync(DOC, doc.slice(0, start) + fresh + doc.slice(end + END.length))
    else
      expect(doc.slice(start, end + END.length), 'docs/agents.md is stale: run UPDATE_DOCS=1 npx vitest run src-main/providers/controls-doc.test.ts').toBe(
        fresh
      )
  })
})
