/** The tests Stryker runs against the decision core's mutants: the core unit tests. */
import { defineConfig } from 'vitest/config';
import base from '../../vitest.config.js';

export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: ['test/unit/core/**/*.test.ts'],
    // One worker reused across test files: a fresh process per file and per mutant costs more than
    // the tests. The core is pure; its only module state is shell.ts's parse caches, which can
    // only hide a shell.ts mutant (a pessimistic score), never fake a kill.
    isolate: false,
    // Wall-clock bounds (the linear-glob checks) mean nothing on instrumented code under load.
    testNamePattern: /^(?!.*within a bound of includes\(\))/,
  },
});
