import type { Migration } from '../migrate.js';

/** Actions, receipts, approvals and their decisions, grants. */
export const actions: Migration = {
  version: 4,
  name: 'actions',
  up: `SELECT 1;`,
};
