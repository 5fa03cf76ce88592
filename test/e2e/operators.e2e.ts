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

test('the owner adds an operator (token shown once), rotates and revokes it; each old token is refused at once', async ({ page }) => {
  await signIn(page, server);
  await goTo(page, 'Agents');
  const table = page.getByRole('table', { name: 'Operators' });
  await expect(table.getByRole('row', { name: /owner/ })).toContainText('(you)');

  await page.getByRole('button', { name: 'Add operator' }).click();
  const form = page.getByRole('dialog', { name: 'Add operator' });
  await form.getByLabel('Name').fill('alice');
  await form.getByRole('button', { name: 'Add operator' }).click();
  const shown = page.getByRole('dialog', { name: 'Operator alice added' });
  const token = (await shown.getByLabel('Operator token').innerText()).trim();
  expect(token).toMatch(/^wk_op_/);
  expect((await server.api('GET', '/v1/me', undefined, token)).name).toBe('alice');
  await shown.getByRole('button', { name: 'Done' }).click();

  page.on('dialog', (d) => void d.accept());
  const row = table.getByRole('row', { name: /alice/ });
  await row.getByRole('button', { name: 'Rotate the token of alice' }).click();
  const rotated = page.getByRole('dialog', { name: 'New token for alice' });
  const fresh = (await rotated.getByLabel('Operator token').innerText()).trim();
  await expect(server.api('GET', '/v1/me', undefined, token)).rejects.toThrow(/401/);
  await rotated.getByRole('button', { name: 'Done' }).click();

  await row.getByRole('button', { name: 'Revoke alice' }).click();
  await expect(row).toContainText('revoked');
  await expect(server.api('GET', '/v1/me', undefined, fresh)).rejects.toThrow(/401/);
  await screenshot(page, 'operators');
});
