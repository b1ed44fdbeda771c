// OpenCode 1.18 runs `npm install @opencode-ai/plugin` in the background in every config dir it
// reads (the global `$XDG_CONFIG_HOME/opencode` always) unless `node_modules` exists and the lock
// file already lists the package. The traffic-off variables do not stop it: unseeded, a test run
// reaches the npm registry and keeps a core busy for ~30 s. Tests talk to 127.0.0.1 only, so every
// OpenCode sandbox (Vitest and e2e) seeds its config dir with this.
//
// No `import.meta` / `__dirname` here: Playwright's CJS transform loads this file too.

import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'

export function seedOpenCodeConfigDir(configDir: string): void {
  mkdirSync(path.join(configDir, 'node_modules'), { recursive: true })
  const deps = { '@opencode-ai/plugin': '*' }
  writeFileSync(path.join(configDir, 'package.json'), JSON.stringify({ dependencies: deps }))
  writeFileSync(path.join(configDir, 'package-lock.json'), JSON.stringify({ lockfileVersion: 3, packages: { '': { dependencies: deps } } }))
}
