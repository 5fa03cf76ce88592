import type { Migration } from '../migrate.js';

/** Budgets, the spend ledger, reservations, the global kill-switch. */
export const budgets: Migration = {
  version: 3,
  name: 'budgets',
  up: `SELECT 1;`,
};
