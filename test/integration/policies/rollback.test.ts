/**
 * The compiled-policy cache mirrors committed rows only: a policy change read inside a
 * transaction that then rolls back leaves nothing behind, even when a later change brings the
 * policy epoch back to the same number.
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
  // A committed change: the policy epoch reaches the number the rolled-back change had.
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
