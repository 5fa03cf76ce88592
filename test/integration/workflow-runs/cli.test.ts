/** `warden workflow run|step|runs` against a real server, as the operator and as an agent key. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkflowRun } from '../../../shared/api/workflow-runs.js';
import { cli } from '../../support/cli-harness.js';
import { startTestApp, type TestApp } from '../../support/app.js';
import { ALLOW_WORKFLOW_STARTS, deployWorkflow } from '../../support/workflows.js';

let t: TestApp;
let env: Record<string, string>;
let agent: { id: string; key: string };

beforeAll(async () => {
  t = await startTestApp();
  env = { WARDEN_URL: t.url, WARDEN_DATA_DIR: t.dataDir };
  await t.api(t.op).answer('createGuardrail', { body: ALLOW_WORKFLOW_STARTS });
  agent = await t.agent('cli-bot');
  deployWorkflow(t.app, {
    name: 'cli-flow',
    input_schema: { type: 'object', required: ['service'], properties: { service: { type: 'string' } } },
    initial_state: 'open',
    states: {
      open: { transitions: { close: { target: 'closed', input_schema: { type: 'object', required: ['why'] }, set_context: { why: '$.arguments.why' } } } },
      closed: { terminal: true },
    },
  });
}, 60_000);
afterAll(() => t.close());

describe('warden workflow run|step|runs', () => {
  it('runs with --input JSON as the operator for an agent, steps with --args, lists with filters (--json)', async () => {
    const started = await cli(['workflow', 'run', 'cli-flow', '--input', '{"service":"api"}', '--agent', 'cli-bot', '--json'], { env });
    expect(started.code, started.stderr).toBe(0);
    const run = started.json(WorkflowRun);
    expect(run).toMatchObject({ workflow: 'cli-flow', agent_id: agent.id, state: 'open', status: 'active' });

    const stepped = await cli(['workflow', 'step', run.id, 'close', '--args', '{"why":"done"}', '--json'], { env });
    expect(stepped.code, stepped.stderr).toBe(0);
    expect(stepped.json(WorkflowRun)).toMatchObject({ state: 'closed', status: 'completed', context: { why: 'done' } });

    const listed = await cli(['workflow', 'runs', '--workflow', 'cli-flow', '--status', 'completed', '--json'], { env });
    expect((listed.json() as { id: string }[]).map((r) => r.id)).toEqual([run.id]);
    const table = await cli(['workflow', 'runs'], { env });
    expect(table.stdout).toContain(run.id);
    expect(table.stdout).toContain('completed');
  });

  it('takes --input @file and an agent key; prints the next steps', async () => {
    const file = join(t.dataDir, 'input.json');
    writeFileSync(file, '{"service":"billing"}');
    const r = await cli(['workflow', 'run', 'cli-flow', '--input', `@${file}`, '--token', agent.key], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/cli-flow v1 {2}active {2}state open/);
    expect(r.stdout).toContain('next:        close → closed');
  });

  it('bad input: one clear line and a non-zero exit', async () => {
    const notJson = await cli(['workflow', 'run', 'cli-flow', '--input', '{nope', '--agent', 'cli-bot'], { env });
    expect(notJson.code).toBe(2);
    expect(notJson.stderr).toMatch(/--input must be a JSON object/);
    const schema = await cli(['workflow', 'run', 'cli-flow', '--input', '{}', '--agent', 'cli-bot'], { env });
    expect(schema.code).toBe(1);
    expect(schema.stderr).toMatch(/missing_parameter, param input\.service/);
    const status = await cli(['workflow', 'runs', '--status', 'odd'], { env });
    expect(status.code).toBe(2);
    const missingFile = await cli(['workflow', 'step', 'run_x', 'close', '--args', '@/nonexistent/args.json'], { env });
    expect(missingFile.code).toBe(2);
    expect(missingFile.stderr).toMatch(/cannot read/);
  });
});
