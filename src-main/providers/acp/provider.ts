/**
 * Generic ACP provider: any agent that speaks the Agent Client Protocol over stdio (`opencode acp`,
 * `gemini --experimental-acp`, `goose acp`, Claude Code's ACP adapter…), started from a command
 * line configured in Settings (`providers.acp.command`, argv without a shell, see command.ts).
 *
 * Capabilities depend on the agent: what is known before any session comes from a probe
 * (`detect` with version: `initialize` only, no session), the rest (model / mode selection, cost)
 * from the last session set up. Controls an agent does not offer are reported false and refused
 * with a clear error, never ignored.
 */
import { ACP_PERMISSION_MAP, acpControls } from './controls'
import os from 'node:os'
import path from 'node:path'
import { statSync } from 'node:fs'
import type { ProviderControls } from '../../shared/controls'
import type { AgentProvider, ProviderCapabilities, ProviderDetection, StartOptions } from '../types'
import { buildChildEnv } from '../child-env'
import { findOnPath, isExecutableFile, locateCli } from '../scaffold/cli'
import { ShepherdError } from '../../shared/errors'
import { acpCommandProblem } from './command'
import { ACP_DISPLAY_NAME, ACP_INSTALL_HINT, AcpHandle, type AcpAgentInfo } from './handle'

/** A probe (`initialize` only) of a warm agent takes 0.3–3 s; 20 s bounds a hung one. */
const PROBE_TIMEOUT_MS = 20_000
/** Cumulative costs remembered per ACP session id (see AcpUsageTracker). */
const COST_MEMORY_MAX = 1000

/**
 * Variables taken from the host environment when set there: where agents keep their config and
 * data (XDG), their traffic switches and the API keys of the model providers they talk to.
 */
export const ACP_ENV_PASSTHROUGH: readonly string[] = [
  'XDG_CONFIG_HOME',
  'XDG_DATA_HOME',
  'XDG_CACHE_HOME',
  'XDG_STATE_HOME',
  'XDG_RUNTIME_DIR',
  // OpenCode
  'OPENCODE_CONFIG',
  'OPENCODE_CONFIG_DIR',
  'OPENCODE_CONFIG_CONTENT',
  'OPENCODE_PERMISSION',
  'OPENCODE_DISABLE_MODELS_FETCH',
  'OPENCODE_DISABLE_AUTOUPDATE',
  'OPENCODE_DISABLE_SHARE',
  'OPENCODE_DISABLE_LSP_DOWNLOAD',
  'OPENCODE_DISABLE_DEFAULT_PLUGINS',
  'OPENCODE_DISABLE_AUTOCOMPACT',
  'OPENCODE_MODELS_URL',
  // Gemini CLI
  'GEMINI_API_KEY',
  'GOOGLE_API_KEY',
  'GOOGLE_GENAI_USE_VERTEXAI',
  'GOOGLE_CLOUD_PROJECT',
  'GOOGLE_CLOUD_LOCATION',
  'GOOGLE_APPLICATION_CREDENTIALS',
  // Goose
  'GOOSE_PROVIDER',
  'GOOSE_MODEL',
  'GOOSE_MODE',
  // Model providers
  'OPENAI_API_KEY',
  'OPENAI_BASE_URL',
  'ANTHROPIC_API_KEY',
  'ANTHROPIC_BASE_URL',
  'OPENROUTER_API_KEY',
  'GOOGLE_GENERATIVE_AI_API_KEY',
  'GROQ_API_KEY',
  'MISTRAL_API_KEY',
  'DEEPSEEK_API_KEY',
  'XAI_API_KEY',
  'AZURE_API_KEY',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_REGION',
  'AWS_PROFILE'
]

export interface AcpProviderOptions {
  /**
   * The agent's command line (argv, binary first), or a getter reading it from settings at each
   * detect/start, e.g. `() => settings.get().providers.acp.command`. When the configured CLI path
   * (`providers.acp.cliPath`) is set it replaces argv[0].
   */
  command?: readonly string[] | null | (() => readonly string[] | null | undefined)
  /** More host variables to pass to the agent. */
  envPassthrough?: readonly string[]
}

/** What identifies one build of an agent binary with its arguments (null when it cannot be read). */
function probeKey(binary: string, args: readonly string[]): string | null {
  try {
    const st = statSync(binary)
    return JSON.stringify([binary, args, st.size, st.mtimeMs, st.ino])
  } catch {
    return null
  }
}

export class AcpProvider implements AgentProvider {
  readonly id = 'acp' as const
  readonly displayName = ACP_DISPLAY_NAME
  readonly envPassthrough: readonly string[]
  readonly permissionModes = ACP_PERMISSION_MAP
  #agent: AcpAgentInfo | null = null
  /**
   * The last good probe per binary identity (path, args, size, mtime, inode): starting an agent
   * takes seconds, and Settings and each new-session form ask again. An upgraded or replaced binary
   * has another identity and is probed afresh; a failed probe is not kept.
   */
  #probed: { key: string; version: string } | null = null
  readonly #costs = new Map<string, number>()

  constructor(private readonly opts: AcpProviderOptions = {}) {
    this.envPassthrough = [...ACP_ENV_PASSTHROUGH, ...(opts.envPassthrough ?? [])]
  }

  /** Before any probe or session: only what every ACP agent must support. */
  get capabilities(): ProviderCapabilities {
    const a = this.#agent
    return {
      interrupt: true,
      approvals: true,
      resume: !!a && (a.loadSession || a.resume),
      fork: !!a && a.fork,
      setModel: a?.canSetModel === true,
      setPermissionMode: a?.canSetMode === true,
      costKnown: a?.costKnown === true
    }
  }

  /** The controls table for the agent as known now (see `capabilities`). */
  get controls(): ProviderControls {
    return acpControls(this.#agent)
  }

  /** What the agent advertised last (probe or session), or null. */
  get agentInfo(): AcpAgentInfo | null {
    return this.#agent ? { ...this.#agent } : null
  }

  /** The configured argv (validated), or null when none is set. Throws BAD_REQUEST when invalid. */
  command(): string[] | null {
    const c = typeof this.opts.command === 'function' ? this.opts.command() : this.opts.command
    if (!c || c.length === 0) return null
    const problem = acpCommandProblem(c)
    if (problem) throw new ShepherdError('BAD_REQUEST', `ACP agent command: ${problem}`)
    return [...c]
  }

  async detect(configuredPath: string | null, envPath: string, opts: { version?: boolean } = {}): Promise<ProviderDetection> {
    const installHint = ACP_INSTALL_HINT
    let argv: string[] | null
    try {
      argv = this.command()
    } catch (err) {
      return { found: false, path: null, version: null, installHint: (err as Error).message }
    }
    const found = this.#resolveBinary(configuredPath, argv, envPath)
    if (!found) return { found: false, path: null, version: null, installHint }
    if (opts.version === false) return { found: true, path: found, version: null, installHint }
    return { found: true, path: found, version: await this.#probe(found, argv?.slice(1) ?? []), installHint }
  }

  start(opts: StartOptions): Promise<AcpHandle> {
    const args = this.command()?.slice(1) ?? []
    return AcpHandle.open({
      binaryPath: opts.binaryPath,
      args,
      cwd: opts.cwd,
      env: opts.env,
      model: opts.model,
      permissionMode: opts.permissionMode,
      systemPrompt: opts.systemPrompt,
      resumeCliSessionId: opts.resumeCliSessionId ?? null,
      fork: opts.fork ?? false,
      remote: opts.remote,
      costBaseline: (id) => this.#costs.get(id) ?? null,
      onCumulativeCost: (id, amount) => this.#rememberCost(id, amount),
      onAgentInfo: (info) => this.#noteAgent(info)
    })
  }

  #resolveBinary(configuredPath: string | null, argv: string[] | null, envPath: string): string | null {
    if (configuredPath) return locateCli('', configuredPath, envPath)
    const bin = argv?.[0]
    if (!bin) return null
    if (path.isAbsolute(bin)) return isExecutableFile(bin) ? bin : null
    return findOnPath(bin, envPath)
  }

  /** `initialize` only (no session is created): version and session capabilities. */
  async #probe(binary: string, args: string[]): Promise<string | null> {
    const key = probeKey(binary, args)
    if (key && this.#probed?.key === key) return this.#probed.version
    const providerEnv: Record<string, string> = {}
    for (const k of this.envPassthrough) {
      const v = process.env[k]
      if (typeof v === 'string') providerEnv[k] = v
    }
    let handle: AcpHandle | null = null
    try {
      handle = await AcpHandle.probe({ binaryPath: binary, args, cwd: os.tmpdir(), env: buildChildEnv({ providerEnv }), timeoutMs: PROBE_TIMEOUT_MS })
      const info = handle.agent
      this.#noteAgent(info)
      if (key && info.version) this.#probed = { key, version: info.version }
      return info.version
    } catch {
      return null
    } finally {
      await handle?.stop(1000).catch(() => {})
    }
  }

  #noteAgent(info: AcpAgentInfo): void {
    const prev = this.#agent
    this.#agent = {
      ...info,
      // A probe learns nothing about session options: keep what a session showed.
      canSetModel: info.canSetModel ?? prev?.canSetModel ?? null,
      canSetMode: info.canSetMode ?? prev?.canSetMode ?? null,
      costKnown: info.costKnown || (prev?.costKnown ?? false)
    }
  }

  #rememberCost(id: string, amount: number): void {
    this.#costs.delete(id)
    this.#costs.set(id, amount)
    if (this.#costs.size > COST_MEMORY_MAX) this.#costs.delete(this.#costs.keys().next().value as string)
  }
}
