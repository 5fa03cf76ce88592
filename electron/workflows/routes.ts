/** The HTTP handlers of workflow definitions, versions and the template registry. */
import type { ParsedInput } from '../../shared/api/contract.js';
import type { Routes } from '../../shared/api/index.js';
import type { Api } from '../server/api.js';
import { convertFlowgate, type ConnectionLookup } from './import-flowgate.js';
import type { WorkflowRegistry } from './registry.js';
import type { DeployInput, WorkflowService } from './service.js';
import { parseSource, sourceOfObject } from './source.js';

type DeployBody = ParsedInput<Routes['createWorkflow']>['body'];
type DeployQuery = ParsedInput<Routes['createWorkflow']>['query'];

/** What a create or deploy request asks to store: Warden's form as sent, or a converted import. */
function deployInput(body: DeployBody, query: DeployQuery, connections: ConnectionLookup): DeployInput & { notes?: ReturnType<typeof convertFlowgate>['notes'] } {
  const message = body.message ?? query.message;
  if (query.format === 'flowgate') {
    const imported = typeof body.definition === 'string' ? parseSource(body.definition).data : body.definition;
    const converted = convertFlowgate(imported, connections, query.workflow);
    return {
      parsed: converted.parsed,
      message: message ?? `Imported from the reference format (${converted.sourceName})`,
      extraWarnings: converted.notes.map((n) => ({ param: n.path, message: `import: ${n.message}` })),
      notes: converted.notes,
    };
  }
  const parsed = typeof body.definition === 'string' ? parseSource(body.definition) : sourceOfObject(body.definition);
  return { parsed, message };
}

export function workflowRoutes(api: Api, workflows: WorkflowService, registry: WorkflowRegistry, connections: ConnectionLookup): void {
  api.handle('createWorkflow', ({ body, query, actor }) => {
    const { notes, ...input } = deployInput(body, query, connections);
    const created = workflows.create(input, actor);
    return notes ? { ...created, import_notes: notes } : created;
  });
  api.handle('deployWorkflow', ({ params, body, query, actor }) => {
    const { notes, ...input } = deployInput(body, query, connections);
    const deployed = workflows.deploy(params.name, input, actor);
    return notes ? { ...deployed, import_notes: notes } : deployed;
  });
  api.handle('listWorkflows', ({ query }) => workflows.list(query));
  api.handle('getWorkflow', ({ params }) => workflows.get(params.name));
  api.handle('deleteWorkflow', ({ params, actor }) => workflows.delete(params.name, actor));
  api.handle('listWorkflowVersions', ({ params, query }) => workflows.versions(params.name, query));
  api.handle('getWorkflowVersion', ({ params }) => workflows.version(params.name, params.version));
  api.handle('rollbackWorkflow', ({ params, body, actor }) => workflows.rollback(params.name, params.version, body?.message, actor));
  api.handle('createWorkflowFromTemplate', ({ body, actor }) => registry.instantiate(body.template_id, body.name, body.message, actor));
  api.handle('listWorkflowTemplates', ({ query }) => registry.list(query));
  api.handle('getWorkflowTemplate', ({ params }) => registry.get(params.id));
  api.handle('approveWorkflowTemplate', ({ params, body, actor }) => registry.approve(params.name, body, actor));
  api.handle('deprecateWorkflowTemplate', ({ params, body, actor }) => registry.deprecate(params.id, body, actor));
  api.handle('archiveWorkflowTemplate', ({ params, actor }) => registry.archive(params.id, actor));
}
