/**
 * A generic ACP agent's answers to the controls × agents table. What an agent supports is learnt
 * from it: before a probe (`initialize`) or a first session the answer is `depends`; after, the
 * table says what this agent offers.
 */
import { depends, no, partial, SUPERVISOR_CONTROLS, yes, type ControlSupport, type PermissionModeMap, type ProviderControls } from '../../shared/controls'
import type { AcpAgentInfo } from './handle'

/** `yes`/`no` when the agent said, `depends` while unknown (null). */
function known(value: boolean | null | undefined, ifYes: ControlSupport, ifNo: ControlSupport, unknown: string): ControlSupport {
  return value === true ? ifYes : value === false ? ifNo : depends(unknown)
}

export function acpControls(info: AcpAgentInfo | null): ProviderControls {
  const name = info?.name ?? 'The agent'
  return {
    ...SUPERVISOR_CONTROLS,
    interrupt: yes('`session/cancel`: every ACP agent must end the turn; open approval requests are cancelled.'),
    model: known(
      info?.canSetModel,
      partial(`${name} lists its models; Shepherd picks the one you type by id (a switch applies from its next request).`),
      no(`${name} does not let a client choose its model over ACP: set it in the agent’s own configuration.`),
      'Only when the agent offers a model choice over ACP (known after its first session).'
    ),
    permissionMode: known(
      info?.canSetMode,
      partial(`Mapped to ${name}’s own modes by name (default, accept edits, plan, bypass); a mode it lacks is refused with its list of modes.`),
      no(`${name} offers no modes over ACP: its own permission rules apply.`),
      'Mapped to the agent’s own modes by name, when it offers modes (known after its first session).'
    ),
    approvals: yes('`session/request_permission`, answered with the option the agent offered.'),
    approveForSession: partial('Uses the agent’s “always allow” option when a request offers one, else allows once.'),
    denyReason: no('ACP has no field for a reason: the agent only learns that you rejected the request.'),
    resume: info
      ? info.loadSession || info.resume
        ? yes(`${info.loadSession ? '`session/load`' : '`session/resume`'}: the same conversation in a new process.`)
        : no(`${name} cannot load or resume sessions over ACP: a follow-up after a restart starts a new conversation, with a note.`)
      : depends('When the agent supports `session/load` or `session/resume` (known after a probe).'),
    fork: info
      ? info.fork
        ? yes('`session/fork`: a copy of the conversation.')
        : no(`${name} cannot fork sessions over ACP.`)
      : depends('When the agent supports `session/fork` (known after a probe).'),
    cost: info?.costKnown
      ? yes('From the agent’s `usage_update` cost.')
      : depends('Only when the agent reports a cost (`usage_update`); otherwise the pane shows “cost n/a”.'),
    tokens: depends('Only when the agent reports usage.'),
    questions: yes(
      '`elicitation/create` forms (string, number, yes/no, choice; required fields): answered, declined or cancelled. URL elicitations are declined with an error row.'
    )
  }
}

export const ACP_PERMISSION_MAP: PermissionModeMap = {
  default: { native: 'the agent’s “default” mode (or the mode it starts in)', description: 'The agent’s normal behaviour: it asks when its own rules say so.' },
  acceptEdits: {
    native: 'a mode named acceptEdits / autoEdit',
    description: 'Edits without asking, if the agent has such a mode; otherwise refused with its list of modes.'
  },
  plan: { native: 'a mode named plan', description: 'Plans without changing anything, if the agent has such a mode.' },
  bypassPermissions: { native: 'a mode named bypassPermissions / yolo', description: 'Never asks, if the agent has such a mode.' }
}
