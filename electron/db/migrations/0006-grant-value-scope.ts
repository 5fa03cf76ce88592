import type { Migration } from '../migrate.js';

/**
 * Grants gain an amount scope: `max_value`, when set, limits the grant to actions carrying a
 * finite `value` at most that much (an Allow always on a $180 refund no longer covers $250).
 */
export const grantValueScope: Migration = {
  version: 6,
  name: 'grant-value-scope',
  up: `ALTER TABLE grants ADD COLUMN max_value REAL;`,
};
