/**
 * Waiting now: a request whose agent is blocked on it (a long-poll that says how long the agent
 * waits in all) is pinned on top with the agent's own remaining wait; when the agent goes away the
 * countdown goes and the card falls back into its place. At 900 × 800, nothing cut off.
 */
import { expect, test } from '@playwright/test';
import { startServer, type E2eServer } from './server.js';
import { ask, createAgent, screenshot, signIn } from './helpers.js';

let server: E2eServer;
test.beforeAll(async () => {
  server = await startServer();
});
test.afterAll(async () => {
  await server?.stop();
});

test.use({ viewport: { width: 900, height: 800 } });

test('the request an agent is blocked on is pinned on top with the agent’s own remaining wait (never past its expiry)', async ({ page }) => {
  const idle = await createAgent(server, 'idle-bot');
  const blocked = await createAgent(server, 'blocked-bot');
  await signIn(page, server);
  // The idle agent's request expires sooner, so it would come first by urgency.
  await ask(server, idle, { tool: 'shell.exec', args: { command: 'make lint' } });
  const waited = await ask(server, blocked, { tool: 'shell.exec', args: { command: 'make deploy' } });
  const list = page.getByRole('list', { name: 'Pending approvals' });
  await expect(list.getByRole('article')).toHaveCount(2);
  await expect(list.getByRole('article').first()).toHaveAccessibleName('shell.exec by idle-bot');
  await expect(page.getByRole('timer', { name: /waits/ })).toHaveCount(0);

  const abort = new AbortController();
  const poll = fetch(`${server.url}/v1/approvals/${waited.approval_id}/wait?timeout_s=50&will_wait_s=600`, {
    headers: { authorization: `Bearer ${blocked.key}` },
    signal: abort.signal,
  }).catch(() => undefined);
  const first = list.getByRole('article').first();
  await expect(first).toHaveAccessibleName('shell.exec by blocked-bot');
  await expect(first.getByRole('timer', { name: /blocked-bot waits [45]:\d\d more/ })).toBeVisible();
  await expect(page.getByRole('heading', { name: /^Pending/ })).toContainText('1 waiting now');
  const box = await first.getByRole('timer', { name: /waits/ }).boundingBox();
  expect(box && box.x + box.width).toBeLessThanOrEqual(900);
  await screenshot(page, 'inbox-waiting-now-900');

  abort.abort();
  await poll;
  await expect(page.getByRole('timer', { name: /waits/ })).toHaveCount(0);
  await expect(list.getByRole('article').first()).toHaveAccessibleName('shell.exec by idle-bot');
});
