/** The OS user-data dir, the same folder Electron's app.getPath('userData') gives for "Shepherd". */
import { homedir } from 'node:os'
import { join } from 'node:path'

export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (env.SHEPHERD_DATA_DIR) return env.SHEPHERD_DATA_DIR
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'Shepherd')
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'Shepherd')
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'Shepherd')
}
