/** The tests Stryker runs against the decision core's mutants: the core unit tests. */
import { defineConfig } from 'vitest/config';
import base from '../../vitest.config.js';

export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: ['test/unit/core/**/*.test.ts'],
  },
});
