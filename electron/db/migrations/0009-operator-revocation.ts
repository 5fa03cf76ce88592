import type { Migration } from '../migrate.js';

/**
 * Operators can be revoked: a revoked operator's token stops authenticating at once, its row
 * stays for the audit trail and the names on past decisions.
 */
export const operatorRevocation: Migration = {
  version: 9,
  name: 'operator-revocation',
  up: `ALTER TABLE operators ADD COLUMN revoked_at TEXT;`,
};
