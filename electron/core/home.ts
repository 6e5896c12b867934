import { homedir, platform } from 'node:os';
import { join } from 'node:path';

/** Ferry's own folder: FERRY_HOME, else the OS app-data folder (what Electron's app.getPath('userData') gives). */
export function ferryHome(env: NodeJS.ProcessEnv = process.env): string {
  if (env.FERRY_HOME) return env.FERRY_HOME;
  switch (platform()) {
    case 'darwin':
      return join(homedir(), 'Library', 'Application Support', 'Ferry');
    case 'win32':
      return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'Ferry');
    default:
      return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'Ferry');
  }
}
