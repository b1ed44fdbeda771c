/**
 * What an ACP session lets the client choose: its mode and its model. Agents offer them either as
 * session config options (`configOptions` with category `mode` / `model`, set with
 * `session/set_config_option`; OpenCode) or the older way (`modes` + `session/set_mode`,
 * unstable `models` + `session/set_model`; Gemini CLI, Claude Code's ACP adapter).
 */
import type { PermissionMode } from '../../shared/status'
import { isObj } from '../scaffold/values'

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null)

export interface Selector {
  /** The config option id, or null for the older `set_mode` / `set_model` methods. */
  configId: string | null
  current: string | null
  /** The value when the session was set up (the agent's own default). */
  initial: string | null
  values: { id: string; name: string }[]
}

function selectValues(options: unknown): { id: string; name: string }[] {
  if (!Array.isArray(options)) return []
  const out: { id: string; name: string }[] = []
  for (const o of options) {
    if (!isObj(o)) continue
    if (Array.isArray(o.options))
      out.push(...selectValues(o.options)) // a group
    else if (typeof o.value === 'string') out.push({ id: o.value, name: str(o.name) ?? o.value })
  }
  return out
}

function fromConfig(configOptions: unknown[], category: 'mode' | 'model'): Selector | null {
  const opt = configOptions.filter(isObj).find((o) => o.type === 'select' && (o.category === category || (o.category == null && o.id === category)))
  if (!opt || typeof opt.id !== 'string') return null
  const current = str(opt.currentValue)
  return { configId: opt.id, current, initial: current, values: selectValues(opt.options) }
}

/** Selectors from a `session/new|load|resume|fork` response. */
export function parseSessionSetup(result: unknown): { mode: Selector | null; model: Selector | null } {
  const r = isObj(result) ? result : {}
  const config = Array.isArray(r.configOptions) ? r.configOptions : []
  let mode = fromConfig(config, 'mode')
  let model = fromConfig(config, 'model')
  if (!mode && isObj(r.modes) && Array.isArray(r.modes.availableModes)) {
    const current = str(r.modes.currentModeId)
    const values = r.modes.availableModes.filter(isObj).flatMap((m) => (typeof m.id === 'string' ? [{ id: m.id, name: str(m.name) ?? m.id }] : []))
    if (values.length > 0) mode = { configId: null, current, initial: current, values }
  }
  if (!model && isObj(r.models) && Array.isArray(r.models.availableModels)) {
    const current = str(r.models.currentModelId)
    const values = r.models.availableModels
      .filter(isObj)
      .flatMap((m) => (typeof m.modelId === 'string' ? [{ id: m.modelId, name: str(m.name) ?? m.modelId }] : []))
    if (values.length > 0) model = { configId: null, current, initial: current, values }
  }
  return { mode, model }
}

/** A `config_option_update` (or set_config_option response): refresh current values. */
export function updateSelectorsFromConfig(configOptions: unknown[], mode: Selector | null, model: Selector | null): void {
  for (const [sel, category] of [
    [mode, 'mode'],
    [model, 'model']
  ] as const) {
    if (!sel || sel.configId === null) continue
    const fresh = fromConfig(configOptions, category)
    if (fresh && fresh.configId === sel.configId) {
      sel.current = fresh.current
      if (fresh.values.length > 0) sel.values = fresh.values
    }
  }
}

/** ACP mode ids that mean each of Shepherd's permission modes (matched case-insensitively). */
const MODE_IDS: Record<PermissionMode, string[]> = {
  default: ['default'],
  acceptEdits: ['acceptEdits', 'accept_edits', 'accept-edits', 'autoEdit', 'auto_edit', 'auto-edit'],
  plan: ['plan'],
  bypassPermissions: ['bypassPermissions', 'bypass_permissions', 'bypass-permissions', 'bypass', 'yolo']
}

/**
 * The agent's mode id for a Shepherd permission mode, or null when it has none. `default` falls
 * back to the mode the session started in (OpenCode's `build`).
 */
export function mapPermissionMode(mode: PermissionMode, sel: Selector): string | null {
  const wanted = MODE_IDS[mode].map((m) => m.toLowerCase())
  const hit = sel.values.find((v) => wanted.includes(v.id.toLowerCase()))
  if (hit) return hit.id
  if (mode === 'default' && sel.initial && !MODE_IDS.plan.includes(sel.initial.toLowerCase())) return sel.initial
  return null
}
