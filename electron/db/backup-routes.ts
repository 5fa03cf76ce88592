import type { Api } from '../server/api.js';
import type { BackupScheduler } from './backups.js';

export function backupRoutes(api: Api, backups: BackupScheduler): void {
  api.handle('createBackup', async () => ({ object: 'backup' as const, ...(await backups.run()) }));
}
