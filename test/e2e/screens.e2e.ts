/**
 * Every page at 900 × 800 (beside a terminal) and 1280 × 720, with data on it: nothing pushes the
 * page sideways and no button is cut off at the right edge (each visible button's box lies inside
 * the window and inside the box of any element that clips it). Screenshots of each go to
 * test/e2e/artifacts/screenshots/screens-<page>-<width>.png.
 */
import { expect, test, type Page } from '@playwright/test';
import { startServer, type E2eServer } from './server.js';
import { ask, createAgent, goTo, screenshot, signIn } from './helpers.js';

let server: E2eServer;
test.beforeAll(async () => {
  server = await startServer();
  const agent = await createAgent(server, 'screens-crew-with-a-long-name-03', { role: 'coder', team_id: 'platform' });
  await server.api('POST', '/v1/budgets', { scope: 'agent', scope_id: agent.id, limit_usd_cents: 500, mode: 'cap', period: 'day' });
  await server.api('POST', '/v1/budgets', { scope: 'team', scope_id: 'platform', limit_usd_cents: 5000, period: 'month' });
  await server.api('POST', '/v1/spend', { amount_micro_usd: 4_200_000 }, agent.key);
  await server.api('POST', '/v1/guardrails', { name: 'screens-policy', rules: [{ tool: 'fs.delete', decision: 'BLOCK' }, { tool: 'fs.read', decision: 'ALLOW' }] });
  await ask(server, agent, { tool: 'fs.delete', args: { path: '/srv/data/important.db' } });
  for (const command of ['npm install --save-dev @playwright/test typescript eslint', 'make deploy ENV=production REGION=eu-west-1', 'git push --force origin main']) {
    await ask(server, agent, { tool: 'shell.exec', args: { command, cwd: '/home/dev/work/platform/services/api-gateway' } });
  }
});
test.afterAll(async () => {
  await server?.stop();
});

/** Visible buttons whose right edge passes the window or an ancestor that clips them. */
async function cutOffButtons(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    const width = document.documentElement.clientWidth;
    for (const b of document.querySelectorAll<HTMLElement>('button, [role="button"], a.button')) {
      const r = b.getBoundingClientRect();
      if (!r.width || !r.height || getComputedStyle(b).visibility === 'hidden') continue;
      if (b.closest('dialog:not([open])')) continue;
      const name = (b.getAttribute('aria-label') || b.textContent || '').trim().slice(0, 40);
      if (r.right > width + 1 || r.left < -1) {
        out.push(`${name}: ${Math.round(r.left)}–${Math.round(r.right)} outside the window (${width})`);
        continue;
      }
      for (let el = b.parentElement; el && el !== document.body; el = el.parentElement) {
        const cs = getComputedStyle(el);
        if (cs.overflowX === 'visible') continue;
        const c = el.getBoundingClientRect();
        // A scroll container that can scroll it into view is not a cut (its user scrolls).
        if ((cs.overflowX === 'auto' || cs.overflowX === 'scroll') && el.scrollWidth > el.clientWidth) break;
        if (r.right > c.right + 1 || r.left < c.left - 1) out.push(`${name}: clipped by ${el.className || el.tagName}`);
        break;
      }
    }
    return out;
  });
}

for (const viewport of [
  { width: 900, height: 800 },
  { width: 1280, height: 720 },
]) {
  test(`every page at ${viewport.width} × ${viewport.height}: no sideways overflow, no button cut off`, async ({ page }) => {
    await page.setViewportSize(viewport);
    await signIn(page, server);
    for (const name of ['Inbox', 'Budgets', 'Policies', 'Agents', 'Audit', 'Reports'] as const) {
      await goTo(page, name);
      await page.waitForTimeout(400);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow, `${name} overflows sideways by ${overflow}px`).toBeLessThanOrEqual(0);
      expect(await cutOffButtons(page), `${name}: buttons cut off`).toEqual([]);
      await screenshot(page, `screens-${name.toLowerCase()}-${viewport.width}`);
    }
    await goTo(page, 'Inbox');
    await page.getByRole('tab', { name: /History/ }).click();
    await page.waitForTimeout(300);
    expect(await cutOffButtons(page), 'Inbox history: buttons cut off').toEqual([]);
    await screenshot(page, `screens-inbox-history-${viewport.width}`);
  });
}
