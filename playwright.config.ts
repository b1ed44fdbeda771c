/**
 * E2E: the renderer in Debian's Chromium against the web host (`node out/main/host.js`), one host
 * per test (see e2e/fixtures.ts). Build first (`npm run build`); the test script does it once.
 * Project `electron` is for e2e/electron/*.spec.ts where Electron can run.
 */
import { defineConfig } from '@playwright/test'
import { CHROMIUM_ARGS } from './test/support/chromium-guard'

/**
 * The tracked docs/*.png are written only by `npm run docs:screenshots` (which sets this variable):
 * then only the specs that take them run (e2e/screenshots.spec.ts is nothing else and is not part of
 * `npm test`; panes.spec.ts takes its pictures into its output folder otherwise, see e2e/docs-shots.ts).
 */
const DOCS_SCREENSHOTS = process.env.SHEPHERD_DOCS_SCREENSHOTS === '1'

export default defineConfig({
  testDir: 'e2e',
  outputDir: 'test-results/artifacts',
  // Real agent CLIs on a 2-core machine: a turn can take seconds when the machine is busy.
  timeout: 60_000,
  expect: { timeout: 5_000 },
  fullyParallel: false,
  workers: 2,
  retries: 0,
  forbidOnly: !!process.env.CI,
  reporter: [['list'], ['json', { outputFile: 'test-results/e2e.json' }]],
  use: {
    browserName: 'chromium',
    headless: true,
    viewport: { width: 1280, height: 800 },
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
      // Loopback only: see test/support/chromium-guard.ts (e2e/fixtures.ts also aborts remote requests).
      args: CHROMIUM_ARGS
    }
  },
  projects: [
    DOCS_SCREENSHOTS
      ? { name: 'docs', testMatch: /(screenshots|panes|opencode2|questions|transcript-fidelity|layout|todo|ssh-host|background-work)\.spec\.ts/ }
      : { name: 'web', testMatch: /.*\.spec\.ts/, testIgnore: [/electron\//, /screenshots\.spec\.ts/] },
    { name: 'electron', testMatch: /electron\/.*\.spec\.ts/ }
  ]
})
