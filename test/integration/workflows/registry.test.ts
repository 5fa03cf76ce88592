/**
 * The template registry: approve pinned to the current version, deprecate and archive, every
 * other move 409, archived hidden unless asked, from-template warning on deprecated and refused
 * on archived.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WardenApiError } from '../../../shared/client.js';
import { startTestApp, type TestApp } from '../../support/app.js';

let t: TestApp;

const flow = (name: string, description: string) => ({
  name,
  description,
  initial_state: 'open',
  states: { open: { transitions: { close: { target: 'closed' } } }, closed: { terminal: true } },
});

async function failure(call: Promise<unknown>): Promise<{ status: number; code: string; param: string | undefined; message: string }> {
  try {
    await call;
  } catch (err) {
    if (err instanceof WardenApiError) return { status: err.status, code: err.code, param: err.param, message: err.message };
    throw err;
  }
  throw new Error('the call succeeded');
}

beforeAll(async () => {
  t = await startTestApp();
  await t.api(t.op).call('createWorkflow', { body: { definition: flow('support', 'v1 wording') } });
  await t.api(t.op).call('deployWorkflow', { params: { name: 'support' }, body: { definition: flow('support', 'v2 wording') } });
  await t.api(t.op).call('createWorkflow', { body: { definition: flow('support-next', 'the successor') } });
});
afterAll(async () => {
  await t.close();
});

describe('template registry', () => {
  let old: string;
  let next: string;
  let doomed: string;

  it('approves a workflow as a template pinned to its current version', async () => {
    const op = t.api(t.op);
    const res = await op.answer('approveWorkflowTemplate', { params: { name: 'support' }, body: { template_name: 'support-v2', tags: ['support'] } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ object: 'workflow_template', workflow: 'support', version: 2, status: 'active', tags: ['support'], description: 'v2 wording' });
    old = res.body.id;
    expect(old).toMatch(/^tpl_/);
    // A later deploy does not move the pin.
    await op.call('deployWorkflow', { params: { name: 'support' }, body: { definition: flow('support', 'v3 wording') } });
    expect((await op.call('getWorkflowTemplate', { params: { id: old } })).version).toBe(2);
    next = (await op.call('approveWorkflowTemplate', { params: { name: 'support-next' }, body: { template_name: 'support-v3' } })).id;
    doomed = (await op.call('approveWorkflowTemplate', { params: { name: 'support-next' }, body: { template_name: 'scratch' } })).id;
  });

  it('refuses a taken template name, an unknown workflow and a deleted one', async () => {
    const op = t.api(t.op);
    expect(await failure(op.call('approveWorkflowTemplate', { params: { name: 'support' }, body: { template_name: 'support-v2' } }))).toMatchObject({ status: 409, param: 'template_name' });
    expect(await failure(op.call('approveWorkflowTemplate', { params: { name: 'nope' }, body: { template_name: 'x' } }))).toMatchObject({ status: 404 });
    await op.call('createWorkflow', { body: { definition: flow('gone', 'to delete') } });
    await op.call('deleteWorkflow', { params: { name: 'gone' } });
    expect(await failure(op.call('approveWorkflowTemplate', { params: { name: 'gone' }, body: { template_name: 'gone' } }))).toMatchObject({ status: 409 });
  });

  it('creates a workflow from an active template, without warning', async () => {
    const res = await t.api(t.op).answer('createWorkflowFromTemplate', { body: { template_id: old, name: 'support-eu' } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ name: 'support-eu', version: 1, description: 'v2 wording', warning: null, replacement: null });
    const v1 = await t.api(t.op).call('getWorkflowVersion', { params: { name: 'support-eu', version: 1 } });
    expect(JSON.parse(v1.source)).toMatchObject({ name: 'support-eu', description: 'v2 wording' });
  });

  it('deprecates an active template with a reason and replacement; from it warns and names the replacement', async () => {
    const op = t.api(t.op);
    expect(await failure(op.call('deprecateWorkflowTemplate', { params: { id: old }, body: { reason: 'x', replacement_id: 'tpl_nothing' } }))).toMatchObject({ status: 400, param: 'replacement_id' });
    const dep = await op.call('deprecateWorkflowTemplate', { params: { id: old }, body: { reason: 'superseded by v3', replacement_id: next } });
    expect(dep).toMatchObject({ status: 'deprecated', deprecation_reason: 'superseded by v3', replacement_id: next });
    const created = await op.answer('createWorkflowFromTemplate', { body: { template_id: old, name: 'support-us' } });
    expect(created.status).toBe(201);
    expect(created.body.warning).toMatch(/deprecated: superseded by v3; use support-v3/);
    expect(created.body.replacement).toEqual({ id: next, template_name: 'support-v3' });
  });

  it('refuses every other move with 409', async () => {
    const op = t.api(t.op);
    expect(await failure(op.call('deprecateWorkflowTemplate', { params: { id: old }, body: { reason: 'again' } }))).toMatchObject({ status: 409, code: 'state_conflict' });
    // active → archived directly, then nothing more.
    expect((await op.call('archiveWorkflowTemplate', { params: { id: doomed } })).status).toBe('archived');
    expect(await failure(op.call('archiveWorkflowTemplate', { params: { id: doomed } }))).toMatchObject({ status: 409 });
    expect(await failure(op.call('deprecateWorkflowTemplate', { params: { id: doomed }, body: { reason: 'late' } }))).toMatchObject({ status: 409 });
    // deprecated → archived.
    expect((await op.call('archiveWorkflowTemplate', { params: { id: old } })).status).toBe('archived');
    expect(await failure(op.call('deprecateWorkflowTemplate', { params: { id: next }, body: { reason: 'x', replacement_id: old } }))).toMatchObject({ status: 400, param: 'replacement_id' });
  });

  it('refuses to create from an archived template', async () => {
    expect(await failure(t.api(t.op).call('createWorkflowFromTemplate', { body: { template_id: old, name: 'support-late' } }))).toMatchObject({ status: 409, code: 'state_conflict', param: 'template_id' });
    expect(await failure(t.api(t.op).call('getWorkflow', { params: { name: 'support-late' } }))).toMatchObject({ status: 404 });
  });

  it('lists active and deprecated by default, archived when asked', async () => {
    const op = t.api(t.op);
    expect((await op.call('listWorkflowTemplates')).data.map((e) => e.template_name)).toEqual(['support-v3']);
    expect((await op.call('listWorkflowTemplates', { query: { include_archived: 'true' } })).data.map((e) => e.template_name)).toEqual(['scratch', 'support-v3', 'support-v2']);
  });

  it('audits every move', async () => {
    const audit = await t.api(t.op).call('listAudit', { query: { event_type: 'template.*' } });
    expect(audit.data.map((e) => e.event_type).reverse()).toEqual([
      'template.approved',
      'template.approved',
      'template.approved',
      'template.deprecated',
      'template.archived',
      'template.archived',
    ]);
  });
});
