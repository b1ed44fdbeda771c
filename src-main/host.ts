/**
 * Web host entry (`node out/main/host.js`): the same core and router as the Electron app, served to
 * a browser on 127.0.0.1. Env: PORT (default 5199, 0 = any free port), SHEPHERD_DATA_DIR,
 * SHEPHERD_TOKEN (a fixed access token; must be long and random). `--rotate-token`: replace the
 * access token kept in the data dir (every open tab must then open the new address).
 */
import { join } from 'node:path'
import { createCore } from './core'
import { startWebHost } from './web/server'
import { defaultDataDir } from './web/data-dir'
import { loadAccessToken } from './web/access-token'

/** The port users get by default: stable, so a bookmarked address keeps working. */
const DEFAULT_PORT = 5199

async function main() {
  const dataDir = defaultDataDir()
  // Before the core opens anything: a bad SHEPHERD_TOKEN stops here with the reason.
  const access = loadAccessToken(dataDir, { envToken: process.env.SHEPHERD_TOKEN, rotate: process.argv.includes('--rotate-token') })
  const core = createCore({ dataDir, host: { kind: 'web' }, version: process.env.npm_package_version })
  const rendererDir = join(__dirname, '../renderer')
  const wanted = process.env.PORT !== undefined ? Number(process.env.PORT) : DEFAULT_PORT
  let host: Awaited<ReturnType<typeof startWebHost>> | undefined
  const rotateToken = () => {
    const token = access.rotate()
    // Said where the first address was printed, for the other tabs and browsers.
    setImmediate(() => console.log(`The access token was replaced from Settings. Open this address: ${host?.url ?? ''}`))
    return token
  }
  const options = { core, rendererDir, token: access.token, rotateToken }
  try {
    host = await startWebHost({ ...options, port: wanted })
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || process.env.PORT !== undefined) throw err
    host = await startWebHost({ ...options, port: 0 })
  }
  // Machine-readable line first (tests and scripts parse it), then the human one.
  console.log(`SHEPHERD_URL ${host.url}`)
  console.log(`Shepherd is running. Open this address in your browser: ${host.url}`)
  if (access.from === 'new') console.log('(A new access token: tabs opened with an older address must open this one.)')
  console.log(`Data: ${dataDir}`)
  let closing = false
  const quit = async () => {
    if (closing) return
    closing = true
    await host.close()
    await core.dispose()
    process.exit(0)
  }
  process.on('SIGINT', quit)
  process.on('SIGTERM', quit)
}

main().catch((err) => {
  console.error(`Shepherd could not start: ${err instanceof Error ? err.message : String(err)}`)
  process.exit(1)
})
