/**
 * The template registry (WORKFLOWS.md "Template registry"): a workflow approved as a template is
 * pinned to the version current at approval. Entries move active → deprecated → archived (or
 * active → archived), never back; any other move is 409. Creating a workflow from a deprecated
 * template warns and names the replacement; from an archived one is refused.
 */
import type { ListPage } from '../../shared/api/common.js';
import type { WorkflowTemplate } from '../../shared/api/workflows.js';
import { toIso } from '../common/clock.js';
import { RecordingService, type RecordingDeps } from '../common/service-deps.js';
import { immediate } from '../db/connection.js';
import { HttpError, conflict } from '../server/errors.js';
import { decodeCursor, isString, page } from '../server/pagination.js';
import type { WorkflowService } from './service.js';
import { parseSource, renameSource } from './source.js';

type TemplateStatus = WorkflowTemplate['status'];

interface TemplateRow {
  id: string;
  template_name: string;
  workflow: string;
  version: number;
  status: TemplateStatus;
  description: string | null;
  tags_json: string;
  approved_by: string;
  approved_at: string;
  deprecated_at: string | null;
  deprecated_by: string | null;
  deprecation_reason: string | null;
  replacement_id: string | null;
  archived_at: string | null;
  archived_by: string | null;
}

function toTemplate(r: TemplateRow): WorkflowTemplate {
  return {
    id: r.id,
    object: 'workflow_template',
    template_name: r.template_name,
    workflow: r.workflow,
    version: r.version,
    status: r.status,
    description: r.description,
    tags: JSON.parse(r.tags_json) as string[],
    approved_by: r.approved_by,
    approved_at: r.approved_at,
    deprecated_at: r.deprecated_at,
    deprecation_reason: r.deprecation_reason,
    replacement_id: r.replacement_id,
    archived_at: r.archived_at,
  };
}

export interface RegistryDeps extends RecordingDeps {
  workflows: WorkflowService;
}

export class WorkflowRegistry extends RecordingService {
  private readonly workflows: WorkflowService;
  private readonly byId;

  constructor(deps: RegistryDeps) {
    super(deps);
    this.workflows = deps.workflows;
    this.byId = this.db.prepare<[string], TemplateRow>('SELECT * FROM workflow_templates WHERE id = ?');
  }

  private row(id: string): TemplateRow {
    const row = this.byId.get(id);
    if (!row) throw new HttpError(404, 'not_found', `no workflow template with id ${id}`);
    return row;
  }

  get(id: string): WorkflowTemplate {
    return toTemplate(this.row(id));
  }

  /** Approves workflow `name` as a template pinned to its current version. */
  approve(name: string, input: { template_name: string; description?: string | undefined; tags?: string[] | undefined }, actor: string): WorkflowTemplate {
    return immediate(this.db, () => {
      const head = this.workflows.live(name);
      const taken = this.db
        .prepare<[string], { id: string }>(`SELECT id FROM workflow_templates WHERE template_name = ? AND status != 'archived'`)
        .get(input.template_name);
      if (taken) throw conflict(`a template named ${input.template_name} is already in the registry (${taken.id})`, 'template_name');
      const row: TemplateRow = {
        id: this.ids.next('tpl'),
        template_name: input.template_name,
        workflow: name,
        version: head.latest_version,
        status: 'active',
        description: input.description ?? this.workflows.get(name).description,
        tags_json: JSON.stringify(input.tags ?? []),
        approved_by: actor,
        approved_at: toIso(this.clock.now()),
        deprecated_at: null,
        deprecated_by: null,
        deprecation_reason: null,
        replacement_id: null,
        archived_at: null,
        archived_by: null,
      };
      this.db
        .prepare(
          `INSERT INTO workflow_templates (id, template_name, workflow, version, status, description, tags_json, approved_by, approved_at)
           VALUES (@id, @template_name, @workflow, @version, @status, @description, @tags_json, @approved_by, @approved_at)`,
        )
        .run(row);
      const template = toTemplate(row);
      this.audit.append({ event_type: 'template.approved', actor, subject_id: row.id, data: { template } });
      return template;
    });
  }

  /** active → deprecated, with the reason and optionally the template replacing it. */
  deprecate(id: string, input: { reason: string; replacement_id?: string | undefined }, actor: string): WorkflowTemplate {
    return immediate(this.db, () => {
      const row = this.row(id);
      if (row.status !== 'active') throw conflict(`template ${id} is ${row.status}; only an active template can be deprecated`, 'status');
      if (input.replacement_id !== undefined) {
        const replacement = this.byId.get(input.replacement_id);
        if (!replacement) throw new HttpError(400, 'invalid_parameter', `no workflow template with id ${input.replacement_id}`, 'replacement_id');
        if (replacement.id === id) throw new HttpError(400, 'invalid_parameter', 'a template cannot replace itself', 'replacement_id');
        if (replacement.status === 'archived') throw new HttpError(400, 'invalid_parameter', `template ${replacement.id} is archived and cannot be a replacement`, 'replacement_id');
      }
      const now = toIso(this.clock.now());
      this.db
        .prepare(`UPDATE workflow_templates SET status = 'deprecated', deprecated_at = ?, deprecated_by = ?, deprecation_reason = ?, replacement_id = ? WHERE id = ?`)
        .run(now, actor, input.reason, input.replacement_id ?? null, id);
      const template = toTemplate(this.row(id));
      this.audit.append({ event_type: 'template.deprecated', actor, subject_id: id, data: { template, reason: input.reason } });
      return template;
    });
  }

  /** active or deprecated → archived, for good. */
  archive(id: string, actor: string): WorkflowTemplate {
    return immediate(this.db, () => {
      const row = this.row(id);
      if (row.status === 'archived') throw conflict(`template ${id} is already archived; archiving cannot be undone`, 'status');
      const now = toIso(this.clock.now());
      this.db.prepare(`UPDATE workflow_templates SET status = 'archived', archived_at = ?, archived_by = ? WHERE id = ?`).run(now, actor, id);
      const template = toTemplate(this.row(id));
      this.audit.append({ event_type: 'template.archived', actor, subject_id: id, data: { template, previous_status: row.status } });
      return template;
    });
  }

  /** Newest first; archived entries only when asked. */
  list(query: { limit: number; cursor?: string | undefined; include_archived?: boolean | undefined }): ListPage<WorkflowTemplate> {
    const before = decodeCursor(query.cursor, isString);
    const rows = this.db
      .prepare<[number, string | null, string | null, number], TemplateRow>(
        `SELECT * FROM workflow_templates WHERE (? = 1 OR status != 'archived') AND (? IS NULL OR id < ?) ORDER BY id DESC LIMIT ?`,
      )
      .all(query.include_archived ? 1 : 0, before ?? null, before ?? null, query.limit + 1);
    return page(rows, query.limit, toTemplate, (r) => r.id);
  }

  /** A new workflow named `name` at version 1 from the template's pinned version. */
  instantiate(templateId: string, name: string, message: string | undefined, actor: string) {
    return immediate(this.db, () => {
      const row = this.row(templateId);
      if (row.status === 'archived') throw conflict(`template ${templateId} is archived and can no longer be used`, 'template_id');
      const { source, format } = this.workflows.sourceOf(row.workflow, row.version);
      const parsed = parseSource(renameSource(source, format, name));
      const created = this.workflows.create(
        { parsed, message: message ?? `Created from template ${row.template_name} (${row.workflow} version ${row.version})` },
        actor,
        { from_template: row.id },
      );
      if (row.status !== 'deprecated') return { ...created, warning: null, replacement: null };
      const replacement = row.replacement_id ? this.byId.get(row.replacement_id) : undefined;
      const warning =
        `template ${row.template_name} is deprecated: ${row.deprecation_reason ?? 'no reason given'}` +
        (replacement ? `; use ${replacement.template_name} (${replacement.id}) instead` : '');
      return { ...created, warning, replacement: replacement ? { id: replacement.id, template_name: replacement.template_name } : null };
    });
  }
}
