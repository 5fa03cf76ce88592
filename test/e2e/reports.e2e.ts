import { expect, test } from '@playwright/test';
import { startServer, type E2eServer } from './server.js';
import { ask, createAgent, goTo, screenshot, signIn } from './helpers.js';

let server: E2eServer;
test.beforeAll(async () => {
  server = await startServer();
});
test.afterAll(async () => {
  await server?.stop();
});

for (const viewport of [
  { width: 900, height: 800 },
  { width: 1280, height: 720 },
]) {
  test(`reports at ${viewport.width}: BLOCK counts, charts keep their text proportions, a bar drills into the audit`, async ({ page }) => {
    await page.setViewportSize(viewport);
    const agent = await createAgent(server, `reporter-${viewport.width}`);
    await server.api('POST', '/v1/guardrails', { name: `no-delete-${viewport.width}`, rules: [{ tool: 'fs.delete', decision: 'BLOCK' }] });
    expect((await ask(server, agent, { tool: 'fs.delete', args: { path: '/tmp/x' } })).decision).toBe('BLOCK');
    await ask(server, agent, { tool: 'shell.exec', args: { command: 'make report' } });
    await server.api('POST', '/v1/spend', { amount_micro_usd: 1_250_000 }, agent.key);
    await signIn(page, server);
    await goTo(page, 'Reports');

    const blocked = page.getByRole('term').filter({ hasText: /^Blocked$/ }).locator('xpath=following-sibling::dd[1]');
    await expect(blocked).toHaveText(/^[1-9]\d*$/);

    // The chart is drawn at its own aspect ratio: its text is not stretched sideways.
    const chart = page.getByRole('img', { name: /Spend per day by agent/ });
    await expect(chart).toBeVisible();
    // Its drawing scales the same across as down (a stretched chart widens every letter).
    const scale = await chart.evaluate((svg) => {
      const m = (svg as SVGSVGElement).getScreenCTM()!;
      return { x: m.a, y: m.d };
    });
    expect(Math.abs(scale.x / scale.y - 1)).toBeLessThan(0.01);
    await screenshot(page, `reports-${viewport.width}`);

    await page.getByRole('list', { name: 'Approval requests by agent' }).getByRole('link', { name: agent.name }).click();
    await expect(page.getByRole('heading', { level: 2, name: 'Audit' })).toBeVisible();
    await expect(page.locator('select[aria-label="Event type"]')).toHaveValue('approval.*');
    await expect(page.getByLabel('Agent', { exact: true })).toHaveValue(agent.id);
    await expect(page.getByRole('table').getByRole('row').filter({ hasText: 'approval.requested' }).first()).toBeVisible();
  });
}
