import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { openDatabase, type Db } from '../../../electron/db/connection.js';
import { WorkflowCatalog } from '../../../electron/workflows/catalog.js';
import { WorkflowDefinitionSchema } from '../../../shared/workflows/definition.js';

const source = readFileSync(join(__dirname, '../../fixtures/workflows/release.yaml'), 'utf8');

describe('workflow catalog', () => {
  let dir: string;
  let db: Db;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'warden-catalog-'));
    db = openDatabase(join(dir, 'warden.db'));
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function deploy(version: number, description: string): void {
    const definition = WorkflowDefinitionSchema.parse({ ...(parseYaml(source) as object), description });
    if (version === 1) {
      db.prepare(`INSERT INTO workflows (name, latest_version, created_at, created_by, updated_at) VALUES ('release', 1, 't', 'op', 't')`).run();
    } else {
      db.prepare('UPDATE workflows SET latest_version = ? WHERE name = ?').run(version, 'release');
    }
    db.prepare(
      `INSERT INTO workflow_versions (workflow, version, source, source_format, definition_json, deployed_at, deployed_by)
       VALUES ('release', ?, ?, 'yaml', ?, 't', 'op')`,
    ).run(version, source, JSON.stringify(definition));
  }

  it('answers the latest version, any past version, and deletion', () => {
    const catalog = new WorkflowCatalog(db);
    expect(catalog.latest('release')).toBeUndefined();
    deploy(1, 'first');
    deploy(2, 'second');
    expect(catalog.latest('release')?.version).toBe(2);
    expect(catalog.latest('release')?.definition.description).toBe('second');
    expect(catalog.definitionAt('release', 1)?.description).toBe('first');
    expect(catalog.definitionAt('release', 1)?.states.review?.transitions?.approve?.actor).toBe('human');
    expect(catalog.definitionAt('release', 3)).toBeUndefined();
    expect(catalog.isDeleted('release')).toBe(false);
    db.prepare(`UPDATE workflows SET deleted_at = 't' WHERE name = 'release'`).run();
    expect(catalog.isDeleted('release')).toBe(true);
    expect(catalog.definitionAt('release', 2)?.description).toBe('second');
  });

  it('refuses to change or delete a stored version', () => {
    deploy(1, 'first');
    expect(() => db.prepare(`UPDATE workflow_versions SET message = 'x'`).run()).toThrow(/immutable/);
    expect(() => db.prepare('DELETE FROM workflow_versions').run()).toThrow(/immutable/);
  });
});
