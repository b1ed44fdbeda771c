/**
 * How OpenCode 2.x (over `opencode acp`) answers each control, merged into the OpenCode column of
 * the controls table beside 1.x's answers (../controls.ts): one provider, chosen per binary, so
 * the table shows the weaker of the two levels and both notes.
 */
import type { ControlId, ControlSupport, PermissionModeMap, ProviderControls, SupportLevel } from '../../../shared/controls'
import type { PermissionMode } from '../../../shared/status'

export const OPENCODE2_CONTROLS: Partial<Record<ControlId, ControlSupport>> = {
  interrupt: { level: 'yes', note: '`session/cancel`: the turn ends, the agent stays for the next prompt.' },
  model: { level: 'yes', note: 'its ACP `model` option (`provider/model`), applied at once.' },
  permissionMode: { level: 'yes', note: 'OpenCode asks Shepherd for every edit and command and Shepherd answers from the mode: applies at once.' },
  approvals: { level: 'yes', note: '`session/request_permission`, answered once / always / reject.' },
  approveForSession: { level: 'yes', note: 'OpenCode’s own “Always allow” for this request.' },
  denyReason: { level: 'no', note: 'ACP has no field for a reason: the model only learns that you rejected the call.' },
  resume: { level: 'yes', note: '`session/load` with the OpenCode session id in a new `opencode acp`.' },
  fork: { level: 'yes', note: '`session/fork`.' },
  cost: { level: 'yes', note: 'the session’s cost from `usage_update`, counted per turn.' },
  tokens: { level: 'yes', note: 'tokens per turn; context use from `usage_update`.' },
  questions: {
    level: 'yes',
    note: 'the `question` tool arrives as an ACP form (`elicitation/create`); its “(other)” text field is merged into the choice. A multi-select question is a group of checkboxes; one OpenCode will not send as a form (secret-looking words) gets an error row while the model goes on without an answer.'
  }
}

const RANK: Record<SupportLevel, number> = { no: 0, depends: 1, partial: 2, yes: 3 }

/** 1.x's table with 2.x's answers added: the weaker level (both partly → partly; one no → partly), both notes. */
export function withOpenCode2Controls(v1: ProviderControls): ProviderControls {
  const out = { ...v1 }
  for (const [id, v2] of Object.entries(OPENCODE2_CONTROLS) as [ControlId, ControlSupport][]) {
    const a = v1[id]
    // Works on one major only → partly; otherwise the weaker of the two.
    const level: SupportLevel =
      a.level === v2.level ? a.level : RANK[a.level] === 0 || RANK[v2.level] === 0 ? 'partial' : RANK[a.level] < RANK[v2.level] ? a.level : v2.level
    out[id] = { level, note: `1.x: ${a.note} 2.x: ${v2.note.charAt(0).toUpperCase()}${v2.note.slice(1)}` }
  }
  return out
}

/** 2.x: the same modes, applied by Shepherd's answers (plus OpenCode's `plan` agent for plan mode). */
const V2_MODES: Record<PermissionMode, string> = {
  default: '2.x: every edit and command asks you.',
  acceptEdits: '2.x: Shepherd allows edits, commands ask you.',
  plan: '2.x: OpenCode’s read-only `plan` agent; Shepherd refuses edits and commands.',
  bypassPermissions: '2.x: Shepherd allows every edit and command.'
}

export function withOpenCode2Modes(v1: PermissionModeMap): PermissionModeMap {
  return Object.fromEntries(
    (Object.entries(v1) as [PermissionMode, PermissionModeMap[PermissionMode]][]).map(([mode, m]) => [
      mode,
      { ...m, description: `${m.description} ${V2_MODES[mode]}` }
    ])
  ) as PermissionModeMap
}
