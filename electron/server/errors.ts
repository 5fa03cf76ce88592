/** The one error type inside the server; it becomes the one error body on the wire. */
import type { z } from 'zod';
import type { ErrorBody, ErrorCode } from '../../shared/api/common.js';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly param?: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }

  toBody(): ErrorBody {
    return { error: { code: this.code, message: this.message, ...(this.param ? { param: this.param } : {}) } };
  }
}

export const notFound = (what: string, id: string) => new HttpError(404, 'not_found', `no ${what} with id ${id}`);
export const conflict = (message: string, param?: string) => new HttpError(409, 'state_conflict', message, param);
export const invalid = (param: string, message: string) => new HttpError(400, 'invalid_parameter', message, param);
export const unprocessable = (message: string, param?: string) => new HttpError(422, 'unprocessable', message, param);

/** `rules[0].max_value` from zod's `['rules', 0, 'max_value']`. */
export function formatPath(path: readonly PropertyKey[], root?: string): string {
  let out = root ?? '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out ? `.${String(seg)}` : String(seg);
  }
  return out;
}

/**
 * Messages start lowercase, but only the first letter of a capitalized word is
 * lowered: zod's `Invalid option: expected one of "ALLOW"|"ALERT"` keeps the values it quotes,
 * and a message that opens with an acronym or a quoted value is left as it is.
 */
export function lowerFirst(message: string): string {
  return /^[A-Z][a-z]/.test(message) ? message[0]!.toLowerCase() + message.slice(1) : message;
}

/** How many segments of an issue's path the param shows (`rules[0].expr.all_of[1]` is five). */
const MAX_PARAM_SEGMENTS = 8;

/** The input at `path`, reading own properties only; `undefined` when any step is absent. */
function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let v = input;
  for (const seg of path) {
    if (v === null || typeof v !== 'object' || typeof seg === 'symbol' || !Object.hasOwn(v, seg)) return undefined;
    v = (v as Record<PropertyKey, unknown>)[seg];
  }
  return v;
}

/**
 * Turns the first zod issue into a 400 that names the failing parameter. A parameter the input
 * lacks is `missing_parameter`, whatever check noticed it: zod reports an absent enum or literal
 * as `invalid_value` and an absent union as `invalid_union`, with nothing in the issue saying
 * the value was absent, so `input` (what was parsed) is consulted.
 */
export function fromZodError(error: z.ZodError, where: 'body' | 'query' | 'params', input: unknown): HttpError {
  // An unknown field is named first: a misspelt parameter also leaves the one meant missing.
  const issue = error.issues.find((i) => i.code === 'unrecognized_keys') ?? error.issues[0];
  if (!issue) return new HttpError(400, 'invalid_parameter', `invalid ${where}`);
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0] ?? '';
    const param = formatPath([...issue.path, key]);
    return new HttpError(400, 'invalid_parameter', `unknown field ${param}`, param);
  }
  // A param names where to look. Past a few levels the ancestor serves as well, and a guard
  // nested past its depth limit would otherwise echo 33 `.not`s, twice.
  const param = formatPath(issue.path.slice(0, MAX_PARAM_SEGMENTS));
  const missing = valueAt(input, issue.path) === undefined;
  if (missing) {
    return new HttpError(400, 'missing_parameter', `${param || where} is required`, param || undefined);
  }
  const message = lowerFirst(issue.message);
  if (!param) return new HttpError(400, 'invalid_parameter', `${where}: ${message}`);
  return new HttpError(400, 'invalid_parameter', `${param}: ${message}`, param);
}
