import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { startServer, type E2eServer } from './server.js';
import { ask, createAgent, DOCS, goTo, screenshot, signIn } from './helpers.js';

let server: E2eServer;
test.beforeAll(async () => {
  server = await startServer();
});
test.afterAll(async () => {
  await server?.stop();
});

const inboxList = (page: import('@playwright/test').Page) => page.getByRole('list', { name: 'Pending approvals' });
const details = (page: import('@playwright/test').Page) => page.getByRole('region', { name: 'Approval details' });

test("an agent's action appears in the Inbox without reload, and Allow once releases its waiting request", async ({ page }) => {
  const agent = await createAgent(server, 'deploy-bot');
  await signIn(page, server);
  await expect(page.getByText('Inbox zero')).toBeVisible();

  // No reload from here on: the request must arrive over the event stream.
  const waiting = ask(server, agent, { tool: 'shell.exec', args: { command: 'rm -rf build/', cwd: '/srv/app' } }, 30);
  const card = inboxList(page).getByRole('article', { name: 'shell.exec by deploy-bot' });
  await expect(card).toBeVisible();
  await expect(details(page).getByText('rm -rf build/')).toBeVisible();
  await expect(details(page).getByRole('timer')).toBeVisible();

  await details(page).getByRole('button', { name: 'Allow once', exact: true }).click();
  const result = await waiting;
  expect(result.status).toBe('allowed');
  await expect(card).toBeHidden();
  await expect(page.getByText('Inbox zero')).toBeVisible();
});

test('Allow always creates a grant for the exact request, shown in the grants list', async ({ page }) => {
  const agent = await createAgent(server, 'mailer');
  await signIn(page, server);
  const mail = { to: 'team@example.com', subject: 'Weekly report' };
  const waiting = ask(server, agent, { tool: 'email.send', args: mail }, 30);
  await expect(inboxList(page).getByRole('article', { name: 'email.send by mailer' })).toBeVisible();
  await details(page).getByRole('button', { name: 'Allow always', exact: true }).click();
  await page.getByRole('dialog', { name: /^Allow always:/ }).getByRole('button', { name: 'Allow always', exact: true }).click();
  expect((await waiting).status).toBe('allowed');

  await goTo(page, 'Agents');
  const grants = page.getByRole('table', { name: 'Grants' });
  await expect(grants.getByRole('row', { name: /mailer.*email\.send/ })).toBeVisible();
  expect((await ask(server, agent, { tool: 'email.send', args: mail })).decision).toBe('ALLOW');
  const next = await ask(server, agent, { tool: 'email.send', args: { to: 'someone@example.com' } });
  expect(next.decision).toBe('ALERT');
  await server.api('POST', `/v1/approvals/${next.approval_id}/decision`, { decision: 'deny' });
  await screenshot(page, 'agents');
});

test('Allow always can give the grant another expiry; the grants list revokes it', async ({ page }) => {
  const agent = await createAgent(server, 'notifier');
  await signIn(page, server);
  const post = { channel: '#deploys', text: 'Deployed 2.4.0' };
  const waiting = ask(server, agent, { tool: 'slack.post', args: post }, 30);
  await expect(inboxList(page).getByRole('article', { name: 'slack.post by notifier' })).toBeVisible();
  await details(page).getByRole('button', { name: 'Allow always', exact: true }).click();
  const chooser = page.getByRole('dialog', { name: /^Allow always:/ });
  await chooser.getByLabel('Expires').selectOption({ label: '24 hours' });
  await chooser.getByRole('button', { name: 'Allow always', exact: true }).click();
  expect((await waiting).status).toBe('allowed');

  const grants = await server.api('GET', `/v1/grants?agent_id=${agent.id}`);
  expect(grants.data).toHaveLength(1);
  expect(grants.data[0].args_pattern).toEqual(post);
  expect(Date.parse(grants.data[0].expires_at) - Date.now()).toBeGreaterThan(23 * 3600_000);
  expect(Date.parse(grants.data[0].expires_at) - Date.now()).toBeLessThan(25 * 3600_000);
  // The same post: answered by the grant. Another channel: asks again.
  expect((await ask(server, agent, { tool: 'slack.post', args: post })).decision).toBe('ALLOW');
  expect((await ask(server, agent, { tool: 'slack.post', args: { channel: '#general', text: 'hi' } })).decision).toBe('ALERT');

  await goTo(page, 'Agents');
  await expect(page.getByRole('table', { name: 'Grants' }).getByRole('row', { name: /notifier.*slack\.post.*#deploys/ })).toBeVisible();
  await page.getByRole('button', { name: 'Revoke grant for slack.post (notifier)' }).click();
  await expect(page.getByRole('table', { name: 'Grants' }).getByRole('row', { name: /notifier/ })).toBeHidden();
  expect((await ask(server, agent, { tool: 'slack.post', args: post })).decision).toBe('ALERT');
  // Leave the inbox clean for the next tests.
  for (const a of (await server.api('GET', '/v1/approvals?status=pending')).data) {
    await server.api('POST', `/v1/approvals/${a.id}/decision`, { decision: 'deny' });
  }
});

test('Deny with a reason reaches the agent', async ({ page }) => {
  const agent = await createAgent(server, 'refunder');
  await signIn(page, server);
  const waiting = ask(server, agent, { tool: 'order.refund', args: { order: 'A-1009' }, value: 480 }, 30);
  await expect(inboxList(page).getByRole('article', { name: 'order.refund by refunder' })).toBeVisible();
  await details(page).getByLabel('Reason for denial').fill('refunds above 250 need finance');
  await details(page).getByRole('button', { name: 'Deny', exact: true }).click();
  const result = await waiting;
  expect(result.status).toBe('denied');
  expect(result.reason).toBe('refunds above 250 need finance');
});

test('keyboard: j/k move the selection, a allows once, Shift+A opens Allow always (only when grantable), d denies', async ({ page }) => {
  const agent = await createAgent(server, 'kbd-agent');
  await signIn(page, server);
  const first = ask(server, agent, { tool: 'fs.write', args: { path: '/etc/hosts' } }, 30);
  await expect(inboxList(page).getByRole('article', { name: 'fs.write by kbd-agent' })).toBeVisible();
  const second = ask(server, agent, { tool: 'http.post', args: { url: 'https://example.com/hook' } }, 30);
  await expect(inboxList(page).getByRole('article', { name: 'http.post by kbd-agent' })).toBeVisible();

  const selected = () => inboxList(page).locator('[aria-current="true"]');
  await expect(selected()).toHaveAccessibleName('fs.write by kbd-agent');
  await inboxList(page).getByRole('article', { name: 'fs.write by kbd-agent' }).click();
  await page.keyboard.press('j');
  await expect(selected()).toHaveAccessibleName('http.post by kbd-agent');
  // Focus follows the selection, so the focus ring and screen readers track it too.
  await expect(inboxList(page).getByRole('article', { name: 'http.post by kbd-agent' })).toBeFocused();
  await page.keyboard.press('k');
  await expect(selected()).toHaveAccessibleName('fs.write by kbd-agent');
  await page.keyboard.press('a');
  expect((await first).status).toBe('allowed');
  await expect(selected()).toHaveAccessibleName('http.post by kbd-agent');
  await page.keyboard.press('d');
  expect((await second).status).toBe('denied');

  // A: Allow always, which leaves a grant that answers the next identical request.
  const third = ask(server, agent, { tool: 'kv.put', args: { key: 'feature.flag' } }, 30);
  await expect(selected()).toHaveAccessibleName('kv.put by kbd-agent');
  await page.keyboard.press('Shift+A');
  await page.getByRole('dialog', { name: /^Allow always:/ }).getByRole('button', { name: 'Allow always', exact: true }).click();
  expect((await third).status).toBe('allowed');
  const grants = await server.api('GET', `/v1/grants?agent_id=${agent.id}`);
  expect(grants.data.map((g: { tool: string }) => g.tool)).toEqual(['kv.put']);
  expect((await ask(server, agent, { tool: 'kv.put', args: { key: 'feature.flag' } })).decision).toBe('ALLOW');

  // An ALERT the governance settings demand is not grantable: no Allow always, and A does nothing.
  await server.api('PATCH', '/v1/settings/governance', { require_approval_for_external_comm: true });
  const decisions: string[] = [];
  page.on('request', (r) => {
    if (r.method() === 'POST' && r.url().includes('/decision')) decisions.push(r.url());
  });
  const gated = ask(server, agent, { tool: 'email.send', args: { to: 'press@example.com' }, categories: ['external_comm'] }, 30);
  await expect(selected()).toHaveAccessibleName('email.send by kbd-agent');
  await expect(details(page).getByRole('button', { name: 'Allow always', exact: true })).toBeDisabled();
  await expect(details(page)).toContainText('Allow always is not offered');
  await page.keyboard.press('Shift+A');
  await page.evaluate(() => fetch('/v1/health').then((r) => r.ok)); // a request A started would be seen by now
  expect(decisions).toEqual([]);
  const [pending] = (await server.api('GET', `/v1/approvals?status=pending&agent_id=${agent.id}`)).data;
  expect(pending).toMatchObject({ grantable: false, decisions: [] });
  await expect(selected()).toHaveAccessibleName('email.send by kbd-agent');
  await page.keyboard.press('d');
  expect((await gated).status).toBe('denied');
  await server.api('PATCH', '/v1/settings/governance', { require_approval_for_external_comm: false });

  await page.keyboard.press('?');
  await expect(page.getByRole('dialog', { name: 'Keyboard shortcuts' })).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByRole('dialog', { name: 'Keyboard shortcuts' })).toBeHidden();
});

test('history tab lists resolved requests; the Inbox screenshot shows pending approvals', async ({ page }) => {
  const coder = await createAgent(server, 'claude-code', { role: 'coder' });
  const ops = await createAgent(server, 'ops-crew');
  await signIn(page, server);
  await page.getByRole('tab', { name: /History/ }).click();
  await expect(page.getByRole('table', { name: 'Approval history' }).getByRole('row', { name: /refunder.*order\.refund.*Denied/ })).toBeVisible();
  await page.getByRole('tab', { name: /Pending/ }).click();

  // A realistic desk for the README: a guardrail that asks, a ceiling, a gated category.
  await server.api('POST', '/v1/guardrails', {
    name: 'shell-guard',
    description: 'Routine shell runs; force pushes ask first',
    rules: [
      { tool: 'shell.exec', expr: '$.args.command contains "--force"', decision: 'ALERT' },
      { tool: 'shell.exec', decision: 'ALLOW' },
    ],
  });
  await server.api('POST', '/v1/guardrails', { name: 'refund-ceiling', rules: [{ tool: 'order.refund', max_value: 1000, decision: 'ALERT' }] });
  await server.api('PATCH', '/v1/settings/governance', { require_approval_for_external_comm: true });

  void ask(server, coder, { tool: 'shell.exec', args: { command: 'git push --force origin main', cwd: '/home/dev/warden' } }, 0);
  void ask(server, ops, { tool: 'order.refund', connector: 'stripe', args: { order_id: 'ord_8F2K', amount: 300, currency: 'USD', note: 'Customer reported a duplicate charge on the annual plan; refund the second charge and keep the subscription active.' }, value: 300, categories: ['financial'] }, 0);
  void ask(server, coder, { tool: 'email.send', args: { to: 'all@company.example', subject: 'Release 2.4 is out' }, categories: ['external_comm'] }, 0);
  await expect(inboxList(page).getByRole('listitem')).toHaveCount(3);
  await expect(details(page).getByRole('list', { name: 'Matched rules' })).toContainText('shell-guard v1');
  await screenshot(page, 'inbox', join(DOCS, 'inbox.png'));
  await page.emulateMedia({ colorScheme: 'dark' });
  await screenshot(page, 'inbox-dark');
});
