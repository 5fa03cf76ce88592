/**
 * Workflow fixtures for run tests: deploys a definition straight into the catalog's tables (the
 * same rows `POST /v1/workflows` writes), so run tests do not depend on the definitions routes.
 */
import type { App } from '../../electron/app.js';
import { WorkflowDefinitionSchema, type WorkflowDefinitionInput } from '../../shared/workflows/definition.js';

export function deployWorkflow(app: App, input: WorkflowDefinitionInput): number {
  const definition = WorkflowDefinitionSchema.parse(input);
  const now = new Date(app.clock.now()).toISOString();
  const head = app.db.prepare<[string], { latest_version: number }>('SELECT latest_version FROM workflows WHERE name = ?').get(definition.name);
  const version = (head?.latest_version ?? 0) + 1;
  const source = JSON.stringify(input);
  app.db.transaction(() => {
    if (head) app.db.prepare('UPDATE workflows SET latest_version = ?, updated_at = ? WHERE name = ?').run(version, now, definition.name);
    else app.db.prepare("INSERT INTO workflows (name, latest_version, created_at, created_by, updated_at) VALUES (?, ?, ?, 'test', ?)").run(definition.name, version, now, now);
    app.db
      .prepare("INSERT INTO workflow_versions (workflow, version, source, source_format, definition_json, deployed_at, deployed_by) VALUES (?, ?, ?, 'json', ?, ?, 'test')")
      .run(definition.name, version, source, JSON.stringify(definition), now);
  })();
  return version;
}

/** Guardrail rule letting every workflow's start (tool `workflow:NAME`) through without asking. */
export const ALLOW_WORKFLOW_STARTS = { name: 'allow-workflow-starts', rules: [{ tool: 'workflow:*', decision: 'ALLOW' as const }] };
