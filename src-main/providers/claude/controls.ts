/** Claude Code's answers to the controls × agents table and its permission modes (they are Shepherd's own names). */
import { SUPERVISOR_CONTROLS, yes, type PermissionModeMap, type ProviderControls } from '../../shared/controls'

export const CLAUDE_CONTROLS: ProviderControls = {
  ...SUPERVISOR_CONTROLS,
  interrupt: yes('Control request `interrupt`: the turn ends at once, the process stays for the next prompt.'),
  queue: yes(
    'Prompts sent while a turn runs wait in Shepherd’s queue and go out one by one; once Claude Code has answered and only background work it started still runs, a prompt goes out at once.'
  ),
  model: yes('Control request `set_model`: switches the running agent, from its next request on.'),
  permissionMode: yes('Control request `set_permission_mode`: applies at once, also to the turn in flight.'),
  approvals: yes('Every tool the mode does not allow asks first (`can_use_tool`).'),
  approveForSession: yes('Adds the CLI’s suggested rule for that tool for the rest of the session (kept in memory, never written to your settings).'),
  denyReason: yes('The model reads your reason as the tool’s error and carries on.'),
  resume: yes('`--resume <session id>` in a new process: the same conversation.'),
  fork: yes('`--resume <id> --fork-session`: a copy of the conversation under a new id.'),
  cost: yes('The CLI reports the session’s cost in USD after every turn.'),
  tokens: yes('Input, output and cache tokens per turn; context use from the CLI’s model usage.'),
  questions: yes(
    'Its AskUserQuestion tool (a permission prompt, answered with the tool’s `answers`): one choice per question (several for multiSelect), free text too. MCP servers’ elicitation forms (the `elicitation` control request) are shown and answered; URL elicitations are declined with an error row.'
  )
}

export const CLAUDE_PERMISSION_MODES: PermissionModeMap = {
  default: { native: 'permission mode default', description: 'Asks before file edits and before commands that are not read-only.' },
  acceptEdits: { native: 'permission mode acceptEdits', description: 'Edits files in the project without asking; asks before other commands.' },
  plan: { native: 'permission mode plan', description: 'Plans only: reads and searches, but neither edits files nor runs commands that change anything.' },
  bypassPermissions: { native: 'permission mode bypassPermissions', description: 'Never asks: every tool runs with your permissions.' }
}
