import type { Migration } from '../migrate.js';

/** Guardrail policies and versions, tools, tool policies, role overrides, settings, quotas. */
export const policies: Migration = {
  version: 2,
  name: 'policies',
  up: `SELECT 1;`,
};
