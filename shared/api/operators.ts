/** Operators: the people who answer approvals, each with a token of their own; the owner manages them. */
import { z } from 'zod';
import { defineRoute } from './contract.js';
import { OPERATOR_ROLES } from '../vocabulary.js';
import { IdentityName, IdParams, ListQuery, Timestamp, listOf } from './common.js';

/**
 * A permission name a workflow `permission` guard can ask for (`deploy:prod`, `refunds.approve`),
 * or `*` for every one.
 */
export const Permission = z
  .string()
  .max(100)
  .regex(/^(\*|[a-z0-9][a-z0-9_.:-]*)$/i, 'a permission is `*` or letters, digits and `_ . : -`, starting with a letter or digit');
export const Permissions = z.array(Permission).max(100);

export const Operator = z.object({
  id: z.string(),
  object: z.literal('operator'),
  name: z.string(),
  /** Holds the `owner` role: may manage operators and roles, governance settings and backups. */
  is_owner: z.boolean(),
  /** What the operator may do (viewer < member < admin < owner); see WORKFLOWS.md "Operator roles". */
  role: z.enum(OPERATOR_ROLES),
  /** Permission names workflow `permission` guards check; an owner holds `*`. */
  permissions: z.array(z.string()),
  created_at: Timestamp,
  /** Set once revoked: its token answers 401 from then on. */
  revoked_at: Timestamp.nullable(),
});
export type Operator = z.infer<typeof Operator>;

export const operatorRoutes = {
  createOperator: defineRoute({
    method: 'POST', path: '/v1/operators', auth: 'operator', role: 'owner', tag: 'operators', status: 201,
    summary: 'Owner only: add an operator identity with its own token, shown once (never stored: an Idempotency-Key replay is 409).',
    body: z.strictObject({ name: IdentityName, role: z.enum(OPERATOR_ROLES).default('member') }),
    response: Operator.extend({ token: z.string() }),
  }),
  listOperators: defineRoute({
    method: 'GET', path: '/v1/operators', auth: 'operator', tag: 'operators',
    summary: 'List operators.', query: ListQuery, response: listOf(Operator),
  }),
  revokeOperator: defineRoute({
    method: 'DELETE', path: '/v1/operators/:id', auth: 'operator', role: 'owner', tag: 'operators',
    summary: 'Owner only: revoke an operator; its token answers 401 at once. The operator of operator.token and the last owner cannot be revoked (409).',
    params: IdParams, response: Operator,
  }),
  updateOperator: defineRoute({
    method: 'PATCH', path: '/v1/operators/:id', auth: 'operator', role: 'owner', tag: 'operators',
    summary: "Owner only: change an operator's role or replace its permissions. The last owner cannot be demoted (409).",
    params: IdParams,
    body: z.strictObject({ role: z.enum(OPERATOR_ROLES).optional(), permissions: Permissions.optional() }),
    response: Operator,
  }),
  rotateOperator: defineRoute({
    method: 'POST', path: '/v1/operators/:id/rotate', auth: 'operator', role: 'owner', tag: 'operators',
    summary: "Owner only: a new token for an operator, shown once; the old one answers 401 at once. The owner's new token is also written to operator.token.",
    params: IdParams, response: Operator.extend({ token: z.string() }),
  }),
};
