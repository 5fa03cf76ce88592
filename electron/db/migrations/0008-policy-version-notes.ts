import type { Migration } from '../migrate.js';

/**
 * Guardrail policy versions gain a change note: why the version was written ("raise the refund
 * ceiling for the sale"), shown next to its diff. Versions written before have none (NULL).
 */
export const policyVersionNotes: Migration = {
  version: 8,
  name: 'policy-version-notes',
  up: `ALTER TABLE guardrail_policy_versions ADD COLUMN note TEXT;`,
};
