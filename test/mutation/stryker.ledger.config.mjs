// Mutation testing of the budget ledger's arithmetic, the grants store and the approvals decision
// code (the scopes Allow always grants), under their unit tests and the integration tests that
// run them against real SQLite files.
import { common } from './stryker.config.mjs';

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  ...common,
  vitest: { configFile: 'test/mutation/vitest.ledger.config.ts' },
  mutate: ['electron/budgets/ledger-math.ts', 'electron/budgets/periods.ts', 'electron/approvals/grants.ts', 'electron/approvals/grant-scopes.ts', 'electron/approvals/command-words.ts'],
  incrementalFile: 'reports/mutation/ledger-incremental.json',
  htmlReporter: { fileName: 'reports/mutation/ledger.html' },
  jsonReporter: { fileName: 'reports/mutation/ledger.json' },
};
