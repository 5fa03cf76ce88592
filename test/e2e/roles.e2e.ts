/**
 * Operator roles in the UI: a viewer sees a pending request but its decision buttons are disabled
 * and say which role they need (and the decision keys do nothing but say so); the owner sets a
 * role from the Operators section, and a member may then decide.
 */
import { expect, test, type Page } from '@playwright/test';
import { startServer, type E2eServer } from './server.js';
import { ask, createAgent, goTo } from './helpers.js';

let server: E2eServer;
test.beforeAll(async () => {
  server = await startServer();
});
test.afterAll(async () => {
  await server?.stop();
});

async function signInAs(page: Page, token: string): Promise<void> {
  await page.goto(`${server.signInUrl.split('#token=')[0]}#token=${token}`);
  await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();
  await expect(page.getByRole('status', { name: 'Live updates' })).toHaveText(/Live/);
}

test('a viewer sees decision buttons disabled with the reason; made a member by the owner, it decides', async ({ page }) => {
  const viewer = await server.api('POST', '/v1/operators', { name: 'vic', role: 'viewer' });
  const agent = await createAgent(server, 'deployer');
  const asked = await ask(server, agent, { tool: 'deploy.prod' });
  expect(asked.decision).toBe('ALERT');

  await signInAs(page, viewer.token);
  const details = page.getByRole('region', { name: 'Approval details' });
  await expect(page.getByRole('list', { name: 'Pending approvals' }).getByRole('article', { name: `deploy.prod by ${agent.name}` })).toBeVisible();
  for (const name of ['Allow once', 'Allow always', 'Deny']) {
    const button = details.getByRole('button', { name, exact: true });
    await expect(button).toBeDisabled();
    await expect(button).toHaveAttribute('title', 'needs member — you are viewer');
  }
  // The kill-switch's Stop needs member too; a viewer's is disabled with the same kind of reason.
  await expect(page.getByRole('button', { name: 'Stop all agents' })).toHaveAttribute('title', 'needs member — you are viewer');
  // A decision key says why instead of deciding.
  await page.keyboard.press('a');
  await expect(page.getByText('Deciding needs member — you are viewer.')).toBeVisible();
  expect((await server.api('GET', '/v1/approvals?status=pending')).data).toHaveLength(1);

  // The owner makes vic a member from the Operators section, in another tab.
  const owner = await page.context().newPage();
  await owner.goto(server.signInUrl);
  await goTo(owner, 'Agents');
  const row = owner.getByRole('table', { name: 'Operators' }).getByRole('row', { name: /vic/ });
  await row.getByLabel('Role of vic').selectOption('member');
  await expect(owner.getByText('vic is now member')).toBeVisible();
  await owner.close();

  // The change reaches vic's open UI live (operator.changed): no reload, Allow once enables.
  await expect(details.getByRole('button', { name: 'Allow once', exact: true })).toBeEnabled();
  await details.getByRole('button', { name: 'Allow once', exact: true }).click();
  await expect.poll(async () => (await server.api('GET', `/v1/approvals/${asked.approval_id}`)).status).toBe('approved');
});

test('the owner sets permissions on an operator and an agent; an admin sees operator controls disabled', async ({ page, browser }) => {
  const admin = await server.api('POST', '/v1/operators', { name: 'ada', role: 'admin' });
  const agent = await createAgent(server, 'releaser');
  await page.goto(server.signInUrl);
  await goTo(page, 'Agents');

  const row = page.getByRole('table', { name: 'Operators' }).getByRole('row', { name: /ada/ });
  await row.getByRole('button', { name: 'Edit permissions of ada' }).click();
  const perms = page.getByRole('dialog', { name: 'Permissions of ada' });
  await perms.getByLabel(/Permissions/).fill('deploy:prod, refunds.approve');
  await perms.getByRole('button', { name: 'Save permissions' }).click();
  await expect(row).toContainText('deploy:prod, refunds.approve');
  expect((await server.api('GET', '/v1/me', undefined, admin.token)).permissions).toEqual(['deploy:prod', 'refunds.approve']);

  await page.getByRole('table', { name: 'Agents' }).getByRole('row', { name: /releaser/ }).getByRole('button', { name: 'Edit releaser' }).click();
  const edit = page.getByRole('dialog', { name: 'Edit releaser' });
  await edit.getByLabel('Permissions').fill('deploy:staging');
  await edit.getByRole('button', { name: 'Save agent' }).click();
  await expect(edit).toBeHidden();
  expect((await server.api('GET', `/v1/agents/${agent.id}`)).permissions).toEqual(['deploy:staging']);

  // Ada signs in from a browser of her own.
  const context = await browser.newContext();
  const adas = await context.newPage();
  await signInAs(adas, admin.token);
  await goTo(adas, 'Agents');
  await expect(adas.getByRole('button', { name: 'Add operator' })).toHaveAttribute('title', 'needs owner — you are admin');
  await expect(adas.getByRole('button', { name: 'Add operator' })).toBeDisabled();
  // An admin edits agents.
  await expect(adas.getByRole('button', { name: 'Edit releaser' })).toBeEnabled();
  await context.close();
});
