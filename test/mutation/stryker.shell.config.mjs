// Mutation testing of the shell reader (shared/core/shell.ts) apart from the rest of the core: its
// parse caches are module state, so each test file runs on a fresh module graph here
// (vitest.shell.config.ts), which the other core files do not need and would pay for.
import { common } from './stryker.config.mjs';

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  ...common,
  vitest: { configFile: 'test/mutation/vitest.shell.config.ts' },
  mutate: ['shared/core/shell.ts'],
  incrementalFile: 'reports/mutation/shell-incremental.json',
  htmlReporter: { fileName: 'reports/mutation/shell.html' },
  jsonReporter: { fileName: 'reports/mutation/shell.json' },
};
