/**
 * Definitions and versions: YAML and JSON, every changed deploy a version (who, when, why), an
 * unchanged one none, any version verbatim, rollback as a new version that rewrites nothing, and
 * delete stopping new runs while history stays.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { WardenApiError } from '../../../shared/client.js';
import { errorBody, startTestApp, type TestApp } from '../../support/app.js';

const releaseYaml = readFileSync(new URL('../../fixtures/workflows/release.yaml', import.meta.url), 'utf8');

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t.close();
});

/** The status and code of a call expected to fail. */
async function failure(call: Promise<unknown>): Promise<{ status: number; code: string; param: string | undefined }> {
  try {
    await call;
  } catch (err) {
    if (err instanceof WardenApiError) return { status: err.status, code: err.code, param: err.param };
    throw err;
  }
  throw new Error('the call succeeded');
}

const yamlPost = (path: string, text: string, method = 'POST') =>
  t.raw(method, path, { key: t.op, rawBody: text, headers: { 'content-type': 'application/yaml' } });

describe('workflow definitions', () => {
  it('creates from YAML at version 1 and keeps the text verbatim', async () => {
    const res = await yamlPost('/v1/workflows?message=first%20cut', releaseYaml);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ object: 'workflow', name: 'release', version: 1, changed: true, message: 'first cut', deployed_by: expect.any(String) as string });
    const v1 = await t.api(t.op).call('getWorkflowVersion', { params: { name: 'release', version: 1 } });
    expect(v1.source).toBe(releaseYaml);
    expect(v1.source_format).toBe('yaml');
    expect(v1.definition).toMatchObject({ name: 'release', initial_state: 'building', link_filter: 'all' });
  });

  it('refuses a second workflow of the same name', async () => {
    const res = await yamlPost('/v1/workflows', releaseYaml);
    expect(res.status).toBe(409);
    expect(errorBody(res.body).error).toMatchObject({ code: 'state_conflict', param: 'name' });
  });

  it('deploys a changed definition as the next version, and an unchanged one as none', async () => {
    const changed = releaseYaml.replace('Ship a change to production', 'Ship a change, carefully');
    const v2 = await t.api(t.op).answer('deployWorkflow', { params: { name: 'release' }, body: { definition: changed, message: 'wording' } });
    expect(v2.status).toBe(200);
    expect(v2.body).toMatchObject({ version: 2, changed: true, description: 'Ship a change, carefully' });

    // Same definition, other layout and comments: no version.
    const same = { ...(parse(changed) as Record<string, unknown>) };
    const again = await t.api(t.op).call('deployWorkflow', { params: { name: 'release' }, body: { definition: same, message: 'again' } });
    expect(again).toMatchObject({ version: 2, changed: false, message: 'wording' });

    const versions = await t.api(t.op).call('listWorkflowVersions', { params: { name: 'release' } });
    expect(versions.data.map((v) => [v.version, v.message])).toEqual([[2, 'wording'], [1, 'first cut']]);
  });

  it('deploys a YAML body with PUT', async () => {
    const text = releaseYaml.replace('tags: [deploy, governed]', 'tags: [deploy]');
    const res = await yamlPost('/v1/workflows/release?message=tags', text, 'PUT');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ version: 3, tags: ['deploy'], message: 'tags' });
  });

  it('refuses a definition whose name differs from the path', async () => {
    const res = await yamlPost('/v1/workflows/release', releaseYaml.replace('name: release', 'name: other-one'), 'PUT');
    expect(res.status).toBe(400);
    expect(errorBody(res.body).error.param).toBe('name');
  });

  it('rolls back by minting a new version from the old definition, rewriting nothing', async () => {
    const before = await t.api(t.op).call('getWorkflowVersion', { params: { name: 'release', version: 1 } });
    const rb = await t.api(t.op).answer('rollbackWorkflow', { params: { name: 'release', version: 1 }, body: { message: 'v3 broke things' } });
    expect(rb.status).toBe(201);
    expect(rb.body).toMatchObject({ new_version: 4, rolled_back_from: 1, workflow: 'release' });

    const v4 = await t.api(t.op).call('getWorkflowVersion', { params: { name: 'release', version: 4 } });
    expect(v4.source).toBe(before.source);
    expect(v4).toMatchObject({ rolled_back_from: 1, message: 'v3 broke things' });
    expect(await t.api(t.op).call('getWorkflowVersion', { params: { name: 'release', version: 1 } })).toEqual(before);
    const v3 = await t.api(t.op).call('getWorkflowVersion', { params: { name: 'release', version: 3 } });
    expect(v3.definition.tags).toEqual(['deploy']);
    expect((await t.api(t.op).call('getWorkflow', { params: { name: 'release' } })).version).toBe(4);
    expect(t.app.services.workflows?.catalog.latest('release')?.definition.tags).toEqual(['deploy', 'governed']);

    const audit = await t.api(t.op).call('listAudit', { query: { event_type: 'workflow.rolled_back' } });
    expect(audit.data[0]?.data).toMatchObject({ workflow: 'release', new_version: 4, rolled_back_from: 1 });
  });

  it('refuses a rollback to the definition deployed now, and to a version that never was', async () => {
    expect(await failure(t.api(t.op).call('rollbackWorkflow', { params: { name: 'release', version: 4 }, body: {} }))).toMatchObject({ status: 409, param: 'version' });
    expect(await failure(t.api(t.op).call('rollbackWorkflow', { params: { name: 'release', version: 99 }, body: undefined }))).toMatchObject({ status: 404 });
  });

  it('audits every deploy with its version', async () => {
    const audit = await t.api(t.op).call('listAudit', { query: { event_type: 'workflow.deployed' } });
    expect(audit.data.map((e) => (e.data as { version: number }).version)).toEqual([3, 2, 1]);
  });

  it('lets an agent with workflows:read read definitions and versions, not change them', async () => {
    const reader = await t.agent('reader', { scopes: ['workflows:read'] });
    expect((await t.api(reader.key).call('getWorkflow', { params: { name: 'release' } })).version).toBe(4);
    expect((await t.api(reader.key).call('listWorkflowVersions', { params: { name: 'release' } })).data).toHaveLength(4);
    const put = failure(t.api(reader.key).call('deployWorkflow', { params: { name: 'release' }, body: { definition: releaseYaml } }));
    expect(await put).toMatchObject({ status: 403 });
    const other = await t.agent('other', { scopes: ['actions:write'] });
    expect(await failure(t.api(other.key).call('getWorkflow', { params: { name: 'release' } }))).toMatchObject({ status: 403, code: 'insufficient_scope' });
  });

  it('deletes: no new runs (catalog.isDeleted), no new versions, history readable', async () => {
    const catalog = t.app.services.workflows!.catalog;
    expect(catalog.isDeleted('release')).toBe(false);
    const del = await t.api(t.op).answer('deleteWorkflow', { params: { name: 'release' } });
    expect(del.status).toBe(200);
    expect(del.body.deleted_at).not.toBeNull();
    expect(catalog.isDeleted('release')).toBe(true);
    expect(catalog.definitionAt('release', 2)?.description).toBe('Ship a change, carefully');

    expect(await failure(t.api(t.op).call('deployWorkflow', { params: { name: 'release' }, body: { definition: releaseYaml } }))).toMatchObject({ status: 409 });
    expect(await failure(t.api(t.op).call('deleteWorkflow', { params: { name: 'release' } }))).toMatchObject({ status: 409 });
    expect((await yamlPost('/v1/workflows', releaseYaml)).status).toBe(409);
    expect((await t.api(t.op).call('listWorkflows')).data.map((w) => w.name)).not.toContain('release');
    expect((await t.api(t.op).call('listWorkflows', { query: { include_deleted: 'true' } })).data.map((w) => w.name)).toContain('release');
    expect((await t.api(t.op).call('getWorkflowVersion', { params: { name: 'release', version: 1 } })).version).toBe(1);
  });

  it('documents the YAML body in the OpenAPI document', async () => {
    const doc = (await t.raw('GET', '/openapi.json')).body as { paths: Record<string, Record<string, { requestBody?: { content: Record<string, unknown> } }>> };
    expect(Object.keys(doc.paths['/v1/workflows']?.post?.requestBody?.content ?? {})).toEqual(['application/json', 'application/yaml']);
    expect(Object.keys(doc.paths['/v1/workflows/{name}']?.put?.requestBody?.content ?? {})).toEqual(['application/json', 'application/yaml']);
  });

  it('refuses a YAML body on a route that takes none', async () => {
    const res = await t.raw('POST', '/v1/agents', { key: t.op, rawBody: 'name: x', headers: { 'content-type': 'application/yaml' } });
    expect(res.status).toBe(400);
    expect(errorBody(res.body).error.param).toBe('content-type');
  });
});
