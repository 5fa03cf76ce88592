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

test('the history shows 200 decisions, then "Load more" continues with the cursor, merging approved and denied in order', async ({ page }) => {
  // 210 resolved requests, oldest first: every 30th approved (the very first one too), the rest denied.
  const agents = [await createAgent(server, 'batch-a'), await createAgent(server, 'batch-b'), await createAgent(server, 'batch-c')];
  // One at a time, so creation and resolution order both follow n.
  for (let n = 0; n < 210; n++) {
    const { approval_id } = await ask(server, agents[n % 3]!, { tool: n === 0 ? 'job.first' : 'job.run', args: { n } });
    await server.api('POST', `/v1/approvals/${approval_id}/decision`, { decision: n % 30 === 0 ? 'allow_once' : 'deny' });
  }

  await signIn(page, server);
  await page.getByRole('tab', { name: /History/ }).click();
  const table = page.getByRole('table', { name: 'Approval history' });
  const rows = table.locator('tbody tr');
  // The newest 200 denials reach back to #4, so approvals older than that (#0) wait for the next
  // page: showing #0 now would hide that denials #1–#3 were not loaded yet.
  await expect(page.getByText('206 shown', { exact: true })).toBeVisible();
  await expect(rows).toHaveCount(206);
  await expect(table.getByRole('row', { name: /job\.first/ })).toHaveCount(0);

  await page.getByRole('button', { name: 'Load more' }).click();
  await expect(page.getByText('All 210 shown', { exact: true })).toBeVisible();
  await expect(rows).toHaveCount(210);
  await expect(rows.last()).toContainText('job.first');
  await expect(page.getByRole('button', { name: 'Load more' })).toBeHidden();

  // A new resolution joins the list live, without dropping the pages loaded so far.
  const late = await ask(server, agents[0]!, { tool: 'job.late' });
  await server.api('POST', `/v1/approvals/${late.approval_id}/decision`, { decision: 'deny', comment: 'too late' });
  await expect(page.getByText('All 211 shown', { exact: true })).toBeVisible();
  await expect(rows.first()).toContainText('job.late');

  // One status alone pages the same way.
  await page.getByLabel('Show').selectOption({ label: 'Denied' });
  await expect(page.getByText('200 shown', { exact: true })).toBeVisible();
  await page.getByRole('button', { name: 'Load more' }).click();
  await expect(page.getByText('All 204 shown', { exact: true })).toBeVisible();
});
