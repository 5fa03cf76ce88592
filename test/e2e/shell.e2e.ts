import { expect, test } from '@playwright/test';
import { startServer, type E2eServer } from './server.js';

let server: E2eServer;
test.beforeAll(async () => {
  server = await startServer();
});
test.afterAll(async () => {
  await server.stop();
});

test('the sign-in URL opens the UI and the token leaves the address bar', async ({ page }) => {
  await page.goto(server.signInUrl);
  await expect(page.getByRole('heading', { name: 'Warden' })).toBeVisible();
  await expect.poll(() => page.url()).not.toContain('token=');
});
