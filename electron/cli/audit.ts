/** `warden audit tail|verify|export`: read, follow, check and export the hash-chained audit log. */
import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Command } from 'commander';
import type { AuditEntry } from '../../shared/api/audit.js';
import { withConnection, withGlobalOptions, type Connection } from './context.js';
import { CliExit, usageError, type CliIO } from './io.js';
import { parsePositiveInt } from './options.js';
import { shortTime, table, truncate, writeJson, writeLine } from './output.js';

interface FilterOpts {
  type?: string;
  agent?: string;
  actor?: string;
  since?: string;
  until?: string;
}

function filterQuery(opts: FilterOpts) {
  for (const [flag, value] of [
    ['--since', opts.since],
    ['--until', opts.until],
  ] as const) {
    if (value !== undefined && Number.isNaN(Date.parse(value))) throw usageError(`${flag} must be an RFC 3339 time such as 2026-01-31T09:00:00Z, got ${JSON.stringify(value)}`);
  }
  return {
    event_type: opts.type,
    agent_id: opts.agent,
    actor: opts.actor,
    since: opts.since ? new Date(opts.since).toISOString() : undefined,
    until: opts.until ? new Date(opts.until).toISOString() : undefined,
  };
}

function withFilters(cmd: Command): Command {
  return cmd
    .option('--type <types>', 'event types, comma-separated; `policy.*` matches a family')
    .option('--agent <agent_id>', 'only events of this agent')
    .option('--actor <actor>', 'only events by this actor (e.g. operator:opr_…, agent:agt_…)')
    .option('--since <time>', 'from this time (RFC 3339)')
    .option('--until <time>', 'up to this time (RFC 3339)');
}

/** The few facts of an event worth a glance, as `key=value` pairs. */
export function summarize(entry: AuditEntry): string {
  // Domain events often nest the object they concern (`{agent: {...}}`): look one level in too.
  const d: Record<string, unknown> = {};
  for (const v of Object.values(entry.data)) {
    if (v && typeof v === 'object' && !Array.isArray(v)) for (const [ik, iv] of Object.entries(v)) d[ik] ??= iv;
  }
  Object.assign(d, entry.data);
  const keys = ['tool', 'decision', 'status', 'resolution', 'name', 'scope', 'scope_id', 'version', 'engaged', 'amount_micro_usd', 'block_code', 'reason', 'explanation'];
  const parts = keys.filter((k) => d[k] !== undefined && d[k] !== null && typeof d[k] !== 'object').map((k) => `${k}=${String(d[k])}`);
  return truncate(parts.length ? parts.join(' ') : JSON.stringify(d), 120);
}

function rows(entries: AuditEntry[]): string[][] {
  return entries.map((e) => [shortTime(e.at), e.event_type, e.actor, e.subject_id ?? '-', summarize(e)]);
}

async function newerThan(conn: Connection, query: ReturnType<typeof filterQuery>, afterSeq: number, since: string | undefined): Promise<AuditEntry[]> {
  const fresh: AuditEntry[] = [];
  // A second of overlap in case `since` is exclusive or clocks tie; `seq` drops what was printed.
  const from = since ? new Date(Date.parse(since) - 1000).toISOString() : query.since;
  for await (const e of conn.client.paginate('listAudit', { query: { ...query, since: query.since && from && query.since > from ? query.since : from, limit: 500 } })) {
    if (e.seq <= afterSeq) break; // newest first: everything after this was already printed
    fresh.push(e);
  }
  return fresh.reverse();
}

export function auditCommands(program: Command, io: CliIO): void {
  const audit = program.command('audit').description('read, follow, verify and export the audit log');

  withGlobalOptions(
    withFilters(
      audit
        .command('tail')
        .description('the latest audit events, oldest first; --follow keeps printing new ones')
        .option('-n, --lines <n>', 'how many events', parsePositiveInt, 20)
        .option('-f, --follow', 'keep polling for new events until interrupted')
        .option('--interval <ms>', 'poll interval with --follow', parsePositiveInt, 1000),
    ),
  ).action((opts: FilterOpts & { lines: number; follow?: boolean; interval: number }, cmd: Command) =>
    withConnection(cmd, io, async (conn) => {
      const query = filterQuery(opts);
      const page = await conn.client.call('listAudit', { query: { ...query, limit: Math.min(opts.lines, 500) } });
      const first = page.data.slice().reverse();
      const print = (entries: AuditEntry[], header: boolean) => {
        if (conn.json) {
          for (const e of entries) io.stdout.write(`${JSON.stringify(e)}\n`);
          return;
        }
        if (entries.length === 0) return;
        const text = table(['TIME', 'EVENT', 'ACTOR', 'SUBJECT', 'DETAIL'], rows(entries));
        const lines = text.split('\n');
        io.stdout.write(`${(header ? lines : lines.slice(1)).join('\n')}\n`);
      };
      if (!opts.follow && conn.json) return writeJson(io, first);
      if (!opts.follow && first.length === 0) return writeLine(io, '(no audit events match)');
      print(first, true);
      if (!opts.follow) return;

      let lastSeq = first.at(-1)?.seq ?? 0;
      let lastAt = first.at(-1)?.at;
      while (!io.signal?.aborted) {
        try {
          await sleep(opts.interval, undefined, { signal: io.signal });
        } catch {
          return; // aborted
        }
        const fresh = await newerThan(conn, query, lastSeq, lastAt);
        if (fresh.length === 0) continue;
        print(fresh, false);
        lastSeq = fresh.at(-1)!.seq;
        lastAt = fresh.at(-1)!.at;
      }
    }),
  );

  withGlobalOptions(
    audit
      .command('verify')
      .description('recompute the hash chain (from the last row found sound; --full: from the first); exit 1 if it is broken')
      .option('--full', 'check every row, not only those added since the last verify'),
  ).action((opts: { full?: boolean }, cmd: Command) =>
    withConnection(cmd, io, async (conn) => {
      const result = await conn.client.call('verifyAudit', opts.full ? { query: { full: 'true' } } : {});
      if (conn.json) writeJson(io, result);
      else if (result.ok) writeLine(io, `audit chain ok: ${result.rows} rows verified`);
      else writeLine(io, `audit chain BROKEN at ${result.first_bad_id} (${result.rows} rows checked)`);
      if (!result.ok) throw new CliExit(1);
    }),
  );

  withGlobalOptions(
    withFilters(
      audit
        .command('export')
        .description('the (filtered) audit log, oldest first, as JSON lines or CSV')
        .option('--format <format>', 'jsonl or csv', 'jsonl')
        .option('-o, --output <file>', 'write to a file instead of stdout'),
    ),
  ).action((opts: FilterOpts & { format: string; output?: string }, cmd: Command) =>
    withConnection(cmd, io, async (conn) => {
      if (opts.format !== 'jsonl' && opts.format !== 'csv') throw usageError(`--format must be jsonl or csv, got ${JSON.stringify(opts.format)}`);
      const res = await conn.client.raw('exportAudit', { query: { ...filterQuery(opts), format: opts.format } });
      if (!res.body) return;
      const body = Readable.fromWeb(res.body as WebReadableStream<Uint8Array>);
      if (opts.output) {
        await pipeline(body, createWriteStream(opts.output, { mode: 0o600 }));
        io.stderr.write(`wrote ${opts.output}\n`);
      } else {
        await pipeline(body, io.stdout, { end: false });
      }
    }),
  );
}
