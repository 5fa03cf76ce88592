import { expect, test } from '@playwright/test';
import { startServer, type E2eServer } from './server.js';
import { ask, createAgent } from './helpers.js';

let server: E2eServer;
test.beforeAll(async () => {
  server = await startServer();
});
test.afterAll(async () => {
  await server?.stop();
});

test('in Electron the bridge signs in, the tray gets the pending count, and a notification click focuses its approval', async ({ page }) => {
  // What electron/preload.cts exposes, recorded so the test can see the renderer's calls.
  await page.addInitScript(
    ({ baseUrl, token }) => {
      const w = window as any;
      w.__pendingCounts = [];
      w.wardenDesktop = {
        baseUrl,
        operatorToken: token,
        platform: 'linux',
        setPendingCount: (n: number) => w.__pendingCounts.push(n),
        onFocusApproval: (handler: (id: string) => void) => {
          w.__focusApproval = handler;
          return () => undefined;
        },
      };
    },
    { baseUrl: server.url, token: server.token },
  );
  const agent = await createAgent(server, 'desk-agent');
  await page.goto(server.url);
  await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Sign out' })).toHaveCount(0);
  await expect(page.getByRole('status', { name: 'Live updates' })).toHaveText(/Live/);

  await ask(server, agent, { tool: 'fs.read', args: { path: '/etc/passwd' } });
  const second = await ask(server, agent, { tool: 'net.scan', args: { cidr: '10.0.0.0/24' } });
  await expect.poll(() => page.evaluate(() => (window as any).__pendingCounts.at(-1))).toBe(2);

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /^Audit/ }).click();
  await page.evaluate((id) => (window as any).__focusApproval(id), second.approval_id);
  await expect(page.getByRole('heading', { level: 2, name: 'Inbox' })).toBeVisible();
  await expect(page.getByRole('list', { name: 'Pending approvals' }).locator('[aria-current="true"]')).toHaveAccessibleName('net.scan by desk-agent');
});
