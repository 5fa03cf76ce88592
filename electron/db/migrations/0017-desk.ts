import type { Migration } from '../migrate.js';

/**
 * The operator desk's second pass.
 * - Grace for this period: a resume with grace can raise the cap until the next period boundary
 *   only. `cap_after_period_usd_cents` keeps the cap the budget returns to then (null when the
 *   cap stands as it is).
 * - Deleting an agent keeps its row for history (audit, actions, approvals name it): `deleted_at`
 *   hides it from lists, and its keys are revoked.
 */
export const desk: Migration = {
  version: 17,
  name: 'desk',
  up: `
    ALTER TABLE budgets ADD COLUMN cap_after_period_usd_cents INTEGER CHECK (cap_after_period_usd_cents IS NULL OR cap_after_period_usd_cents > 0);
    ALTER TABLE agents ADD COLUMN deleted_at TEXT;
  `,
};
