/** OpenCode's answers to the controls × agents table, and Shepherd's permission modes as OpenCode rules. */
import type { PermissionMode } from '../../shared/status'
import { partial, SUPERVISOR_CONTROLS, yes, type PermissionModeMap, type ProviderControls } from '../../shared/controls'
import { OPENCODE_PERMISSION_MODES } from './permissions'

export const OPENCODE_CONTROLS: ProviderControls = {
  ...SUPERVISOR_CONTROLS,
  interrupt: yes('`POST /session/{id}/abort`: the turn ends, the server stays for the next prompt.'),
  model: partial('OpenCode takes the model per message (`provider/model`, e.g. anthropic/claude-sonnet-4-5): a switch applies from the next prompt.'),
  permissionMode: yes('Session permission rules (`PATCH /session/{id}`): apply at once, also to the turn in flight.'),
  approvals: yes(
    '`permission.asked` for edits and shell commands, answered once / always / reject; a sub-agent (`task`) asks exactly when this session would, its requests answered by the current mode.'
  ),
  approveForSession: yes('“always”: OpenCode allows the same pattern for the rest of this session.'),
  denyReason: yes('The model reads your reason and carries on; without one OpenCode ends the turn.'),
  resume: yes('The OpenCode session id, on a new server after a restart.'),
  fork: yes('`POST /session/{id}/fork`: a copy of the session.'),
  cost: yes('The cost of every step, summed (from the model’s pricing in OpenCode’s config; $0 when it has none).'),
  tokens: yes('Tokens per step; context use against the model’s context limit.'),
  questions: yes(
    'OpenCode’s own `question` tool (`question.asked`): one choice per question, free text too; answered with `POST /question/{id}/reply`, declined or interrupted with `…/reject`. A multi-select question is a group of checkboxes.'
  )
}

export const OPENCODE_PERMISSION_MAP: PermissionModeMap = Object.fromEntries(
  (Object.entries(OPENCODE_PERMISSION_MODES) as [PermissionMode, (typeof OPENCODE_PERMISSION_MODES)[PermissionMode]][]).map(([mode, m]) => [
    mode,
    { native: m.rules.map((r) => `${r.permission}: ${r.action}`).join(' · '), description: m.description.replace(/\s*\([^)]*\)\.?$/, '.') }
  ])
) as PermissionModeMap
