/** Human-readable output: aligned tables, money, times. `--json` output bypasses all of this. */
import type { CliIO } from './io.js';

export function writeLine(io: CliIO, line = ''): void {
  io.stdout.write(`${line}\n`);
}

export function writeJson(io: CliIO, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Columns padded to their widest cell; the last column is not padded. */
export function table(headers: string[], rows: (string | number | null | undefined)[][]): string {
  const cells = [headers, ...rows.map((row) => row.map((c) => (c === null || c === undefined || c === '' ? '-' : String(c))))];
  const widths = headers.map((_, i) => Math.max(...cells.map((row) => (row[i] ?? '').length)));
  return cells
    .map((row) =>
      row
        .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function printTable(io: CliIO, headers: string[], rows: (string | number | null | undefined)[][], empty = '(none)'): void {
  if (rows.length === 0) {
    writeLine(io, empty);
    return;
  }
  writeLine(io, table(headers, rows));
}

/** Whole cents as dollars: 1250 → `$12.50`. Integer arithmetic only. */
export function usd(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}$${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** Micro-USD as dollars with as many decimals as needed (at least 2): 1234 → `$0.001234`. */
export function usdMicro(micro: number): string {
  const sign = micro < 0 ? '-' : '';
  const abs = Math.abs(micro);
  const whole = Math.floor(abs / 1_000_000);
  const frac = String(abs % 1_000_000).padStart(6, '0').replace(/0+$/, '').padEnd(2, '0');
  return `${sign}$${whole}.${frac}`;
}

/**
 * A dollar amount typed by a person (`12`, `12.5`, `$12.50`) as whole cents, parsed without
 * floating point. Returns null when it is not such an amount.
 */
export function parseUsdToCents(text: string): number | null {
  const m = /^\$?(\d{1,13})(?:\.(\d{1,2}))?$/.exec(text.trim());
  if (!m) return null;
  return Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
}

/** `2026-11-23T19:52:13.000Z` → `2026-11-23 19:52:13Z`, compact for tables. */
export function shortTime(iso: string | null | undefined): string {
  if (!iso) return '-';
  return iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

/** Seconds until `iso` as `4m10s`, or `expired`. */
export function timeLeft(iso: string, now = Date.now()): string {
  const s = Math.round((Date.parse(iso) - now) / 1000);
  if (!Number.isFinite(s)) return '-';
  if (s <= 0) return 'expired';
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

export function truncate(text: string, max: number): string {
  const oneLine = text.replace(/\s+/g, ' ');
  return oneLine.length <= max ? oneLine : `${oneLine.slice(0, max - 1)}…`;
}
