/** Codex's answers to the controls × agents table, and Shepherd's permission modes in Codex's terms. */
import type { PermissionMode } from '../../shared/status'
import { no, partial, SUPERVISOR_CONTROLS, yes, type PermissionModeMap, type ProviderControls } from '../../shared/controls'
import { CODEX_PERMISSION_MODES } from './permissions'

export const CODEX_CONTROLS: ProviderControls = {
  ...SUPERVISOR_CONTROLS,
  interrupt: yes(
    '`turn/interrupt`: the turn ends within milliseconds and a command it was running is ended too (`thread/backgroundTerminals/terminate`); the app-server stays for the next prompt.'
  ),
  model: partial('Sent with `turn/start`: a switch applies from the next prompt (the turn in flight keeps its model).'),
  permissionMode: partial('Approval policy and sandbox are sent with `turn/start`: a switch applies from the next prompt.'),
  approvals: yes('Commands and file changes ask first when the approval policy says so.'),
  approveForSession: yes('`acceptForSession`: Codex stops asking for the same command or file change in this session.'),
  denyReason: partial('Codex tells the model only “rejected by user”; Shepherd adds your reason as input to the same turn.'),
  resume: yes('`thread/resume` with the thread id, in a new app-server.'),
  fork: yes('`thread/fork`: a copy of the thread under a new id.'),
  cost: no('Codex reports tokens only, no price: the pane shows “cost n/a”, never $0.'),
  tokens: yes('Tokens per turn and the model’s context window (`thread/tokenUsage/updated`).'),
  questions: yes(
    '`item/tool/requestUserInput` (choices, “Other”, free text) and MCP elicitation forms; permission escalations and Codex’s “may this MCP tool run?” are approvals; any other request is refused with an error row.'
  )
}

export const CODEX_PERMISSION_MAP: PermissionModeMap = Object.fromEntries(
  (Object.entries(CODEX_PERMISSION_MODES) as [PermissionMode, (typeof CODEX_PERMISSION_MODES)[PermissionMode]][]).map(([mode, m]) => [
    mode,
    { native: `approval: ${m.approvalPolicy} · sandbox: ${m.sandbox}`, description: m.description }
  ])
) as PermissionModeMap
