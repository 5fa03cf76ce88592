/**
 * Authoring guardrail rules safely: the starter policy offered on a fresh Warden, a New policy
 * that starts asking and needs a matcher, a confirmation before a rule matches everything, and
 * the rule editor's BLOCK, "always ask" and agent picker.
 */
import { expect, test } from '@playwright/test';
import { startServer, type E2eServer } from './server.js';
import { createAgent, goTo, screenshot, signIn } from './helpers.js';


let server: E2eServer;
test.beforeAll(async () => {
  server = await startServer();
});
test.afterAll(async () => {
  await server?.stop();
});

const policiesTable = (page: import('@playwright/test').Page) => page.getByRole('table', { name: 'Guardrail policies' });

test('a fresh Warden offers the starter policy in the empty Inbox and adds it from the Policies page', async ({ page }) => {
  await signIn(page, server);
  const inboxOffer = page.getByRole('region', { name: 'Starter policy' });
  await expect(inboxOffer.getByRole('button', { name: 'Add the starter policy for coding agents' })).toBeVisible();

  await goTo(page, 'Policies');
  const offer = page.getByRole('region', { name: 'Starter policy' });
  await expect(offer).toContainText('No guardrail policy yet');
  await screenshot(page, 'policies-starter-offer');
  await offer.getByRole('button', { name: 'Add the starter policy for coding agents' }).click();
  await expect(policiesTable(page).getByRole('row', { name: /coding-agent-starter/ })).toBeVisible();
  await expect(offer).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Add starter policy' })).toHaveCount(0);
  // Its rules are in the editor like any policy's, BLOCK and always-ask ones included.
  await expect(page.getByLabel('Rule 1 tool')).toHaveValue('fs.read');
  const saved = await server.api('GET', '/v1/guardrails');
  const starter = saved.data.find((p: { name: string }) => p.name === 'coding-agent-starter');
  expect(starter.rules.some((r: { decision: string }) => r.decision === 'BLOCK')).toBe(true);
  const alwaysAsk = starter.rules.findIndex((r: { always_ask?: boolean }) => r.always_ask === true);
  await expect(page.getByLabel(`Rule ${alwaysAsk + 1} always ask`)).toBeChecked();

  await goTo(page, 'Inbox');
  await expect(page.getByText('Inbox zero')).toBeVisible();
  await expect(page.getByRole('region', { name: 'Starter policy' })).toHaveCount(0);
});

test('New policy starts with an ALERT rule and refuses a rule without a matcher', async ({ page }) => {
  await signIn(page, server);
  await goTo(page, 'Policies');
  await page.getByRole('button', { name: 'New policy' }).click();
  const dialog = page.getByRole('dialog', { name: 'New guardrail policy' });
  await expect(dialog.getByLabel('Rule 1 decision')).toHaveValue('ALERT');
  await dialog.getByLabel('Name').fill('mail-asks');
  await dialog.getByRole('button', { name: 'Create policy' }).click();
  await expect(dialog.getByText(/a rule needs a matcher/)).toBeVisible();
  expect((await server.api('GET', '/v1/guardrails')).data.map((p: { name: string }) => p.name)).not.toContain('mail-asks');

  await dialog.getByLabel('Rule 1 tool').fill('email.send');
  await dialog.getByRole('button', { name: 'Create policy' }).click();
  await expect(policiesTable(page).getByRole('row', { name: /mail-asks/ })).toBeVisible();
  const created = (await server.api('GET', '/v1/guardrails')).data.find((p: { name: string }) => p.name === 'mail-asks');
  expect(created.rules).toEqual([{ tool: 'email.send', decision: 'ALERT' }]);
});

test('a rule with tool * needs a confirmation that it matches every tool of every agent', async ({ page }) => {
  await signIn(page, server);
  await goTo(page, 'Policies');
  await page.getByRole('button', { name: 'New policy' }).click();
  const dialog = page.getByRole('dialog', { name: 'New guardrail policy' });
  await dialog.getByLabel('Name').fill('catch-all');
  await dialog.getByLabel('Rule 1 tool').fill('*');
  await dialog.getByRole('button', { name: 'Create policy' }).click();
  const confirm = page.getByRole('dialog', { name: 'Match every tool of every agent?' });
  await expect(confirm).toContainText('matches every tool of every agent');
  await screenshot(page, 'policies-confirm-everything');
  await confirm.getByRole('button', { name: 'Cancel' }).click();
  await expect(confirm).toHaveCount(0);
  expect((await server.api('GET', '/v1/guardrails')).data.map((p: { name: string }) => p.name)).not.toContain('catch-all');

  await dialog.getByRole('button', { name: 'Create policy' }).click();
  await page.getByRole('dialog', { name: 'Match every tool of every agent?' }).getByRole('button', { name: 'Save anyway' }).click();
  await expect(policiesTable(page).getByRole('row', { name: /catch-all/ })).toBeVisible();
  const created = (await server.api('GET', '/v1/guardrails')).data.find((p: { name: string }) => p.name === 'catch-all');
  expect(created.rules).toEqual([{ tool: '*', decision: 'ALERT' }]);
});

test('the rule editor offers BLOCK, always ask (ALERT only) and agents by name', async ({ page }) => {
  const agent = await createAgent(server, 'deploy-bot');
  await server.api('POST', '/v1/guardrails', { name: 'deploys', rules: [{ tool: 'deploy.run', decision: 'ALLOW' }] });
  await page.setViewportSize({ width: 900, height: 800 });
  await signIn(page, server);
  await goTo(page, 'Policies');
  await policiesTable(page).getByRole('button', { name: 'deploys', exact: true }).click();
  await expect(page.getByRole('heading', { name: /deploys/ })).toBeVisible();

  const alwaysAsk = page.getByLabel('Rule 1 always ask');
  await expect(alwaysAsk).toBeDisabled();
  await page.getByLabel('Rule 1 decision').selectOption('ALERT');
  await expect(alwaysAsk).toBeEnabled();
  await expect(page.getByText('no Allow always can lift it').first()).toBeVisible();
  await alwaysAsk.check();
  await page.getByLabel('Rule 1 agent').selectOption('deploy-bot');

  await page.getByRole('button', { name: 'Add rule' }).click();
  await page.getByLabel('Rule 2 tool').fill('deploy.rollback');
  await page.getByLabel('Rule 2 decision').selectOption('BLOCK');
  const expr = page.getByLabel('Rule 2 expression');
  expect(await expr.evaluate((el) => el.tagName)).toBe('TEXTAREA');
  await expr.fill('$.args.env == prod');
  await expect(page.getByText("quote the string: 'prod'")).toBeVisible();
  await expect(page.getByRole('button', { name: 'Save rules' })).toBeDisabled();
  await expr.fill('$.args.env == "prod"');
  await page.getByLabel('Change note').fill('deploy-bot asks; no prod rollbacks');
  await screenshot(page, 'policies-rule-editor-900');
  await page.getByRole('button', { name: 'Save rules' }).click();
  await expect(policiesTable(page).getByRole('row', { name: /deploys/ })).toContainText('v2');

  const saved = (await server.api('GET', '/v1/guardrails')).data.find((p: { name: string }) => p.name === 'deploys');
  expect(saved.rules).toEqual([
    { tool: 'deploy.run', agent_id: agent.id, agent: 'deploy-bot', decision: 'ALERT', always_ask: true },
    { tool: 'deploy.rollback', expr: '$.args.env == "prod"', decision: 'BLOCK' },
  ]);
  // Read back into the editor: the picker shows the name, BLOCK turns always ask off.
  await expect(page.getByLabel('Rule 1 agent')).toHaveValue('deploy-bot');
  await page.getByLabel('Rule 1 decision').selectOption('BLOCK');
  await expect(page.getByLabel('Rule 1 always ask')).not.toBeChecked();
  await expect(page.getByLabel('Rule 1 always ask')).toBeDisabled();
  await page.getByRole('button', { name: 'Discard' }).click();

  // Versions: who wrote each (by name), a rule-by-rule diff, and restoring an older version.
  const versions = page.getByRole('region', { name: 'Versions' });
  await expect(versions.getByRole('listitem').first()).toContainText('owner');
  await expect(versions.getByRole('listitem').first()).toContainText('deploy-bot asks; no prod rollbacks');
  const diff = page.getByLabel('Diff v1 to v2');
  await expect(diff).toContainText('- tool deploy.run → ALLOW');
  await expect(diff).toContainText('+ tool deploy.run · agent deploy-bot → ALERT (always ask)');
  await expect(diff).toContainText(`+ tool deploy.rollback · if $.args.env == "prod" → BLOCK`);
  await versions.getByRole('button', { name: 'Restore v1' }).click();
  await expect(policiesTable(page).getByRole('row', { name: /deploys/ })).toContainText('v3');
  const restored = (await server.api('GET', '/v1/guardrails')).data.find((p: { name: string }) => p.name === 'deploys');
  expect(restored.rules).toEqual([{ tool: 'deploy.run', decision: 'ALLOW' }]);
});
