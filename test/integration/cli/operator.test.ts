/** `warden operator list|add|role|permissions|revoke|rotate` against a real server. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../support/app.js';
import { cli } from '../../support/cli-harness.js';

let t: TestApp;
let env: Record<string, string>;
beforeAll(async () => {
  t = await startTestApp();
  env = { WARDEN_URL: t.url, WARDEN_DATA_DIR: t.dataDir };
});
afterAll(async () => {
  await t?.close();
});

describe('operator commands', () => {
  it('add shows the token once; list names roles; revoke by name makes the token 401; rotate of the owner rewrites operator.token', async () => {
    const added = await cli(['operator', 'add', 'alice'], { env });
    expect(added.code).toBe(0);
    const token = /wk_op_\S+/.exec(added.stdout)?.[0] ?? '';
    expect((await t.api(token).answer('me')).status).toBe(200);

    const list = await cli(['operator', 'list'], { env });
    expect(list.stdout).toMatch(/^ID\s+NAME\s+ROLE\s+PERMISSIONS\s+CREATED\s+REVOKED$/m);
    expect(list.stdout).toMatch(/opr_\S+\s+owner\s+owner\s+\*\s/);
    expect(list.stdout).toMatch(/opr_\S+\s+alice\s+member\s+-\s/);

    const revoked = await cli(['operator', 'revoke', 'alice'], { env });
    expect(revoked.code).toBe(0);
    expect(revoked.stdout).toContain('revoked');
    expect((await t.raw('GET', '/v1/me', { key: token })).status).toBe(401);

    const nobody = await cli(['operator', 'revoke', 'nobody'], { env });
    expect(nobody.code).toBe(1);
    expect(nobody.stderr).toMatch(/^warden: no operator nobody/);

    const before = readFileSync(join(t.dataDir, 'operator.token'), 'utf8').trim();
    const rotated = await cli(['operator', 'rotate', 'owner'], { env });
    expect(rotated.code).toBe(0);
    const after = readFileSync(join(t.dataDir, 'operator.token'), 'utf8').trim();
    expect(after).not.toBe(before);
    expect(rotated.stdout).toContain(after);
    // The CLI reads the token file: it keeps working after the owner's rotation.
    expect((await cli(['operator', 'list'], { env })).code).toBe(0);
  });

  it('add --role, role NAME ROLE and permissions set what an operator may do; bad roles and the last owner are refused', async () => {
    const added = await cli(['operator', 'add', 'vera', '--role', 'viewer'], { env });
    expect([added.code, added.stdout]).toEqual([0, expect.stringContaining('added as viewer')]);
    const token = /wk_op_\S+/.exec(added.stdout)?.[0] ?? '';
    expect((await t.api(token).answer('me')).body).toMatchObject({ role: 'viewer' });

    const promoted = await cli(['operator', 'role', 'vera', 'admin'], { env });
    expect([promoted.code, promoted.stdout.trim()]).toEqual([0, expect.stringMatching(/^Operator vera \(opr_\S+\) is now admin \(was viewer\)\.$/)]);
    expect((await t.api(token).answer('me')).body).toMatchObject({ role: 'admin' });

    const granted = await cli(['operator', 'permissions', 'vera', 'deploy:prod', 'refunds.approve'], { env });
    expect([granted.code, granted.stdout]).toEqual([0, expect.stringContaining('deploy:prod, refunds.approve')]);
    expect((await cli(['operator', 'list'], { env })).stdout).toMatch(/opr_\S+\s+vera\s+admin\s+deploy:prod,refunds\.approve\s/);

    const bad = await cli(['operator', 'role', 'vera', 'superuser'], { env });
    expect([bad.code, bad.stderr.trim()]).toEqual([1, 'warden: unknown role superuser; one of viewer, member, admin, owner']);
    const badAdd = await cli(['operator', 'add', 'walt', '--role', 'boss'], { env });
    expect(badAdd.code).toBe(1);
    // The test above rotated the owner's token: the current one is in operator.token.
    const owner = readFileSync(join(t.dataDir, 'operator.token'), 'utf8').trim();
    expect((await t.api(owner).answer('listOperators')).body.data.map((o) => o.name)).not.toContain('walt');

    const last = await cli(['operator', 'role', 'owner', 'member'], { env });
    expect([last.code, last.stderr]).toEqual([1, expect.stringContaining('last owner')]);
    expect((await t.api(owner).answer('me')).body).toMatchObject({ role: 'owner' });
  });
});
