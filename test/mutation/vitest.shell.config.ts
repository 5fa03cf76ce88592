/**
 * The tests Stryker runs against shell.ts's mutants: the core unit tests, each test file on fresh
 * project modules (fresh-modules.ts). shell.ts remembers parsed commands and patterns (its parse
 * caches); a worker that kept the module across mutant runs would answer from results parsed under
 * another mutant (or none) and hide the active mutant from every test.
 */
import { defineConfig } from 'vitest/config';
import core from './vitest.core.config.js';

export default defineConfig({
  ...core,
  test: {
    ...core.test,
    setupFiles: ['test/mutation/fresh-modules.ts'],
  },
});
