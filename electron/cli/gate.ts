/**
 * `warden gate policies|solutions|submit|review|waive|check`: review gates from a terminal.
 * `check` exits 0 when the resource may be used and 3 when a gate blocks it, so scripts can ask
 * `warden gate check mcp_server filesystem && …`.
 */
import type { Command } from 'commander';
import type { GatePolicy, GateSeverity, GateSubmission, Requirements, ResourceRef, Solution, SolutionStatus } from '../../shared/api/gates.js';
import type { WardenClient } from '../../shared/client.js';
import { withConnection, withGlobalOptions } from './context.js';
import { CliError, CliExit, usageError, type CliIO } from './io.js';
import { printTable, shortTime, truncate, writeJson, writeLine } from './output.js';
import { collect, parseAnswer, parseBoolean, parseDataJson, parseDecision, parseEvidence, parseResource, readJsonObject } from './gate-input.js';
import { policyState, printCheck, printPolicy, printRequirements, printSubmission, submissionLine } from './gate-format.js';

/** Exit code of `warden gate check` when a gate blocks the resource. */
export const GATE_BLOCKED_EXIT = 3;

const SEVERITIES = ['low', 'medium', 'high', 'critical'];
const SOLUTION_STATUSES = ['draft', 'in_review', 'approved', 'approved_with_conditions', 'rejected'];

async function findPolicy(client: WardenClient, idOrName: string): Promise<GatePolicy> {
  if (idOrName.startsWith('gpol_')) return client.call('getGatePolicy', { params: { id: idOrName } });
  for await (const p of client.paginate('listGatePolicies', { query: { search: idOrName, limit: 200 } })) if (p.name === idOrName) return p;
  throw new CliError(`no gate policy named ${JSON.stringify(idOrName)} (see \`warden gate policies\`)`);
}

async function findSolution(client: WardenClient, idOrName: string): Promise<Solution> {
  if (idOrName.startsWith('sol_')) return client.call('getSolution', { params: { id: idOrName } });
  for await (const s of client.paginate('listSolutions', { query: { search: idOrName, limit: 200 } })) if (s.name === idOrName) return s;
  throw new CliError(`no solution named ${JSON.stringify(idOrName)} (see \`warden gate solutions\`)`);
}

/** The policy holding `gateId` among those governing the solution; ambiguous or absent → a clear message. */
function policyOfGate(r: Requirements, gateId: string): string {
  const holders = r.policies.filter((p) => p.stages.some((s) => s.gates.some((g) => g.gate_id === gateId)));
  if (holders.length === 1) return holders[0]!.policy_id;
  if (!holders.length) {
    const gates = r.policies.flatMap((p) => p.stages.flatMap((s) => s.gates.map((g) => g.gate_id)));
    throw usageError(`no policy governing this solution has a gate ${JSON.stringify(gateId)}${gates.length ? ` (its gates: ${[...new Set(gates)].join(', ')})` : ''}`);
  }
  throw usageError(`gate ${JSON.stringify(gateId)} is in several policies (${holders.map((p) => p.policy_id).join(', ')}): pass --policy`);
}

export function gateCommands(program: Command, io: CliIO): void {
  const gate = program.command('gate').description('review gates: staged sign-off before an agent, MCP server, workflow or model is used');

  // --- policies
  const policies = withGlobalOptions(
    gate
      .command('policies')
      .description('gate policies (list); `policies show ID|NAME`, `policies add FILE`')
      .option('--category <category>', 'only this category')
      .option('--severity <severity>', `only this severity: ${SEVERITIES.join(', ')}`)
      .option('--active <bool>', 'only active (true) or inactive (false) policies')
      .option('--search <text>', 'name or description contains this'),
  ).action((opts: { category?: string; severity?: string; active?: string; search?: string }, cmd: Command) =>
    withConnection(cmd, io, async (conn) => {
      if (opts.severity !== undefined && !SEVERITIES.includes(opts.severity)) throw usageError(`--severity must be one of ${SEVERITIES.join(', ')}, got ${JSON.stringify(opts.severity)}`);
      const active = opts.active === undefined ? undefined : parseBoolean(opts.active, '--active');
      const list: GatePolicy[] = [];
      const query = { limit: 200, category: opts.category, severity: opts.severity as GateSeverity | undefined, is_active: active === undefined ? undefined : active ? ('true' as const) : ('false' as const), search: opts.search };
      for await (const p of conn.client.paginate('listGatePolicies', { query })) list.push(p);
      if (conn.json) return writeJson(io, list);
      printTable(
        io,
        ['ID', 'NAME', 'CATEGORY', 'SEVERITY', 'GOVERNS', 'STAGES', 'STATE'],
        list.map((p) => [p.id, truncate(p.name, 40), p.category, p.severity, p.applicable_resource_types.join(','), p.stages.map((s) => s.name).join(' → '), policyState(p)]),
        'no gate policies',
      );
    }),
  );

  withGlobalOptions(policies.command('show <policy>').description('one gate policy with its stages and gates')).action((idOrName: string, _opts: unknown, cmd: Command) =>
    withConnection(cmd, io, async (conn) => {
      const p = await findPolicy(conn.client, idOrName);
      if (conn.json) return writeJson(io, p);
      printPolicy(io, p);
    }),
  );

  withGlobalOptions(policies.command('add <file>').description('create a gate policy from a JSON file (- for stdin) with the body of POST /v1/gate-policies')).action(
    (path: string, _opts: unknown, cmd: Command) =>
      withConnection(cmd, io, async (conn) => {
        const body = await readJsonObject(path, io, 'policy file');
        // The server validates every field and names the one at fault.
        const p = await conn.client.call('createGatePolicy', { body: body as never });
        if (conn.json) return writeJson(io, p);
        writeLine(io, `Created gate policy ${p.name} (${p.id}), ${policyState(p)}, governing ${p.applicable_resource_types.join(', ')}.`);
      }),
  );

  // --- solutions
  const solutions = withGlobalOptions(
    gate
      .command('solutions')
      .description('solutions under review (list); `solutions show ID|NAME`, `solutions add NAME --resource TYPE:ID`')
      .option('--status <status>', `only this status: ${SOLUTION_STATUSES.join(', ')}`)
      .option('--search <text>', 'name or description contains this'),
  ).action((opts: { status?: string; search?: string }, cmd: Command) =>
    withConnection(cmd, io, async (conn) => {
      if (opts.status !== undefined && !SOLUTION_STATUSES.includes(opts.status)) throw usageError(`--status must be one of ${SOLUTION_STATUSES.join(', ')}, got ${JSON.stringify(opts.status)}`);
      const list: Solution[] = [];
      for await (const s of conn.client.paginate('listSolutions', { query: { limit: 200, status: opts.status as SolutionStatus | undefined, search: opts.search } })) list.push(s);
      if (conn.json) return writeJson(io, list);
      printTable(
        io,
        ['ID', 'NAME', 'STATUS', 'RESOURCES', 'UPDATED'],
        list.map((s) => [s.id, truncate(s.name, 40), s.status, truncate(s.resources.map((r) => `${r.type}:${r.id}`).join(','), 60), shortTime(s.updated_at)]),
        'no solutions',
      );
    }),
  );

  withGlobalOptions(solutions.command('show <solution>').description('a solution with every governing policy’s stages and each gate’s status')).action(
    (idOrName: string, _opts: unknown, cmd: Command) =>
      withConnection(cmd, io, async (conn) => {
        const s = await findSolution(conn.client, idOrName);
        const requirements = await conn.client.call('getRequirements', { params: { id: s.id } });
        if (conn.json) return writeJson(io, { solution: s, requirements });
        writeLine(io, `${s.id}  ${s.name}: ${s.status}`);
        writeLine(io, `resources: ${s.resources.map((r) => `${r.type}:${r.id}`).join(', ')}`);
        printRequirements(io, requirements);
      }),
  );

  withGlobalOptions(
    solutions
      .command('add <name>')
      .description('bundle resources for review')
      .option('-r, --resource <type:id>', 'a resource under review, e.g. mcp_server:filesystem (repeatable)', collect, [])
      .option('--description <text>', 'what it is'),
  ).action((name: string, opts: { resource: string[]; description?: string }, cmd: Command) =>
    withConnection(cmd, io, async (conn) => {
      if (!opts.resource.length) throw usageError('name at least one --resource TYPE:ID');
      const resources = opts.resource.map(parseResource) as ResourceRef[];
      const s = await conn.client.call('createSolution', { body: { name, description: opts.description, resources } });
      if (conn.json) return writeJson(io, s);
      writeLine(io, `Created solution ${s.name} (${s.id}): ${s.status}. See what it needs: warden gate solutions show ${s.id}`);
    }),
  );

  // --- submit
  withGlobalOptions(
    gate
      .command('submit <solution> <gate>')
      .description('submit a gate of the solution’s open stage for review')
      .option('--policy <policy>', 'the policy holding the gate (id or name; needed only when several policies have a gate of that id)')
      .option('--answer <id=text>', 'a checklist answer (repeatable)', collect, [])
      .option('--evidence <run_id:kind>', 'evidence recorded by a workflow run (repeatable)', collect, [])
      .option('--notes <text>', 'a note for the reviewers')
      .option('--data <json>', 'more submission data, as a JSON object'),
  ).action((solutionRef: string, gateId: string, opts: { policy?: string; answer: string[]; evidence: string[]; notes?: string; data?: string }, cmd: Command) =>
    withConnection(cmd, io, async (conn) => {
      const data: Record<string, unknown> = opts.data ? parseDataJson(opts.data) : {};
      if (opts.answer.length) data.answers = { ...(data.answers as object | undefined), ...Object.fromEntries(opts.answer.map(parseAnswer)) };
      if (opts.evidence.length) data.evidence = [...((data.evidence as unknown[] | undefined) ?? []), ...opts.evidence.map(parseEvidence)];
      if (opts.notes !== undefined) data.notes = opts.notes;
      const s = await findSolution(conn.client, solutionRef);
      const policyId = opts.policy ? (await findPolicy(conn.client, opts.policy)).id : policyOfGate(await conn.client.call('getRequirements', { params: { id: s.id } }), gateId);
      const sub = await conn.client.call('submitGate', { params: { id: s.id, gate_id: gateId }, body: { policy_id: policyId, data } });
      if (conn.json) return writeJson(io, sub);
      writeLine(io, `${submissionLine(sub)} — waiting for review (\`warden gate review\` lists what you can decide)`);
    }),
  );

  // --- review
  withGlobalOptions(
    gate
      .command('review [submission] [decision]')
      .description('without arguments: the reviews you can still decide; with them: approve, deny or conditional')
      .option('--comment <text>', 'your comment; on deny, the reason')
      .option('--condition <text>', 'a condition of a conditional approval (repeatable, at least one)', collect, []),
  ).action((id: string | undefined, decisionText: string | undefined, opts: { comment?: string; condition: string[] }, cmd: Command) =>
    withConnection(cmd, io, async (conn) => {
      if (!id) {
        if (opts.comment !== undefined || opts.condition.length) throw usageError('--comment and --condition go with a submission id and a decision');
        const list: GateSubmission[] = [];
        for await (const s of conn.client.paginate('pendingReviews')) list.push(s);
        if (conn.json) return writeJson(io, list);
        printTable(
          io,
          ['ID', 'SOLUTION', 'POLICY', 'STAGE', 'GATE', 'TYPE', 'SUBMITTED BY', 'AT'],
          list.map((s) => [s.id, truncate(s.solution_name ?? s.solution_id, 30), truncate(s.policy_name ?? s.policy_id, 30), s.stage_id, s.gate_id, s.gate_type, s.submitted_by, shortTime(s.created_at)]),
          'no reviews waiting for you',
        );
        return;
      }
      if (!decisionText) {
        const s = await conn.client.call('getGateSubmission', { params: { id } });
        if (conn.json) return writeJson(io, s);
        printSubmission(io, s);
        return;
      }
      const decision = parseDecision(decisionText);
      if (decision === 'conditional' && !opts.condition.length) throw usageError('a conditional approval needs at least one --condition');
      if (decision !== 'conditional' && opts.condition.length) throw usageError('--condition goes with the decision conditional only');
      const s = await conn.client.call('decideGateSubmission', {
        params: { id },
        body: { decision, comments: opts.comment, conditions: opts.condition.length ? opts.condition : undefined },
      });
      if (conn.json) return writeJson(io, s);
      writeLine(io, submissionLine(s));
    }),
  );

  // --- waive
  withGlobalOptions(
    gate
      .command('waive <submission>')
      .description('pass a gate without review (admin); the reason is kept on the submission and in the audit')
      .requiredOption('--reason <text>', 'why, in at least 10 characters'),
  ).action((id: string, opts: { reason: string }, cmd: Command) =>
    withConnection(cmd, io, async (conn) => {
      if (opts.reason.trim().length < 10) throw usageError('--reason must say why in at least 10 characters');
      const s = await conn.client.call('waiveGateSubmission', { params: { id }, body: { reason: opts.reason } });
      if (conn.json) return writeJson(io, s);
      writeLine(io, `${submissionLine(s)} — reason kept in the audit`);
    }),
  );

  // --- check
  withGlobalOptions(gate.command('check <type> [id]').description(`may this resource be used now? (TYPE ID or TYPE:ID; exit 0 allowed, ${GATE_BLOCKED_EXIT} blocked)`)).action(
    (type: string, id: string | undefined, _opts: unknown, cmd: Command) =>
      withConnection(cmd, io, async (conn) => {
        const resource = id === undefined ? parseResource(type) : { type, id };
        const r = await conn.client.call('enforcementCheck', { query: { resource_type: resource.type, resource_id: resource.id } });
        if (conn.json) writeJson(io, r);
        else printCheck(io, r);
        if (!r.allowed) throw new CliExit(GATE_BLOCKED_EXIT);
      }),
  );
}
