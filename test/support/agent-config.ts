// The agents' own configuration for running them offline against the fake model server, shared by
// the Vitest sandboxes (test/support/*-sandbox.ts) and the e2e ones (e2e/provider-sandboxes.ts).
//
// No `import.meta` / `__dirname` here: Playwright's CJS transform loads this file too.

import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'

/** The model the Codex config selects: a slug Codex 0.169 knows (classic function tools). */
export const CODEX_TEST_MODEL = 'gpt-5.5'

/** OpenCode's default model in the fake config (`provider/model`, as OpenCode and Shepherd's model field want it). */
export const OPENCODE_TEST_MODEL = 'fake/fake-model'

/** Fake pricing (USD per million tokens) so OpenCode reports a non-zero cost per step. */
export const FAKE_MODEL_COST = { input: 1, output: 2 }

/** Switches that stop OpenCode's background traffic (models catalog, npm registry, updates, share). */
export const OPENCODE_TRAFFIC_OFF: Record<string, string> = {
  OPENCODE_DISABLE_MODELS_FETCH: '1',
  OPENCODE_DISABLE_AUTOUPDATE: '1',
  OPENCODE_DISABLE_SHARE: '1',
  OPENCODE_DISABLE_LSP_DOWNLOAD: '1',
  OPENCODE_DISABLE_DEFAULT_PLUGINS: '1'
}

/** XDG base dirs under a throw-away HOME (OpenCode keeps config, data, cache and state there). */
export function xdgDirs(home: string): Record<'XDG_CONFIG_HOME' | 'XDG_DATA_HOME' | 'XDG_CACHE_HOME' | 'XDG_STATE_HOME', string> {
  return {
    XDG_CONFIG_HOME: path.join(home, '.config'),
    XDG_DATA_HOME: path.join(home, '.local', 'share'),
    XDG_CACHE_HOME: path.join(home, '.cache'),
    XDG_STATE_HOME: path.join(home, '.local', 'state')
  }
}

/**
 * `$CODEX_HOME/config.toml` for provider `fake` (→ `<serverUrl>/v1`, Responses API), with the
 * background traffic off and retries off (an injected HTTP error fails the turn at once).
 */
export function fakeCodexConfig(serverUrl: string, model = CODEX_TEST_MODEL): string {
  return `model = "${model}"
model_provider = "fake"

[model_providers.fake]
name = "Fake local server"
base_url = "${serverUrl.replace(/\/+$/, '')}/v1"
env_key = "OPENAI_API_KEY"
wire_api = "responses"
request_max_retries = 0
stream_max_retries = 0

[features]
plugins = false

[analytics]
enabled = false
`
}

/**
 * `opencode.json` for provider `fake` (`@ai-sdk/openai-compatible` → `<serverUrl>/v1`), models
 * fake-model and fake-model-2 with a price (so a cost is reported), plus optional permission rules.
 */
export function fakeOpenCodeConfig(serverUrl: string, permission?: Record<string, string>): object {
  const model = (name: string) => ({ name, tool_call: true, cost: FAKE_MODEL_COST, limit: { context: 200_000, output: 8_192 } })
  return {
    $schema: 'https://opencode.ai/config.json',
    provider: {
      fake: {
        npm: '@ai-sdk/openai-compatible',
        name: 'Fake local server',
        options: { baseURL: `${serverUrl.replace(/\/+$/, '')}/v1`, apiKey: 'fake-key' },
        models: { 'fake-model': model('Fake model'), 'fake-model-2': model('Fake model 2') }
      }
    },
    model: OPENCODE_TEST_MODEL,
    ...(permission ? { permission } : {})
  }
}

/**
 * OpenCode 1.18 runs `npm install @opencode-ai/plugin` in the background in every config dir it
 * reads (the global `$XDG_CONFIG_HOME/opencode` always) unless `node_modules` exists and the lock
 * file already lists the package. The traffic-off variables do not stop it: unseeded, a test run
 * reaches the npm registry and keeps a core busy for ~30 s. Tests talk to 127.0.0.1 only, so every
 * OpenCode sandbox seeds its global config dir with this.
 */
export function seedOpenCodeConfigDir(configDir: string): void {
  mkdirSync(path.join(configDir, 'node_modules'), { recursive: true })
  const deps = { '@opencode-ai/plugin': '*' }
  writeFileSync(path.join(configDir, 'package.json'), JSON.stringify({ dependencies: deps }))
  writeFileSync(path.join(configDir, 'package-lock.json'), JSON.stringify({ lockfileVersion: 3, packages: { '': { dependencies: deps } } }))
}
