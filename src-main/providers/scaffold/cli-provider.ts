/**
 * The provider side every CLI agent shares: what it is (id, name, capabilities, controls, modes, the
 * host variables it reads) and `detect()` (configured path or PATH, `--version`). A provider extends
 * this with its descriptor and writes `start()` (spawn or connect, returning its handle).
 */
import type { PermissionModeMap, ProviderControls } from '../../shared/controls'
import type { ProviderId } from '../../shared/status'
import { buildChildEnv } from '../child-env'
import type { AgentHandle, AgentProvider, ProviderCapabilities, ProviderDetection, StartOptions } from '../types'
import { detectCli } from './cli'

export interface CliProviderInfo {
  id: ProviderId
  displayName: string
  capabilities: ProviderCapabilities
  controls: ProviderControls
  permissionModes: PermissionModeMap
  envPassthrough: readonly string[]
  /** The executable's name on PATH (e.g. `claude`). */
  cliName: string
  installHint: string
  /** The environment `--version` runs with (default: the minimal child env). */
  versionEnv?: (envPath: string) => Record<string, string>
}

export abstract class CliProvider implements AgentProvider {
  readonly id: ProviderId
  readonly displayName: string
  readonly capabilities: ProviderCapabilities
  readonly controls: ProviderControls
  readonly permissionModes: PermissionModeMap
  readonly envPassthrough: readonly string[]

  constructor(private readonly info: CliProviderInfo) {
    ;({
      id: this.id,
      displayName: this.displayName,
      capabilities: this.capabilities,
      controls: this.controls,
      permissionModes: this.permissionModes,
      envPassthrough: this.envPassthrough
    } = info)
  }

  /** The configured path, else `cliName` on PATH; its version unless `version: false`. */
  detect(configuredPath: string | null, envPath: string, opts: { version?: boolean } = {}): Promise<ProviderDetection> {
    const { cliName, installHint, versionEnv } = this.info
    return detectCli({
      name: cliName,
      installHint,
      configuredPath,
      envPath,
      version: opts.version,
      versionEnv: () => (versionEnv ? versionEnv(envPath) : buildChildEnv({}))
    })
  }

  abstract start(opts: StartOptions): Promise<AgentHandle>
}
