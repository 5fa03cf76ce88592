import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Tests drive one agent far past a person's pace; the rate limit has its own tests, which
    // turn it on (test/integration/server/rate-limit.test.ts).
    env: { WARDEN_RATE_LIMIT: 'off' },
  },
});
