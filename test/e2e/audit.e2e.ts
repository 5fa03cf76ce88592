import { expect, test } from '@playwright/test';
import { startServer, type E2eServer } from './server.js';
import { ask, createAgent, goTo, screenshot, signIn } from './helpers.js';

let server: E2eServer;
test.beforeAll(async () => {
  server = await startServer();
});
test.afterAll(async () => {
  await server?.stop();
});

test('audit filters narrow the table; a row opens its detail; the chain verifies', async ({ page }) => {
  const alpha = await createAgent(server, 'alpha');
  const beta = await createAgent(server, 'beta');
  await ask(server, alpha, { tool: 'shell.exec', args: { command: 'ls', api_key: 'sk-secret' } });
  await ask(server, beta, { tool: 'http.get', args: { url: 'https://example.com' } });
  await server.api('POST', '/v1/kill-switch', { engaged: true });
  await server.api('POST', '/v1/kill-switch', { engaged: false });

  await signIn(page, server);
  await goTo(page, 'Audit');
  const table = page.getByRole('table', { name: 'Audit events' });
  const rows = table.getByRole('rowgroup').last().getByRole('row');
  await expect(rows.first()).toBeVisible();
  const all = await rows.count();

  await page.getByLabel('Agent', { exact: true }).selectOption({ label: 'alpha' });
  await expect.poll(() => rows.count()).toBeLessThan(all);
  const forAlpha = await rows.count();
  expect(forAlpha).toBeGreaterThan(0);
  for (const text of await rows.allInnerTexts()) expect(text).toContain('alpha');
  // Details read as a sentence, not as JSON.
  await expect(rows.filter({ hasText: 'action.evaluated' })).toContainText('shell.exec → ALERT: no rule matches shell.exec');

  await page.getByLabel('Event type', { exact: true }).selectOption({ label: 'Kill-switch' });
  await expect(page.getByText('No events match these filters')).toBeVisible();
  await page.getByLabel('Agent', { exact: true }).selectOption({ label: 'All agents' });
  await expect(rows).toHaveCount(2);
  for (const text of await rows.allInnerTexts()) expect(text).toMatch(/kill_switch\.(engaged|released)/);
  await expect(rows.filter({ hasText: 'kill_switch.engaged' })).toContainText('all agents stopped');
  await expect(rows.filter({ hasText: 'kill_switch.released' })).toContainText('agents released');
  await screenshot(page, 'audit');

  await rows.first().click();
  const drawer = page.getByRole('dialog', { name: /kill_switch\./ });
  await expect(drawer).toContainText('Hash');
  await page.keyboard.press('Escape');

  await page.getByRole('button', { name: 'Verify chain' }).click();
  await expect(page.getByText(/Chain intact/)).toBeVisible();
});
