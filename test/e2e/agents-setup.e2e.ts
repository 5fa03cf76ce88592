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

test('the New agent dialog ends on three ways to connect it: Claude Code, MCP and curl, each with the key', async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.setViewportSize({ width: 900, height: 800 });
  await signIn(page, server);
  await goTo(page, 'Agents');
  await page.getByRole('button', { name: 'New agent' }).click();
  const form = page.getByRole('dialog', { name: 'New agent' });
  await form.getByLabel('Name').fill('setup-bot');
  await form.getByRole('button', { name: 'Create agent' }).click();

  const shown = page.getByRole('dialog', { name: 'Agent setup-bot created' });
  const key = (await shown.getByLabel('API key').innerText()).trim();
  expect(key).toMatch(/^wk_agent_/);
  const tabs = shown.getByRole('tablist', { name: 'Connect the agent' });

  // Claude Code first: the connect command with this key and this Warden's address.
  await expect(tabs.getByRole('tab', { name: 'Claude Code' })).toHaveAttribute('aria-selected', 'true');
  const claude = shown.getByLabel('Claude Code setup');
  await expect(claude).toContainText(`warden connect claude-code --project . --url ${server.url} --key ${key}`);
  await screenshot(page, 'agent-setup-900');
  await shown.getByRole('button', { name: 'Copy Claude Code setup' }).click();
  await expect(shown.getByRole('button', { name: 'Copied' })).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toContain(`--key ${key}`);

  // Arrow keys move between tabs: the MCP entry for .mcp.json runs the server through the proxy.
  await tabs.getByRole('tab', { name: 'Claude Code' }).focus();
  await page.keyboard.press('ArrowRight');
  await expect(tabs.getByRole('tab', { name: 'MCP' })).toBeFocused();
  await expect(tabs.getByRole('tab', { name: 'MCP' })).toHaveAttribute('aria-selected', 'true');
  await shown.getByLabel('Server name').fill('github');
  await shown.getByLabel('Server command').fill('npx -y @modelcontextprotocol/server-github');
  const mcp = JSON.parse(await shown.getByLabel('MCP snippet').innerText());
  expect(mcp).toEqual({
    mcpServers: {
      github: {
        command: 'warden',
        args: ['mcp', 'proxy', '--name', 'github', '--', 'npx', '-y', '@modelcontextprotocol/server-github'],
        env: { WARDEN_URL: server.url, WARDEN_KEY: key },
      },
    },
  });

  // End jumps to curl: POST /v1/actions with the key as a bearer token.
  await tabs.getByRole('tab', { name: 'MCP' }).focus();
  await page.keyboard.press('End');
  await expect(tabs.getByRole('tab', { name: 'curl' })).toHaveAttribute('aria-selected', 'true');
  const curl = shown.getByLabel('curl example');
  await expect(curl).toContainText(`export WARDEN_KEY=${key}`);
  await expect(curl).toContainText('"$WARDEN_URL/v1/actions?wait_s=55"');
  await expect(curl).toContainText('Authorization: Bearer $WARDEN_KEY');

  await shown.getByRole('button', { name: 'Done' }).click();
  await screenshot(page, 'agents-list-900');
  // At 900 px the row's buttons sit inside the card, none cut off.
  const card = await page.getByRole('region', { name: 'Registered agents' }).boundingBox();
  for (const name of ['Edit setup-bot', 'Keys of setup-bot', 'Disable setup-bot']) {
    const box = await page.getByRole('button', { name }).boundingBox();
    expect(box && card && box.x + box.width <= card.x + card.width).toBe(true);
  }

  // The key in the snippets is the agent's working key.
  const me = await server.api('GET', '/v1/me', undefined, key);
  expect(me.name).toBe('setup-bot');
});
