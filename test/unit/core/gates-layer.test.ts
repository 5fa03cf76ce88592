/** The gates layer of the pure core: which resources of an action it looks at, and what it answers. */
import { describe, expect, it } from 'vitest';
import { evaluate } from '../../../shared/core/evaluate.js';
import { gateKey, gateResourcesOf, gatesLayer, mcpServerOf } from '../../../shared/core/gates.js';
import type { GateBlock, GateView } from '../../../shared/core/types.js';
import { snapshot } from './snapshot.js';

const allowAll = { id: 'grd_all', name: 'allow all', version: 1, status: 'active' as const, rules: [{ tool: '*', decision: 'ALLOW' as const }] };

function block(over: Partial<GateBlock> = {}): GateBlock {
  return { policy_id: 'gpol_sec', policy_name: 'MCP security', severity: 'high', stage_id: null, stage_name: null, stage_position: null, stage_count: 2, gate_id: 'sec', status: 'missing', solution_id: null, ...over };
}

function view(over: Partial<GateView> = {}): GateView {
  return { governed: new Map([['mcp_server', [block()]]]), allowed: new Map(), waiting: new Map(), ...over };
}

describe('the resources of an action', () => {
  it('are its agent, its MCP server, its tool and its resource', () => {
    expect(gateResourcesOf({ tool: 'mcp.filesystem.read_file', resource: { type: 'model', id: 'gpt' } }, { id: 'agt_1', name: 'crew' })).toEqual([
      { type: 'agent', id: 'agt_1', label: 'crew' },
      { type: 'mcp_server', id: 'filesystem', label: 'filesystem' },
      { type: 'tool', id: 'mcp.filesystem.read_file', label: 'mcp.filesystem.read_file' },
      { type: 'model', id: 'gpt', label: 'gpt' },
    ]);
    expect(mcpServerOf('shell.exec')).toBeNull();
    expect(mcpServerOf('mcp.github.create_issue')).toBe('github');
  });
});

describe('the gates layer', () => {
  it('abstains without a view and for resources no policy governs', () => {
    expect(gatesLayer({ tool: 'shell.exec' }, null, null).verdict).toBe('ABSTAIN');
    expect(gatesLayer({ tool: 'shell.exec' }, null, view()).verdict).toBe('ABSTAIN');
  });

  it('blocks a governed resource no solution holds (default closed)', () => {
    const out = gatesLayer({ tool: 'mcp.filesystem.read_file' }, null, view());
    expect(out.verdict).toBe('BLOCK');
    expect(out.detail).toBe('mcp_server filesystem needs MCP security review and no solution holds it');
    expect(out.blocking).toEqual([block()]);
  });

  it('names the stage a waiting resource is at, and a denial', () => {
    const waiting = new Map([[gateKey('mcp_server', 'filesystem'), [block({ stage_id: 'security', stage_name: 'Security review', stage_position: 1, solution_id: 'sol_1', status: 'submitted' })]]]);
    expect(gatesLayer({ tool: 'mcp.filesystem.read_file' }, null, view({ waiting })).detail).toBe('mcp_server filesystem is waiting for Security review (stage 1 of 2)');
    const denied = new Map([[gateKey('mcp_server', 'filesystem'), [block({ stage_id: 'legal', stage_name: 'Legal', stage_position: 2, solution_id: 'sol_1', status: 'denied' })]]]);
    expect(gatesLayer({ tool: 'mcp.filesystem.read_file' }, null, view({ waiting: denied })).detail).toBe('mcp_server filesystem was denied at Legal (stage 2 of 2)');
  });

  it('lets a cleared resource through, naming its conditions', () => {
    const allowed = new Map([[gateKey('mcp_server', 'filesystem'), ['read-only mounts']]]);
    const out = gatesLayer({ tool: 'mcp.filesystem.read_file' }, null, view({ allowed }));
    expect(out.verdict).toBe('ABSTAIN');
    expect(out.detail).toContain('read-only mounts');
  });

  it('blocks in the pipeline with gate_pending, after the kill-switch and before everything else', () => {
    const d = evaluate({ tool: 'mcp.filesystem.read_file' }, { ...snapshot({ policies: [allowAll] }), gates: view() });
    expect(d).toMatchObject({ decision: 'BLOCK', block_code: 'gate_pending' });
    expect(d.layers.find((l) => l.layer === 'gates')?.gates).toEqual([block()]);
    const killed = evaluate({ tool: 'mcp.filesystem.read_file' }, { ...snapshot({ policies: [allowAll] }), gates: view(), kill_switch: { engaged: true, reason: null } });
    expect(killed.block_code).toBe('kill_switch');
    expect(evaluate({ tool: 'llm.call' }, { ...snapshot({ policies: [allowAll] }), gates: view() }).decision).toBe('ALLOW');
  });

  it('fails closed on a view that could not be built', () => {
    const d = evaluate({ tool: 'llm.call' }, { ...snapshot({ policies: [allowAll] }), gates: view({ error: 'disk on fire' }) });
    expect(d).toMatchObject({ decision: 'BLOCK', block_code: 'evaluation_error' });
    expect(d.explanation).toContain('disk on fire');
  });
});
