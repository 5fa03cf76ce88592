/** Backups of the database, taken by the running server. */
import { z } from 'zod';
import { defineRoute } from './contract.js';
import { Timestamp } from './common.js';

export const Backup = z.object({
  object: z.literal('backup'),
  /** Absolute path of the backup file in the data folder's `backups/`. */
  file: z.string(),
  size_bytes: z.number().int(),
  created_at: Timestamp,
});
export type Backup = z.infer<typeof Backup>;

export const backupRoutes = {
  createBackup: defineRoute({
    method: 'POST', path: '/v1/backups', auth: 'operator', role: 'owner', tag: 'system', status: 201,
    summary: 'Take an online backup of the database now (the server also takes one at start and daily, keeping the last 7).',
    response: Backup,
  }),
};
