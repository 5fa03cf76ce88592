/**
 * Import of the reference format (`?format=flowgate`): the expense-approval example converts to
 * Warden's form; what cannot be carried (an MCP executor on an unregistered server, retry
 * details) is named in `import_notes` and kept as warnings on the version; a guard that cannot be
 * carried refuses the import.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { errorBody, startTestApp, type TestApp } from '../../support/app.js';

const expenseYaml = readFileSync(new URL('../../fixtures/workflows/expense-approval.flowgate.yaml', import.meta.url), 'utf8');

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t.close();
});

const importYaml = (text: string, query = '') =>
  t.raw('POST', `/v1/workflows?format=flowgate${query}`, { key: t.op, rawBody: text, headers: { 'content-type': 'application/yaml' } });

interface Imported {
  name: string;
  version: number;
  definition: { states: Record<string, { on_enter?: { executor: Record<string, unknown>; output?: unknown }; link_filter?: string; transitions?: Record<string, { actor: string; target: string; guards?: unknown[] }> }>; initial_state: string; input_schema: unknown };
  import_notes: { path: string; message: string; carried: boolean }[];
  warnings: { param: string; message: string }[];
}

describe('import of the reference format', () => {
  it('imports the expense-approval example, naming what it could not carry', async () => {
    const res = await importYaml(expenseYaml);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const body = res.body as Imported;
    expect(body.name).toBe('expense-approval');
    expect(body.version).toBe(1);
    const { states } = body.definition;
    expect(Object.keys(states)).toEqual(['submitted', 'manager_review', 'finance_review', 'reimbursement', 'paid', 'rejected']);
    expect(body.definition.initial_state).toBe('submitted');
    expect(states.submitted?.link_filter).toBe('by_guards');
    expect(states.manager_review?.transitions?.approve).toMatchObject({
      actor: 'human',
      target: 'reimbursement',
      guards: [{ kind: 'permission', permission: 'expense.approve.manager' }, { kind: 'expr', expr: '$.context.requiresFinance == false' }],
    });
    expect(states.reimbursement?.on_enter?.executor).toEqual({
      kind: 'rest',
      connection: 'payroll',
      method: 'POST',
      path: '/reimbursements',
      body: { employee: '$.workflow.input.employee', amount: '$.workflow.input.amount' },
      max_attempts: 3,
    });
    // The classifier is an MCP server Warden does not know: reported, not silently dropped.
    expect(states.submitted?.on_enter).toBeUndefined();
    const notes = body.import_notes;
    const at = (path: string) => notes.find((n) => n.path === path);
    expect(at('workflows.expense_approval.states.submitted.onEnter.executor.connection')).toMatchObject({ carried: false, message: expect.stringMatching(/classifier is not an MCP server registered/) as string });
    expect(at('workflows.expense_approval.states.submitted.onEnter.output')).toMatchObject({ carried: false });
    expect(at('workflows.expense_approval.states.reimbursement.onEnter.executor.connection')).toMatchObject({ message: expect.stringMatching(/payroll is not declared/) as string });
    expect(at('workflows.expense_approval.states.reimbursement.onEnter.executor.reliability.retry.initialDelayMs')).toMatchObject({ carried: false });
    expect(at('workflows.expense_approval')).toMatchObject({ carried: true, message: expect.stringMatching(/named expense-approval/) as string });
    // The notes stay with the version.
    const versions = await t.api(t.op).call('listWorkflowVersions', { params: { name: 'expense-approval' } });
    expect(versions.data[0]?.warnings.filter((w) => w.message.startsWith('import: '))).toHaveLength(notes.length);
  });

  it('maps an MCP executor on a registered server to a governed action', async () => {
    await t.api(t.op).call('createMcpServer', { body: { name: 'classifier', url: 'http://127.0.0.1:9/mcp' } });
    const renamed = expenseYaml.replace('  expense_approval:', '  expense_approval_two:');
    const res = await importYaml(renamed);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const body = res.body as Imported;
    expect(body.definition.states.submitted?.on_enter).toEqual({
      executor: { kind: 'action', tool: 'mcp.classifier.classify_expense', connector: 'classifier' },
      output: { policyOk: '$.output.policyOk', requiresFinance: '$.output.requiresFinance' },
    });
    expect(body.import_notes.find((n) => n.path === 'workflows.expense_approval_two.states.submitted.onEnter.executor')).toMatchObject({ carried: true });
  });

  it('converts camelCase state names, targets, allOf/anyOf/not and evidence', async () => {
    const doc = {
      workflows: {
        review_flow: {
          initialState: 'inReview',
          states: {
            inReview: {
              transitions: {
                ship: {
                  target: 'shipped',
                  guards: [{ kind: 'anyOf', guards: [{ kind: 'allOf', guards: [{ kind: 'role', role: 'admin' }] }, { kind: 'not', guard: { kind: 'evidence', requires: ['testsPassed', { kind: 'human_request', count: 2 }] } }] }],
                },
              },
            },
            shipped: { terminal: true },
          },
        },
      },
    };
    const res = await t.api(t.op).answer('createWorkflow', { query: { format: 'flowgate' }, body: { definition: doc } });
    expect(res.status).toBe(201);
    const def = res.body.definition as Imported['definition'];
    expect(def.initial_state).toBe('in_review');
    expect(def.states.in_review?.transitions?.ship?.guards).toEqual([
      { kind: 'any_of', guards: [{ kind: 'all_of', guards: [{ kind: 'role', role: 'admin' }] }, { kind: 'not', guard: { kind: 'evidence', requires: [{ kind: 'tests_passed' }, { kind: 'human_approval', count: 2 }] } }] },
    ]);
  });

  it('refuses a guard it cannot carry, with its path', async () => {
    const doc = parse(expenseYaml) as { workflows: { expense_approval: { states: { manager_review: { transitions: { reject: { guards: unknown[] } } } } } } };
    doc.workflows.expense_approval.states.manager_review.transitions.reject.guards.push({ kind: 'quorum', of: 3 });
    const res = await t.raw('POST', '/v1/workflows?format=flowgate', { key: t.op, body: { definition: doc } });
    expect(res.status).toBe(400);
    expect(errorBody(res.body).error.param).toBe('workflows.expense_approval.states.manager_review.transitions.reject.guards[1].kind');
  });

  it('asks which workflow to import when a file holds several', async () => {
    const two = `${expenseYaml}\n  second_one:\n    initialState: a\n    states:\n      a: { terminal: true }\n`;
    const res = await importYaml(two);
    expect(res.status).toBe(400);
    expect(errorBody(res.body).error).toMatchObject({ param: 'workflow', message: expect.stringMatching(/expense_approval, second_one/) as string });
    const picked = await importYaml(two, '&workflow=second_one');
    expect(picked.status, JSON.stringify(picked.body)).toBe(201);
    expect((picked.body as Imported).name).toBe('second-one');
  });
});
