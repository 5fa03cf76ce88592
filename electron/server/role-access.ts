/**
 * The one operator-role check: each operator-token call against the least role its route
 * declares (`RouteDef.role`; reads default to viewer). Roles rank viewer < member < admin < owner;
 * a lower role → 403 `insufficient_scope` naming the role needed. Agent keys are governed by their
 * scopes and row access instead, never by roles.
 */
import type { RouteDef } from '../../shared/api/contract.js';
import { OPERATOR_ROLES, type OperatorRole } from '../../shared/vocabulary.js';
import { HttpError } from './errors.js';
import type { Principal } from './principal.js';

export function roleRank(role: OperatorRole): number {
  return OPERATOR_ROLES.indexOf(role);
}

export function roleAtLeast(held: OperatorRole, needed: OperatorRole): boolean {
  return roleRank(held) >= roleRank(needed);
}

/**
 * The least role a route needs. A read without `role` is open to viewers; a write without one is
 * refused at start (`checkRoleDeclared`), and closed to all but owners should one ever slip by.
 */
export function neededRole(def: RouteDef): OperatorRole {
  return def.role ?? (def.method === 'GET' ? 'viewer' : 'owner');
}

/** Throws unless a route an operator token can call declares its least role when it changes something. */
export function checkRoleDeclared(name: string, def: RouteDef): void {
  if (def.auth === 'public' || def.method === 'GET' || def.role) return;
  throw new Error(`route ${name} (${def.method} ${def.path}) changes something but declares no operator role`);
}

/** 403 unless an operator's role reaches the route's; other callers pass through. */
export function authorizeRole(def: RouteDef, principal: Principal | null): void {
  if (principal?.kind !== 'operator') return;
  const needed = neededRole(def);
  if (roleAtLeast(principal.role, needed)) return;
  throw new HttpError(
    403,
    'insufficient_scope',
    `this needs the ${needed} role; operator ${principal.name} is ${principal.role}. An owner can change roles with PATCH /v1/operators/{id}`,
  );
}
