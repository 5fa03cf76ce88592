/** How `warden gate …` prints policies, solutions, requirements, submissions and checks. */
import type { EnforcementResult, GatePolicy, GateSubmission, Requirements } from '../../shared/api/gates.js';
import type { CliIO } from './io.js';
import { shortTime, writeLine } from './output.js';

type Gate = GatePolicy['stages'][number]['gates'][number];

export function gateText(g: Gate): string {
  const name = g.name ? ` "${g.name}"` : '';
  if (g.type === 'evidence') return `${g.id}${name} evidence of ${g.requires.join(', ')}`;
  const n = g.required_approvals ?? 1;
  const approvals = `${n} approval${n === 1 ? '' : 's'}`;
  if (g.type === 'checklist') return `${g.id}${name} checklist (${g.questions.map((q) => `${q.id}${q.required === false ? '?' : ''}`).join(', ')}), ${approvals}`;
  return `${g.id}${name} approval, ${approvals}`;
}

export function policyState(p: GatePolicy): string {
  return p.is_draft ? 'draft' : p.is_active ? 'active' : 'inactive';
}

export function printPolicy(io: CliIO, p: GatePolicy): void {
  writeLine(io, `${p.id}  ${p.name}  (${p.category}, ${p.severity}, ${policyState(p)})`);
  if (p.description) writeLine(io, `  ${p.description}`);
  writeLine(io, `  governs: ${p.applicable_resource_types.join(', ')}`);
  p.stages.forEach((s, i) => {
    writeLine(io, `  stage ${i + 1} ${s.id} "${s.name}"`);
    for (const g of s.gates) writeLine(io, `    ${gateText(g)}`);
  });
}

export function printRequirements(io: CliIO, r: Requirements): void {
  if (!r.policies.length) {
    writeLine(io, 'no active gate policy governs these resources');
    return;
  }
  for (const p of r.policies) {
    writeLine(io, `${p.policy_name} (${p.policy_id}, ${p.severity})${p.passed ? ': passed' : ''} — governs ${p.resources.map((x) => `${x.type}:${x.id}`).join(', ')}`);
    for (const s of p.stages) {
      writeLine(io, `  stage ${s.position} ${s.stage_id} "${s.name}": ${s.status}`);
      for (const g of s.gates) {
        const sub = g.submission ? ` ${g.submission.id}` : '';
        const missing = g.missing.length ? ` — needs ${g.missing.join('; ')}` : '';
        writeLine(io, `    ${g.gate_id} (${g.type}): ${g.status}${sub}${missing}`);
      }
    }
  }
}

export function submissionLine(s: GateSubmission): string {
  const votes = s.status === 'submitted' && s.gate_type !== 'evidence' ? `, ${s.decisions.filter((d) => d.counted && d.decision !== 'denied').length}/${s.required_approvals} approvals` : '';
  return `${s.id} ${s.solution_name ?? s.solution_id} · ${s.policy_name ?? s.policy_id} · ${s.stage_id}/${s.gate_id}: ${s.status}${votes}`;
}

export function printSubmission(io: CliIO, s: GateSubmission): void {
  writeLine(io, submissionLine(s));
  for (const d of s.decisions) {
    writeLine(io, `  ${d.decision} by ${d.operator_name ?? d.operator} at ${shortTime(d.at)}${d.comments ? ` — ${d.comments}` : ''}${d.counted ? '' : ' (not counted)'}`);
  }
  for (const c of s.conditions) writeLine(io, `  condition: ${c}`);
  if (s.waiver) writeLine(io, `  waived by ${s.waiver.by} at ${shortTime(s.waiver.at)}: ${s.waiver.reason}`);
}

export function printCheck(io: CliIO, r: EnforcementResult): void {
  const what = `${r.resource.type} ${r.resource.id}`;
  if (r.allowed) {
    const how = !r.governed ? 'no active gate policy governs it' : `through solution ${r.solution_id ?? '?'}`;
    writeLine(io, `${what}: allowed (${how})`);
    for (const c of r.conditions) writeLine(io, `  condition: ${c}`);
    return;
  }
  writeLine(io, `${what}: blocked`);
  for (const b of r.blocking) {
    const stage = b.stage_name ? ` — ${b.stage_name} (stage ${b.stage_position} of ${b.stage_count})` : '';
    const gate = b.gate_id ? `, gate ${b.gate_id} ${b.status}` : '';
    const where = b.solution_id ? ` in solution ${b.solution_id}` : ', in no solution yet';
    writeLine(io, `  ${b.policy_name} (${b.severity})${stage}${gate}${where}`);
  }
}
