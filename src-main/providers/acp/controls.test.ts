import { describe, expect, it } from 'vitest'
import { acpControls } from './controls'
import type { AcpAgentInfo } from './handle'

const info = (over: Partial<AcpAgentInfo> = {}): AcpAgentInfo => ({
  name: 'OpenCode',
  version: '1.0.0',
  loadSession: false,
  resume: false,
  fork: false,
  canSetModel: null,
  canSetMode: null,
  costKnown: false,
  ...over
})

describe('ACP controls table', () => {
  it('before the agent was asked, what depends on it says so', () => {
    const c = acpControls(null)
    for (const id of ['model', 'permissionMode', 'resume', 'fork', 'cost'] as const) expect(c[id].level).toBe('depends')
    expect(c.interrupt.level).toBe('yes')
    expect(c.denyReason.level).toBe('no')
  })

  it('after a probe and a session it says what this agent offers', () => {
    const none = acpControls(info({ canSetModel: false, canSetMode: false }))
    expect(none.resume).toMatchObject({ level: 'no', note: expect.stringContaining('OpenCode cannot load or resume') })
    expect(none.fork.level).toBe('no')
    expect(none.model).toMatchObject({ level: 'no', note: expect.stringContaining('agent’s own configuration') })
    expect(none.permissionMode.level).toBe('no')

    const all = acpControls(info({ loadSession: true, fork: true, canSetModel: true, canSetMode: true, costKnown: true }))
    expect(all.resume).toMatchObject({ level: 'yes', note: expect.stringContaining('session/load') })
    expect(all.fork.level).toBe('yes')
    expect(all.model.level).toBe('partial')
    expect(all.permissionMode.level).toBe('partial')
    expect(all.cost.level).toBe('yes')
  })

  it('a session that showed no model choice is a definite no even when the probe knew nothing of it', () => {
    // canSetModel null (probe only) → depends; false (a session showed none) → no.
    expect(acpControls(info()).model.level).toBe('depends')
    expect(acpControls(info({ canSetModel: false })).model.level).toBe('no')
  })
})
