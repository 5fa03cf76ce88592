import { afterEach, describe, expect, it } from 'vitest';
import { errorBody } from '../../support/app.js';
import { harness, type Harness } from '../../support/actions-harness.js';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

describe('reports', () => {
  it('governance: executions, gated, approved/rejected/expired, approval rate, time to approve, top approvers', async () => {
    h = await harness();
    await h.allow('fs.read');
    await h.settings({ approval_ttl_seconds: 600 });
    const a = await h.agent('alpha');
    const b = await h.agent('bravo');
    await h.act(a.key, { tool: 'fs.read' });
    await h.api(h.op).call('createGuardrail', { body: { name: 'no-rm', rules: [{ tool: 'fs.delete', decision: 'BLOCK' }] } });
    expect((await h.act(a.key, { tool: 'fs.delete' })).body.decision).toBe('BLOCK');
    const x = (await h.act(a.key, { tool: 'shell.exec', categories: ['financial'] })).body;
    const y = (await h.act(b.key, { tool: 'shell.exec' })).body;
    const z = (await h.act(b.key, { tool: 'email.send', categories: ['external_comm', 'financial'] })).body;
    const w = (await h.act(b.key, { tool: 'email.send' })).body;
    h.clock.advance(120_000);
    await h.decide(x.approval_id!, { decision: 'allow_once' });
    h.clock.advance(120_000);
    await h.decide(y.approval_id!, { decision: 'allow_once' });
    await h.decide(z.approval_id!, { decision: 'deny' });
    h.clock.advance(360_000); // w expires

    const gov = await h.api(h.op).answer('governanceReport', { query: { period: 'last_7_days' } });
    expect(gov.status).toBe(200);
    expect(gov.body).toMatchObject({
      object: 'governance_report',
      period: 'last_7_days',
      total_executions: 6,
      gated_executions: 4,
      blocked_executions: 1,
      approved: 2,
      rejected: 1,
      expired: 1,
      pending: 0,
      approval_rate: 0.5,
      avg_approval_time_minutes: 3,
      top_approvers: [{ operator_id: expect.stringMatching(/^opr_/), name: 'owner', approvals: 2 }],
    });
    expect(w.status).toBe('pending_approval');

    const rep = await h.api(h.op).answer('approvalsReport');
    expect(rep.body.by_tool).toEqual([
      { tool: 'email.send', total: 2, approved: 0, rejected: 1, expired: 1, pending: 0 },
      { tool: 'shell.exec', total: 2, approved: 2, rejected: 0, expired: 0, pending: 0 },
    ]);
    expect(rep.body.by_agent).toEqual([
      { agent_id: b.id, name: 'bravo', total: 3, approved: 1, rejected: 1, expired: 1, pending: 0 },
      { agent_id: a.id, name: 'alpha', total: 1, approved: 1, rejected: 0, expired: 0, pending: 0 },
    ]);
    expect(rep.body.by_category).toEqual({
      external_comm: { total: 1, approved: 0, rejected: 1, expired: 0, pending: 0 },
      financial: { total: 2, approved: 1, rejected: 1, expired: 0, pending: 0 },
    });

    // Periods cut by creation time.
    h.clock.advance(8 * 86_400_000);
    const later = await h.api(h.op).answer('governanceReport', { query: { period: 'last_7_days' } });
    expect(later.body).toMatchObject({ total_executions: 0, gated_executions: 0, approval_rate: null, avg_approval_time_minutes: null });
    const all = await h.api(h.op).answer('governanceReport', { query: { period: 'all' } });
    expect(all.body.total_executions).toBe(6);
  });

  it('governance counts only action approvals: delegation approvals never make gated exceed total', async () => {
    h = await harness();
    await h.allow('fs.read');
    await h.settings({ approval_ttl_seconds: 3600 });
    const leader = await h.agent('lead');
    const child = await h.agent('worker', { leader_agent_id: leader.id });
    await h.act(child.key, { tool: 'fs.read' });
    const x = (await h.act(child.key, { tool: 'shell.exec' })).body;
    const y = (await h.act(leader.key, { tool: 'email.send' })).body;
    const delegate = async () =>
      (await h.api(child.key).answer('requestDelegation', { body: { leader_agent_id: leader.id, task: 'ship it', wait_s: 0 } })).body;
    const d = [await delegate(), await delegate(), await delegate(), await delegate()];
    expect(d.map((r) => r.resolution)).toEqual(['timeout', 'timeout', 'timeout', 'timeout']);
    h.clock.advance(60_000);
    await h.decide(x.approval_id!, { decision: 'allow_once' });
    h.clock.advance(540_000);
    await h.decide(d[0]!.approval_id!, { decision: 'allow_once' });
    await h.decide(d[1]!.approval_id!, { decision: 'deny' });

    const gov = (await h.api(h.op).answer('governanceReport', { query: { period: 'last_7_days' } })).body;
    expect(gov).toMatchObject({
      total_executions: 3,
      gated_executions: 2,
      approved: 1,
      rejected: 0,
      expired: 0,
      pending: 1,
      approval_rate: 1,
      // x's one minute; d[0]'s ten minutes are not an execution's wait.
      avg_approval_time_minutes: 1,
    });
    expect(gov.gated_executions).toBeLessThanOrEqual(gov.total_executions);
    expect(y.status).toBe('pending_approval');
    // The delegations are still in the approvals table, only not counted as executions.
    expect((await h.api(h.op).answer('listApprovals', { query: { kind: 'delegation' } })).body.data).toHaveLength(4);
  });

  it('reports are operator-only and validate period', async () => {
    h = await harness();
    const a = await h.agent('alpha');
    expect((await h.raw('GET', '/v1/reports/governance', { key: a.key })).status).toBe(403);
    expect((await h.raw('GET', '/v1/reports/approvals', { key: a.key })).status).toBe(403);
    const bad = await h.raw('GET', '/v1/reports/governance?period=yesterday', { key: h.op });
    expect(bad.status).toBe(400);
    expect(errorBody(bad.body).error.param).toBe('period');
  });

  it('the aggregates run on indexes', async () => {
    h = await harness();
    const plan = (sql: string) =>
      (h.app.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all('2026-01-01') as { detail: string }[]).map((r) => r.detail).join(' | ');
    expect(plan("SELECT COUNT(*) FROM actions WHERE created_at >= ?")).toMatch(/USING (COVERING )?INDEX actions_created/);
    expect(plan("SELECT COUNT(*), SUM(status = 'approved') FROM approvals WHERE created_at >= ? AND kind = 'action'")).toMatch(/USING (COVERING )?INDEX approvals_created/);
    expect(plan("SELECT tool, COUNT(*) FROM approvals WHERE created_at >= ? GROUP BY tool")).toMatch(/INDEX/);
    expect(plan("SELECT category, COUNT(*) FROM approval_categories WHERE created_at >= ? GROUP BY category")).toMatch(/INDEX/);
  });
});
