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

test('agents show pending requests and spend this period; an agent is deleted from the Agents page after typing its name: its key gets 401, its pending request is withdrawn, its history keeps its name', async ({ page }) => {
  await page.setViewportSize({ width: 900, height: 800 });
  const doomed = await createAgent(server, 'doomed-bot');
  const staying = await createAgent(server, 'staying-bot');
  await server.api('POST', '/v1/budgets', { scope: 'agent', scope_id: staying.id, limit_usd_cents: 1000, period: 'week' });
  await server.api('POST', '/v1/spend', { amount_micro_usd: 500_000 }, staying.key);
  await ask(server, doomed, { tool: 'shell.exec', args: { command: 'ls' } });
  await signIn(page, server);
  await goTo(page, 'Agents');
  const table = page.getByRole('table', { name: 'Agents' });
  const row = table.getByRole('row', { name: /doomed-bot/ });
  // Pending requests and spend this period per agent (its budget's week; today without one).
  await expect(row).toContainText('1 pending');
  await expect(row).toContainText('$0.00 today');
  await expect(table.getByRole('row', { name: /staying-bot/ })).toContainText('0 pending');
  await expect(table.getByRole('row', { name: /staying-bot/ })).toContainText('$0.50 this week');
  const remove = row.getByRole('button', { name: 'Delete doomed-bot' });
  const box = await remove.boundingBox();
  expect(box && box.x + box.width).toBeLessThanOrEqual(900);
  await remove.click();

  const dialog = page.getByRole('dialog', { name: 'Delete doomed-bot?' });
  const confirm = dialog.getByRole('button', { name: 'Delete agent' });
  await expect(dialog.getByLabel('Type its name to confirm')).toBeFocused();
  await expect(confirm).toBeDisabled();
  await page.keyboard.press('Enter');
  await expect(dialog).toBeVisible();
  await page.keyboard.type('doomed-bot');
  await screenshot(page, 'agents-delete-900');
  await confirm.click();
  await expect(dialog).toBeHidden();
  await expect(row).toHaveCount(0);
  await expect(table.getByRole('row', { name: /staying-bot/ })).toBeVisible();

  await expect(server.api('GET', '/v1/me', undefined, doomed.key)).rejects.toThrow(/401/);
  // Its pending request was withdrawn with it: gone from the Inbox, and the history still names it.
  await goTo(page, 'Inbox');
  await expect(page.getByRole('list', { name: 'Pending approvals' }).getByRole('article', { name: 'shell.exec by doomed-bot' })).toHaveCount(0);
  await page.getByRole('tab', { name: /History/ }).click();
  await expect(page.getByRole('table', { name: 'Approval history' }).getByRole('row', { name: /doomed-bot/ })).toBeVisible();
});
