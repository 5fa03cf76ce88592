/**
 * The tests Stryker runs against the ledger's, the grants store's and the grant scopes' mutants:
 * their unit tests and the fast integration tests of grants, grant scopes and the budget ledger
 * (real SQLite files).
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import base from '../../vitest.config.js';

const binding = process.env.WARDEN_MUTATE_SQLITE_BINDING;

export default defineConfig({
  ...base,
  resolve: binding ? { alias: { 'better-sqlite3': fileURLToPath(new URL('./better-sqlite3-node22.mjs', import.meta.url)) } } : {},
  test: {
    ...base.test,
    include: [
      'test/unit/budgets/**/*.test.ts',
      'test/unit/approvals/**/*.test.ts',
      'test/integration/approvals/grant-scopes.test.ts',
      'test/integration/approvals/grants.test.ts',
      'test/integration/budgets/*.test.ts',
    ],
    // Crash tests spawn server processes: slow, and they test durability, not arithmetic.
    exclude: [
      'test/integration/budgets/ledger-processes.test.ts',
    ],
  },
});
