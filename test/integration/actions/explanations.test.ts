import { afterEach, describe, expect, it } from 'vitest';
import type { BudgetNotice } from '../../../electron/notifier.js';
import { harness, type Harness } from '../../support/actions-harness.js';
import { startTestApp, type TestApp } from '../../support/app.js';

let h: Harness | undefined;
let t: TestApp | undefined;
afterEach(async () => {
  await h?.close();
  await t?.close();
  h = t = undefined;
});

/** Every dollar amount in `text`, as written. */
const amounts = (text: string): string[] => text.match(/\$[0-9][0-9.,]*/g) ?? [];

describe('explanations name agents and budgets and show money in cents', () => {
  it("a paused agent budget's BLOCK names the agent, not its id", async () => {
    h = await harness();
    await h.allow('fs.read');
    const a = await h.agent('crew-03');
    await h.api(h.op).call('setBudget', { body: { scope: 'agent', scope_id: a.id, limit_usd_cents: 500, mode: 'cap' } });
    await h.api(h.op).call('pauseBudget', { params: { scope: 'agent', scope_id: a.id }, body: { reason: 'lunch' } });
    const res = (await h.act(a.key, { tool: 'fs.read' })).body;
    expect(res).toMatchObject({ decision: 'BLOCK', block_code: 'budget_paused' });
    expect(res.explanation).toContain('the agent budget crew-03 is paused');
    expect(res.explanation).not.toContain('agt_');
    const receipt = (await h.api(a.key).answer('getReceipt', { params: { id: res.receipt_id } })).body;
    expect(JSON.stringify(receipt.layers)).not.toContain(`budget ${a.id}`);
  });

  it('a mission budget is named by the mission, and a cap that does not fit shows dollars and cents', async () => {
    h = await harness();
    await h.allow('llm.call');
    const a = await h.agent('crew-04');
    await h.api(h.op).call('createMission', { body: { id: 'msn-launch', name: 'Spring launch', agent_ids: [a.id] } });
    await h.api(h.op).call('setBudget', { body: { scope: 'mission', scope_id: 'msn-launch', limit_usd_cents: 500, mode: 'cap' } });
    const res = (await h.act(a.key, { tool: 'llm.call', mission_id: 'msn-launch', cost_estimate_micro_usd: 6_995_211 })).body;
    expect(res).toMatchObject({ decision: 'BLOCK', block_code: 'budget_insufficient' });
    expect(res.explanation).toContain('the mission budget Spring launch has $5.00 of $5.00 left, not enough for an estimate of $7.00');
    expect(amounts(res.explanation)).toEqual(['$5.00', '$5.00', '$7.00']);
  });

  it('the global budget is not named by its id', async () => {
    h = await harness();
    await h.allow('fs.read');
    const a = await h.agent('crew-05');
    await h.api(h.op).call('setBudget', { body: { scope: 'global', scope_id: 'global', limit_usd_cents: 500, mode: 'cap' } });
    await h.api(h.op).call('pauseBudget', { params: { scope: 'global', scope_id: 'global' }, body: {} });
    const res = (await h.act(a.key, { tool: 'fs.read' })).body;
    expect(res.explanation).toContain('the global budget is paused');
  });

  it("the desktop notice of a paused agent budget names the agent", async () => {
    const notices: BudgetNotice[] = [];
    t = await startTestApp({ notifier: { approvalRequested: () => {}, budgetPaused: (n) => notices.push(n), pendingCountChanged: () => {} } });
    const a = await t.agent('crew-06');
    await t.api(t.op).call('setBudget', { body: { scope: 'agent', scope_id: a.id, limit_usd_cents: 500, mode: 'cap' } });
    await t.api(t.op).call('pauseBudget', { params: { scope: 'agent', scope_id: a.id }, body: {} });
    expect(notices).toEqual([expect.objectContaining({ scope: 'agent', scopeId: a.id, scopeName: 'crew-06' })]);
  });
});
