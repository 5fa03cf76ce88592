/**
 * Rules stored before every rule needed a matcher: the old New policy dialog saved
 * `{decision: ALLOW}`, which allowed every action of every agent. After the upgrade such a rule
 * asks (tool: "*", ALERT) in a new version written by `system` with an audit row, the old version
 * stays readable as written, and `kubectl delete namespace prod` is not allowed.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../support/app.js';

let apps: TestApp[] = [];
afterEach(async () => {
  for (const a of apps) await a.stop();
  if (apps[0]) rmSync(apps[0].dataDir, { recursive: true, force: true });
  apps = [];
});

const NOW = '2026-01-01T00:00:00.000Z';
const kubectl = { tool: 'shell.exec', args: { command: 'kubectl delete namespace prod' } };

/** Writes a policy row and its version 1 as an older Warden did, straight into the database. */
function storeOldPolicy(dataDir: string, id: string, name: string, rules: unknown[]): void {
  const db = new Database(join(dataDir, 'warden.db'));
  try {
    db.prepare(
      `INSERT INTO guardrail_policies (id, name, description, status, version, rules, created_at, updated_at) VALUES (?, ?, NULL, 'active', 1, ?, ?, ?)`,
    ).run(id, name, JSON.stringify(rules), NOW, NOW);
    db.prepare(
      `INSERT INTO guardrail_policy_versions (policy_id, version, name, description, status, rules, created_at, actor) VALUES (?, 1, ?, NULL, 'active', ?, ?, 'operator:opr_old')`,
    ).run(id, name, JSON.stringify(rules), NOW);
    db.prepare('UPDATE policy_state SET epoch = epoch + 1 WHERE id = 1').run();
  } finally {
    db.close();
  }
}

describe('stored rules without a matcher', () => {
  it('are rewritten at start to tool: "*" ALERT in a new version, audited, and no longer allow kubectl delete', async () => {
    const first = await startTestApp();
    apps.push(first);
    const agent = await first.agent('ops-bot');
    await first.stop();
    storeOldPolicy(first.dataDir, 'grd_old1', 'prod-safety', [{ decision: 'ALLOW' }, { tool: 'order.refund', decision: 'ALLOW', max_value: 250 }]);
    storeOldPolicy(first.dataDir, 'grd_old2', 'refund-cap', [{ decision: 'ALLOW', max_value: 100 }]);
    storeOldPolicy(first.dataDir, 'grd_old3', 'by-name', [
      { tool: 'x.read', agent: 'ops-bot', decision: 'ALLOW' },
      { tool: 'x.write', agent: 'ghost', decision: 'ALLOW' },
    ]);

    const t = await startTestApp({ dataDir: first.dataDir });
    apps.push(t);

    const evaluation = await t.api(t.op).answer('evaluate', { body: { action: kubectl, agent_id: agent.id } });
    expect(evaluation.body.decision).not.toBe('ALLOW');
    const fromOld = evaluation.body.matched.find((m: { policy_name: string }) => m.policy_name === 'prod-safety');
    expect(fromOld).toMatchObject({ policy_version: 2, decision: 'ALERT', rule_def: { tool: '*', decision: 'ALERT' } });

    const current = (await t.api(t.op).answer('getGuardrail', { params: { id: 'grd_old1' } })).body;
    expect(current.version).toBe(2);
    expect(current.rules).toEqual([{ tool: '*', decision: 'ALERT' }, { tool: 'order.refund', decision: 'ALLOW', max_value: 250 }]);
    const old = (await t.api(t.op).answer('getGuardrail', { params: { id: 'grd_old1' }, query: { version: '1' } })).body;
    expect(old.rules).toEqual([{ decision: 'ALLOW' }, { tool: 'order.refund', decision: 'ALLOW', max_value: 250 }]);
    const versions = (await t.api(t.op).answer('listGuardrailVersions', { params: { id: 'grd_old1' } })).body.data;
    expect(versions.map((v: { version: number; version_actor: string }) => [v.version, v.version_actor])).toEqual([
      [2, 'system'],
      [1, 'operator:opr_old'],
    ]);
    expect(versions[0]!.version_note).toContain('had no matcher');
    // A ceiling stays a ceiling: above it blocks, below it asks.
    expect((await t.api(t.op).answer('getGuardrail', { params: { id: 'grd_old2' } })).body.rules).toEqual([{ tool: '*', decision: 'ALERT', max_value: 100 }]);
    expect((await t.api(t.op).answer('evaluate', { body: { action: { tool: 'x.y', value: 500 }, agent_id: agent.id } })).body.decision).toBe('BLOCK');

    const audit = (await t.api(t.op).answer('listAudit', { query: { event_type: 'policy.updated' } })).body.data;
    const row = audit.find((e) => e.subject_id === 'grd_old1');
    expect(row!.actor).toBe('system');
    expect(row!.data.reason).toContain('rules [0] had no matcher');
    expect(row!.data).toMatchObject({ version: 2, previous_version: 1, rewritten_rules: [0] });

    // Rules saved by agent name (no id) are stored by id; a name nobody has matches no agent.
    const named = (await t.api(t.op).answer('getGuardrail', { params: { id: 'grd_old3' } })).body;
    expect(named.version).toBe(2);
    expect(named.rules[0]).toEqual({ tool: 'x.read', agent_id: agent.id, agent: 'ops-bot', decision: 'ALLOW' });
    expect(named.rules[1]).toEqual({ tool: 'x.write', agent_id: 'unresolved-agent:ghost', decision: 'ALLOW' });
    const byName = async (tool: string) =>
      (await t.api(t.op).answer('evaluate', { body: { action: { tool, value: 1 }, agent_id: agent.id } })).body.matched.filter((m: { policy_name: string }) => m.policy_name === 'by-name');
    expect(await byName('x.read')).toHaveLength(1);
    expect(await byName('x.write')).toHaveLength(0);

    // Once rewritten, a restart changes nothing more.
    await t.stop();
    const again = await startTestApp({ dataDir: first.dataDir });
    apps.push(again);
    expect((await again.api(again.op).answer('getGuardrail', { params: { id: 'grd_old1' } })).body.version).toBe(2);
    const audited = (await again.api(again.op).answer('listAudit', { query: { event_type: 'policy.updated' } })).body.data;
    expect(audited).toHaveLength(3);
  });

  it('a matcher-less rule written while Warden runs (another process, older code) is evaluated as asking', async () => {
    const t = await startTestApp();
    apps.push(t);
    const agent = await t.agent('ops-bot');
    storeOldPolicy(t.dataDir, 'grd_live', 'late-writer', [{ decision: 'ALLOW' }]);
    const res = await t.api(t.op).answer('evaluate', { body: { action: kubectl, agent_id: agent.id } });
    expect(res.body.decision).toBe('ALERT');
    expect(res.body.matched[0]).toMatchObject({ policy_name: 'late-writer', decision: 'ALERT' });
  });
});
