/**
 * Who is calling: an operator (the powers of its role) or an agent key (its scopes only). Both
 * carry a `permissions` list, which workflow `permission` guards read; an owner holds `*`.
 */
import type { RouteAuth } from '../../shared/api/contract.js';
import type { AgentScope, OperatorRole } from '../../shared/vocabulary.js';
import { HttpError } from './errors.js';

export type Principal =
  | { kind: 'operator'; operatorId: string; name: string; role: OperatorRole; permissions: readonly string[] }
  | { kind: 'agent'; agentId: string; keyId: string; scopes: readonly AgentScope[]; permissions: readonly string[] };

/** The audit `actor` string: `operator:opr_…`, `agent:agt_…` or `system`. */
export function actorOf(principal: Principal | null): string {
  if (!principal) return 'system';
  return principal.kind === 'operator' ? `operator:${principal.operatorId}` : `agent:${principal.agentId}`;
}

/** Throws 401/403 unless `principal` may call a route guarded by `auth`. */
export function authorize(auth: RouteAuth, principal: Principal | null): void {
  if (auth === 'public') return;
  if (!principal) {
    throw new HttpError(401, 'unauthenticated', 'a valid key is required: send Authorization: Bearer KEY or X-API-Key');
  }
  if (principal.kind === 'operator' || auth === 'authenticated') return;
  // INVARIANT: an agent key never reaches an operator route, whatever scopes it carries.
  if (auth === 'operator') {
    throw new HttpError(403, 'insufficient_scope', 'this route needs the operator token; agent keys cannot call it');
  }
  if (!principal.scopes.includes(auth)) {
    throw new HttpError(403, 'insufficient_scope', `this key lacks the ${auth} scope`);
  }
}

export function requireAgent(principal: Principal | null): Extract<Principal, { kind: 'agent' }> {
  if (principal?.kind !== 'agent') throw new HttpError(403, 'insufficient_scope', 'this route needs an agent key');
  return principal;
}

export function requireOperator(principal: Principal | null): Extract<Principal, { kind: 'operator' }> {
  if (principal?.kind !== 'operator') throw new HttpError(403, 'insufficient_scope', 'this route needs the operator token');
  return principal;
}

/** Whether the caller holds a permission by name (`*` holds every one); fail closed for no caller. */
export function holdsPermission(principal: Principal | null, permission: string): boolean {
  if (!principal) return false;
  return principal.permissions.includes('*') || principal.permissions.includes(permission);
}
