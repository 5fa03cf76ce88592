/**
 * Read access to deployed workflow definitions for whoever runs them: the latest version of a
 * workflow, any version it ever had (runs are pinned to the version they started on), and
 * whether it was deleted (a deleted workflow starts no new runs; its versions stay readable).
 *
 * Versions are immutable, so a parsed definition is cached by name and version for the life of
 * the process.
 */
import type { Db } from '../db/connection.js';
import { WorkflowDefinitionSchema, type WorkflowDefinition } from '../../shared/workflows/definition.js';

export interface CatalogVersion {
  name: string;
  version: number;
  definition: WorkflowDefinition;
  deployed_at: string;
  deployed_by: string;
}

interface HeadRow {
  latest_version: number;
  deleted_at: string | null;
}

interface VersionRow {
  definition_json: string;
  deployed_at: string;
  deployed_by: string;
}

export class WorkflowCatalog {
  private readonly head;
  private readonly versionRow;
  private readonly cache = new Map<string, CatalogVersion>();

  constructor(db: Db) {
    this.head = db.prepare<[string], HeadRow>('SELECT latest_version, deleted_at FROM workflows WHERE name = ?');
    this.versionRow = db.prepare<[string, number], VersionRow>(
      'SELECT definition_json, deployed_at, deployed_by FROM workflow_versions WHERE workflow = ? AND version = ?',
    );
  }

  /** The newest version of `name` (also of a deleted workflow: check `isDeleted` before starting a run). */
  latest(name: string): CatalogVersion | undefined {
    const head = this.head.get(name);
    return head ? this.versionOf(name, head.latest_version) : undefined;
  }

  /** Version `version` of `name` as deployed, or undefined when it never existed. */
  versionOf(name: string, version: number): CatalogVersion | undefined {
    const key = `${name}@${version}`;
    const cached = this.cache.get(key);
    if (cached) return cached;
    const row = this.versionRow.get(name, version);
    if (!row) return undefined;
    // Stored definitions passed this schema when deployed; parsing again fails loudly on a damaged row.
    const definition = WorkflowDefinitionSchema.parse(JSON.parse(row.definition_json));
    const entry: CatalogVersion = { name, version, definition, deployed_at: row.deployed_at, deployed_by: row.deployed_by };
    this.cache.set(key, entry);
    return entry;
  }

  definitionAt(name: string, version: number): WorkflowDefinition | undefined {
    return this.versionOf(name, version)?.definition;
  }

  /** True when the workflow exists and was deleted; new runs must be refused. */
  isDeleted(name: string): boolean {
    return this.head.get(name)?.deleted_at != null;
  }

  /** True when a workflow of that name was ever deployed (deleted or not). */
  exists(name: string): boolean {
    return this.head.get(name) !== undefined;
  }
}
