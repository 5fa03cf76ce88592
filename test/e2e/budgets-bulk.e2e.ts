import { expect, test } from '@playwright/test';
import { startServer, type E2eServer } from './server.js';
import { createAgent, goTo, screenshot, signIn, type SeededAgent } from './helpers.js';

let server: E2eServer;
test.beforeAll(async () => {
  server = await startServer();
});
test.afterAll(async () => {
  await server?.stop();
});

test('paused budgets picked with a checkbox or `x` resume together; a failure is listed by name', async ({ page }) => {
  await page.setViewportSize({ width: 900, height: 800 });
  const names = ['bulk-a', 'bulk-b', 'bulk-c', 'bulk-d'];
  const agents: SeededAgent[] = [];
  for (const name of names) {
    const agent = await createAgent(server, name);
    agents.push(agent);
    await server.api('POST', '/v1/budgets', { scope: 'agent', scope_id: agent.id, limit_usd_cents: 1000, mode: 'cap' });
  }
  const idOf = (i: number) => agents[i]?.id ?? '';
  // a, b and c paused by hand; d stays active and gets no checkbox.
  for (const agent of agents.slice(0, 3)) await server.api('POST', `/v1/budgets/agent/${agent.id}/pause`, { reason: 'test' });
  await signIn(page, server);
  await goTo(page, 'Budgets');
  const table = page.getByRole('table', { name: 'Budgets' });
  const row = (name: string) => table.getByRole('row', { name: new RegExp(`Agent ${name}`) });
  await expect(row('bulk-d').getByRole('checkbox')).toHaveCount(0);

  // The server refuses c's resume (as it would, say, for a budget removed meanwhile): it stays listed with its reason.
  await page.route(`**/v1/budgets/agent/${idOf(2)}/resume`, (route) =>
    route.fulfill({ status: 404, contentType: 'application/json', body: JSON.stringify({ error: { code: 'not_found', message: 'No such budget.', param: null } }) }),
  );

  await row('bulk-a').getByRole('checkbox', { name: 'Select Agent bulk-a' }).check();
  // Keyboard: focus b's Resume button and press x.
  await row('bulk-b').getByRole('button', { name: 'Resume', exact: true }).focus();
  await page.keyboard.press('x');
  await expect(row('bulk-b').getByRole('checkbox')).toBeChecked();
  await row('bulk-c').getByRole('checkbox').focus();
  await page.keyboard.press('x');
  await expect(row('bulk-c').getByRole('checkbox')).toBeChecked();

  const bar = page.getByRole('region', { name: 'Bulk resume' });
  await expect(bar).toContainText('3 selected');
  await screenshot(page, 'budgets-bulk-900');
  await bar.getByRole('button', { name: 'Resume selected (3)' }).click();

  await expect(row('bulk-a').getByText('active', { exact: true })).toBeVisible();
  await expect(row('bulk-b').getByText('active', { exact: true })).toBeVisible();
  await expect(row('bulk-c').getByText('paused', { exact: true })).toBeVisible();
  await expect(bar.getByRole('alert')).toContainText('Could not resume 1 budget');
  await expect(bar.getByRole('list', { name: 'Resume failures' }).getByRole('listitem')).toHaveText(['Agent bulk-c: No such budget.']);
  // The failed one stays selected for a retry.
  await expect(row('bulk-c').getByRole('checkbox')).toBeChecked();
  await expect(bar).toContainText('1 selected');

  for (const [i, status] of [[0, 'active'], [1, 'active'], [2, 'paused'], [3, 'active']] as const) {
    expect((await server.api('GET', `/v1/budgets/agent/${idOf(i)}`)).status).toBe(status);
  }

  // "Select all paused" picks the one left; the retry goes through once the server accepts it.
  await page.unroute(`**/v1/budgets/agent/${idOf(2)}/resume`);
  await row('bulk-c').getByRole('checkbox').uncheck();
  await table.getByRole('checkbox', { name: 'Select all paused budgets' }).check();
  await bar.getByRole('button', { name: 'Resume selected (1)' }).click();
  await expect(row('bulk-c').getByText('active', { exact: true })).toBeVisible();
  await expect(bar).toBeHidden();
  expect((await server.api('GET', `/v1/budgets/agent/${idOf(2)}`)).status).toBe('active');
});
