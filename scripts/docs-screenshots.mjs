#!/usr/bin/env node
// Regenerates the product screenshots in docs/ (light and dark): builds, then runs
// e2e/screenshots.spec.ts against the web host in Chromium. Not part of `npm test`, which never
// writes tracked files; playwright.config.ts includes that spec only when SHEPHERD_DOCS_SCREENSHOTS=1.
import { spawnSync } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
function run(args, env = process.env) {
  const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit', env })
  if (r.status !== 0) process.exit(r.status ?? 1)
}
run([join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'])
run([join(root, 'node_modules/@playwright/test/cli.js'), 'test', '--project=docs', ...process.argv.slice(2)], {
  ...process.env,
  SHEPHERD_DOCS_SCREENSHOTS: '1'
})
