import { expect, test } from '@playwright/test';
import { startServer, type E2eServer } from './server.js';
import { ask, createAgent, signIn } from './helpers.js';

let server: E2eServer;
test.beforeAll(async () => {
  server = await startServer();
});
test.afterAll(async () => {
  await server?.stop();
});

test('a two-operator threshold shows "1 of 2 approvals" until the second operator decides', async ({ page }) => {
  await server.api('PATCH', '/v1/settings/governance', { approval_threshold: 2 });
  const alice = await server.api('POST', '/v1/operators', { name: 'alice' });
  const agent = await createAgent(server, 'prod-deployer');
  await signIn(page, server);

  const waiting = ask(server, agent, { tool: 'deploy.production', args: { service: 'api', version: '2.4.0' } }, 30);
  const card = page.getByRole('list', { name: 'Pending approvals' }).getByRole('article', { name: 'deploy.production by prod-deployer' });
  await expect(card).toContainText('0 of 2 approvals');
  const details = page.getByRole('region', { name: 'Approval details' });
  await details.getByRole('button', { name: 'Allow once', exact: true }).click();
  await expect(card).toContainText('1 of 2 approvals');
  await expect(details.getByRole('status')).toContainText('1 of 2 approvals');

  const pending = await server.api('GET', '/v1/approvals?status=pending');
  await server.api('POST', `/v1/approvals/${pending.data[0].id}/decision`, { decision: 'allow_once' }, alice.token);
  expect((await waiting).status).toBe('allowed');
  await expect(card).toBeHidden();
});
