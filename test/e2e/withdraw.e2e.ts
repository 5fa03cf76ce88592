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

test('an agent that stops waiting withdraws its request: the card leaves the Inbox, saying so, and cannot be allowed', async ({ page }) => {
  const agent = await createAgent(server, 'impatient-bot');
  await signIn(page, server);
  const action = await ask(server, agent, { tool: 'shell.exec', args: { command: 'make release' } });
  expect(action.status).toBe('pending_approval');
  const card = page.getByRole('list', { name: 'Pending approvals' }).getByRole('article', { name: 'shell.exec by impatient-bot' });
  await expect(card).toBeVisible();

  const withdrawn = await server.api('POST', `/v1/actions/${action.id}/withdraw`, undefined, agent.key);
  expect(withdrawn.withdrawn_at).toEqual(expect.any(String));
  await expect(page.getByText('impatient-bot stopped waiting')).toBeVisible();
  await expect(card).toBeHidden();
  await expect(server.api('POST', `/v1/approvals/${action.approval_id}/decision`, { decision: 'allow_once' })).rejects.toThrow(/409/);
});
