import { expect, test } from '@playwright/test';
import { startServer, type E2eServer } from './server.js';
import { goTo, screenshot, signIn } from './helpers.js';

let server: E2eServer;
test.beforeAll(async () => {
  server = await startServer();
});
test.afterAll(async () => {
  await server?.stop();
});

test('editing a rule changes the dry-run verdict, and saving mints a version with a diff', async ({ page }) => {
  await server.api('POST', '/v1/guardrails', {
    name: 'refund-ceiling',
    description: 'Refunds up to a ceiling run without asking',
    rules: [{ tool: 'order.refund', max_value: 250, decision: 'ALLOW' }],
  });
  await signIn(page, server);
  await goTo(page, 'Policies');
  await expect(page.getByRole('table', { name: 'Guardrail policies' }).getByRole('row', { name: /refund-ceiling/ })).toBeVisible();

  const dry = page.getByRole('complementary', { name: 'Dry run' });
  await dry.getByLabel('Tool').fill('order.refund');
  await dry.getByLabel('Value').fill('300');
  const verdict = dry.getByRole('status', { name: 'Dry-run verdict' });
  await expect(verdict).toHaveText('BLOCK');
  await expect(dry.getByRole('region', { name: 'Dry-run result' })).toContainText('constraint_failed');

  // The dry run previews the unsaved edit as it is typed.
  await page.getByLabel('Rule 1 max value').fill('500');
  await expect(verdict).toHaveText('ALLOW');
  await page.getByLabel('Rule 1 max value').fill('250');
  await expect(verdict).toHaveText('BLOCK');
  await page.getByLabel('Rule 1 max value').fill('500');
  await expect(verdict).toHaveText('ALLOW');

  await page.getByRole('button', { name: 'Save rules' }).click();
  await expect(page.getByRole('table', { name: 'Guardrail policies' }).getByRole('row', { name: /refund-ceiling/ })).toContainText('v2');
  const diff = page.getByLabel('Diff v1 to v2');
  await expect(diff).toContainText('- ');
  await expect(diff).toContainText('500');
  const saved = await server.api('GET', '/v1/guardrails');
  expect(saved.data[0].version).toBe(2);
  expect(saved.data[0].rules[0].max_value).toBe(500);

  // Saved state, full pipeline: the same action is now allowed.
  await dry.getByLabel('Full pipeline (saved state, budgets, kill-switch)').check();
  await expect(verdict).toHaveText('ALLOW');
  // The answer is the server's, from the saved version (not the draft preview still on screen).
  await expect(dry.getByRole('region', { name: 'Dry-run result' })).toContainText('refund-ceiling v2');
  await screenshot(page, 'policies');
});

test('a bad expression is flagged before saving', async ({ page }) => {
  await signIn(page, server);
  await goTo(page, 'Policies');
  await page.getByLabel('Rule 1 expression').fill('$.args.amount >>> 3');
  await expect(page.getByText(/^expression:/)).toBeVisible();
  await expect(page.getByRole('button', { name: 'Save rules' })).toBeDisabled();
});

test('disabling a policy and governance settings', async ({ page }) => {
  await signIn(page, server);
  await goTo(page, 'Policies');
  await page.getByRole('button', { name: 'Disable refund-ceiling' }).click();
  await expect(page.getByRole('table', { name: 'Guardrail policies' }).getByRole('row', { name: /refund-ceiling/ })).toContainText('disabled');

  await page.getByRole('tab', { name: 'Settings' }).click();
  await page.getByLabel('When no rule matches').selectOption('BLOCK');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await expect(page.getByText(/Settings saved/)).toBeVisible();
  expect((await server.api('GET', '/v1/settings/governance')).unmatched_decision).toBe('BLOCK');
  await screenshot(page, 'policies-settings');

  await page.getByRole('tab', { name: 'Quotas' }).click();
  await page.getByLabel('Runs per hour override').fill('600');
  await page.getByRole('button', { name: 'Save quotas' }).click();
  await expect(page.getByRole('table', { name: 'Quota values' }).getByRole('row', { name: /Runs per hour/ })).toContainText('600');
});

test('a tool policy that denies a tool turns the dry run into BLOCK tool_denied', async ({ page }) => {
  await signIn(page, server);
  await goTo(page, 'Policies');
  await page.getByRole('tab', { name: 'Tool access' }).click();
  await page.getByLabel('New tool name').fill('payments.wire');
  await page.getByLabel('Tool categories').fill('financial');
  await page.getByRole('button', { name: 'Declare tool' }).click();
  await expect(page.getByRole('table', { name: 'Tools' }).getByRole('row', { name: /payments\.wire/ })).toBeVisible();

  await page.getByLabel('Tool name', { exact: true }).fill('payments.wire');
  await page.getByLabel('Allowed', { exact: true }).selectOption('no');
  await page.getByRole('button', { name: 'Add tool policy' }).click();
  await expect(page.getByRole('table', { name: 'Tool policies' }).getByRole('row', { name: /payments\.wire/ })).toContainText('denied');

  const dry = page.getByRole('complementary', { name: 'Dry run' });
  await dry.getByLabel('Tool').fill('payments.wire');
  await expect(dry.getByRole('status', { name: 'Dry-run verdict' })).toHaveText('BLOCK');
  await expect(dry.getByRole('region', { name: 'Dry-run result' })).toContainText('tool_denied');
  await screenshot(page, 'policies-tools');
});
