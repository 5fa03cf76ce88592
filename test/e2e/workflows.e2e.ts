import { expect, test, type Page } from '@playwright/test';
import { startServer, type E2eServer } from './server.js';
import { createAgent, screenshot, signIn } from './helpers.js';

let server: E2eServer;
test.beforeAll(async () => {
  server = await startServer();
  // A run's start is a governed action (tool `workflow:NAME`): let every start through.
  await server.api('POST', '/v1/guardrails', { name: 'allow-workflow-starts', rules: [{ tool: 'workflow:*', decision: 'ALLOW' }] });
});
test.afterAll(async () => {
  await server?.stop();
});

function releaseDefinition(prompt: string) {
  return {
    name: 'release',
    description: 'Ship a change to production',
    input_schema: { type: 'object', required: ['service'], properties: { service: { type: 'string' } } },
    initial_state: 'building',
    states: {
      building: { transitions: { request_review: { target: 'review', executor: { kind: 'human', queue: 'releases', prompt } } } },
      review: { transitions: { approve: { actor: 'human', target: 'done' }, reject: { actor: 'human', target: 'rejected' } } },
      done: { terminal: true },
      rejected: { terminal: true },
    },
  };
}

/** The page fits its width: nothing sticks out sideways (the graph and tables scale or scroll inside their cards). */
async function expectNoSidewaysScroll(page: Page): Promise<void> {
  expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0);
}

/** `g w` opens Workflows, like the other pages' chords. */
async function openWorkflows(page: Page): Promise<void> {
  await page.keyboard.press('g');
  await page.keyboard.press('w');
  await expect(page.getByRole('heading', { level: 2, name: 'Workflows' })).toBeVisible();
}

// First in the file: it needs a Warden with no workflow yet.
test('with no workflow yet, each tab says what to do first', async ({ page }) => {
  await signIn(page, server);
  await openWorkflows(page);
  await expect(page.getByText('No workflows yet')).toBeVisible();
  await expect(page.getByText('$ warden workflow apply release.yaml')).toBeVisible();
  // The tabs follow the arrow keys.
  await page.getByRole('tab', { name: 'Definitions' }).focus();
  await page.keyboard.press('ArrowRight');
  await expect(page.getByRole('tab', { name: 'Registry' })).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByText('No active or deprecated templates')).toBeVisible();
  await page.keyboard.press('ArrowRight');
  await expect(page.getByRole('tab', { name: 'Runs' })).toBeFocused();
  await expect(page.getByText('No runs yet')).toBeVisible();
  await expect(page.getByText(/warden workflow run NAME/)).toBeVisible();
});

test('a definition applied through the API shows with its versions; two versions diff; a rollback makes a new version', async ({ page }) => {
  await server.api('POST', '/v1/workflows', { definition: releaseDefinition('Review {{input.service}}'), message: 'first cut' });
  await server.api('PUT', '/v1/workflows/release', { definition: releaseDefinition('Review the release of {{input.service}} carefully'), message: 'clearer prompt' });

  await signIn(page, server);
  await openWorkflows(page);
  const row = page.getByRole('table', { name: 'Workflows' }).getByRole('row', { name: /release/ });
  await expect(row).toContainText('v2');
  await row.getByRole('link', { name: 'release' }).click();

  await expect(page.getByRole('heading', { level: 2, name: 'release' })).toBeVisible();
  const versions = page.getByRole('list', { name: 'Versions' });
  await expect(versions.getByRole('listitem').filter({ hasText: 'v2' })).toContainText('clearer prompt');
  await expect(versions.getByRole('listitem').filter({ hasText: 'v1' })).toContainText('first cut');
  // The drawn state machine names every state.
  for (const state of ['building', 'review', 'done', 'rejected']) await expect(page.locator(`[data-state="${state}"]`)).toBeVisible();

  // The diff between v1 and v2: the old prompt removed, the new one added.
  const diff = page.getByLabel('Diff v1 to v2');
  await expect(diff.locator('.diff-del')).toContainText('Review {{input.service}}');
  await expect(diff.locator('.diff-add')).toContainText('Review the release of {{input.service}} carefully');

  // Roll back to v1 with a message, through the confirmation dialog.
  await versions.getByRole('button', { name: 'Roll back to v1' }).click();
  const dialog = page.getByRole('dialog', { name: 'Roll back release to v1?' });
  await dialog.getByLabel('Rollback message').fill('the old prompt was fine');
  await dialog.getByRole('button', { name: 'Roll back to v1' }).click();
  await expect(dialog).toBeHidden();
  await expect(versions.getByRole('listitem').filter({ hasText: 'v3' })).toContainText('the old prompt was fine');

  const v3 = await server.api('GET', '/v1/workflows/release/versions/3');
  expect(v3.definition.states.building.transitions.request_review.executor.prompt).toBe('Review {{input.service}}');
  const list = await server.api('GET', '/v1/workflows/release/versions');
  expect(list.data.map((v: { version: number }) => v.version)).toEqual([3, 2, 1]);
  await page.setViewportSize({ width: 900, height: 860 });
  await expectNoSidewaysScroll(page);
  await screenshot(page, 'workflow-versions');
});

test('a run started by an agent is drawn at its state; its human step is answered from the Inbox with a, and the run view advances live', async ({ page, context }) => {
  await server.api('POST', '/v1/workflows', { definition: { ...releaseDefinition('Review {{input.service}}'), name: 'ship' } });
  const agent = await createAgent(server, 'release-bot', { scopes: ['workflows:read', 'workflows:write'] });
  const run = await server.api('POST', '/v1/workflows/ship/runs', { input: { service: 'billing' } }, agent.key);
  expect(run.state).toBe('building');

  // The run view, in its own tab, stays open for the whole test: it must follow the run live.
  const runView = await context.newPage();
  await runView.setViewportSize({ width: 900, height: 900 });
  await signIn(runView, server);
  await runView.goto(`${server.signInUrl.split('#')[0]}#/workflow-run/${run.id}`);
  await expect(runView.locator('[data-state="building"][aria-current="step"]')).toBeVisible();
  await expect(runView.getByRole('group', { name: 'Transitions available now' }).getByRole('button', { name: /request_review/ })).toBeVisible();

  // The agent asks for review: a human step opens in the Inbox.
  await server.api('POST', `/v1/workflow-runs/${run.id}/transitions/request_review`, {}, agent.key);
  await expect(runView.getByText('waiting', { exact: true }).first()).toBeVisible();

  await signIn(page, server);
  const card = page.getByRole('list', { name: 'Pending approvals' }).getByRole('article').filter({ hasText: 'ship' });
  await expect(card).toBeVisible();
  await card.click();
  const detail = page.getByRole('region', { name: 'Approval details' });
  // The prompt, rendered from the run's input, and the run's context: workflow, state, queue, input.
  await expect(detail.locator('.explanation')).toHaveText('Review billing');
  const step = detail.getByRole('region', { name: 'Workflow step' });
  await expect(step).toContainText('ship v1');
  await expect(step).toContainText('state building');
  await expect(step).toContainText('queue releases');
  await expect(step).toContainText('"service": "billing"');
  await screenshot(page, 'workflow-step-inbox');
  await page.keyboard.press('a');
  await expect(card).toBeHidden();

  // The run view moved without a reload: review is now the current state, building visited.
  await expect(runView.locator('[data-state="review"][aria-current="step"]')).toBeVisible();
  await expect(runView.locator('[data-state="building"].wf-node-visited')).toBeVisible();
  await expect(runView.getByRole('list', { name: 'Evidence' })).toContainText('human_approval');
  await expect(runView.getByRole('list', { name: 'Run history' })).toContainText('request_review');

  // A human transition, taken by the operator from the run view.
  await runView.getByRole('group', { name: 'Transitions available now' }).getByRole('button', { name: /approve/ }).click();
  await expect(runView.locator('[data-state="done"][aria-current="step"]')).toBeVisible();
  const after = await server.api('GET', `/v1/workflow-runs/${run.id}`);
  expect(after).toMatchObject({ state: 'done', status: 'completed' });
  await expectNoSidewaysScroll(runView);
  await screenshot(runView, 'workflow-run');
});

test('the registry: approve as a template, deprecate naming a replacement, create from it with the warning, archive for good', async ({ page }) => {
  await server.api('POST', '/v1/workflows', { definition: { ...releaseDefinition('Ship {{input.service}}?'), name: 'hotfix' }, message: 'hotfix flow' });
  await signIn(page, server);
  await page.goto(`${server.signInUrl.split('#')[0]}#/workflow/hotfix`);
  await page.getByRole('button', { name: 'Approve as template' }).click();
  let dialog = page.getByRole('dialog', { name: 'Approve hotfix as a template' });
  await dialog.getByLabel('Template name').fill('hotfix-v1');
  await dialog.getByRole('button', { name: 'Approve' }).click();
  await expect(dialog).toBeHidden();
  await server.api('POST', '/v1/workflows', { definition: { ...releaseDefinition('Ship {{input.service}} the standard way?'), name: 'standard' } });
  const replacement = await server.api('POST', '/v1/workflow-registry/standard/approve-template', { template_name: 'release-std' });

  await page.goto(`${server.signInUrl.split('#')[0]}#/workflows/registry`);
  const templates = page.getByRole('table', { name: 'Templates' });
  const row = templates.getByRole('row', { name: /hotfix-v1/ });
  await expect(row).toContainText('active');

  // Deprecate, naming release-std as the replacement.
  await row.getByRole('button', { name: 'Deprecate hotfix-v1' }).click();
  dialog = page.getByRole('dialog', { name: 'Deprecate hotfix-v1' });
  await dialog.getByLabel('Reason').fill('superseded by the standard release');
  await dialog.getByLabel('Replacement').selectOption(replacement.id);
  await dialog.getByRole('button', { name: 'Deprecate' }).click();
  await expect(row).toContainText('deprecated');
  await expect(row).toContainText('use release-std instead');

  // Creating from it warns before and after, and names the replacement.
  await row.getByRole('button', { name: 'Create a workflow from hotfix-v1' }).click();
  dialog = page.getByRole('dialog', { name: 'New workflow from hotfix-v1' });
  await expect(dialog.getByRole('alert')).toContainText('Use release-std instead.');
  await dialog.getByLabel('Name').fill('hotfix-copy');
  await dialog.getByRole('button', { name: 'Create workflow' }).click();
  await expect(page.getByRole('heading', { level: 2, name: 'hotfix-copy' })).toBeVisible();
  await expect(page.locator('.toast-warning').filter({ hasText: 'Created hotfix-copy from a deprecated template' })).toContainText('use release-std');

  // Archive: confirmed, irreversible, hidden unless archived entries are included.
  await page.goto(`${server.signInUrl.split('#')[0]}#/workflows/registry`);
  await templates.getByRole('button', { name: 'Archive hotfix-v1' }).click();
  dialog = page.getByRole('dialog', { name: 'Archive hotfix-v1?' });
  await expect(dialog).toContainText('cannot be undone');
  await dialog.getByRole('button', { name: 'Archive for good' }).click();
  await expect(templates.getByRole('row', { name: /hotfix-v1/ })).toBeHidden();
  await page.getByLabel('Include archived').check();
  await expect(templates.getByRole('row', { name: /hotfix-v1/ })).toContainText('archived');
  await expect(templates.getByRole('row', { name: /hotfix-v1/ }).getByRole('button')).toHaveCount(0);
  const archived = await server.api('GET', '/v1/workflow-registry?include_archived=true');
  expect(archived.data.find((t: { template_name: string }) => t.template_name === 'hotfix-v1').status).toBe('archived');
  expect(replacement.status).toBe('active');
});

test('runs filter by workflow and status; a refused step shows its guard result; an operator cancels with a reason', async ({ page }) => {
  const agent = await createAgent(server, 'checker-bot', { scopes: ['workflows:read', 'workflows:write'] });
  await server.api('POST', '/v1/workflows', {
    definition: {
      name: 'checks',
      initial_state: 'open',
      initial_context: { ok: false },
      states: {
        open: {
          transitions: {
            close: { target: 'closed', guards: [{ kind: 'expr', expr: '$.context.ok == true' }] },
            recheck: { target: 'open', input_schema: { type: 'object', required: ['ok'], properties: { ok: { type: 'boolean' } } }, set_context: { ok: '$.arguments.ok' } },
          },
        },
        closed: { terminal: true },
      },
    },
  });
  const run = await server.api('POST', '/v1/workflows/checks/runs', { input: {} }, agent.key);
  const refused = await fetch(`${server.url}/v1/workflow-runs/${run.id}/transitions/close`, {
    method: 'POST',
    headers: { authorization: `Bearer ${agent.key}`, 'content-type': 'application/json' },
    body: '{}',
  });
  expect(refused.status).toBe(422);

  await signIn(page, server);
  await page.goto(`${server.signInUrl.split('#')[0]}#/workflows/runs`);
  const runs = page.getByRole('table', { name: 'Workflow runs' });
  await expect(runs.getByRole('row', { name: new RegExp(run.id) })).toBeVisible();
  await page.getByLabel('Workflow', { exact: true }).selectOption('checks');
  await expect(runs.getByRole('row')).toHaveCount(2);
  await page.getByLabel('Status', { exact: true }).selectOption('completed');
  await expect(page.getByText('No run matches these filters')).toBeVisible();
  await page.getByLabel('Status', { exact: true }).selectOption('active');
  await runs.getByRole('link', { name: 'checks' }).click();

  const history = page.getByRole('list', { name: 'Run history' });
  await expect(history).toContainText('refused');
  await expect(history.getByRole('list', { name: /^Guards of step/ })).toContainText('fail');
  await expect(history.getByRole('list', { name: /^Guards of step/ })).toContainText('expr');

  // A step with arguments asks for them; a bad value is answered with its param and changes nothing.
  const steps = page.getByRole('group', { name: 'Transitions available now' });
  await steps.getByRole('button', { name: /recheck/ }).click();
  const ask = page.getByRole('dialog', { name: 'Take recheck?' });
  await ask.getByLabel('Arguments (JSON)').fill('{"ok": "yes"}');
  await ask.getByRole('button', { name: 'Take recheck' }).click();
  await expect(ask.getByRole('alert')).toContainText('arguments.ok');
  await ask.getByLabel('Arguments (JSON)').fill('{"ok": true}');
  await ask.getByRole('button', { name: 'Take recheck' }).click();
  await expect(ask).toBeHidden();
  await expect(page.getByRole('region', { name: 'Input and context' })).toContainText('"ok": true');

  await page.getByRole('button', { name: 'Cancel run' }).click();
  const dialog = page.getByRole('dialog', { name: 'Cancel this checks run?' });
  await dialog.getByLabel('Reason').fill('checks are moving to CI');
  await dialog.getByRole('button', { name: 'Cancel run' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.locator('h2.wf-title')).toContainText('cancelled');
  await expect(history).toContainText('checks are moving to CI');
  expect((await server.api('GET', `/v1/workflow-runs/${run.id}`)).status).toBe('cancelled');
  await page.getByRole('heading', { name: 'History' }).scrollIntoViewIfNeeded();
  await screenshot(page, 'workflow-run-history');
});
