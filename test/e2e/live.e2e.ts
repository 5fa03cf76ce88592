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

test('the event stream reconnects after the server is killed and restarted and catches up on what it missed', async ({ page }) => {
  const agent = await createAgent(server, 'restart-agent');
  await signIn(page, server);
  const live = page.getByRole('status', { name: 'Live updates' });
  await expect(live).toHaveText(/Live/);

  // Down: the stream drops and the header says so. A request lands while nobody is listening.
  await server.restart();
  await expect(live).toHaveText(/Reconnecting|Live/);
  await ask(server, agent, { tool: 'fs.delete', args: { path: '/tmp/cache' } });

  // Back: the client reconnects with backoff, refetches, and the request is in the Inbox.
  await expect(live).toHaveText(/Live/, { timeout: 30_000 });
  await expect(page.getByRole('list', { name: 'Pending approvals' }).getByRole('article', { name: 'fs.delete by restart-agent' })).toBeVisible();

  // And new events flow again on the new connection.
  await ask(server, agent, { tool: 'fs.chmod', args: { path: '/srv', mode: '777' } });
  await expect(page.getByRole('list', { name: 'Pending approvals' }).getByRole('article', { name: 'fs.chmod by restart-agent' })).toBeVisible();
});
