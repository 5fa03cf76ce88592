/**
 * A new budget set from the real `bin/warden.js` without --mode starts in the server's default
 * mode, warn (the UI's New budget form starts there too); an existing budget keeps its mode.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routes } from '../../../shared/api/index.js';
import { startTestApp, type TestApp } from '../../support/app.js';
import { buildCli, cliProcess } from '../../support/cli-harness.js';

let t: TestApp;
let env: Record<string, string>;

beforeAll(async () => {
  await buildCli();
  t = await startTestApp();
  env = { WARDEN_URL: t.url, WARDEN_DATA_DIR: t.dataDir };
}, 300_000);
afterAll(async () => {
  await t?.close();
});

describe('budget set: default mode', () => {
  it('a new budget without --mode is warn; setting it again without --mode keeps cap', async () => {
    // A team budget needs a team some agent is in.
    await t.agent('platform-bot', { team_id: 'platform' });
    const created = await cliProcess(['budget', 'set', 'team:platform', '25', '--json'], { env });
    expect(created.code).toBe(0);
    expect(created.json(routes.setBudget.response).mode).toBe('warn');

    expect((await cliProcess(['budget', 'set', 'team:platform', '25', '--mode', 'cap'], { env })).code).toBe(0);
    const raised = await cliProcess(['budget', 'set', 'team:platform', '30', '--json'], { env });
    expect(raised.json(routes.setBudget.response).mode).toBe('cap');
  });
});
