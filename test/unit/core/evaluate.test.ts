import { describe, expect, it } from 'vitest';
import { evaluate, failClosed } from '../../../shared/core/evaluate.js';
import { compileGuardrails } from '../../../shared/core/guardrails.js';
import { LAYERS, type BudgetState, type GrantState, type Snapshot } from '../../../shared/core/types.js';
import { NOW, agentCtx, policy, snapshot } from './snapshot.js';

const refundCeiling = policy('refund-ceiling', [
  { tool: 'order.refund', decision: 'ALLOW', max_value: 250 },
  { tool: 'order.refund', decision: 'ALERT' },
], { version: 3 });
const ceilingOnly = policy('refund-ceiling', [{ tool: 'order.refund', decision: 'ALLOW', max_value: 250 }], { version: 3 });

const budget = (over: Partial<BudgetState> = {}): BudgetState => ({
  id: 'bud_1', scope: 'agent', scope_id: 'agt_test', limit_micro_usd: 10_000_000, spent_micro_usd: 0, reserved_micro_usd: 0, mode: 'cap', status: 'active', ...over,
});
const grant = (over: Partial<GrantState> = {}): GrantState => ({
  id: 'gnt_1', agent_id: 'agt_test', tool: 'order.refund', connector: null, args_pattern: null, max_value: null, expires_at: null, revoked_at: null, ...over,
});

describe('evaluate: the reference refund example', () => {
  it('$180 matches both rules and ALERT wins', () => {
    const d = evaluate({ tool: 'order.refund', value: 180 }, snapshot({ policies: [refundCeiling] }));
    expect(d.decision).toBe('ALERT');
    expect(d.block_code).toBeNull();
    expect(d.matched.map((m) => m.rule)).toEqual([0, 1]);
    expect(d.grantable).toBe(true);
  });

  it('$300 fails the ceiling: BLOCK constraint_failed with the reference sentence', () => {
    const d = evaluate({ tool: 'order.refund', value: 300 }, snapshot({ policies: [ceilingOnly] }));
    expect(d.decision).toBe('BLOCK');
    expect(d.block_code).toBe('constraint_failed');
    expect(d.explanation).toBe('value 300 exceeds max_value 250 on refund-ceiling v3; no other rule allows order.refund');
    expect(d.matched).toEqual([
      expect.objectContaining({ policy_id: ceilingOnly.id, policy_version: 3, rule: 0, constraint_failed: 'max_value' }),
    ]);
  });

  it('$300 blocks even when an ALERT rule also matches', () => {
    const d = evaluate({ tool: 'order.refund', value: 300 }, snapshot({ policies: [refundCeiling] }));
    expect(d.decision).toBe('BLOCK');
    expect(d.block_code).toBe('constraint_failed');
  });

  it('a ceiling without a value to check fails closed', () => {
    const d = evaluate({ tool: 'order.refund' }, snapshot({ policies: [ceilingOnly] }));
    expect(d.block_code).toBe('constraint_failed');
    expect(d.explanation).toContain('carries no value');
  });
});

describe('evaluate: guardrails matchers and unmatched_decision', () => {
  it('no rule: ALERT by default, BLOCK no_matching_rule when strict', () => {
    expect(evaluate({ tool: 'shell.exec' }, snapshot()).decision).toBe('ALERT');
    const strict = evaluate({ tool: 'shell.exec' }, snapshot({ settings: { unmatched_decision: 'BLOCK' } }));
    expect([strict.decision, strict.block_code]).toEqual(['BLOCK', 'no_matching_rule']);
  });

  it('matches tool globs, connectors, agents, roles and expressions', () => {
    const p = policy('mixed', [
      { tool: 'fs.*', decision: 'ALLOW' },
      { tool: 'mail.send', connector: 'cn_gmail', decision: 'ALLOW' },
      { tool: 'deploy', role: 'release', decision: 'ALLOW' },
      { tool: 'db.query', agent_id: 'agt_other', decision: 'ALLOW' },
      { tool: 'git.push', expr: "$.args.branch starts_with 'feat/'", decision: 'ALLOW' },
      { tool: '*.delete', decision: 'ALERT' },
    ]);
    const s = snapshot({ policies: [p], settings: { unmatched_decision: 'BLOCK' } });
    const v = (tool: string, extra: object = {}, snap: Snapshot = s) => evaluate({ tool, ...extra }, snap).decision;
    expect(v('fs.read')).toBe('ALLOW');
    expect(v('fs.dir.list')).toBe('ALLOW');
    expect(v('fsx.read')).toBe('BLOCK');
    expect(v('mail.send', { connector: 'cn_gmail' })).toBe('ALLOW');
    expect(v('mail.send', { connector: 'cn_other' })).toBe('BLOCK');
    expect(v('mail.send')).toBe('BLOCK');
    expect(v('deploy')).toBe('BLOCK');
    expect(v('deploy', {}, { ...s, agent: agentCtx({ role: 'release' }) })).toBe('ALLOW');
    expect(v('db.query')).toBe('BLOCK');
    expect(v('db.query', {}, { ...s, agent: agentCtx({ id: 'agt_other' }) })).toBe('ALLOW');
    expect(v('git.push', { args: { branch: 'feat/x' } })).toBe('ALLOW');
    expect(v('git.push', { args: { branch: 'main' } })).toBe('BLOCK');
    expect(v('fs.delete')).toBe('ALERT');
    expect(v('user.delete')).toBe('ALERT');
  });

  it('disabled policies are skipped', () => {
    const off = policy('off', [{ tool: 'x', decision: 'ALLOW' }], { status: 'disabled' });
    expect(evaluate({ tool: 'x' }, snapshot({ policies: [off] })).decision).toBe('ALERT');
  });

  it('reports matched rules in policy then rule order with their versions', () => {
    const a = policy('aaa', [{ decision: 'ALLOW' }, { tool: 'x', decision: 'ALLOW' }], { version: 2 });
    const b = policy('bbb', [{ tool: 'x*', decision: 'ALLOW' }], { version: 7 });
    const d = evaluate({ tool: 'x' }, snapshot({ policies: [a, b] }));
    expect(d.matched.map((m) => [m.policy_name, m.policy_version, m.rule])).toEqual([['aaa', 2, 0], ['aaa', 2, 1], ['bbb', 7, 0]]);
  });
});

describe('evaluate: kill-switch and quota layers', () => {
  const allowAll = policy('allow-all', [{ decision: 'ALLOW' }]);
  const cases: [string, Partial<Snapshot>, string][] = [
    ['global kill-switch', { kill_switch: { engaged: true, reason: 'stop' } }, 'kill_switch'],
    ['disabled agent', { agent: agentCtx({ status: 'disabled' }) }, 'agent_disabled'],
    ['paused cap budget', { budgets: [budget({ status: 'paused' })] }, 'budget_paused'],
    ['paused warn budget (manual pause)', { budgets: [budget({ status: 'paused', mode: 'warn' })] }, 'budget_paused'],
    ['cap budget cannot fit estimate', { budgets: [budget({ spent_micro_usd: 9_000_000, reserved_micro_usd: 900_000 })] }, 'budget_insufficient'],
    ['runs per hour reached', { quota: { runs_per_hour: 5, concurrent_executions: 10, runs_last_hour: 5, open_actions: 0 } }, 'quota_exceeded'],
    ['concurrency reached', { quota: { runs_per_hour: 5, concurrent_executions: 2, runs_last_hour: 0, open_actions: 2 } }, 'quota_exceeded'],
  ];
  it.each(cases)('%s → BLOCK %s', (_name, over, code) => {
    const d = evaluate({ tool: 'x', cost_estimate_micro_usd: 200_000 }, { ...snapshot({ policies: [allowAll] }), ...over });
    expect(d.decision).toBe('BLOCK');
    expect(d.block_code).toBe(code);
    expect(d.layers).toHaveLength(LAYERS.length);
  });

  it('warn budgets never block on spend; a cap with room allows', () => {
    const s = { ...snapshot({ policies: [allowAll] }), budgets: [budget({ mode: 'warn', spent_micro_usd: 99_000_000 }), budget({ spent_micro_usd: 9_000_000 })] };
    expect(evaluate({ tool: 'x', cost_estimate_micro_usd: 1_000_000 }, s).decision).toBe('ALLOW');
    expect(evaluate({ tool: 'x', cost_estimate_micro_usd: 1_000_001 }, s).block_code).toBe('budget_insufficient');
  });

  it('within quota abstains', () => {
    const d = evaluate({ tool: 'x' }, { ...snapshot({ policies: [allowAll] }), quota: { runs_per_hour: 5, concurrent_executions: 2, runs_last_hour: 4, open_actions: 1 } });
    expect(d.decision).toBe('ALLOW');
    expect(d.layers.find((l) => l.layer === 'quota')?.verdict).toBe('ABSTAIN');
  });
});

describe('evaluate: tool access', () => {
  const allowAll = policy('allow-all', [{ decision: 'ALLOW' }]);
  const base = snapshot({
    policies: [allowAll],
    tool_policies: [
      { id: 'tpl_1', tool_name: 'shell.exec', allowed: false, restrictions: {} },
      { id: 'tpl_2', tool_name: 'http.request', allowed: true, restrictions: { allowed_domains: ['api.example.com', '*.trusted.dev'], max_response_size_kb: 1024 } },
    ],
    role_overrides: [
      { id: 'rpo_1', role: 'ops', tool_name: 'shell.exec', allowed: true },
      { id: 'rpo_2', role: 'intern', tool_name: 'http.request', allowed: false },
    ],
  });
  const run = (tool: string, args?: Record<string, unknown>, role: string | null = null) =>
    evaluate({ tool, ...(args ? { args } : {}) }, { ...base, agent: agentCtx({ role }) });

  it('resolves role override → tool policy → abstain', () => {
    expect(run('shell.exec').block_code).toBe('tool_denied');
    expect(run('shell.exec', undefined, 'ops').decision).toBe('ALLOW');
    expect(run('http.request', { url: 'https://api.example.com/x' }, 'intern').block_code).toBe('tool_denied');
    const other = run('fs.read');
    expect(other.decision).toBe('ALLOW');
    expect(other.layers.find((l) => l.layer === 'tool_access')?.verdict).toBe('ABSTAIN');
  });

  it.each([
    ['https://api.example.com/v1', 'ALLOW'],
    ['https://API.example.com./v1', 'ALLOW'],
    ['https://evil.com/api.example.com', 'BLOCK'],
    ['https://api.example.com.evil.com/', 'BLOCK'],
    ['https://api.example.com@evil.com/', 'BLOCK'],
    ['https://x.trusted.dev/', 'ALLOW'],
    ['https://a.b.trusted.dev/', 'ALLOW'],
    ['https://trusted.dev/', 'BLOCK'],
    ['https://eviltrusted.dev/', 'BLOCK'],
    ['http://[::1]/', 'BLOCK'],
  ])('allowed_domains: %s → %s', (url, expected) => {
    const d = run('http.request', { url });
    expect(d.decision).toBe(expected);
    if (expected === 'BLOCK') expect(d.block_code).toBe('domain_not_allowed');
  });

  it('checks nested URLs and host-named args', () => {
    expect(run('http.request', { req: { targets: ['https://api.example.com', 'https://evil.com'] } }).block_code).toBe('domain_not_allowed');
    expect(run('http.request', { host: 'evil.com' }).block_code).toBe('domain_not_allowed');
    expect(run('http.request', { host: 'api.example.com', body: 'see https://x.trusted.dev' }).decision).toBe('ALLOW');
  });

  it('max_response_size_kb bounds what the agent asks for', () => {
    expect(run('http.request', { url: 'https://api.example.com', max_response_size_kb: 1024 }).decision).toBe('ALLOW');
    expect(run('http.request', { url: 'https://api.example.com', max_response_size_kb: 4096 }).block_code).toBe('tool_denied');
    expect(run('http.request', { url: 'https://api.example.com', max_response_size_kb: 'lots' }).block_code).toBe('tool_denied');
  });
});

describe('evaluate: settings and grants truth table', () => {
  const alertRefund = policy('refunds', [{ tool: 'order.refund', decision: 'ALERT' }]);
  const allowRefund = policy('refunds', [{ tool: 'order.refund', decision: 'ALLOW' }]);
  const gates = { category_flags: { financial: true }, require_approval_for_external_comm: true };

  it.each([
    // guardrails, gated category, grant → verdict, grantable, grant used
    ['ALLOW', false, false, 'ALLOW', false, false],
    ['ALLOW', true, false, 'ALERT', false, false],
    ['ALLOW', true, true, 'ALERT', false, false],
    ['ALERT', false, false, 'ALERT', true, false],
    ['ALERT', false, true, 'ALLOW', false, true],
    ['ALERT', true, true, 'ALERT', false, false],
  ] as const)('guardrails %s, gated %s, grant %s → %s', (g, gated, withGrant, verdict, grantable, used) => {
    const s = snapshot({ policies: [g === 'ALLOW' ? allowRefund : alertRefund], settings: gates, grants: withGrant ? [grant()] : [] });
    const d = evaluate({ tool: 'order.refund', categories: gated ? ['financial'] : [] }, s);
    expect(d.decision).toBe(verdict);
    expect(d.grantable).toBe(grantable);
    expect(d.grant_id).toBe(used ? 'gnt_1' : null);
  });

  it('the builtin gates and tool categories apply', () => {
    const s = snapshot({ policies: [allowRefund], settings: gates, tool_categories: { 'order.refund': ['external_comm'] } });
    expect(evaluate({ tool: 'order.refund' }, s).decision).toBe('ALERT');
    expect(evaluate({ tool: 'order.refund', categories: ['public_writes'] }, snapshot({ policies: [allowRefund] })).decision).toBe('ALLOW');
  });

  it('a grant never lifts a BLOCK', () => {
    const s = snapshot({ policies: [policy('c', [{ tool: 'order.refund', decision: 'ALERT', max_value: 10 }])], grants: [grant()] });
    expect(evaluate({ tool: 'order.refund', value: 11 }, s).decision).toBe('BLOCK');
  });

  it.each([
    ['another agent', { agent_id: 'agt_x' }],
    ['another tool', { tool: 'order.cancel' }],
    ['another connector', { connector: 'cn_b' }],
    ['revoked', { revoked_at: '2026-05-01T00:00:00Z' }],
    ['expired', { expires_at: '2026-06-01T11:59:59Z' }],
    ['unreadable expiry', { expires_at: 'soon' }],
    ['args mismatch', { args_pattern: { reason: 'dup*' } }],
  ])('a grant for %s does not apply', (_name, over) => {
    const s = snapshot({ policies: [alertRefund], grants: [grant(over)] });
    expect(evaluate({ tool: 'order.refund', connector: 'cn_a', args: { reason: 'customer' } }, s).decision).toBe('ALERT');
  });

  it('matches args patterns by exact value and glob', () => {
    const s = snapshot({ policies: [alertRefund], grants: [grant({ args_pattern: { reason: 'dup*', order: { id: 7 } }, expires_at: '2026-06-01T12:00:01Z' })] });
    expect(evaluate({ tool: 'order.refund', args: { reason: 'duplicate', order: { id: 7 }, extra: 1 } }, s).decision).toBe('ALLOW');
    expect(evaluate({ tool: 'order.refund', args: { reason: 'duplicate', order: { id: 8 } } }, s).decision).toBe('ALERT');
    expect(NOW).toBeLessThan(Date.parse('2026-06-01T12:00:01Z'));
  });
});

describe('evaluate: fails closed', () => {
  it('a bad snapshot or action is BLOCK evaluation_error, never a throw', () => {
    const s = snapshot();
    expect(evaluate({ tool: '' }, s).block_code).toBe('evaluation_error');
    expect(evaluate({ tool: 'x', value: NaN }, s).block_code).toBe('evaluation_error');
    expect(evaluate({ tool: 'x', cost_estimate_micro_usd: -5 }, s).block_code).toBe('evaluation_error');
    expect(evaluate({ tool: 'x' }, { ...s, tool_policies: null as never }).block_code).toBe('evaluation_error');
    expect(evaluate(null as never, s).block_code).toBe('evaluation_error');
  });

  it('a rule whose expression cannot compile blocks the actions it could apply to', () => {
    const broken = { ...policy('broken', [{ tool: 'x', expr: '$.nope', decision: 'ALLOW' as const }]) };
    const s = { ...snapshot(), guardrails: compileGuardrails([broken]) };
    expect(evaluate({ tool: 'x' }, s).block_code).toBe('evaluation_error');
    expect(evaluate({ tool: 'y' }, s).decision).toBe('ALERT');
  });

  it('failClosed builds a BLOCK', () => {
    expect(failClosed('ledger unreadable')).toMatchObject({ decision: 'BLOCK', block_code: 'evaluation_error', grantable: false });
  });

  it('a hand-built CompiledGuardrails without an index still evaluates', () => {
    const s = { ...snapshot(), guardrails: { kind: 'compiled_guardrails' as const, policies: [policy('p', [{ tool: 'x', decision: 'ALLOW' as const }])] } };
    expect(evaluate({ tool: 'x' }, s).decision).toBe('ALLOW');
  });
});
