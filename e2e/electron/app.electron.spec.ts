/**
 * Electron-only checks (docs/fault-catalogue.md layer E: SEC-1..4, CP-8) driven through Playwright's
 * `_electron`. They need a real Electron binary and a build (`npx electron-vite build`).
 *
 * The build machines have no Electron binary and cannot download one; there every test here is
 * skipped with the reason printed. Detection reads `node_modules/electron/path.txt` and checks the
 * file under `dist/` exists: `require('electron')` would instead try to download the binary.
 * `ELECTRON_OVERRIDE_DIST_PATH` (Electron's own variable) points at a binary elsewhere.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { _electron, expect, test, type ElectronApplication, type Page } from '@playwright/test'

const REPO_ROOT = resolve(__dirname, '..', '..')
const ELECTRON_PKG = join(REPO_ROOT, 'node_modules', 'electron')

/** Path of the Electron executable, or why there is none. Never triggers a download. */
function findElectronBinary(): { path: string } | { reason: string } {
  const pathFile = join(ELECTRON_PKG, 'path.txt')
  const relative = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : ''
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH
  if (override) {
    const candidate = join(override, relative || 'electron')
    return existsSync(candidate) ? { path: candidate } : { reason: `ELECTRON_OVERRIDE_DIST_PATH has no ${candidate}` }
  }
  if (!relative) return { reason: `${pathFile} is missing (the binary was never downloaded)` }
  const candidate = join(ELECTRON_PKG, 'dist', relative)
  return existsSync(candidate) ? { path: candidate } : { reason: `${candidate} does not exist` }
}

const binary = findElectronBinary()
const electronAvailable = 'path' in binary
const builtMain = join(REPO_ROOT, 'out', 'main', 'index.js')
const skipReason = 'reason' in binary ? `No Electron binary on this machine: ${binary.reason}` : ''
if (!electronAvailable) console.log(`[e2e/electron] skipped. ${skipReason}`)

test.describe('Electron app (SEC-1..4, CP-8)', () => {
  test.skip(!electronAvailable, skipReason)
  test.skip(electronAvailable && !existsSync(builtMain), `No build at ${builtMain}: run npx electron-vite build first`)

  let electronApp: ElectronApplication
  let page: Page
  let dataDir: string

  test.beforeEach(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'shepherd-e2e-electron-'))
    const env: Record<string, string> = {}
    for (const [key, value] of Object.entries(process.env)) {
      if (value !== undefined && key !== 'ELECTRON_RENDERER_URL' && key !== 'ELECTRON_RUN_AS_NODE') env[key] = value
    }
    electronApp = await _electron.launch({
      executablePath: (binary as { path: string }).path,
      args: [REPO_ROOT],
      cwd: REPO_ROOT,
      env: { ...env, SHEPHERD_DATA_DIR: dataDir }
    })
    page = await electronApp.firstWindow()
    await page.waitForLoadState('domcontentloaded')
  })

  test.afterEach(async () => {
    await electronApp?.close().catch(() => {})
    rmSync(dataDir, { recursive: true, force: true })
  })

  test('loads the renderer from app://shepherd', async () => {
    expect(page.url()).toBe('app://shepherd/index.html')
  })

  test('SEC-1: no Node or Electron globals; only the tRPC bridge', async () => {
    const globals = await page.evaluate(() => {
      const w = globalThis as unknown as Record<string, unknown>
      return {
        require: typeof w.require,
        process: typeof w.process,
        electron: typeof w.electron,
        ipcRenderer: typeof w.ipcRenderer,
        module: typeof w.module,
        bridge: typeof w.electronTRPCPort,
        bridgeKeys: Object.keys((w.electronTRPCPort as object | undefined) ?? {})
      }
    })
    expect(globals).toEqual({
      require: 'undefined',
      process: 'undefined',
      electron: 'undefined',
      ipcRenderer: 'undefined',
      module: 'undefined',
      bridge: 'object',
      bridgeKeys: ['requestPort']
    })
  })

  test('SEC-1: web preferences are locked down', async () => {
    const prefs = await electronApp.evaluate(({ BrowserWindow }) => {
      const win = BrowserWindow.getAllWindows()[0]!
      // Untyped but long-standing Electron API (used by Electron's own specs).
      const contents = win.webContents as unknown as { getLastWebPreferences(): Record<string, unknown> }
      const p = contents.getLastWebPreferences()
      return {
        sandbox: p.sandbox,
        contextIsolation: p.contextIsolation,
        nodeIntegration: p.nodeIntegration,
        webSecurity: p.webSecurity,
        webviewTag: p.webviewTag,
        preload: p.preload
      }
    })
    expect(prefs).toMatchObject({ sandbox: true, contextIsolation: true, nodeIntegration: false, webSecurity: true, webviewTag: false })
    expect(prefs.preload).toMatch(/out[\\/]preload[\\/]index\.js$/)
  })

  test('the production CSP is served with the page', async () => {
    const csp = await page.evaluate(async () => (await fetch('/index.html')).headers.get('content-security-policy'))
    expect(csp).toContain("script-src 'self'")
    expect(csp).not.toContain('unsafe-eval')
  })

  test('SEC-2: navigation away from the app is blocked', async () => {
    await page.evaluate(() => {
      ;(globalThis as unknown as { location: { href: string } }).location.href = 'https://example.com/'
    })
    await page.waitForTimeout(500)
    expect(page.url()).toBe('app://shepherd/index.html')
  })

  test('SEC-3: window.open never opens a window; only https/mailto reach openExternal', async () => {
    await electronApp.evaluate(({ shell }) => {
      const opened: string[] = []
      ;(globalThis as unknown as { __opened: string[] }).__opened = opened
      shell.openExternal = async (url: string) => {
        opened.push(url)
      }
    })
    const urls = [
      'javascript:alert(1)',
      'file:///etc/passwd',
      'smb://attacker.example/share',
      'ms-msdt:/id PCWDiagnostic',
      'vscode://x/y',
      'http://example.com/',
      'https://example.com/ok',
      'mailto:someone@example.com'
    ]
    await page.evaluate((list) => {
      const w = globalThis as unknown as { open(url: string): unknown }
      for (const url of list) w.open(url)
    }, urls)
    await page.waitForTimeout(300)
    const opened = await electronApp.evaluate(() => (globalThis as unknown as { __opened: string[] }).__opened)
    expect(opened).toEqual(['https://example.com/ok', 'mailto:someone@example.com'])
    const windows = await electronApp.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().length)
    expect(windows).toBe(1)
  })

  test('SEC-4: a frame that is not our main frame gets no port', async () => {
    const frameHasBridge = await page.evaluate(async () => {
      interface Frame {
        srcdoc: string
        contentWindow: object | null
        addEventListener(type: string, listener: () => void, opts: { once: boolean }): void
        remove(): void
      }
      const doc = (globalThis as unknown as { document: { createElement(tag: string): Frame; body: { appendChild(f: Frame): void } } }).document
      const iframe = doc.createElement('iframe')
      iframe.srcdoc = '<p>child</p>'
      doc.body.appendChild(iframe)
      await new Promise<void>((r) => iframe.addEventListener('load', () => r(), { once: true }))
      try {
        return 'electronTRPCPort' in (iframe.contentWindow ?? {})
      } catch {
        return false
      } finally {
        iframe.remove()
      }
    })
    expect(frameHasBridge).toBe(false)
  })

  test('CP-8: quitting finishes within the 6 s deadline', async () => {
    const child = electronApp.process()
    const exited = new Promise<number | null>((resolveExit) => child.once('exit', (code) => resolveExit(code)))
    const started = Date.now()
    // The evaluate may lose its connection as the app exits.
    await electronApp.evaluate(({ app }) => app.quit()).catch(() => {})
    expect(await exited).toBe(0)
    expect(Date.now() - started).toBeLessThan(6_500)
  })
})
