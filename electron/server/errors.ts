/** The one error type inside the server; it becomes API.md's error body on the wire. */
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

/** Turns the first zod issue into a 400 that names the failing parameter. */
export function fromZodError(error: z.ZodError, where: 'body' | 'query' | 'params'): HttpError {
  const issue = error.issues[0];
  if (!issue) return new HttpError(400, 'invalid_parameter', `invalid ${where}`);
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0] ?? '';
    const param = formatPath([...issue.path, key]);
    return new HttpError(400, 'invalid_parameter', `unknown field ${param}`, param);
  }
  const param = formatPath(issue.path);
  const missing = issue.code === 'invalid_type' && /received undefined/.test(issue.message);
  if (missing) {
    return new HttpError(400, 'missing_parameter', `${param || where} is required`, param || undefined);
  }
  if (!param) return new HttpError(400, 'invalid_parameter', `${where}: ${issue.message.toLowerCase()}`);
  return new HttpError(400, 'invalid_parameter', `${param}: ${issue.message.toLowerCase()}`, param);
}
