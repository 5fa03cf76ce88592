/**
 * Workflow definitions and their versions (WORKFLOWS.md "Versions"): create at version 1, deploy
 * N+1 only when the definition changed, read any version verbatim, roll back by deploying an old
 * definition as a new version (history is never rewritten), delete (no new runs; versions stay).
 * Every deploy is validated whole first and audited with the version it produced.
 */
import type { ListPage } from '../../shared/api/common.js';
import type {
  DeployResult,
  Workflow,
  WorkflowSummary,
  WorkflowVersion,
  WorkflowVersionSummary,
  WorkflowWarning,
} from '../../shared/api/workflows.js';
import type { WorkflowDefinition } from '../../shared/workflows/definition.js';
import { toIso } from '../common/clock.js';
import { RecordingService, type RecordingDeps } from '../common/service-deps.js';
import { immediate } from '../db/connection.js';
import { canonicalJson } from '../policies/rows.js';
import { HttpError, conflict, invalid } from '../server/errors.js';
import { decodeCursor, isNumber, isString, page } from '../server/pagination.js';
import type { ParsedSource, SourceFormat } from './source.js';
import { validateDefinition } from './validate.js';

interface HeadRow {
  name: string;
  latest_version: number;
  created_at: string;
  created_by: string;
  updated_at: string;
  deleted_at: string | null;
  deleted_by: string | null;
}

interface VersionRow {
  workflow: string;
  version: number;
  source: string;
  source_format: SourceFormat;
  definition_json: string;
  deployed_at: string;
  deployed_by: string;
  message: string | null;
  warnings_json: string;
  rolled_back_from: number | null;
}

export interface DeployInput {
  parsed: ParsedSource;
  message?: string | undefined;
  /** Notes kept as warnings on the version (what an import could not carry). */
  extraWarnings?: WorkflowWarning[];
}

const notFoundWorkflow = (name: string) => new HttpError(404, 'not_found', `no workflow named ${name}`);

export class WorkflowService extends RecordingService {
  private readonly headStmt;
  private readonly versionStmt;

  constructor(deps: RecordingDeps) {
    super(deps);
    this.headStmt = this.db.prepare<[string], HeadRow>('SELECT * FROM workflows WHERE name = ?');
    this.versionStmt = this.db.prepare<[string, number], VersionRow>('SELECT * FROM workflow_versions WHERE workflow = ? AND version = ?');
  }

  private head(name: string): HeadRow {
    const row = this.headStmt.get(name);
    if (!row) throw notFoundWorkflow(name);
    return row;
  }

  private versionRow(name: string, version: number): VersionRow {
    const row = this.versionStmt.get(name, version);
    if (!row) throw new HttpError(404, 'not_found', `workflow ${name} has no version ${version}`, 'version');
    return row;
  }

  private summary(head: HeadRow, v: VersionRow): WorkflowSummary {
    const def = JSON.parse(v.definition_json) as WorkflowDefinition;
    return {
      object: 'workflow',
      name: head.name,
      description: def.description ?? null,
      tags: def.tags ?? [],
      version: head.latest_version,
      created_at: head.created_at,
      created_by: head.created_by,
      deployed_at: v.deployed_at,
      deployed_by: v.deployed_by,
      deleted_at: head.deleted_at,
    };
  }

  private full(head: HeadRow, v: VersionRow): Workflow {
    return {
      ...this.summary(head, v),
      definition: JSON.parse(v.definition_json) as Record<string, unknown>,
      message: v.message,
      warnings: JSON.parse(v.warnings_json) as WorkflowWarning[],
    };
  }

  private versionSummary(v: VersionRow): WorkflowVersionSummary {
    return {
      object: 'workflow_version',
      workflow: v.workflow,
      version: v.version,
      deployed_at: v.deployed_at,
      deployed_by: v.deployed_by,
      message: v.message,
      warnings: JSON.parse(v.warnings_json) as WorkflowWarning[],
      rolled_back_from: v.rolled_back_from,
    };
  }

  private insertVersion(row: VersionRow): void {
    this.db
      .prepare(
        `INSERT INTO workflow_versions (workflow, version, source, source_format, definition_json, deployed_at, deployed_by, message, warnings_json, rolled_back_from)
         VALUES (@workflow, @version, @source, @source_format, @definition_json, @deployed_at, @deployed_by, @message, @warnings_json, @rolled_back_from)`,
      )
      .run(row);
  }

  /** Creates workflow `definition.name` at version 1; the name taken (also by a deleted workflow) → 409. */
  create(input: DeployInput, actor: string, extra: Record<string, unknown> = {}): DeployResult {
    const { definition, warnings } = validateDefinition(input.parsed.data);
    return immediate(this.db, () => {
      const taken = this.headStmt.get(definition.name);
      if (taken) {
        const why = taken.deleted_at ? 'was deleted; a workflow name is never reused' : `already exists (version ${taken.latest_version}); deploy a new version with PUT /v1/workflows/${definition.name}`;
        throw conflict(`workflow ${definition.name} ${why}`, 'name');
      }
      const now = toIso(this.clock.now());
      const head: HeadRow = { name: definition.name, latest_version: 1, created_at: now, created_by: actor, updated_at: now, deleted_at: null, deleted_by: null };
      this.db
        .prepare('INSERT INTO workflows (name, latest_version, created_at, created_by, updated_at) VALUES (@name, @latest_version, @created_at, @created_by, @updated_at)')
        .run(head);
      const row = this.newVersion(head, 1, input, definition, [...warnings, ...(input.extraWarnings ?? [])], actor, now, null);
      this.audit.append({
        event_type: 'workflow.deployed',
        actor,
        subject_id: definition.name,
        data: { workflow: definition.name, version: 1, message: row.message, warnings: JSON.parse(row.warnings_json) as unknown, ...extra },
      });
      return { ...this.full(head, row), changed: true };
    });
  }

  /** Deploys version N+1 of `name`; an unchanged definition mints none (`changed: false`). */
  deploy(name: string, input: DeployInput, actor: string): DeployResult {
    const { definition, warnings } = validateDefinition(input.parsed.data);
    if (definition.name !== name) {
      throw invalid('name', `the definition is named ${definition.name} but is deployed to ${name}; a workflow's name cannot change`);
    }
    return immediate(this.db, () => {
      const head = this.live(name);
      const latest = this.versionRow(name, head.latest_version);
      if (canonicalJson(JSON.parse(latest.definition_json)) === canonicalJson(definition)) {
        return { ...this.full(head, latest), changed: false };
      }
      const now = toIso(this.clock.now());
      const version = head.latest_version + 1;
      const row = this.newVersion(head, version, input, definition, [...warnings, ...(input.extraWarnings ?? [])], actor, now, null);
      const updated = this.bumpHead(head, version, now);
      this.audit.append({
        event_type: 'workflow.deployed',
        actor,
        subject_id: name,
        data: { workflow: name, version, message: row.message, warnings: JSON.parse(row.warnings_json) as unknown },
      });
      return { ...this.full(updated, row), changed: true };
    });
  }

  /** A new version made from version `from`'s definition, verbatim; nothing before it changes. */
  rollback(name: string, from: number, message: string | undefined, actor: string): { object: 'workflow_rollback'; workflow: string; new_version: number; rolled_back_from: number; deployed_at: string } {
    return immediate(this.db, () => {
      const head = this.live(name);
      const old = this.versionRow(name, from);
      const latest = this.versionRow(name, head.latest_version);
      if (canonicalJson(JSON.parse(old.definition_json)) === canonicalJson(JSON.parse(latest.definition_json))) {
        throw conflict(`version ${from}'s definition is the one deployed now (version ${head.latest_version}); there is nothing to roll back`, 'version');
      }
      const now = toIso(this.clock.now());
      const version = head.latest_version + 1;
      const row: VersionRow = {
        ...old,
        version,
        deployed_at: now,
        deployed_by: actor,
        message: message?.trim() || `Rolled back to version ${from}`,
        rolled_back_from: from,
      };
      this.insertVersion(row);
      this.bumpHead(head, version, now);
      this.audit.append({
        event_type: 'workflow.rolled_back',
        actor,
        subject_id: name,
        data: { workflow: name, new_version: version, rolled_back_from: from, replaced_version: head.latest_version, message: row.message },
      });
      return { object: 'workflow_rollback', workflow: name, new_version: version, rolled_back_from: from, deployed_at: now };
    });
  }

  /** Marks the workflow deleted: no new runs; versions and running runs stay. Twice → 409. */
  delete(name: string, actor: string): WorkflowSummary {
    return immediate(this.db, () => {
      const head = this.live(name);
      const now = toIso(this.clock.now());
      this.db.prepare('UPDATE workflows SET deleted_at = ?, deleted_by = ?, updated_at = ? WHERE name = ?').run(now, actor, now, name);
      this.audit.append({ event_type: 'workflow.deleted', actor, subject_id: name, data: { workflow: name, version: head.latest_version } });
      const deleted = { ...head, deleted_at: now, deleted_by: actor, updated_at: now };
      return this.summary(deleted, this.versionRow(name, head.latest_version));
    });
  }

  get(name: string): Workflow {
    const head = this.head(name);
    return this.full(head, this.versionRow(name, head.latest_version));
  }

  /** The head of a workflow that is not deleted (404 unknown, 409 deleted). */
  live(name: string): HeadRow {
    const head = this.head(name);
    if (head.deleted_at) throw conflict(`workflow ${name} was deleted at ${head.deleted_at}`, 'name');
    return head;
  }

  list(query: { limit: number; cursor?: string | undefined; include_deleted?: boolean | undefined }): ListPage<WorkflowSummary> {
    const after = decodeCursor(query.cursor, isString);
    const rows = this.db
      .prepare<[number, string | null, string | null, number], HeadRow & VersionRow>(
        `SELECT w.*, v.* FROM workflows w JOIN workflow_versions v ON v.workflow = w.name AND v.version = w.latest_version
         WHERE (? = 1 OR w.deleted_at IS NULL) AND (? IS NULL OR w.name > ?) ORDER BY w.name LIMIT ?`,
      )
      .all(query.include_deleted ? 1 : 0, after ?? null, after ?? null, query.limit + 1);
    return page(rows, query.limit, (r) => this.summary(r, r), (r) => r.name);
  }

  versions(name: string, query: { limit: number; cursor?: string | undefined }): ListPage<WorkflowVersionSummary> {
    this.head(name);
    const before = decodeCursor(query.cursor, isNumber);
    const rows = this.db
      .prepare<[string, number, number], VersionRow>('SELECT * FROM workflow_versions WHERE workflow = ? AND version < ? ORDER BY version DESC LIMIT ?')
      .all(name, before ?? Number.MAX_SAFE_INTEGER, query.limit + 1);
    return page(rows, query.limit, (v) => this.versionSummary(v), (v) => v.version);
  }

  version(name: string, version: number): WorkflowVersion {
    this.head(name);
    const v = this.versionRow(name, version);
    return {
      ...this.versionSummary(v),
      source: v.source,
      source_format: v.source_format,
      definition: JSON.parse(v.definition_json) as Record<string, unknown>,
    };
  }

  /** The stored source of a version (for the registry, which copies it into new workflows). */
  sourceOf(name: string, version: number): { source: string; format: SourceFormat } {
    const v = this.versionRow(name, version);
    return { source: v.source, format: v.source_format };
  }

  private newVersion(
    head: HeadRow,
    version: number,
    input: DeployInput,
    definition: WorkflowDefinition,
    warnings: WorkflowWarning[],
    actor: string,
    now: string,
    rolledBackFrom: number | null,
  ): VersionRow {
    const row: VersionRow = {
      workflow: head.name,
      version,
      source: input.parsed.source,
      source_format: input.parsed.format,
      definition_json: JSON.stringify(definition),
      deployed_at: now,
      deployed_by: actor,
      message: input.message?.trim() || null,
      warnings_json: JSON.stringify(warnings),
      rolled_back_from: rolledBackFrom,
    };
    this.insertVersion(row);
    return row;
  }

  private bumpHead(head: HeadRow, version: number, now: string): HeadRow {
    this.db.prepare('UPDATE workflows SET latest_version = ?, updated_at = ? WHERE name = ?').run(version, now, head.name);
    return { ...head, latest_version: version, updated_at: now };
  }
}
