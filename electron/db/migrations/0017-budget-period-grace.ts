import type { Migration } from '../migrate.js';

/**
 * Grace for this period: a resume with grace can raise the cap until the next period boundary
 * only. `cap_after_period_usd_cents` keeps the cap the budget returns to then (null when the cap
 * stands as it is).
 */
export const budgetPeriodGrace: Migration = {
  version: 17,
  name: 'budget-period-grace',
  up: `
    ALTER TABLE budgets ADD COLUMN cap_after_period_usd_cents INTEGER CHECK (cap_after_period_usd_cents IS NULL OR cap_after_period_usd_cents > 0);
  `,
};
