/** Parsing what `warden gate …` is given: files, resources, answers, evidence, decisions. */
import { readFileSync } from 'node:fs';
import { usageError, type CliIO } from './io.js';

/** A JSON object from FILE, or from stdin when FILE is `-`. */
export async function readJsonObject(path: string, io: CliIO, what: string): Promise<Record<string, unknown>> {
  let text: string;
  if (path === '-') {
    const chunks: Buffer[] = [];
    for await (const c of io.stdin) chunks.push(typeof c === 'string' ? Buffer.from(c) : (c as Buffer));
    text = Buffer.concat(chunks).toString('utf8');
  } else {
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      throw usageError(`cannot read ${what} ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw usageError(`${what} ${path === '-' ? '(stdin)' : path} is not JSON: ${(err as Error).message}`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw usageError(`${what} must be a JSON object`);
  return parsed as Record<string, unknown>;
}

/** `mcp_server:filesystem` → `{type, id}`; the id may itself hold colons. */
export function parseResource(text: string): { type: string; id: string } {
  const at = text.indexOf(':');
  if (at <= 0 || at === text.length - 1) throw usageError(`a resource is TYPE:ID such as mcp_server:filesystem, got ${JSON.stringify(text)}`);
  return { type: text.slice(0, at), id: text.slice(at + 1) };
}

/** `--answer q1="yes, read-only"` → `['q1', 'yes, read-only']`. */
export function parseAnswer(text: string): [string, string] {
  const at = text.indexOf('=');
  if (at <= 0) throw usageError(`an answer is QUESTION_ID=TEXT, got ${JSON.stringify(text)}`);
  return [text.slice(0, at), text.slice(at + 1)];
}

/** `--evidence wrun_1:sast_report` → `{run_id, kind}`. */
export function parseEvidence(text: string): { run_id: string; kind: string } {
  const at = text.lastIndexOf(':');
  if (at <= 0 || at === text.length - 1) throw usageError(`evidence is RUN_ID:KIND such as wrun_123:sast_report, got ${JSON.stringify(text)}`);
  return { run_id: text.slice(0, at), kind: text.slice(at + 1) };
}

export function parseDataJson(text: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw usageError(`--data must be a JSON object, got ${JSON.stringify(text)}`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw usageError('--data must be a JSON object');
  return parsed as Record<string, unknown>;
}

export type ReviewDecisionKind = 'approved' | 'denied' | 'conditional';

const DECISION_WORDS: Record<string, ReviewDecisionKind> = {
  approve: 'approved',
  approved: 'approved',
  deny: 'denied',
  denied: 'denied',
  conditional: 'conditional',
  conditionally: 'conditional',
};

export function parseDecision(text: string): ReviewDecisionKind {
  const d = DECISION_WORDS[text.toLowerCase()];
  if (!d) throw usageError(`decision must be approve, deny or conditional, got ${JSON.stringify(text)}`);
  return d;
}

export function parseBoolean(text: string, option: string): boolean {
  if (text === 'true' || text === 'yes') return true;
  if (text === 'false' || text === 'no') return false;
  throw usageError(`${option} must be true or false, got ${JSON.stringify(text)}`);
}

/** Repeatable options collect into a list. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
