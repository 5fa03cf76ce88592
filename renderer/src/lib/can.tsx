/**
 * What the signed-in operator's role may do, read from the route table (each route that changes
 * something names its least role; reads are open to every role). The server enforces the same
 * table; the UI only spares a click that would be refused, and says why.
 */
import { cloneElement, type ButtonHTMLAttributes, type ReactElement } from 'react';
import { routeTable, type RouteEntry } from '../../../shared/api/route-table.js';
import type { RouteName } from '../../../shared/api/index.js';
import { OPERATOR_ROLES, type OperatorRole } from '../../../shared/vocabulary.js';
import { useSession } from '../stores/session';

export interface Can {
  allowed: boolean;
  /** The least role the route needs. */
  needed: OperatorRole;
  /** Why not ("needs admin — you are member"), when not allowed. */
  reason: string | undefined;
}

export function neededRole(route: RouteName): OperatorRole {
  const entry: RouteEntry = routeTable[route];
  return entry.role ?? (entry.method === 'GET' ? 'viewer' : 'owner');
}

export function canWith(role: OperatorRole | undefined, route: RouteName): Can {
  const needed = neededRole(route);
  // Until the session knows the role, nothing is disabled: the server still decides.
  const allowed = !role || OPERATOR_ROLES.indexOf(role) >= OPERATOR_ROLES.indexOf(needed);
  return { allowed, needed, reason: allowed ? undefined : `needs ${needed} — you are ${role}` };
}

/** Whether the signed-in operator may call `route`. */
export function useCan(route: RouteName): Can {
  const role = useSession((s) => s.operator?.role);
  return canWith(role, route);
}

/**
 * Wraps one control that calls `route`: when the role cannot, the control is disabled and its
 * title says which role it needs.
 */
export function Gate({ route, children }: { route: RouteName; children: ReactElement<ButtonHTMLAttributes<HTMLElement>> }) {
  const can = useCan(route);
  if (can.allowed) return children;
  return cloneElement(children, { disabled: true, title: can.reason, 'aria-disabled': true, onClick: undefined });
}
