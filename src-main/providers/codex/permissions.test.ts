import { describe, expect, it } from 'vitest'
import { PERMISSION_MODES } from '../../shared/status'
import { CODEX_PERMISSION_MODES, codexPermission, sandboxPolicyFor } from './permissions'

describe('Codex permission modes', () => {
  it('maps every Shepherd mode, with a one-line description for the UI', () => {
    expect(Object.keys(CODEX_PERMISSION_MODES).sort()).toEqual([...PERMISSION_MODES].sort())
    for (const mode of PERMISSION_MODES) {
      const d = CODEX_PERMISSION_MODES[mode].description
      expect(d.length).toBeGreaterThan(10)
      expect(d).not.toContain('\n')
    }
  })

  it('matches the agreed mapping', () => {
    expect(Object.fromEntries(PERMISSION_MODES.map((m) => [m, [codexPermission(m).approvalPolicy, codexPermission(m).sandbox]]))).toEqual({
      default: ['untrusted', 'workspace-write'],
      acceptEdits: ['on-request', 'workspace-write'],
      plan: ['untrusted', 'read-only'],
      bypassPermissions: ['never', 'danger-full-access']
    })
  })

  it('builds turn/start sandbox policies, preferring the ones Codex reported', () => {
    expect(sandboxPolicyFor('read-only')).toEqual({ type: 'readOnly', networkAccess: false })
    expect(sandboxPolicyFor('danger-full-access')).toEqual({ type: 'dangerFullAccess' })
    expect(sandboxPolicyFor('workspace-write')).toEqual({
      type: 'workspaceWrite',
      writableRoots: [],
      networkAccess: false,
      excludeTmpdirEnvVar: false,
      excludeSlashTmp: false
    })
    const mine = { type: 'workspaceWrite' as const, writableRoots: ['/data'], networkAccess: true, excludeTmpdirEnvVar: true, excludeSlashTmp: false }
    expect(sandboxPolicyFor('workspace-write', new Map([['workspaceWrite', mine]]))).toBe(mine)
  })
})
