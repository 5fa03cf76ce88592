/** `warden budget set|list|pause|resume|delete`: USD caps per agent, team, mission or globally. */
import type { Command } from 'commander';
import { GLOBAL_SCOPE_ID, type Budget } from '../../shared/api/budgets.js';
import { BUDGET_SCOPES } from '../../shared/vocabulary.js';
import type { WardenClient } from '../../shared/client.js';
import { withConnection, withGlobalOptions } from './context.js';
import { usageError, type CliIO } from './io.js';
import { parseUsdToCents, printTable, usd, usdMicro, writeJson, writeLine } from './output.js';
import { findAgent } from './resolve.js';

type Scope = (typeof BUDGET_SCOPES)[number];

/**
 * A budget target as typed: `global`, `agent:refund-bot` (name or id), `team:support`,
 * `mission:m-42`.
 */
export async function parseTarget(client: WardenClient, text: string): Promise<{ scope: Scope; scope_id: string }> {
  const i = text.indexOf(':');
  const scope = (i < 0 ? text : text.slice(0, i)) as Scope;
  const id = i < 0 ? '' : text.slice(i + 1);
  if (!(BUDGET_SCOPES as readonly string[]).includes(scope)) {
    throw usageError(`budget target must be global, agent:NAME, team:ID or mission:ID, got ${JSON.stringify(text)}`);
  }
  if (scope === 'global') return { scope, scope_id: GLOBAL_SCOPE_ID };
  if (!id) throw usageError(`budget target ${JSON.stringify(text)} needs an id after "${scope}:"`);
  if (scope === 'agent' && !id.startsWith('agt_')) return { scope, scope_id: (await findAgent(client, id)).id };
  return { scope, scope_id: id };
}

function cents(text: string, what: string): number {
  const c = parseUsdToCents(text);
  if (c === null || c <= 0) throw usageError(`${what} must be a positive dollar amount such as 25 or 12.50, got ${JSON.stringify(text)}`);
  return c;
}

function percent(b: Budget): string {
  if (b.limit_micro_usd <= 0) return '-';
  return `${Math.floor((b.spent_micro_usd * 100) / b.limit_micro_usd)}%`;
}

function describe(b: Budget): string {
  const target = b.scope === 'global' ? 'global' : `${b.scope}:${b.scope_id}`;
  return `${target}: ${usdMicro(b.spent_micro_usd)} of ${usd(b.limit_usd_cents)} (${percent(b)}), ${b.mode} mode, ${b.period === 'none' ? 'no period' : `per ${b.period}`}, ${b.status}${b.cap_after_period_usd_cents !== null ? ` (grace: back to ${usd(b.cap_after_period_usd_cents)} next period)` : ''}`;
}

export function budgetCommands(program: Command, io: CliIO): void {
  const budget = program
    .command('budget')
    .description('USD budgets: TARGET is global, agent:NAME, team:ID or mission:ID');

  withGlobalOptions(
    budget
      .command('set <target> <usd>')
      .description('set or raise a cap, in dollars (e.g. 25 or 12.50); a cap above spend un-pauses')
      .option('--mode <mode>', 'warn (never pauses) or cap (pauses at 100%); omitted keeps the current mode')
      .option('--period <period>', 'none, day, week or month; omitted keeps the current period'),
  ).action((targetText: string, amount: string, opts: { mode?: string; period?: string }, cmd: Command) =>
    withConnection(cmd, io, async (conn) => {
      const limit = cents(amount, 'the amount');
      if (opts.mode && opts.mode !== 'warn' && opts.mode !== 'cap') throw usageError(`--mode must be warn or cap, got ${JSON.stringify(opts.mode)}`);
      if (opts.period && !['none', 'day', 'week', 'month'].includes(opts.period)) throw usageError(`--period must be none, day, week or month, got ${JSON.stringify(opts.period)}`);
      const target = await parseTarget(conn.client, targetText);
      const result = await conn.client.call('setBudget', {
        body: { ...target, limit_usd_cents: limit, mode: opts.mode as 'cap' | undefined, period: opts.period as 'day' | undefined },
      });
      if (conn.json) return writeJson(io, result);
      writeLine(io, `Budget set — ${describe(result)}`);
    }),
  );

  withGlobalOptions(
    budget
      .command('list')
      .description('every budget with its spend')
      .option('--scope <scope>', 'only agent, team, mission or global budgets')
      .option('--status <status>', 'only active or paused budgets'),
  ).action((opts: { scope?: string; status?: string }, cmd: Command) =>
    withConnection(cmd, io, async (conn) => {
      if (opts.scope && !(BUDGET_SCOPES as readonly string[]).includes(opts.scope)) throw usageError(`--scope must be one of ${BUDGET_SCOPES.join(', ')}`);
      if (opts.status && opts.status !== 'active' && opts.status !== 'paused') throw usageError('--status must be active or paused');
      const all: Budget[] = [];
      for await (const b of conn.client.paginate('listBudgets', { query: { limit: 500, scope: opts.scope as Scope | undefined, status: opts.status as 'paused' | undefined } })) all.push(b);
      if (conn.json) return writeJson(io, all);
      printTable(
        io,
        ['SCOPE', 'ID', 'MODE', 'PERIOD', 'SPENT', 'RESERVED', 'LIMIT', 'USED', 'STATUS'],
        all.map((b) => [b.scope, b.scope_id, b.mode, b.period, usdMicro(b.spent_micro_usd), usdMicro(b.reserved_micro_usd), usd(b.limit_usd_cents), percent(b), b.status === 'paused' ? `paused (${b.paused_reason ?? 'manual'})` : b.status]),
        'no budgets: every scope is uncapped — set one with `warden budget set global 50 --mode cap`',
      );
    }),
  );

  withGlobalOptions(
    budget
      .command('pause <target>')
      .description('manual kill-switch for one scope: its actions BLOCK until resumed')
      .option('--reason <text>', 'why, for the audit log'),
  ).action((targetText: string, opts: { reason?: string }, cmd: Command) =>
    withConnection(cmd, io, async (conn) => {
      const target = await parseTarget(conn.client, targetText);
      const result = await conn.client.call('pauseBudget', { params: target, body: opts.reason ? { reason: opts.reason } : {} });
      if (conn.json) return writeJson(io, result);
      writeLine(io, `Paused — ${describe(result)}`);
    }),
  );

  withGlobalOptions(
    budget
      .command('resume <target>')
      .description('force a paused budget active; --grace raises the cap to spend + grace')
      .option('--grace <usd>', 'extra dollars above current spend')
      .option('--for-period', 'with --grace: only until the next period boundary, when the original cap returns'),
  ).action((targetText: string, opts: { grace?: string; forPeriod?: boolean }, cmd: Command) =>
    withConnection(cmd, io, async (conn) => {
      const grace = opts.grace === undefined ? undefined : cents(opts.grace, '--grace');
      if (opts.forPeriod && grace === undefined) throw usageError('--for-period needs --grace USD');
      const target = await parseTarget(conn.client, targetText);
      const body = grace ? { grace_usd_cents: grace, grace_for: opts.forPeriod ? ('period' as const) : ('cap' as const) } : {};
      const result = await conn.client.call('resumeBudget', { params: target, body });
      if (conn.json) return writeJson(io, result);
      writeLine(io, `Resumed — ${describe(result.budget)}`);
      if (result.will_repause) {
        writeLine(io, 'Warning: spend is still at or above the cap, so the next spend will pause it again (use --grace or `budget set` to raise it).');
      }
    }),
  );

  withGlobalOptions(budget.command('delete <target>').description('remove the budget: the scope becomes uncapped')).action(
    (targetText: string, _opts: unknown, cmd: Command) =>
      withConnection(cmd, io, async (conn) => {
        const target = await parseTarget(conn.client, targetText);
        const result = await conn.client.call('deleteBudget', { params: target });
        if (conn.json) return writeJson(io, result);
        writeLine(io, `Deleted the ${result.scope === 'global' ? 'global' : `${result.scope}:${result.scope_id}`} budget; that scope is uncapped.`);
      }),
  );
}
