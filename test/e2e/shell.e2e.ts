import { expect, test } from '@playwright/test';
import { startServer, type E2eServer } from './server.js';
import { goTo, screenshot, signIn } from './helpers.js';

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
  await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();
  // A reload keeps the session (sessionStorage), still without the token in the URL.
  await page.reload();
  await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();
  expect(page.url()).not.toContain('token');
});

test('without a token the signed-out screen explains how to get the URL, and a pasted token signs in', async ({ page }) => {
  await page.goto(server.url);
  await expect(page.getByRole('heading', { name: 'Sign in to the operator desk' })).toBeVisible();
  await expect(page.getByText('operator.token').first()).toBeVisible();
  await screenshot(page, 'signed-out');
  await page.getByLabel('Operator token').fill('wk_op_wrong');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toContainText('not valid');
  await page.getByLabel('Operator token').fill(server.token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();
});

test('every page renders with its empty state, and g-chords navigate', async ({ page }) => {
  await signIn(page, server);
  await expect(page.getByText('Inbox zero')).toBeVisible();
  await screenshot(page, 'inbox-empty');
  for (const name of ['Budgets', 'Policies', 'Agents', 'Audit', 'Reports'] as const) {
    await goTo(page, name);
    await expect(page.getByRole('status').filter({ hasText: /^Loading/ })).toHaveCount(0);
    await screenshot(page, `${name.toLowerCase()}-empty`);
  }
  await page.keyboard.press('g');
  await page.keyboard.press('i');
  await expect(page.getByRole('heading', { level: 2, name: 'Inbox' })).toBeVisible();
});

test('reports show approval rate, time to approve and spend per day by agent, summed by the server', async ({ page }) => {
  const agent = await server.api('POST', '/v1/agents', { name: 'reporter' });
  const analyst = await server.api('POST', '/v1/agents', { name: 'analyst' });
  await server.api('POST', '/v1/spend', { amount_micro_usd: 2_340_000 }, agent.api_key);
  await server.api('POST', '/v1/spend', { amount_micro_usd: 660_000 }, agent.api_key);
  await server.api('POST', '/v1/spend', { amount_micro_usd: 1_250_000 }, analyst.api_key);
  await server.api('POST', '/v1/spend', { amount_micro_usd: 100_000 }); // the operator's, no agent
  const a = await server.api('POST', '/v1/actions', { tool: 'shell.exec' }, agent.api_key);
  await server.api('POST', `/v1/approvals/${a.approval_id}/decision`, { decision: 'allow_once' });
  // The day the server files today's spend under (its zone), the key of the chart's column.
  const today = (await server.api('GET', '/v1/reports/spend?group_by=day')).rows[0].key as string;
  const spendCalls: string[] = [];
  page.on('request', (r) => {
    const url = new URL(r.url());
    if (url.pathname.includes('spend')) spendCalls.push(url.pathname + url.search);
  });
  await signIn(page, server);
  await goTo(page, 'Reports');
  await expect(page.getByRole('img', { name: /Approval rate: 100%/ })).toBeVisible();
  await expect(page.getByRole('list', { name: 'Approval requests by tool' })).toContainText('shell.exec');

  const chart = page.getByRole('img', { name: 'Spend per day by agent' });
  const spendCard = page.getByRole('region', { name: 'Spend over time by agent' });
  const expectSpend = async () => {
    // One stack in today's column, agents ranked by spend, each the sum of its events.
    await expect(chart.locator('title')).toHaveText([`${today} · reporter: $3.00`, `${today} · analyst: $1.25`, `${today} · (no agent): $0.10`]);
    await expect(spendCard.locator('.legend > span')).toHaveText(['reporter $3.00', 'analyst $1.25', '(no agent) $0.10']);
    await expect(spendCard).toContainText('Total $4.35');
  };
  await expectSpend();
  // A column per day of the last 30 (31 calendar days), every 4th labelled.
  await expect(chart.locator('.chart-tick')).toHaveCount(8);
  await screenshot(page, 'reports');
  // All time starts at the first day with spend: one column, today's.
  await page.getByLabel('Period').selectOption({ label: 'All time' });
  await expect(chart.locator('.chart-tick')).toHaveText([today.slice(5)]);
  await expectSpend();
  // Grouped in SQL through the report, never by paging through raw spend events.
  expect(spendCalls.filter((c) => c.startsWith('/v1/spend'))).toEqual([]);
  // One report per period shown (30 days, then all time), already split by day and agent.
  expect(spendCalls.filter((c) => c.startsWith('/v1/reports/spend'))).toEqual([
    expect.stringMatching(/^\/v1\/reports\/spend\?group_by=agent_day&since=/),
    '/v1/reports/spend?group_by=agent_day',
  ]);
});
