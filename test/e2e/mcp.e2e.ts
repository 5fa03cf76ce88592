import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import { startServer, type E2eServer } from './server.js';
import { createAgent, goTo, screenshot, signIn } from './helpers.js';

const root = join(fileURLToPath(import.meta.url), '..', '..', '..');
const filesystemServer = join(root, 'node_modules', '@modelcontextprotocol', 'server-filesystem', 'dist', 'index.js');

let server: E2eServer;
let dir: string;
test.beforeAll(async () => {
  server = await startServer();
  dir = mkdtempSync(join(tmpdir(), 'warden-e2e-mcp-'));
});
test.afterAll(async () => {
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('MCP servers: tools with their decisions, one click requires approval, and the Inbox card names the server and the tool', async ({ page }) => {
  const agent = await createAgent(server, 'mcp-client');
  await server.api('POST', '/v1/guardrails', { name: 'mcp-fs-reads', rules: [{ tool: 'mcp.fs.read_*', decision: 'ALLOW' }] });
  await server.api('POST', '/v1/mcp-servers', { name: 'fs', command: process.execPath, args: [filesystemServer, dir], env: { FS_SECRET: 'never-shown' } });

  await signIn(page, server);
  await goTo(page, 'Agents');
  const servers = page.getByRole('table', { name: 'MCP servers' });
  const row = servers.getByRole('row', { name: /fs/ });
  await expect(row).toContainText('/mcp/fs');
  await expect(row).toContainText('env FS_SECRET');
  await expect(page.getByText('never-shown')).toHaveCount(0);

  await row.getByRole('button', { name: 'Tools of fs' }).click();
  await page.getByLabel('Agent for the dry run').selectOption({ label: 'mcp-client' });
  const tools = page.getByRole('table', { name: 'Tools of fs' });
  const read = tools.getByRole('row', { name: /^read_text_file / });
  await expect(read).toContainText('allowed');
  await expect(read).toContainText('Read the complete contents');
  await page.setViewportSize({ width: 900, height: 700 });
  await servers.scrollIntoViewIfNeeded();
  await screenshot(page, 'mcp-servers-900');
  await page.setViewportSize({ width: 1360, height: 860 });

  await read.getByRole('button', { name: 'Require approval for read_text_file' }).click();
  await expect(read).toContainText('asks you');
  const policies = await server.api('GET', '/v1/guardrails');
  expect(policies.data.map((p: { name: string }) => p.name)).toContain('ask-fs-read-text-file');

  // The agent's next read asks; its card says which server and what the tool does.
  void server.api('POST', '/v1/actions', { tool: 'mcp.fs.read_text_file', connector: 'fs', resource: { type: 'mcp_server', id: 'fs' }, args: { path: join(dir, 'x.txt') } }, agent.key);
  await goTo(page, 'Inbox');
  const card = page.getByRole('article', { name: /mcp\.fs\.read_text_file/ });
  await expect(card).toContainText('MCP fs · Read the complete contents');
  await card.click();
  await expect(page.getByLabel('MCP call')).toContainText('read_text_file of server fs');
});
