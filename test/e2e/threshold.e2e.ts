import { expect, test, type Page } from '@playwright/test';
import { startServer, type E2eServer } from './server.js';
import { ask, createAgent, signIn } from './helpers.js';

let server: E2eServer;
test.beforeAll(async () => {
  server = await startServer();
});
test.afterAll(async () => {
  await server?.stop();
});

let alice: { token: string };
test.beforeAll(async () => {
  await server.api('PATCH', '/v1/settings/governance', { approval_threshold: 2 });
  alice = await server.api('POST', '/v1/operators', { name: 'alice' });
});

/** Every decision the page sends, to prove a locked card sends none. */
function decisionCalls(page: Page): string[] {
  const calls: string[] = [];
  page.on('request', (r) => {
    if (r.method() === 'POST' && r.url().includes('/decision')) calls.push(r.url());
  });
  return calls;
}

/** One round trip through the page: a request the keys before it started has been seen by now. */
async function settled(page: Page): Promise<void> {
  await page.evaluate(() => fetch('/v1/health').then((r) => r.ok));
}

test('a two-operator threshold shows "1 of 2 approvals" until the second operator decides', async ({ page }) => {
  const agent = await createAgent(server, 'prod-deployer');
  await signIn(page, server);
  const calls = decisionCalls(page);

  const waiting = ask(server, agent, { tool: 'deploy.production', args: { service: 'api', version: '2.4.0' } }, 30);
  const card = page.getByRole('list', { name: 'Pending approvals' }).getByRole('article', { name: 'deploy.production by prod-deployer' });
  await expect(card).toContainText('0 of 2 approvals');
  const details = page.getByRole('region', { name: 'Approval details' });
  await details.getByRole('button', { name: 'Allow once', exact: true }).click();
  await expect(card).toContainText('1 of 2 approvals');
  await expect(details.getByRole('status')).toContainText('1 of 2 approvals');
  // Thresholds count distinct operators: this one has decided, so the card locks and says why.
  await expect(details.getByText('You approved · waiting for 1 more operator')).toBeVisible();
  for (const name of ['Allow once', 'Allow always', 'Deny']) await expect(details.getByRole('button', { name, exact: true })).toBeDisabled();
  await expect(details.getByLabel('Reason for denial')).toBeDisabled();
  await card.click();
  for (const key of ['a', 'Shift+A', 'd']) await page.keyboard.press(key);
  await settled(page);
  expect(calls).toHaveLength(1);
  await expect(page.getByRole('alert')).toHaveCount(0); // no "Decision failed"

  const pending = await server.api('GET', '/v1/approvals?status=pending');
  await server.api('POST', `/v1/approvals/${pending.data[0].id}/decision`, { decision: 'allow_once' }, alice.token);
  expect((await waiting).status).toBe('allowed');
  await expect(card).toBeHidden();
});

test("another operator's counted allow shows live as 1 of 2 approvals, without a reload", async ({ page }) => {
  const agent = await createAgent(server, 'live-deployer');
  await signIn(page, server);
  const waiting = ask(server, agent, { tool: 'deploy.staging' }, 30);
  const card = page.getByRole('list', { name: 'Pending approvals' }).getByRole('article', { name: 'deploy.staging by live-deployer' });
  await expect(card).toContainText('0 of 2 approvals');
  const pending = (await server.api('GET', '/v1/approvals?status=pending')).data.find((a: { action: { tool: string } }) => a.action.tool === 'deploy.staging');
  await server.api('POST', `/v1/approvals/${pending.id}/decision`, { decision: 'allow_once' }, alice.token);
  await expect(card).toContainText('1 of 2 approvals');
  // This operator has not decided: its buttons stay live, and its allow completes the threshold.
  await card.click();
  await page.getByRole('region', { name: 'Approval details' }).getByRole('button', { name: 'Allow once', exact: true }).click();
  expect((await waiting).status).toBe('allowed');
  await expect(card).toBeHidden();
});

test('a first allow given elsewhere (a desktop notification) locks the card live', async ({ page }) => {
  const agent = await createAgent(server, 'db-migrator');
  await signIn(page, server);
  const calls = decisionCalls(page);
  const waiting = ask(server, agent, { tool: 'db.migrate', args: { target: '0042' } }, 30);
  const card = page.getByRole('list', { name: 'Pending approvals' }).getByRole('article', { name: 'db.migrate by db-migrator' });
  await expect(card).toContainText('0 of 2 approvals');
  // The same operator answers outside this page; the approval.decided event locks the card.
  const pending = await server.api('GET', '/v1/approvals?status=pending');
  await server.api('POST', `/v1/approvals/${pending.data[0].id}/decision`, { decision: 'allow_once' });
  const details = page.getByRole('region', { name: 'Approval details' });
  await expect(details.getByText('You approved · waiting for 1 more operator')).toBeVisible();
  expect(calls).toHaveLength(0);
  await expect(page.getByRole('alert')).toHaveCount(0);
  await expect(details.getByRole('button', { name: 'Allow once', exact: true })).toBeDisabled();
  await expect(card).toContainText('1 of 2 approvals');

  await server.api('POST', `/v1/approvals/${pending.data[0].id}/decision`, { decision: 'deny', comment: 'not today' }, alice.token);
  expect((await waiting).status).toBe('denied');
  await expect(card).toBeHidden();
});
