/**
 * src-main/shared/ is imported by the renderer as values: it must stay pure TypeScript (no Node, no
 * Electron, nothing outside shared/), and its vocabularies must cover every id they describe.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { PERMISSION_LABELS, PERMISSION_SHORT, PROVIDER_NAMES } from './labels'
import { SETTING_DEFAULTS, SETTING_LIMITS } from './settings'
import { ACTIVE_STATUSES, BUSY_STATUSES, FINAL_STATUSES, PERMISSION_MODES, PROVIDER_IDS, SESSION_STATUSES, isBusy, isFinished, isLive } from './status'

describe('src-main/shared', () => {
  it('imports only from shared/ itself (no Node, no Electron, no other room)', () => {
    const dir = import.meta.dirname
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.ts') && !n.endsWith('.test.ts'))) {
      const src = readFileSync(join(dir, f), 'utf8')
      for (const m of src.matchAll(/^\s*(?:import|export)\b[^'"\n]*?from\s+['"]([^'"]+)['"]/gm)) {
        expect(m[1], `${f} imports ${m[1]}`).toMatch(/^\.\/[\w-]+$/)
      }
      const code = src.replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '') // comments may name anything
      expect(code, f).not.toMatch(/\brequire\(|\bprocess\.|\bBuffer\b/)
    }
  })

  it('labels every provider and permission mode', () => {
    expect(Object.keys(PROVIDER_NAMES).sort()).toEqual([...PROVIDER_IDS].sort())
    expect(Object.keys(PERMISSION_LABELS).sort()).toEqual([...PERMISSION_MODES].sort())
    expect(Object.keys(PERMISSION_SHORT).sort()).toEqual([...PERMISSION_MODES].sort())
  })

  it('status groups: busy ⊂ live, live and final split every status', () => {
    for (const s of BUSY_STATUSES) expect(ACTIVE_STATUSES).toContain(s)
    expect([...ACTIVE_STATUSES, ...FINAL_STATUSES].sort()).toEqual([...SESSION_STATUSES].sort())
    for (const s of SESSION_STATUSES) {
      expect(isLive(s)).toBe(!isFinished(s))
      if (isBusy(s)) expect(isLive(s)).toBe(true)
    }
    expect(isBusy('idle')).toBe(false)
    expect(isBusy('waiting_approval')).toBe(true)
  })

  it('defaults lie within the limits', () => {
    for (const k of ['stallThresholdMs', 'retentionCount', 'retentionDays', 'maxConcurrentSessions'] as const) {
      expect(SETTING_DEFAULTS[k]).toBeGreaterThanOrEqual(SETTING_LIMITS[k].min)
      expect(SETTING_DEFAULTS[k]).toBeLessThanOrEqual(SETTING_LIMITS[k].max)
    }
  })
})
