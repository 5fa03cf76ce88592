/** Where Warden keeps its database and operator token. */
import { homedir } from 'node:os';
import { join } from 'node:path';

/** `WARDEN_DATA_DIR`, else the OS's per-user app-data folder. */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (env.WARDEN_DATA_DIR) return env.WARDEN_DATA_DIR;
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'Warden');
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'Warden');
  return join(env.XDG_DATA_HOME ?? join(homedir(), '.local', 'share'), 'warden');
}

export const DEFAULT_PORT = 7419;
export const DB_FILE = 'warden.db';
export const TOKEN_FILE = 'operator.token';
/** Online backups of warden.db, newest last by name. */
export const BACKUP_DIR = 'backups';
