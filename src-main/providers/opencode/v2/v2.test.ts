/** OpenCode 2's pure parts: version → driver, Shepherd's answers per mode, the inline config, the merged controls table. */
import { describe, expect, it } from 'vitest'
import { acpAgentMode, autoDecision, configContent, toolClass } from './permissions'
import { isOpenCode2, majorOf } from './version'
import { withOpenCode2Controls, withOpenCode2Modes } from './controls'
import { OPENCODE_CONTROLS, OPENCODE_PERMISSION_MAP } from '../controls'
import { mergeCustomFields, notShownRow, splitCustomAnswer } from './questions'
import { questionField } from '../../../shared/questions'

describe('OpenCode version → driver', () => {
  it('2.x and later over ACP; 1.x, unreadable and fake versions over `opencode serve`', () => {
    expect(majorOf('2.1.2')).toBe(2)
    expect(isOpenCode2('2.1.2')).toBe(true)
    expect(isOpenCode2('3.0.0-beta.1')).toBe(true)
    expect(isOpenCode2('1.18.33')).toBe(false)
    expect(isOpenCode2('0.0.0-fake')).toBe(false)
    expect(isOpenCode2(null)).toBe(false)
  })
})

describe('OpenCode 2 permission modes, answered by Shepherd', () => {
  it('classifies OpenCode 2 tools', () => {
    expect(toolClass('write')).toBe('edit')
    expect(toolClass('edit')).toBe('edit')
    expect(toolClass('shell')).toBe('command')
    expect(toolClass('webfetch')).toBe('other')
  })

  it('default asks for everything; acceptEdits allows edits only; bypass allows edits and commands; plan refuses them', () => {
    expect(autoDecision('default', 'write')).toBeNull()
    expect(autoDecision('default', 'shell')).toBeNull()
    expect(autoDecision('acceptEdits', 'write')).toEqual({ behavior: 'allow', scope: 'once' })
    expect(autoDecision('acceptEdits', 'shell')).toBeNull()
    expect(autoDecision('bypassPermissions', 'shell')).toEqual({ behavior: 'allow', scope: 'once' })
    expect(autoDecision('plan', 'edit')?.behavior).toBe('deny')
    expect(autoDecision('plan', 'shell')?.behavior).toBe('deny')
    // Permissions other than edit/bash keep reaching the user, whatever the mode.
    for (const mode of ['default', 'acceptEdits', 'plan', 'bypassPermissions'] as const) expect(autoDecision(mode, 'external_directory')).toBeNull()
  })

  it('only plan mode switches OpenCode’s own agent', () => {
    expect(acpAgentMode('plan')).toBe('plan')
    expect(acpAgentMode('acceptEdits')).toBe('default')
    expect(acpAgentMode('bypassPermissions')).toBe('default')
  })

  it('inline config: edit and bash ask, the user’s own inline config kept', () => {
    expect(JSON.parse(configContent(undefined))).toEqual({ permission: { edit: 'ask', bash: 'ask' } })
    const mine = JSON.stringify({ model: 'a/b', permission: { webfetch: 'deny', bash: 'allow' } })
    expect(JSON.parse(configContent(mine))).toEqual({ model: 'a/b', permission: { webfetch: 'deny', bash: 'ask', edit: 'ask' } })
    expect(JSON.parse(configContent('not json'))).toEqual({ permission: { edit: 'ask', bash: 'ask' } })
  })
})

describe('the OpenCode column of the controls table covers both majors', () => {
  it('shows the weaker level and both notes', () => {
    const merged = withOpenCode2Controls(OPENCODE_CONTROLS)
    // 1.x reads the deny reason, 2.x (ACP) cannot carry one: partly.
    expect(merged.denyReason.level).toBe('partial')
    expect(merged.denyReason.note).toMatch(/^1\.x: .* 2\.x: ACP has no field for a reason/)
    expect(merged.interrupt.note).toContain('2.x: `session/cancel`')
    expect(merged.queue).toEqual(OPENCODE_CONTROLS.queue)
    // Never more than 1.x promises: ✓ only where 1.x says ✓ too.
    for (const id of Object.keys(OPENCODE_CONTROLS) as (keyof typeof OPENCODE_CONTROLS)[])
      if (merged[id].level === 'yes') expect(OPENCODE_CONTROLS[id].level).toBe('yes')
    const modes = withOpenCode2Modes(OPENCODE_PERMISSION_MAP)
    expect(modes.plan.native).toBe(OPENCODE_PERMISSION_MAP.plan.native)
    expect(modes.plan.description).toContain('2.x:')
  })
})

describe('OpenCode 2 question forms (elicitation with a `_custom` free-text property)', () => {
  const q = {
    requestId: 'r1',
    source: 'agent' as const,
    title: 'OpenCode asks',
    message: 'Questions',
    canDecline: true,
    fields: [
      questionField({
        id: 'q0',
        type: 'enum',
        label: 'Colour',
        options: [
          { value: 'Red', label: 'Red', description: null },
          { value: 'Blue', label: 'Blue', description: null }
        ]
      }),
      questionField({ id: 'q0_custom', type: 'string', label: 'Colour (other)' }),
      questionField({ id: 'q1', type: 'enum', label: 'Size', options: [{ value: 'S', label: 'S', description: null }] })
    ]
  }
  it('merges the "(other)" field into its choice; free text goes back as `_custom`, a choice as itself', () => {
    const { request, merges } = mergeCustomFields(q)
    expect(request.fields.map((f) => [f.id, f.allowOther])).toEqual([
      ['q0', true],
      ['q1', false]
    ])
    expect(splitCustomAnswer({ action: 'accept', values: { q0: 'Teal', q1: 'S' } }, merges)).toEqual({
      action: 'accept',
      values: { q0_custom: 'Teal', q1: 'S' }
    })
    expect(splitCustomAnswer({ action: 'accept', values: { q0: 'Blue' } }, merges)).toEqual({ action: 'accept', values: { q0: 'Blue' } })
    expect(splitCustomAnswer({ action: 'decline' }, merges)).toEqual({ action: 'decline' })
    expect(mergeCustomFields({ ...q, fields: [q.fields[2]!] }).merges.size).toBe(0)
  })
})

describe('OpenCode 2 questions it would not send', () => {
  it('its "could not be shown" tool result gets an error row; other results do not', () => {
    const text = "The question couldn't be shown to the user in this client. Continue without an answer: make reasonable assumptions and state them."
    expect(notShownRow({ kind: 'tool_result', text })).toMatchObject({ kind: 'error', isError: true })
    expect(notShownRow({ kind: 'tool_result', text: 'User has answered your questions' })).toBeNull()
    expect(notShownRow({ kind: 'assistant', text })).toBeNull()
  })
})
