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

test("an agent's role, team and leader are edited from the Agents page, and cleared back to none", async ({ page }) => {
  await page.setViewportSize({ width: 900, height: 800 });
  const lead = await createAgent(server, 'lead-one', { team_id: 'alpha' });
  const worker = await createAgent(server, 'worker-one', { role: 'coder', team_id: 'alpha' });
  await signIn(page, server);
  await goTo(page, 'Agents');
  const row = page.getByRole('table', { name: 'Agents' }).getByRole('row', { name: /worker-one/ });
  await expect(row).toContainText('coder');

  await row.getByRole('button', { name: 'Edit worker-one' }).click();
  const dialog = page.getByRole('dialog', { name: 'Edit worker-one' });
  await expect(dialog.getByLabel(/Role/)).toBeFocused();
  await expect(dialog.getByLabel(/Role/)).toHaveValue('coder');
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.type('reviewer');
  await dialog.getByLabel(/Team/).fill('beta');
  // Leader is chosen by name among the other agents; the agent itself is not offered.
  await expect(dialog.getByLabel('Leader').locator('option', { hasText: 'worker-one' })).toHaveCount(0);
  await dialog.getByLabel('Leader').selectOption({ label: 'lead-one' });
  await screenshot(page, 'agents-edit-900');
  await dialog.getByLabel(/Team/).press('Enter');
  await expect(dialog).toBeHidden();
  await expect(row).toContainText('reviewer');
  await expect(row).toContainText('beta');
  await expect(row).toContainText('led by lead-one');

  let saved = await server.api('GET', `/v1/agents/${worker.id}`);
  expect([saved.role, saved.team_id, saved.leader_agent_id]).toEqual(['reviewer', 'beta', lead.id]);

  // Emptied fields and "No leader" clear them on the server.
  await row.getByRole('button', { name: 'Edit worker-one' }).click();
  await dialog.getByLabel(/Role/).fill('');
  await dialog.getByLabel(/Team/).fill('');
  await dialog.getByLabel('Leader').selectOption({ label: 'No leader' });
  await dialog.getByRole('button', { name: 'Save agent' }).click();
  await expect(dialog).toBeHidden();
  await expect(row).not.toContainText('led by');
  saved = await server.api('GET', `/v1/agents/${worker.id}`);
  expect([saved.role, saved.team_id, saved.leader_agent_id]).toEqual([null, null, null]);

});
