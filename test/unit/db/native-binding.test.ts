/**
 * The desktop app under `npm start` loads a better-sqlite3 addon built for Electron's ABI through
 * `sqliteBinding`; the option must reach the database connection (and a wrong path must fail
 * loudly at startup, never fall back to an addon of the wrong ABI).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../../../electron/app.js';
import { openDatabase } from '../../../electron/db/connection.js';

const require = createRequire(import.meta.url);
/** The Node build of the addon that node_modules holds: a binding this runtime can load. */
const nodeAddon = join(dirname(require.resolve('better-sqlite3/package.json')), 'build', 'Release', 'better_sqlite3.node');

let dir = '';
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('sqliteBinding', () => {
  it('opens the database through the given addon', () => {
    dir = mkdtempSync(join(tmpdir(), 'warden-binding-'));
    const db = openDatabase(join(dir, 'warden.db'), { nativeBinding: nodeAddon });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });

  it('a path with no addon fails at startup with the path in the message', async () => {
    dir = mkdtempSync(join(tmpdir(), 'warden-binding-'));
    const missing = join(dir, 'electron', 'better_sqlite3.node');
    await expect(createApp({ dataDir: dir, port: 0, rendererDir: null, sqliteBinding: missing })).rejects.toThrow(/better_sqlite3\.node/);
  });
});
