/**
 * Review gates in the operator desk: a gate policy built in the stage/gate editor, and a pending
 * review answered from the Inbox that unblocks an agent (BLOCK `gate_pending` before, ALLOW
 * after), with the receipt of the blocked action linking to the solution. Conditional approvals
 * need a condition, and a waiver asks for its reason.
 */
import { expect, test, type Page } from '@playwright/test';
import { startServer, type E2eServer } from './server.js';
import { ask, createAgent, screenshot, signIn, type SeededAgent } from './helpers.js';

let server: E2eServer;
test.beforeAll(async () => {
  server = await startServer();
});
test.afterAll(async () => {
  await server?.stop();
});
// Each test starts with no gate policy and no solution: a policy over mcp_server would gate the next test's server too.
test.afterEach(async () => {
  for (const p of (await server.api('GET', '/v1/gate-policies?limit=500')).data) await server.api('DELETE', `/v1/gate-policies/${p.id}`);
  for (const s of (await server.api('GET', '/v1/solutions?limit=500')).data) await server.api('DELETE', `/v1/solutions/${s.id}`);
});

const VIEWPORTS = [
  { width: 900, height: 800 },
  { width: 1280, height: 720 },
];

let n = 0;
/** A policy over `mcp_server` with one stage of one approval gate, an agent allowed to read through `server`, and a solution holding it. */
async function seedReview(mcp: string): Promise<{ agent: SeededAgent; policy: any; solution: any; read: Record<string, unknown>; submitter: string }> {
  const tag = `${Date.now().toString(36)}-${++n}`;
  const tool = `mcp.${mcp}.read_file`;
  await server.api('POST', '/v1/guardrails', { name: `reads-${tag}`, rules: [{ tool, decision: 'ALLOW' }] });
  const policy = await server.api('POST', '/v1/gate-policies', {
    name: `Security review ${tag}`,
    category: 'security',
    severity: 'high',
    applicable_resource_types: ['mcp_server'],
    stages: [{ id: 'security', name: 'Security review', gates: [{ id: 'signoff', type: 'approval', name: 'Security sign-off' }] }],
  });
  const agent = await createAgent(server, `docs-bot-${tag}`);
  const read = { tool, connector: mcp, resource: { type: 'mcp_server', id: mcp }, args: { path: '/srv/docs/README.md' } };
  // Another operator makes the solution and submits, so the one signed in to the desk may review it.
  const submitter = (await server.api('POST', '/v1/operators', { name: `dev-${tag}` })).token;
  const solution = await server.api('POST', '/v1/solutions', { name: `Docs assistant ${tag}`, resources: [{ type: 'mcp_server', id: mcp }] }, submitter);
  return { agent, policy, solution, read, submitter };
}

async function openInboxReviews(page: Page) {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /^Inbox/ }).click();
  await page.getByRole('tab', { name: /^Reviews/ }).click();
}

for (const viewport of VIEWPORTS) {
  test.describe(`${viewport.width}×${viewport.height}`, () => {
    test.use({ viewport });

    test('a gate policy with two stages is built in the stage/gate editor', async ({ page }) => {
      const name = `MCP review ${viewport.width}`;
      await signIn(page, server, 'reviews');
      await page.getByRole('tab', { name: 'Gate policies' }).click();
      await page.getByRole('button', { name: 'New gate policy' }).click();
      const form = page.getByRole('form', { name: 'New gate policy' });

      // Nothing typed yet: the editor names what is missing and sends nothing.
      await form.getByRole('button', { name: 'Create policy' }).click();
      await expect(form.getByText('a policy needs a name')).toBeVisible();
      await expect(form.getByText('choose at least one resource type it governs')).toBeVisible();

      await form.getByRole('textbox', { name: /^Name/ }).fill(name);
      await form.getByRole('checkbox', { name: /mcp_server/ }).check();
      await form.getByRole('button', { name: 'Add checklist gate to Stage 1 (Security review)' }).click();
      await form.getByLabel('Question 1 text').fill('Which paths can it read or write?');
      await form.getByRole('button', { name: 'Add stage' }).click();
      await form.getByLabel('Stage name').nth(1).fill('Owner approval');
      // The checklist goes first: move it up within its stage.
      await form.getByRole('button', { name: 'Move Gate 2 of Stage 1 (Security review) up' }).click();
      await screenshot(page, `reviews-policy-editor-${viewport.width}`);
      await form.getByRole('button', { name: 'Create policy' }).click();

      await expect(page.getByRole('table', { name: 'Gate policies' }).getByRole('link', { name })).toBeVisible();
      const { data } = await server.api('GET', `/v1/gate-policies?search=${encodeURIComponent(name)}`);
      expect(data).toHaveLength(1);
      expect(data[0]).toMatchObject({ applicable_resource_types: ['mcp_server'], is_active: true, is_draft: false });
      expect(data[0].stages.map((s: any) => [s.name, s.gates.map((g: any) => g.type)])).toEqual([
        ['Security review', ['checklist', 'approval']],
        ['Owner approval', ['approval']],
      ]);
      expect(data[0].stages[0].gates[0].questions).toEqual([{ id: 'q1', text: 'Which paths can it read or write?', required: true }]);

      // Edit it: a third stage, saved with PUT; the list and the API show it.
      await page.getByRole('table', { name: 'Gate policies' }).getByRole('link', { name }).click();
      const edit = page.getByRole('form', { name: `Edit ${name}` });
      await edit.getByRole('button', { name: 'Add stage' }).click();
      await edit.getByLabel('Stage name').nth(2).fill('Legal');
      await edit.getByRole('button', { name: 'Save policy' }).click();
      await expect(page.getByRole('table', { name: 'Gate policies' }).getByRole('listitem').filter({ hasText: /^Legal: 1 approval$/ })).toBeVisible();
      const saved = await server.api('GET', `/v1/gate-policies/${data[0].id}`);
      expect(saved.stages.map((s: any) => s.name)).toEqual(['Security review', 'Owner approval', 'Legal']);
    });

    test('a pending review answered from the Inbox unblocks the agent’s next action', async ({ page }) => {
      const mcp = `fs${viewport.width}`;
      const { agent, policy, solution, read, submitter } = await seedReview(mcp);
      const before = await ask(server, agent, read);
      expect(before).toMatchObject({ decision: 'BLOCK', block_code: 'gate_pending' });
      await server.api('POST', `/v1/solutions/${solution.id}/gates/signoff/submit`, { policy_id: policy.id, data: { notes: 'read-only mount of /srv/docs' } }, submitter);

      await signIn(page, server);
      // The blocked action's receipt links to the solution under review.
      await page.goto(`${server.url}/#/receipt/${before.id}`);
      const gates = page.getByRole('region', { name: 'Review gates' });
      await expect(gates.getByRole('listitem')).toContainText(`${policy.name} (high) — Security review (stage 1 of 1), gate signoff missing`);
      await expect(gates.getByRole('link', { name: 'Open the solution' })).toHaveAttribute('href', `#/reviews/${solution.id}`);

      await openInboxReviews(page);
      const card = page.getByRole('list', { name: 'Pending reviews' }).getByRole('button', { name: new RegExp(`^Review ${solution.name}`) });
      await expect(card).toBeVisible();
      const detail = page.getByRole('region', { name: new RegExp(`^Review of ${solution.name}`) });
      await expect(detail.getByText('read-only mount of /srv/docs')).toBeVisible();
      await screenshot(page, `reviews-inbox-${viewport.width}`);
      await page.keyboard.press('a');
      await expect(card).toHaveCount(0);

      const after = await ask(server, agent, read);
      expect(after).toMatchObject({ decision: 'ALLOW', status: 'allowed' });
      const check = await server.api('GET', `/v1/enforcement/check?resource_type=mcp_server&resource_id=${mcp}`);
      expect(check).toMatchObject({ allowed: true, solution_id: solution.id });

      // The solution's pipeline shows the stage passed.
      await page.goto(`${server.url}/#/reviews/${solution.id}`);
      await expect(page.getByRole('list', { name: `Stages of ${policy.name}` }).getByRole('listitem', { name: /^Stage 1 of 1: Security review, passed/ })).toBeVisible();
      // So does the solutions list, in one line per policy.
      await page.getByRole('link', { name: '← All solutions' }).click();
      const row = page.getByRole('table', { name: 'Solutions' }).getByRole('row', { name: new RegExp(solution.name) });
      await expect(row.getByRole('list', { name: `Stages of ${policy.name}` })).toHaveText('✓ Security review');
      await expect(row).toContainText('approved');
    });
  });
}

test('a conditional approval needs a condition; a waiver asks for its reason and keeps it', async ({ page }) => {
  const first = await seedReview('fscond');
  const sub = await server.api('POST', `/v1/solutions/${first.solution.id}/gates/signoff/submit`, { policy_id: first.policy.id }, first.submitter);
  await signIn(page, server);
  await openInboxReviews(page);
  await page.getByRole('list', { name: 'Pending reviews' }).getByRole('button', { name: new RegExp(`^Review ${first.solution.name}`) }).click();
  const detail = page.getByRole('region', { name: new RegExp(`^Review of ${first.solution.name}`) });
  await expect(detail).toBeVisible();

  // `c` with no condition typed puts the cursor in the conditions instead of deciding.
  await page.keyboard.press('c');
  await expect(detail.getByLabel(/^Conditions/)).toBeFocused();
  await page.keyboard.type('Read-only mount of /srv/docs');
  await detail.getByRole('button', { name: /^Approve with conditions/ }).click();
  await expect(detail).toHaveCount(0);
  expect(await server.api('GET', `/v1/gate-submissions/${sub.id}`)).toMatchObject({ status: 'conditional', conditions: ['Read-only mount of /srv/docs'] });
  await server.api('DELETE', `/v1/gate-policies/${first.policy.id}`);

  const second = await seedReview('fswaive');
  const sub2 = await server.api('POST', `/v1/solutions/${second.solution.id}/gates/signoff/submit`, { policy_id: second.policy.id }, second.submitter);
  const detail2 = page.getByRole('region', { name: new RegExp(`^Review of ${second.solution.name}`) });
  await expect(detail2).toBeVisible();
  // `d` with no reason typed asks for one instead of denying.
  await page.keyboard.press('d');
  await expect(detail2.getByLabel(/^Comment/)).toBeFocused();
  await detail2.getByLabel(/^Comment/).blur();

  await page.keyboard.press('w');
  const confirm = page.getByRole('dialog', { name: 'Waive this gate?' });
  await expect(confirm).toBeVisible();
  await confirm.getByLabel('Reason for the waiver').fill('too short');
  await expect(confirm.getByRole('button', { name: 'Waive gate' })).toBeDisabled();
  await confirm.getByLabel('Reason for the waiver').fill('sandboxed, no network: risk accepted');
  await confirm.getByRole('button', { name: 'Waive gate' }).click();
  await expect(detail2).toHaveCount(0);
  const waived = await server.api('GET', `/v1/gate-submissions/${sub2.id}`);
  expect(waived).toMatchObject({ status: 'waived', waiver: { reason: 'sandboxed, no network: risk accepted' } });
  expect((await ask(server, second.agent, second.read)).decision).toBe('ALLOW');
});
