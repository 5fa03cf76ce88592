/** `warden approvals list|show|scopes|decide|undo`: the inbox from a terminal. */
import type { Command } from 'commander';
import type { Approval, ApprovalDecisionKind } from '../../shared/api/approvals.js';
import type { GrantScope } from '../../shared/api/grants.js';
import { withConnection, withGlobalOptions } from './context.js';
import { usageError, type CliIO } from './io.js';
import { printTable, shortTime, timeLeft, truncate, writeJson, writeLine } from './output.js';
import { findAgent } from './resolve.js';
import { visibleString } from '../../shared/visible-text.js';

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
  return truncate(visibleString(typeof main === 'string' ? main : JSON.stringify(args)), 60);
}

function status(a: Approval, now: number): string {
  if (a.status !== 'pending') {
    const base = a.resolution && a.resolution !== a.status ? `${a.status} (${a.resolution})` : a.status;
    if (a.undone_at) return `${base}, undone`;
    // Stop means stop: an allow the kill-switch layer blocked at release never reads as a plain allow.
    if (a.blocked_at_release) return `${base}, blocked at release (${a.blocked_at_release.block_code ?? 'blocked'})`;
    return base;
  }
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
      .option('-n, --limit <n>', 'at most this many', (v) => Number(v), 100)
      .option('--cursor <cursor>', 'continue after a list that was cut (the cursor it printed)'),
  ).action((opts: { status: string; agent?: string; limit: number; cursor?: string }, cmd: Command) =>
    withConnection(cmd, io, async (conn) => {
      const statuses = ['pending', 'approved', 'denied', 'expired', 'all'];
      if (!statuses.includes(opts.status)) throw usageError(`--status must be one of ${statuses.join(', ')}, got ${JSON.stringify(opts.status)}`);
      if (!Number.isInteger(opts.limit) || opts.limit < 1) throw usageError('--limit must be a positive integer');
      const agentId = opts.agent ? (opts.agent.startsWith('agt_') ? opts.agent : (await findAgent(conn.client, opts.agent)).id) : undefined;
      // Each page asks for what is still wanted, so a cut list always ends on a page boundary
      // and its cursor continues exactly after the last row shown.
      const list: Approval[] = [];
      let cursor = opts.cursor;
      let more: string | null = null;
      for (;;) {
        const page = await conn.client.call('listApprovals', {
          query: { status: opts.status === 'all' ? undefined : (opts.status as 'pending'), agent_id: agentId, limit: Math.min(opts.limit - list.length, 500), cursor },
        });
        list.push(...page.data);
        if (!page.has_more || !page.next_cursor) break;
        if (list.length >= opts.limit) {
          more = page.next_cursor;
          break;
        }
        cursor = page.next_cursor;
      }
      const cutNote = more ? `first ${list.length}, more with --cursor ${more}` : null;
      if (conn.json) {
        if (cutNote) io.stderr.write(`${cutNote}\n`);
        return writeJson(io, list);
      }
      const now = Date.now();
      printTable(
        io,
        ['ID', 'AGENT', 'TOOL', 'ARGS', 'STATUS', 'EXPLANATION'],
        list.map((a) => [a.id, a.agent_name ?? a.agent_id, a.action.tool, argsSummary(a), status(a, now), truncate(a.explanation, 80)]),
        opts.status === 'pending' ? 'no pending approvals' : 'no approvals match',
      );
      if (cutNote) writeLine(io, cutNote);
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
        writeLine(io, `args:        ${visibleString(JSON.stringify(a.action.args ?? {}))}`);
        if (a.action.value !== undefined) writeLine(io, `value:       ${a.action.value}`);
        writeLine(io, `explanation: ${visibleString(a.explanation)}`);
        writeLine(io, `expires:     ${shortTime(a.expires_at)}`);
        if (a.blocked_at_release) writeLine(io, `note:        the agent was told it is blocked: ${a.blocked_at_release.reason}`);
        if (!a.grantable) writeLine(io, 'note:        this request asks every time; allow_always is not offered (see `warden approvals scopes`)');
        for (const d of a.decisions) writeLine(io, `decision:    ${d.decision} by ${d.operator_name ?? d.operator} at ${shortTime(d.at)}${d.comment ? ` — ${d.comment}` : ''}`);
      }),
  );

  withGlobalOptions(
    approvals
      .command('decide <id> <decision>')
      .description('answer a request: allow_once (or allow), allow_always (or always), deny')
      .option('--comment <text>', 'a note; on deny the agent receives it as the reason')
      .option('--args-pattern <json>', 'allow_always only: the grant covers these args instead of the exact request, e.g. \'{"command": "npm test *"}\', or "any"')
      .option('--max-value <n>', 'allow_always only: the amount ceiling instead of the request\'s value, or "any"')
      .option('--grant-expires <time>', 'allow_always only: the grant expires at this RFC 3339 time, or "never" (default: in 30 days)')
      .option('--confirm', 'allow_always only: confirm a scope wider than the exact request on a high-risk tool'),
  ).action((id: string, decisionText: string, opts: { comment?: string; argsPattern?: string; maxValue?: string; grantExpires?: string; confirm?: boolean }, cmd: Command) =>
    withConnection(cmd, io, async (conn) => {
      const decision = DECISIONS[decisionText.toLowerCase()];
      if (!decision) throw usageError(`decision must be allow_once, allow_always or deny, got ${JSON.stringify(decisionText)}`);
      let grant: GrantScope | undefined;
      if (opts.argsPattern !== undefined || opts.grantExpires !== undefined || opts.maxValue !== undefined || opts.confirm) {
        if (decision !== 'allow_always') throw usageError('--args-pattern, --max-value, --grant-expires and --confirm go with allow_always only');
        grant = opts.confirm ? { confirm: true } : {};
        if (opts.argsPattern === 'any') grant.args_pattern = null;
        else if (opts.argsPattern !== undefined) {
          let parsed: unknown;
          try {
            parsed = JSON.parse(opts.argsPattern);
          } catch {
            throw usageError(`--args-pattern must be a JSON object, got ${JSON.stringify(opts.argsPattern)}`);
          }
          if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw usageError('--args-pattern must be a JSON object');
          grant.args_pattern = parsed as Record<string, unknown>;
        }
        if (opts.maxValue === 'any') grant.max_value = null;
        else if (opts.maxValue !== undefined) {
          const n = Number(opts.maxValue);
          if (opts.maxValue.trim() === '' || !Number.isFinite(n) || n < 0) throw usageError(`--max-value must be a non-negative number or "any", got ${JSON.stringify(opts.maxValue)}`);
          grant.max_value = n;
        }
        if (opts.grantExpires === 'never') grant.expires_at = null;
        else if (opts.grantExpires !== undefined) {
          const t = Date.parse(opts.grantExpires);
          if (Number.isNaN(t)) throw usageError(`--grant-expires must be an RFC 3339 time or "never", got ${JSON.stringify(opts.grantExpires)}`);
          grant.expires_at = new Date(t).toISOString();
        }
      }
      const result = await conn.client.call('decideApproval', { params: { id }, body: { decision, comment: opts.comment, grant } });
      if (conn.json) return writeJson(io, result);
      const outcome = result.status === 'pending' ? `recorded; ${status(result, Date.now())} (needs ${result.required_approvals} operators)` : status(result, Date.now());
      writeLine(io, `${result.id} ${result.action.tool}: ${outcome}${result.grant_id ? `; grant ${result.grant_id} created` : ''}`);
    }),
  );

  withGlobalOptions(approvals.command('scopes <id>').description('the grant scopes allow_always proposes for a request, with what each would have allowed')).action(
    (id: string, _opts: unknown, cmd: Command) =>
      withConnection(cmd, io, async (conn) => {
        const o = await conn.client.call('grantOptions', { params: { id } });
        if (conn.json) return writeJson(io, o);
        if (!o.grantable) {
          writeLine(io, `allow_always is not offered: ${o.not_grantable_reason ?? 'no scope fits this request'}`);
          return;
        }
        if (o.high_risk) writeLine(io, `high risk: ${o.high_risk_reason ?? ''}; a wider scope needs --confirm`);
        printTable(
          io,
          ['SCOPE', 'ARGS PATTERN', 'MAX VALUE', 'WOULD ALLOW'],
          o.scopes.map((s) => [s.id, s.args_pattern ? JSON.stringify(s.args_pattern) : 'any', s.max_value === null ? 'any' : String(s.max_value), `${s.preview.would_allow} of ${o.sample_size}`]),
          'no scope fits this request',
        );
        writeLine(io, `default expiry: ${shortTime(o.default_expires_at)} (--grant-expires never for none)`);
      }),
  );

  withGlobalOptions(approvals.command('undo <id>').description('undo an allow within 10 s: revoke its grant, withdraw an answer its agent has not picked up')).action(
    (id: string, _opts: unknown, cmd: Command) =>
      withConnection(cmd, io, async (conn) => {
        const r = await conn.client.call('undoDecision', { params: { id } });
        if (conn.json) return writeJson(io, r);
        const what = [r.grant_revoked ? `grant ${r.grant_revoked} revoked` : null, r.action_withdrawn ? 'request withdrawn (the agent is told it is denied)' : 'the agent had already picked up the answer'];
        writeLine(io, `${id}: undone; ${what.filter(Boolean).join('; ')}`);
      }),
  );
}
