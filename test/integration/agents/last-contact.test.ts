/**
 * An agent's last contact: `last_seen_at` on GET /v1/agents and the key's `last_used_at` move with
 * every authenticated request, while the file is written at most every few seconds per agent, and
 * survive a restart.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { LAST_CONTACT_WRITE_MS } from '../../../electron/agents/last-contact.js';
import { ManualClock } from '../../../electron/common/clock.js';
import { startTestApp, type TestApp } from '../../support/app.js';

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const iso = (ms: number) => new Date(ms).toISOString();

describe('last contact', () => {
  it('GET /v1/agents shows when each agent last authenticated; its key shows last_used_at', async () => {
    const clock = new ManualClock();
    t = await startTestApp({ clock });
    const a = await t.agent('hooked');
    const quiet = await t.agent('quiet');
    const list = async () => (await t!.api(t!.op).answer('listAgents')).body.data;
    expect((await list()).find((x) => x.id === a.id)!.last_seen_at).toBeNull();

    clock.advance(1_000);
    expect((await t.api(a.key).answer('me')).status).toBe(200);
    const seenAt = iso(clock.now());
    expect((await list()).find((x) => x.id === a.id)!.last_seen_at).toBe(seenAt);
    expect((await list()).find((x) => x.id === quiet.id)!.last_seen_at).toBeNull();
    expect((await t.api(t.op).answer('getAgent', { params: { id: a.id } })).body.last_seen_at).toBe(seenAt);
    const keys = (await t.api(t.op).answer('listAgentKeys', { params: { id: a.id } })).body.data;
    expect(keys[0]!.last_used_at).toBe(seenAt);

    // A request that fails its scope or validation still is contact; a wrong key is not.
    clock.advance(2_000);
    await t.raw('POST', '/v1/actions', { key: a.key, body: {} });
    expect((await list()).find((x) => x.id === a.id)!.last_seen_at).toBe(iso(clock.now()));
    expect((await t.raw('GET', '/v1/me', { key: 'wk_agent_nope' })).status).toBe(401);
  });

  it('the file is written at most once per interval per agent, and the time survives a restart', async () => {
    const clock = new ManualClock();
    t = await startTestApp({ clock });
    const a = await t.agent('busy');
    const inFile = () =>
      (t!.app.db.prepare('SELECT last_seen_at FROM agents WHERE id = ?').get(a.id) as { last_seen_at: string | null }).last_seen_at;
    const keyInFile = () =>
      (t!.app.db.prepare('SELECT last_used_at FROM agent_keys WHERE agent_id = ?').get(a.id) as { last_used_at: string | null }).last_used_at;

    const first = clock.now();
    await t.api(a.key).answer('me');
    expect(inFile()).toBe(iso(first));
    expect(keyInFile()).toBe(iso(first));
    for (let i = 0; i < 20; i++) {
      clock.advance(100);
      await t.api(a.key).answer('me');
    }
    // Within the interval: memory moved, the file did not.
    expect(inFile()).toBe(iso(first));
    expect((await t.api(t.op).answer('getAgent', { params: { id: a.id } })).body.last_seen_at).toBe(iso(clock.now()));

    clock.advance(LAST_CONTACT_WRITE_MS);
    await t.api(a.key).answer('me');
    const last = clock.now();
    expect(inFile()).toBe(iso(last));
    expect(keyInFile()).toBe(iso(last));

    // Contact within the interval is not in the file yet; stopping writes it.
    clock.advance(100);
    await t.api(a.key).answer('me');
    const final = clock.now();
    expect(keyInFile()).toBe(iso(last));
    const dataDir = t.dataDir;
    await t.stop();
    t = await startTestApp({ clock, dataDir });
    expect((await t.api(t.op).answer('getAgent', { params: { id: a.id } })).body.last_seen_at).toBe(iso(final));
    expect((await t.api(t.op).answer('listAgentKeys', { params: { id: a.id } })).body.data[0]!.last_used_at).toBe(iso(final));
    // The key cache is still right after a revoke: contact never resurrects a revoked key.
    const keyId = (await t.api(t.op).answer('listAgentKeys', { params: { id: a.id } })).body.data[0]!.id;
    await t.api(t.op).answer('revokeAgentKey', { params: { id: a.id, key_id: keyId }, body: undefined });
    expect((await t.raw('GET', '/v1/me', { key: a.key })).status).toBe(401);
  });
});
