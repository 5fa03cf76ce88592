import { expect, test } from '@playwright/test';
import { startServer, type E2eServer } from './server.js';
import { goTo, screenshot, signIn } from './helpers.js';

let server: E2eServer;
test.beforeAll(async () => {
  server = await startServer();
});
test.afterAll(async () => {
  await server?.stop();
});

test('creating an agent shows its key once with a snippet; disabling it blocks its actions', async ({ page }) => {
  await signIn(page, server);
  await goTo(page, 'Agents');
  await expect(page.getByText('No agents yet')).toBeVisible();
  await page.getByRole('button', { name: 'New agent' }).click();
  const form = page.getByRole('dialog', { name: 'New agent' });
  await form.getByLabel('Name').fill('night-builder');
  await form.getByLabel(/Role/).fill('coder');
  await form.getByRole('button', { name: 'Create agent' }).click();

  const shown = page.getByRole('dialog', { name: 'Agent night-builder created' });
  const key = (await shown.getByLabel('API key').innerText()).trim();
  expect(key).toMatch(/^wk_agent_/);
  await expect(shown.getByLabel('Claude Code setup')).toContainText(key);
  await expect(shown.getByRole('button', { name: 'Copy key' })).toBeVisible();
  await shown.getByRole('button', { name: 'Done' }).click();

  const row = page.getByRole('table', { name: 'Agents' }).getByRole('row', { name: /night-builder/ });
  await expect(row).toContainText('coder');
  await expect(row).toContainText('never connected');
  const me = await server.api('GET', '/v1/me', undefined, key);
  expect(me.name).toBe('night-builder');
  // Its first request is its last contact; the page picks it up without a reload.
  await expect(row).toContainText(/connected · last seen \d+ s ago/, { timeout: 15_000 });
  await page.setViewportSize({ width: 900, height: 700 });
  await screenshot(page, 'agents-900');
  await page.setViewportSize({ width: 1360, height: 860 });

  await row.getByRole('button', { name: 'Disable night-builder' }).click();
  await expect(row).toContainText('disabled');
  const res = await server.api('POST', '/v1/actions', { tool: 'shell.exec' }, key);
  expect(res.block_code).toBe('agent_disabled');

  await row.getByRole('button', { name: 'Keys of night-builder' }).click();
  const keys = page.getByRole('dialog', { name: 'Keys of night-builder' });
  await expect(keys.getByRole('table', { name: 'Keys' }).getByRole('row')).toHaveCount(2);
  await expect(keys.getByRole('table', { name: 'Keys' })).toContainText(/just now|s ago/);
  await keys.getByRole('button', { name: /^Revoke key/ }).click();
  await expect(keys.getByText('revoked')).toBeVisible();
  await expect(server.api('GET', '/v1/me', undefined, key)).rejects.toThrow(/401/);
});
