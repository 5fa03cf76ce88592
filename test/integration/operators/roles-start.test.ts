/**
 * Roles at start: a Warden whose contract has a route that changes something without a declared
 * role refuses to start, and upgrading a database from before roles keeps operator.token's
 * operator the owner (a solo user loses nothing) while other existing operators become admins.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../../../electron/app.js';
import { DB_FILE, TOKEN_FILE } from '../../../electron/common/data-dir.js';
import { hashSecret } from '../../../electron/common/ids.js';
import { migrate } from '../../../electron/db/migrate.js';
import { MIGRATIONS } from '../../../electron/db/migrations/index.js';
import { routes } from '../../../shared/api/index.js';
import type { RouteDef } from '../../../shared/api/contract.js';
import { startTestApp, type TestApp } from '../../support/app.js';

const dirs: string[] = [];
const apps: TestApp[] = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'warden-roles-'));
  dirs.push(dir);
  return dir;
}

describe('roles at start', () => {
  it('refuses to start when a route that changes something declares no role', async () => {
    const backup = routes.createBackup as RouteDef;
    const role = backup.role;
    delete backup.role;
    try {
      await expect(createApp({ rendererDir: null, dataDir: tempDir(), port: 0 })).rejects.toThrow(
        /route createBackup \(POST \/v1\/backups\) changes something but declares no operator role/,
      );
    } finally {
      backup.role = role;
    }
  });

  it('an existing database: operator.token’s operator stays owner, other operators become admin', async () => {
    const dataDir = tempDir();
    const ownerToken = `wk_op_${'a'.repeat(40)}`;
    const aliceToken = `wk_op_${'b'.repeat(40)}`;
    const db = new Database(join(dataDir, DB_FILE));
    try {
      migrate(db, MIGRATIONS, 12);
      const insert = db.prepare('INSERT INTO operators (id, name, token_hash, created_at) VALUES (?, ?, ?, ?)');
      // alice's row sorts first by id and time: the owner is told by operator.token's name, not by age alone.
      insert.run('opr_0alice', 'alice', hashSecret(aliceToken), '2026-01-01T00:00:00.000Z');
      insert.run('opr_1owner', 'owner', hashSecret(ownerToken), '2026-01-02T00:00:00.000Z');
    } finally {
      db.close();
    }
    writeFileSync(join(dataDir, TOKEN_FILE), `${ownerToken}\n`, { mode: 0o600 });

    const t = await startTestApp({ dataDir });
    apps.push(t);
    expect(t.op).toBe(ownerToken);
    expect((await t.api(ownerToken).answer('me')).body).toMatchObject({ id: 'opr_1owner', role: 'owner', is_owner: true, permissions: ['*'] });
    expect((await t.api(aliceToken).answer('me')).body).toMatchObject({ id: 'opr_0alice', role: 'admin', permissions: [] });
    // The owner keeps every power it had: settings and operators.
    expect((await t.api(ownerToken).answer('updateGovernanceSettings', { body: { approval_ttl_seconds: 900 } })).status).toBe(200);
    expect((await t.api(ownerToken).answer('createOperator', { body: { name: 'bob' } })).body.role).toBe('member');
  });
});
