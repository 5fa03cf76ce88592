// Mutation testing of the pure decision core (shared/core) under its unit tests; the ledger's
// and the grants store's mutants run apart (stryker.ledger.config.mjs) with the integration tests
// that open real SQLite files, and shell.ts apart with a fresh module per test file
// (stryker.shell.config.mjs). `npm run mutate` runs both (scripts/mutate.js).
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export const common = {
  testRunner: 'vitest',
  plugins: ['@stryker-mutator/vitest-runner', './test/mutation/message-text-ignorer.mjs'],
  ignorers: ['message-text'],
  ignorePatterns: ['/dist', '/release', '/coverage', '/reports', '/.warden-dev', '/renderer', '/test/e2e', '/test/bench', '/docs', '/build', '/mutation-results.json', '/test-results', '/playwright-report'],
  coverageAnalysis: 'perTest',
  // Module-level tables (word lists, the truth table) would re-run every test for each mutant.
  ignoreStatic: true,
  concurrency: 2,
  timeoutMS: 20_000,
  incremental: true,
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
  reporters: ['clear-text', 'progress', 'html', 'json'],
  clearTextReporter: { allowColor: false, logTests: false, reportScoreTable: true, reportMutants: false },
  thresholds: { high: 90, low: 85, break: null },
};

export default {
  ...common,
  vitest: { configFile: 'test/mutation/vitest.core.config.ts' },
  mutate: ['shared/core/*.ts', '!shared/core/index.ts', '!shared/core/types.ts', '!shared/core/shell.ts'],
  incrementalFile: 'reports/mutation/core-incremental.json',
  htmlReporter: { fileName: 'reports/mutation/core.html' },
  jsonReporter: { fileName: 'reports/mutation/core.json' },
};
