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

test('a cap-mode budget pauses after spend, and Resume with grace re-enables it', async ({ page }) => {
  const agent = await createAgent(server, 'spender');
  await server.api('POST', '/v1/budgets', { scope: 'agent', scope_id: agent.id, limit_usd_cents: 100, mode: 'cap' });
  await signIn(page, server);
  await goTo(page, 'Budgets');
  const row = page.getByRole('table', { name: 'Budgets' }).getByRole('row', { name: /Agent spender/ });
  await expect(row.getByText('active', { exact: true })).toBeVisible();
  await expect(row.getByRole('meter', { name: 'Spend of Agent spender' })).toBeVisible();

  // $1.50 against a $1.00 cap: the ledger pauses the budget and the panel shows it live.
  const spent = await server.api('POST', '/v1/spend', { amount_micro_usd: 1_500_000 }, agent.key);
  expect(spent.paused).toBe(true);
  await expect(row.getByText('paused', { exact: true })).toBeVisible();
  const blocked = await ask(server, agent, { tool: 'shell.exec', args: { command: 'ls' } });
  expect(blocked.block_code).toBe('budget_paused');
  await screenshot(page, 'budgets');

  await row.getByRole('button', { name: 'Resume', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Resume Agent spender' });
  // Without grace the spend is still over the cap: the dialog warns first.
  await expect(dialog.getByRole('alert')).toContainText('will pause again');
  await dialog.getByLabel('Grace (USD)').fill('2.00');
  await expect(dialog.getByRole('alert')).toBeHidden();
  await dialog.getByRole('button', { name: 'Resume budget' }).click();
  await expect(dialog).toBeHidden();
  await expect(row.getByText('active', { exact: true })).toBeVisible();

  const budget = await server.api('GET', `/v1/budgets/agent/${agent.id}`);
  expect(budget.status).toBe('active');
  expect(budget.limit_usd_cents).toBe(350);
  const after = await ask(server, agent, { tool: 'shell.exec', args: { command: 'ls' } });
  expect(after.block_code).not.toBe('budget_paused');
});

test('Resume with grace for this period keeps the original cap in view', async ({ page }) => {
  const agent = await createAgent(server, 'daily-spender');
  await server.api('POST', '/v1/budgets', { scope: 'agent', scope_id: agent.id, limit_usd_cents: 100, mode: 'cap', period: 'day' });
  await server.api('POST', '/v1/spend', { amount_micro_usd: 1_500_000 }, agent.key);
  await signIn(page, server);
  await goTo(page, 'Budgets');
  const row = page.getByRole('table', { name: 'Budgets' }).getByRole('row', { name: /Agent daily-spender/ });
  await row.getByRole('button', { name: 'Resume', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Resume Agent daily-spender' });
  await dialog.getByLabel('Grace (USD)').fill('1.00');
  // For this period is the default for a periodic budget.
  await expect(dialog.getByRole('radio', { name: /For this period — back to \$1\.00/ })).toBeChecked();
  await dialog.getByRole('button', { name: 'Resume budget' }).click();
  await expect(dialog).toBeHidden();
  await expect(row.getByText('active', { exact: true })).toBeVisible();
  await expect(row).toContainText('of $2.50');
  await expect(row).toContainText('grace, cap $1.00 from next period');
  const budget = await server.api('GET', `/v1/budgets/agent/${agent.id}`);
  expect(budget).toMatchObject({ limit_usd_cents: 250, cap_after_period_usd_cents: 100 });
});

test('Pause stops one scope by hand', async ({ page }) => {
  const agent = await createAgent(server, 'pausable');
  await server.api('POST', '/v1/budgets', { scope: 'agent', scope_id: agent.id, limit_usd_cents: 5000, mode: 'warn' });
  await signIn(page, server);
  await goTo(page, 'Budgets');
  const row = page.getByRole('table', { name: 'Budgets' }).getByRole('row', { name: /Agent pausable/ });
  await row.getByRole('button', { name: 'Pause', exact: true }).click();
  await expect(row.getByText('paused', { exact: true })).toBeVisible();
  expect((await server.api('GET', `/v1/budgets/agent/${agent.id}`)).status).toBe('paused');
});

test('Stop all agents blocks an action, and releasing it unblocks', async ({ page }) => {
  const agent = await createAgent(server, 'runner');
  await signIn(page, server);
  await page.getByRole('button', { name: 'Stop all agents', exact: true }).click();
  await expect(page.getByRole('status', { name: 'Kill-switch state' })).toHaveText(/All agents stopped/);
  const blocked = await ask(server, agent, { tool: 'shell.exec', args: { command: 'make deploy' } });
  expect(blocked.decision).toBe('BLOCK');
  expect(blocked.block_code).toBe('kill_switch');
  await goTo(page, 'Budgets');
  await expect(page.getByRole('region', { name: 'Global kill-switch' })).toContainText('Engaged');
  // Who stopped it, by name.
  await expect(page.getByRole('region', { name: 'Global kill-switch' })).toContainText(/by owner\.$/);
  await screenshot(page, 'budgets-stopped');

  await page.getByRole('button', { name: 'Release all agents', exact: true }).click();
  await expect(page.getByRole('status', { name: 'Kill-switch state' })).toHaveText(/Agents running/);
  const after = await ask(server, agent, { tool: 'shell.exec', args: { command: 'make deploy' } });
  expect(after.block_code).not.toBe('kill_switch');
});

test('the kill-switch state follows changes made elsewhere (CLI, another window)', async ({ page }) => {
  await signIn(page, server);
  await server.api('POST', '/v1/kill-switch', { engaged: true, reason: 'incident 42' });
  await expect(page.getByRole('status', { name: 'Kill-switch state' })).toHaveText(/All agents stopped.*incident 42/);
  await server.api('POST', '/v1/kill-switch', { engaged: false });
  await expect(page.getByRole('status', { name: 'Kill-switch state' })).toHaveText(/Agents running/);
});

test('create a budget from the panel', async ({ page }) => {
  // A team budget names a team some agent is in.
  await createAgent(server, undefined, { team_id: 'platform' });
  await signIn(page, server);
  await goTo(page, 'Budgets');
  await page.getByRole('button', { name: 'New budget' }).click();
  const dialog = page.getByRole('dialog', { name: 'New budget' });
  await dialog.getByLabel('Scope').selectOption('team');
  await dialog.getByLabel('Team id').fill('platform');
  await dialog.getByLabel('Cap (USD)').fill('25');
  // A new budget starts in the server's (and the CLI's) default mode: warn.
  await expect(dialog.getByRole('radio', { name: /^warn/ })).toBeChecked();
  await dialog.getByRole('button', { name: 'Save budget' }).click();
  await expect(page.getByRole('table', { name: 'Budgets' }).getByRole('row', { name: /Team platform/ })).toBeVisible();
  const saved = await server.api('GET', '/v1/budgets/team/platform');
  expect(saved.limit_usd_cents).toBe(2500);
  expect(saved.mode).toBe('warn');
});
