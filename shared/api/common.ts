/** Schemas shared by many routes: errors, ids, lists, timestamps. */
import { z } from 'zod';

export const ERROR_CODES = [
  'missing_parameter',
  'invalid_parameter',
  'invalid_json',
  'unauthenticated',
  'insufficient_scope',
  'forbidden_host',
  'forbidden_origin',
  'not_found',
  'state_conflict',
  'idempotency_conflict',
  'approval_expired',
  'already_resolved',
  'payload_too_large',
  'unprocessable',
  'rate_limited',
  'internal_error',
  /** A workflow guard refused the transition (422; `details` says which, `links` what is legal now). */
  'guard_rejected',
  /** A workflow transition's actor does not match the caller (403): human steps refuse agent keys. */
  'actor_mismatch',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export const ErrorBody = z.object({
  error: z.object({
    code: z.enum(ERROR_CODES),
    message: z.string(),
    param: z.string().optional(),
    /** More about the failure (a workflow guard: which one and why). */
    details: z.record(z.string(), z.unknown()).optional(),
    /** The legal next steps of a workflow run, so an agent can recover. */
    links: z.array(z.record(z.string(), z.unknown())).optional(),
  }),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

/** RFC 3339 UTC timestamp string. */
export const Timestamp = z.iso.datetime({ offset: true });

/** A prefixed object id such as `agt_…`. */
export const idOf = (prefix: string) =>
  z.string().regex(new RegExp(`^${prefix}_[A-Za-z0-9_-]{1,64}$`), `expected an id starting with ${prefix}_`);

/** The name of an agent or operator. */
export const IdentityName = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'expected letters, digits, ".", "_" or "-"');

/** An id a caller names in a path, body or query. */
export const RefId = z.string().min(1).max(100);

export const IdParams = z.strictObject({ id: RefId });

/** `limit` (1–500, default 50) and `cursor`, the query of every list. */
export const ListQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().min(1).max(500).optional(),
});

export const listOf = <T extends z.ZodType>(item: T) =>
  z.object({
    object: z.literal('list'),
    data: z.array(item),
    has_more: z.boolean(),
    next_cursor: z.string().nullable(),
  });

export interface ListPage<T> {
  object: 'list';
  data: T[];
  has_more: boolean;
  next_cursor: string | null;
}

/** Query booleans arrive as strings. */
export const QueryBool = z.enum(['true', 'false']).transform((v) => v === 'true');

export const OkResponse = z.object({ ok: z.literal(true) });

/** Seconds an agent says it keeps waiting on its request in all, across its long-polls (up to a day). */
export const AgentWillWait = z.coerce.number().int().min(0).max(86_400);
