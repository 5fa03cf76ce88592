// Lint keeps the architecture honest: shared/ stays pure (no Node, Electron or DOM), and nothing
// outside renderer/ imports from it.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const nodeOnly = ['node:*', 'fs', 'path', 'os', 'crypto', 'http', 'net', 'child_process', 'electron', 'better-sqlite3', 'fastify'];

export default tseslint.config(
  { ignores: ['dist/**', 'release/**', 'node_modules/**', 'test-results/**', 'playwright-report/**', 'test/e2e/artifacts/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      '@typescript-eslint/no-empty-object-type': 'off',
      'no-empty': ['error', { allowEmptyCatch: true }],
    },
  },
  {
    files: ['electron/**/*.ts', 'electron/**/*.cts', 'test/**/*.ts', 'scripts/**/*.js', 'bin/**/*.js', '*.config.*', 'renderer/vite.config.ts'],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    files: ['electron/**', 'shared/**', 'test/**', 'scripts/**', 'bin/**'],
    ignores: ['test/e2e/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/renderer/**'], message: 'only renderer/ may import renderer code' }] }],
    },
  },
  {
    files: ['shared/**/*.ts'],
    languageOptions: { globals: { ...globals['shared-node-browser'] } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: nodeOnly, message: 'shared/ is pure: no Node, Electron or database imports' },
            { group: ['**/electron/**', '**/renderer/**'], message: 'shared/ imports only shared/' },
          ],
        },
      ],
      'no-restricted-globals': ['error', 'window', 'document', 'localStorage', 'navigator', 'process', 'Buffer', 'require'],
    },
  },
  {
    // Unit tests of the renderer's logic (type-checked with tsconfig.web.json).
    files: ['test/unit/renderer/**/*.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    files: ['renderer/src/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: nodeOnly, message: 'the renderer runs in a browser' }, { group: ['**/electron/**'], message: 'the renderer talks to the main process over HTTP only' }] }],
    },
  },
);
