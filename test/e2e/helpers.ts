/** Shared steps of the operator-desk E2E tests: sign in, seed through the API, save screenshots. */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, type Page } from '@playwright/test';
import type { E2eServer } from './server.js';

const here = dirname(fileURLToPath(import.meta.url));
export const SCREENSHOTS = join(here, 'artifacts', 'screenshots');
export const DOCS = join(here, '..', '..', 'docs');

export interface SeededAgent {
  id: string;
  name: string;
  key: string;
}

let counter = 0;
export async function createAgent(server: E2eServer, name = `agent-${Date.now().toString(36)}-${++counter}`, extra: Record<string, unknown> = {}): Promise<SeededAgent> {
  const agent = await server.api('POST', '/v1/agents', { name, ...extra });
  return { id: agent.id, name: agent.name, key: agent.api_key };
}

/** Opens the printed sign-in URL and waits for the shell (and the live stream) to be ready. */
export async function signIn(page: Page, server: E2eServer, route = 'inbox'): Promise<void> {
  await page.goto(server.signInUrl);
  await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();
  await expect(page.getByRole('status', { name: 'Live updates' })).toHaveText(/Live/);
  if (route !== 'inbox') await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: new RegExp(`^${route}`, 'i') }).click();
}

export async function goTo(page: Page, name: 'Inbox' | 'Budgets' | 'Policies' | 'Agents' | 'Audit' | 'Reports'): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: new RegExp(`^${name}`) }).click();
  await expect(page.getByRole('heading', { level: 2, name })).toBeVisible();
}

/**
 * Saves a screenshot among the test artifacts; `also` (a tracked file such as the README's
 * picture) is rewritten only when WARDEN_UPDATE_DOCS=1, so a test run leaves the tree clean.
 */
export async function screenshot(page: Page, name: string, also?: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });
  if (also && process.env.WARDEN_UPDATE_DOCS === '1') {
    mkdirSync(dirname(also), { recursive: true });
    await page.screenshot({ path: also });
  }
}

/** An agent's POST /v1/actions; with `waitS` it long-polls until the operator decides. */
export function ask(server: E2eServer, agent: SeededAgent, action: Record<string, unknown>, waitS = 0): Promise<any> {
  return server.api('POST', `/v1/actions${waitS ? `?wait_s=${waitS}` : ''}`, action, agent.key);
}
