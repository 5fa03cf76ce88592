/** `warden approvals list|show|decide`: the inbox from a terminal. */
import type { Command } from 'commander';
import type { Approval, ApprovalDecisionKind } from '../../shared/api/actions.js';
import { withConnection, withGlobalOptions } from './context.js';
import { usageError, type CliIO } from './io.js';
import { printTable, shortTime, timeLeft, truncate, writeJson, writeLine } from './output.js';
import { findAgent } from './resolve.js';

const DECISIONS: Record<string, ApprovalDecisionKind> = {
  allow_once: 'allow_once',
  'allow-once': 'allow_once',
  allow: 'allow_once',
  once: 'allow_once',
  allow_always: 'allow_always',
  'allow-always': 'allow_always',
  always: 'allow_always',
  deny: 'deny',
};

function argsSummary(a: Approval): string {
  const args = a.action.args ?? {};
  const main = ['command', 'path', 'url'].map((k) => args[k]).find((v) => typeof v === 'string');
  return truncate(typeof main === 'string' ? main : JSON.stringify(args), 60);
}

function status(a: Approval, now: number): string {
  if (a.status !== 'pending') return a.resolution && a.resolution !== a.status ? `${a.status} (${a.resolution})` : a.status;
  const votes = a.required_approvals > 1 ? ` ${a.decisions.filter((d) => d.decision !== 'deny').length}/${a.required_approvals}` : '';
  return `pending${votes}, ${timeLeft(a.expires_at, now)} left`;
}

export function approvalCommands(program: Command, io: CliIO): void {
  const approvals = program.command('approvals').description('pending approval requests and their decisions');

  withGlobalOptions(
    approvals
      .command('list')
      .description('approval requests, newest first (pending ones by default)')
      .option('--status <status>', 'pending, approved, denied, expired or all', 'pending')
      .option('--agent <agent>', 'only requests of this agent (id or name)')
      .option('-n, --limit <n>', 'at most this many', (v) => Number(v), 100),
  ).action((opts: { status: string; agent?: string; limit: number }, cmd: Command) =>
    withConnection(cmd, io, async (conn) => {
      const statuses = ['pending', 'approved', 'denied', 'expired', 'all'];
      if (!statuses.includes(opts.status)) throw usageError(`--status must be one of ${statuses.join(', ')}, got ${JSON.stringify(opts.status)}`);
      if (!Number.isInteger(opts.limit) || opts.limit < 1) throw usageError('--limit must be a positive integer');
      const agentId = opts.agent ? (opts.agent.startsWith('agt_') ? opts.agent : (await findAgent(conn.client, opts.agent)).id) : undefined;
      const list: Approval[] = [];
      for await (const a of conn.client.paginate('listApprovals', {
        query: { status: opts.status === 'all' ? undefined : (opts.status as 'pending'), agent_id: agentId, limit: Math.min(opts.limit, 500) },
      })) {
        list.push(a);
        if (list.length >= opts.limit) break;
      }
      if (conn.json) return writeJson(io, list);
      const now = Date.now();
      printTable(
        io,
        ['ID', 'AGENT', 'TOOL', 'ARGS', 'STATUS', 'EXPLANATION'],
        list.map((a) => [a.id, a.agent_name ?? a.agent_id, a.action.tool, argsSummary(a), status(a, now), truncate(a.explanation, 80)]),
        opts.status === 'pending' ? 'no pending approvals' : 'no approvals match',
      );
    }),
  );

  withGlobalOptions(approvals.command('show <id>').description('one approval request with its action and decisions')).action(
    (id: string, _opts: unknown, cmd: Command) =>
      withConnection(cmd, io, async (conn) => {
        const a = await conn.client.call('getApproval', { params: { id } });
        if (conn.json) return writeJson(io, a);
        writeLine(io, `${a.id}  ${status(a, Date.now())}`);
        writeLine(io, `agent:       ${a.agent_name ?? '-'} (${a.agent_id})`);
        writeLine(io, `tool:        ${a.action.tool}${a.action.connector ? ` via ${a.action.connector}` : ''}`);
        writeLine(io, `args:        ${JSON.stringify(a.action.args ?? {})}`);
        if (a.action.value !== undefined) writeLine(io, `value:       ${a.action.value}`);
        writeLine(io, `explanation: ${a.explanation}`);
        writeLine(io, `expires:     ${shortTime(a.expires_at)}`);
        if (!a.grantable) writeLine(io, 'note:        the governance settings require asking every time; allow_always is not offered');
        for (const d of a.decisions) writeLine(io, `decision:    ${d.decision} by ${d.operator_name ?? d.operator} at ${shortTime(d.at)}${d.comment ? ` — ${d.comment}` : ''}`);
      }),
  );

  withGlobalOptions(
    approvals
      .command('decide <id> <decision>')
      .description('answer a request: allow_once (or allow), allow_always (or always), deny')
      .option('--comment <text>', 'a note; on deny the agent receives it as the reason')
      .option('--args-pattern <json>', 'allow_always only: narrow the grant to these args, e.g. \'{"command": "npm test*"}\'')
      .option('--grant-expires <time>', 'allow_always only: the grant expires at this RFC 3339 time'),
  ).action((id: string, decisionText: string, opts: { comment?: string; argsPattern?: string; grantExpires?: string }, cmd: Command) =>
    withConnection(cmd, io, async (conn) => {
      const decision = DECISIONS[decisionText.toLowerCase()];
      if (!decision) throw usageError(`decision must be allow_once, allow_always or deny, got ${JSON.stringify(decisionText)}`);
      let grant: { args_pattern?: Record<string, unknown>; expires_at?: string } | undefined;
      if (opts.argsPattern !== undefined || opts.grantExpires !== undefined) {
        if (decision !== 'allow_always') throw usageError('--args-pattern and --grant-expires go with allow_always only');
        grant = {};
        if (opts.argsPattern !== undefined) {
          let parsed: unknown;
          try {
            parsed = JSON.parse(opts.argsPattern);
          } catch {
            throw usageError(`--args-pattern must be a JSON object, got ${JSON.stringify(opts.argsPattern)}`);
          }
          if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw usageError('--args-pattern must be a JSON object');
          grant.args_pattern = parsed as Record<string, unknown>;
        }
        if (opts.grantExpires !== undefined) {
          const t = Date.parse(opts.grantExpires);
          if (Number.isNaN(t)) throw usageError(`--grant-expires must be an RFC 3339 time, got ${JSON.stringify(opts.grantExpires)}`);
          grant.expires_at = new Date(t).toISOString();
        }
      }
      const result = await conn.client.call('decideApproval', { params: { id }, body: { decision, comment: opts.comment, grant } });
      if (conn.json) return writeJson(io, result);
      const outcome = result.status === 'pending' ? `recorded; ${status(result, Date.now())} (needs ${result.required_approvals} operators)` : status(result, Date.now());
      writeLine(io, `${result.id} ${result.action.tool}: ${outcome}${result.grant_id ? `; grant ${result.grant_id} created` : ''}`);
    }),
  );
}
