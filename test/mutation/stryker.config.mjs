// Mutation testing of the decision core, the grants decision code and the budget ledger's
// arithmetic (`npm run mutate`, see scripts/mutate.js). Paths are relative to the repository root.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'test/mutation/vitest.config.ts' },
  plugins: ['@stryker-mutator/vitest-runner', './test/mutation/message-text-ignorer.mjs'],
  ignorers: ['message-text'],
  mutate: [
    'shared/core/*.ts',
    '!shared/core/index.ts',
    '!shared/core/types.ts',
    'electron/approvals/grants.ts',
    'electron/budgets/periods.ts',
    'electron/budgets/ledger-math.ts',
  ],
  ignorePatterns: ['/dist', '/release', '/coverage', '/reports', '/.warden-dev', '/renderer', '/test/e2e', '/test/bench', '/docs', '/build', '/mutation-results.json', '/test-results', '/playwright-report'],
  coverageAnalysis: 'perTest',
  concurrency: 2,
  timeoutMS: 20_000,
  incremental: true,
  incrementalFile: 'reports/mutation/stryker-incremental.json',
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  clearTextReporter: { allowColor: false, logTests: false, reportScoreTable: true, reportMutants: false },
  thresholds: { high: 90, low: 85, break: null },
};
