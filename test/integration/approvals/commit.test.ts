/**
 * Approvals announce their changes through `onCommit`, inside the service: a change in a
 * transaction that rolls back announces nothing (no event, no notification, no waiter woken),
 * and one that commits is announced once, after the commit.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { immediate } from '../../../electron/db/connection.js';
import type { OpenApproval } from '../../../electron/approvals/service.js';
import { harness, until, type Harness } from '../../support/actions-harness.js';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

const request = (agentId: string): OpenApproval => ({
  kind: 'action',
  agent_id: agentId,
  child_agent_id: null,
  action_id: null,
  receipt_id: null,
  action: { tool: 'shell.exec', args: { command: 'ls' } },
  explanation: 'asks the operator',
  grantable: true,
  required_approvals: 1,
  ttl_seconds: 300,
  started_by: null,
  actor: 'test',
});

// approval.waiting (a long-poll started) is no write and commits nothing: left out here.
const approvalEvents = (x: Harness) => x.events.filter((e) => e.type.startsWith('approval.') && e.type !== 'approval.waiting');

class RolledBack extends Error {}

describe('approval changes announce only once committed', () => {
  it('an approval opened inside a transaction that rolls back announces nothing', async () => {
    h = await harness();
    const agent = await h.agent('alpha');
    const { approvals } = h.app.services;
    let openedId = '';
    expect(() =>
      immediate(h.app.db, () => {
        openedId = approvals.open(request(agent.id)).id;
        throw new RolledBack('the caller gives up');
      }),
    ).toThrow(RolledBack);
    // A macrotask later: nothing deferred announced it either.
    await new Promise((r) => setTimeout(r, 20));
    expect(openedId).toMatch(/^apr_/);
    expect(approvalEvents(h)).toEqual([]);
    expect(h.notices).toEqual([]);
    expect(h.pendingCounts.filter((n) => n > 0)).toEqual([]);
    expect(approvals.reaperDeadline).toBeNull();
    expect((await h.raw('GET', `/v1/approvals/${openedId}`, { key: h.op })).status).toBe(404);
  });

  it('an approval opened in a committed transaction is announced after the commit, and its resolution wakes its waiter', async () => {
    h = await harness();
    const agent = await h.agent('alpha');
    const { approvals } = h.app.services;
    const row = immediate(h.app.db, () => {
      const opened = approvals.open(request(agent.id));
      // Inside the transaction nothing is announced yet.
      expect(approvalEvents(h)).toEqual([]);
      expect(h.notices).toEqual([]);
      return opened;
    });
    expect(approvalEvents(h).map((e) => [e.type, (e.data as { id: string }).id])).toEqual([['approval.requested', row.id]]);
    expect(h.notices.map((n) => n.approvalId)).toEqual([row.id]);
    expect(h.pendingCounts.at(-1)).toBe(1);
    expect(approvals.reaperDeadline).toBe(row.expires_at);

    const waited = approvals.waitFor(row.id, 30);
    await until(() => h.waiters() === 1);

    // Resolved in a transaction that rolls back: the waiter keeps waiting, nothing is announced.
    expect(() =>
      immediate(h.app.db, () => {
        expect(approvals.withdrawPending(row.id, new Date(h.clock.now()).toISOString(), 'test')).toBe(true);
        throw new RolledBack('the caller gives up');
      }),
    ).toThrow(RolledBack);
    await new Promise((r) => setTimeout(r, 20));
    expect(h.waiters()).toBe(1);
    expect(approvalEvents(h).map((e) => e.type)).toEqual(['approval.requested']);
    expect((await h.api(h.op).answer('getApproval', { params: { id: row.id } })).body.status).toBe('pending');

    // Resolved in a committed transaction: the waiter wakes with the resolved approval.
    immediate(h.app.db, () => {
      expect(approvals.withdrawPending(row.id, new Date(h.clock.now()).toISOString(), 'test')).toBe(true);
      expect(h.waiters()).toBe(1);
    });
    const approval = await waited;
    expect(approval).toMatchObject({ id: row.id, status: 'expired' });
    expect(h.waiters()).toBe(0);
    expect(approvalEvents(h).map((e) => e.type)).toEqual(['approval.requested', 'approval.resolved']);
    expect(h.pendingCounts.at(-1)).toBe(0);
    expect(approvals.reaperDeadline).toBeNull();
  });

  it('an operator decision wakes the waiter once committed, with the same object the decision answers', async () => {
    h = await harness();
    const agent = await h.agent('alpha');
    const { approvals } = h.app.services;
    const row = approvals.open(request(agent.id));
    const waited = approvals.waitFor(row.id, 30);
    await until(() => h.waiters() === 1);
    const res = await h.decide(row.id, { decision: 'deny', comment: 'no' });
    expect(res.status).toBe(200);
    const woken = await waited;
    expect(woken).toMatchObject({ id: row.id, status: 'denied' });
    expect(res.body).toEqual(JSON.parse(JSON.stringify(woken)));
    expect(approvalEvents(h).map((e) => e.type)).toEqual(['approval.requested', 'approval.resolved']);
  });
});
