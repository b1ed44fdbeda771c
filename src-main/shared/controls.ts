/**
 * What each control of the UI does with each agent: the "controls × agents" table in Settings, and
 * the marks on a pane's controls that an agent does not support (disabled, with the reason), so a
 * control is never silently ignored. Providers fill these in (see each provider's `controls.ts`);
 * pure types, the renderer imports them with `import type`.
 */
import type { PermissionMode } from './status'

/** What the supervisor may ask of a provider's handle (the switches behind the controls table). */
export interface ProviderCapabilities {
  interrupt: boolean
  setModel: boolean
  setPermissionMode: boolean
  approvals: boolean
  resume: boolean
  fork: boolean
  /** False for providers that report tokens only. */
  costKnown: boolean
}

/** Every control whose behaviour can differ between agents. */
export type ControlId =
  | 'queue'
  | 'interrupt'
  | 'stop'
  | 'model'
  | 'permissionMode'
  | 'approvals'
  | 'approveForSession'
  | 'denyReason'
  | 'questions'
  | 'resume'
  | 'fork'
  | 'cost'
  | 'tokens'

/**
 * `yes`: works as labelled. `partial`: works with a difference the note explains (e.g. applies
 * from the next prompt). `no`: the agent cannot do it; the UI disables the control and shows the note.
 * `depends`: only known once the agent has told (a generic ACP agent before its first probe/session).
 */
export type SupportLevel = 'yes' | 'partial' | 'no' | 'depends'

export interface ControlSupport {
  level: SupportLevel
  /** One sentence, shown in the table and as the reason on a disabled control. */
  note: string
}

export type ProviderControls = Record<ControlId, ControlSupport>

/** How one of Shepherd's permission modes is applied to an agent. */
export interface PermissionModeMapping {
  /** The agent's own terms (e.g. Codex `approval: untrusted · sandbox: workspace-write`). */
  native: string
  /** What the user can expect, in one sentence. */
  description: string
}

export type PermissionModeMap = Record<PermissionMode, PermissionModeMapping>

/** Shorthands for providers' tables. */
export const yes = (note: string): ControlSupport => ({ level: 'yes', note })
export const partial = (note: string): ControlSupport => ({ level: 'partial', note })
export const no = (note: string): ControlSupport => ({ level: 'no', note })
export const depends = (note: string): ControlSupport => ({ level: 'depends', note })

/** Controls the supervisor provides the same way for every agent. */
export const SUPERVISOR_CONTROLS: Pick<ProviderControls, 'queue' | 'stop'> = {
  queue: yes('Prompts sent while a turn runs wait in Shepherd’s queue and go out one by one.'),
  stop: yes('Ends the agent’s whole process group (SIGTERM, then SIGKILL after 5 s) and checks it is gone.')
}
