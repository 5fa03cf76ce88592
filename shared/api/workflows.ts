/**
 * Workflow definitions, their versions and the template registry (WORKFLOWS.md "Versions",
 * "Template registry", "Importing the reference format"). Runs live in their own contract.
 *
 * A definition is sent as an object (`definition: {...}`), as source text (`definition: "name:
 * release\n…"`, YAML or JSON), or as the whole body with `Content-Type: application/yaml` (then
 * `message` goes in the query). Source text is kept verbatim with each version.
 */
import { z } from 'zod';
import { defineRoute } from './contract.js';
import { IdParams, ListQuery, QueryBool, RefId, Timestamp, listOf } from './common.js';

export const WORKFLOW_TEMPLATE_STATUSES = ['active', 'deprecated', 'archived'] as const;
export const SOURCE_FORMATS = ['yaml', 'json'] as const;
/** `warden`: Warden's own form; `flowgate`: the reference product's camelCase YAML, converted. */
export const DEFINITION_FORMATS = ['warden', 'flowgate'] as const;

const WorkflowName = z.string().min(1).max(100);
const Message = z.string().max(2000);
const DefinitionInput = z.union([z.string().min(1).max(1024 * 1024), z.record(z.string(), z.unknown())]);

export const WorkflowWarning = z.object({ param: z.string(), message: z.string() });
export type WorkflowWarning = z.infer<typeof WorkflowWarning>;

/** Something an import could not carry over as written, at its path in the imported file. */
export const ImportNote = z.object({ path: z.string(), message: z.string(), carried: z.boolean() });
export type ImportNote = z.infer<typeof ImportNote>;

export const WorkflowSummary = z.object({
  object: z.literal('workflow'),
  name: z.string(),
  description: z.string().nullable(),
  tags: z.array(z.string()),
  version: z.number().int(),
  created_at: Timestamp,
  created_by: z.string(),
  deployed_at: Timestamp,
  deployed_by: z.string(),
  deleted_at: Timestamp.nullable(),
});
export type WorkflowSummary = z.infer<typeof WorkflowSummary>;

export const Workflow = WorkflowSummary.extend({
  /** The latest version's definition, parsed (defaults filled). */
  definition: z.record(z.string(), z.unknown()),
  message: z.string().nullable(),
  warnings: z.array(WorkflowWarning),
});
export type Workflow = z.infer<typeof Workflow>;

export const DeployResult = Workflow.extend({
  /** False when the definition equals the latest version's: no version was minted. */
  changed: z.boolean(),
  /** With `?format=flowgate`: what the conversion could not carry as written. */
  import_notes: z.array(ImportNote).optional(),
});
export type DeployResult = z.infer<typeof DeployResult>;

export const WorkflowVersionSummary = z.object({
  object: z.literal('workflow_version'),
  workflow: z.string(),
  version: z.number().int(),
  deployed_at: Timestamp,
  deployed_by: z.string(),
  message: z.string().nullable(),
  warnings: z.array(WorkflowWarning),
  rolled_back_from: z.number().int().nullable(),
});
export type WorkflowVersionSummary = z.infer<typeof WorkflowVersionSummary>;

export const WorkflowVersion = WorkflowVersionSummary.extend({
  /** The definition exactly as it was submitted. */
  source: z.string(),
  source_format: z.enum(SOURCE_FORMATS),
  definition: z.record(z.string(), z.unknown()),
});
export type WorkflowVersion = z.infer<typeof WorkflowVersion>;

export const RollbackResult = z.object({
  object: z.literal('workflow_rollback'),
  workflow: z.string(),
  new_version: z.number().int(),
  rolled_back_from: z.number().int(),
  deployed_at: Timestamp,
});

export const WorkflowTemplate = z.object({
  id: z.string(),
  object: z.literal('workflow_template'),
  template_name: z.string(),
  workflow: z.string(),
  version: z.number().int(),
  status: z.enum(WORKFLOW_TEMPLATE_STATUSES),
  description: z.string().nullable(),
  tags: z.array(z.string()),
  approved_by: z.string(),
  approved_at: Timestamp,
  deprecated_at: Timestamp.nullable(),
  deprecation_reason: z.string().nullable(),
  replacement_id: z.string().nullable(),
  archived_at: Timestamp.nullable(),
});
export type WorkflowTemplate = z.infer<typeof WorkflowTemplate>;

export const FromTemplateResult = DeployResult.extend({
  /** Set when the template is deprecated: why, and the replacement to use instead. */
  warning: z.string().nullable(),
  replacement: z.object({ id: z.string(), template_name: z.string() }).nullable(),
});

const NameParams = z.strictObject({ name: WorkflowName });
const VersionParams = z.strictObject({ name: WorkflowName, version: z.coerce.number().int().min(1).max(1_000_000) });
const DeployQuery = z.strictObject({
  format: z.enum(DEFINITION_FORMATS).default('warden'),
  /** With `format=flowgate` and a file holding several workflows: which one to import. */
  workflow: z.string().min(1).max(100).optional(),
  /** The deploy message when the body is the YAML text itself. */
  message: Message.optional(),
});
const DeployBody = z.strictObject({ definition: DefinitionInput, message: Message.optional() });
const TemplateName = z.string().min(1).max(64).regex(/^[a-z0-9][a-z0-9._-]*$/, 'lowercase letters, digits, ".", "_" and "-"');

export const workflowRoutes = {
  createWorkflow: defineRoute({
    method: 'POST', path: '/v1/workflows', auth: 'operator', role: 'admin', tag: 'workflows', status: 201, textBody: { field: 'definition' },
    summary: 'Create a workflow at version 1 from its definition (JSON, or the YAML text with `Content-Type: application/yaml`). `?format=flowgate` converts the reference format and reports what it could not carry.',
    query: DeployQuery,
    body: DeployBody,
    response: DeployResult,
  }),
  deployWorkflow: defineRoute({
    method: 'PUT', path: '/v1/workflows/:name', auth: 'operator', role: 'admin', tag: 'workflows', textBody: { field: 'definition' },
    summary: 'Deploy a new version of a workflow. An unchanged definition mints no version (`changed: false`).',
    params: NameParams,
    query: DeployQuery,
    body: DeployBody,
    response: DeployResult,
  }),
  listWorkflows: defineRoute({
    method: 'GET', path: '/v1/workflows', auth: 'workflows:read', rows: { kind: 'shared' }, tag: 'workflows',
    summary: 'List workflows by name; deleted ones only with `include_deleted=true`.',
    query: ListQuery.extend({ include_deleted: QueryBool.optional() }),
    response: listOf(WorkflowSummary),
  }),
  getWorkflow: defineRoute({
    method: 'GET', path: '/v1/workflows/:name', auth: 'workflows:read', rows: { kind: 'shared' }, tag: 'workflows',
    summary: 'A workflow with its latest definition and version.',
    params: NameParams,
    response: Workflow,
  }),
  deleteWorkflow: defineRoute({
    method: 'DELETE', path: '/v1/workflows/:name', auth: 'operator', role: 'admin', tag: 'workflows',
    summary: 'Delete a workflow: no new runs start; its versions, history and running runs stay.',
    params: NameParams,
    response: WorkflowSummary,
  }),
  listWorkflowVersions: defineRoute({
    method: 'GET', path: '/v1/workflows/:name/versions', auth: 'workflows:read', rows: { kind: 'shared' }, tag: 'workflows',
    summary: 'Every version of a workflow, newest first: who deployed it, when, why, and its warnings.',
    params: NameParams,
    query: ListQuery,
    response: listOf(WorkflowVersionSummary),
  }),
  getWorkflowVersion: defineRoute({
    method: 'GET', path: '/v1/workflows/:name/versions/:version', auth: 'workflows:read', rows: { kind: 'shared' }, tag: 'workflows',
    summary: "One version's definition, verbatim as submitted (`source`) and parsed (`definition`).",
    params: VersionParams,
    response: WorkflowVersion,
  }),
  rollbackWorkflow: defineRoute({
    method: 'POST', path: '/v1/workflows/:name/versions/:version/rollback', auth: 'operator', role: 'admin', tag: 'workflows', status: 201,
    summary: "Deploy a new version made from an old version's definition; history is never rewritten.",
    params: VersionParams,
    body: z.strictObject({ message: Message.optional() }).optional(),
    response: RollbackResult,
  }),
  createWorkflowFromTemplate: defineRoute({
    method: 'POST', path: '/v1/workflows/from-template', auth: 'operator', role: 'admin', tag: 'workflows', status: 201,
    summary: "Create a workflow at version 1 from a registry template's pinned version. A deprecated template warns and names its replacement; an archived one is refused (409).",
    body: z.strictObject({ template_id: RefId, name: WorkflowName, message: Message.optional() }),
    response: FromTemplateResult,
  }),
  listWorkflowTemplates: defineRoute({
    method: 'GET', path: '/v1/workflow-registry', auth: 'workflows:read', rows: { kind: 'shared' }, tag: 'workflows',
    summary: 'The template registry, newest first: active and deprecated entries; archived ones with `include_archived=true`.',
    query: ListQuery.extend({ include_archived: QueryBool.optional() }),
    response: listOf(WorkflowTemplate),
  }),
  getWorkflowTemplate: defineRoute({
    method: 'GET', path: '/v1/workflow-registry/:id', auth: 'workflows:read', rows: { kind: 'shared' }, tag: 'workflows',
    summary: 'One registry entry (archived ones too).',
    params: IdParams,
    response: WorkflowTemplate,
  }),
  approveWorkflowTemplate: defineRoute({
    method: 'POST', path: '/v1/workflow-registry/:name/approve-template', auth: 'operator', role: 'owner', tag: 'workflows', status: 201,
    summary: "Approve a workflow as a registry template, pinned to its current version.",
    params: NameParams,
    body: z.strictObject({ template_name: TemplateName, description: z.string().max(2000).optional(), tags: z.array(z.string().min(1).max(64)).max(32).optional() }),
    response: WorkflowTemplate,
  }),
  deprecateWorkflowTemplate: defineRoute({
    method: 'POST', path: '/v1/workflow-registry/:id/deprecate', auth: 'operator', role: 'owner', tag: 'workflows',
    summary: 'Deprecate an active template (why, and optionally the template that replaces it). Any other move → 409.',
    params: IdParams,
    body: z.strictObject({ reason: z.string().min(1).max(2000), replacement_id: RefId.optional() }),
    response: WorkflowTemplate,
  }),
  archiveWorkflowTemplate: defineRoute({
    method: 'POST', path: '/v1/workflow-registry/:id/archive', auth: 'operator', role: 'owner', tag: 'workflows',
    summary: 'Archive an active or deprecated template, irreversibly: hidden from the listing, unusable as a template.',
    params: IdParams,
    response: WorkflowTemplate,
  }),
};
