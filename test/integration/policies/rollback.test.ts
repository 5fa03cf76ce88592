/**
 * The compiled-policy cache mirrors committed rows only: a policy change read inside a
 * transaction that then rolls back leaves nothing behind, before or after a later change.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { immediate } from '../../../electron/db/connection.js';
import { startTestApp, type TestApp } from '../../support/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t.close();
});

class RolledBack extends Error {}

it('a policy change rolled back after the decision core read it never decides anything', async () => {
  const { policies } = t.app.services;
  const agent = await t.agent('alpha');
  expect(() =>
    immediate(t.app.db, () => {
      policies.guardrails.create({ name: 'rolled-back', rules: [{ tool: 'deploy.*', decision: 'ALLOW' }] }, 'test');
      // Read inside the transaction, as a decision in the same transaction would.
      policies.compiledGuardrails();
      throw new RolledBack('the change is abandoned');
    }),
  ).toThrow(RolledBack);
  expect(policies.compiledGuardrails().policies.map((p) => p.name)).not.toContain('rolled-back');
  // A later committed change does not bring it back either.
  const kept = await t.api(t.op).answer('createGuardrail', { body: { name: 'kept', rules: [{ tool: 'fs.read', decision: 'ALLOW' }] } });
  expect(kept.status).toBe(201);

  const deploy = await t.api(t.op).answer('evaluate', { body: { agent_id: agent.id, action: { tool: 'deploy.web' } } });
  expect(deploy.status).toBe(200);
  expect(deploy.body.matched).toEqual([]);
  expect(deploy.body.decision).toBe('ALERT');
  const read = await t.api(t.op).answer('evaluate', { body: { agent_id: agent.id, action: { tool: 'fs.read' } } });
  expect(read.body.matched.map((m: { policy_id: string }) => m.policy_id)).toEqual([kept.body.id]);
  expect(read.body.decision).toBe('ALLOW');
});

it('a change is read later in its own transaction, and one in a savepoint that rolls back is gone though the transaction commits', () => {
  const { policies } = t.app.services;
  const names = () => policies.compiledGuardrails().policies.map((p) => p.name);
  immediate(t.app.db, () => {
    policies.guardrails.create({ name: 'seen-at-once', rules: [{ tool: 'a.*', decision: 'ALLOW' }] }, 'test');
    expect(names()).toContain('seen-at-once');
    expect(() =>
      immediate(t.app.db, () => {
        policies.guardrails.create({ name: 'inner-abandoned', rules: [{ tool: 'b.*', decision: 'ALLOW' }] }, 'test');
        expect(names()).toContain('inner-abandoned');
        throw new RolledBack('the inner change is abandoned');
      }),
    ).toThrow(RolledBack);
    expect(names()).not.toContain('inner-abandoned');
  });
  expect(names()).toContain('seen-at-once');
  expect(names()).not.toContain('inner-abandoned');
});

it('the cache check reads no row: with policies unchanged, the store answers even with policy_state gone', () => {
  const { policies } = t.app.services;
  const before = policies.compiledGuardrails();
  const epoch = policies.epoch.value;
  expect(() =>
    immediate(t.app.db, () => {
      t.app.db.exec('DROP TABLE policy_state');
      expect(policies.compiledGuardrails()).toBe(before);
      expect(policies.governanceSettings()).toBe(policies.governanceSettings());
      throw new RolledBack('the table comes back');
    }),
  ).toThrow(RolledBack);
  expect(policies.epoch.value).toBe(epoch);
});
