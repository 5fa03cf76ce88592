/**
 * The signed-in operator's role (viewer < member < admin < owner) for the Workflows pages, read
 * once from `GET /v1/me`: a control the role cannot use is disabled and says which role it needs.
 * The server decides (403 insufficient_scope); this only keeps the UI honest about it.
 */
import { useEffect, useState } from 'react';
import { OPERATOR_ROLES, type OperatorRole } from '../../../../shared/vocabulary.js';
import { api } from '../../lib/api';

let known: Promise<OperatorRole | null> | null = null;

function loadRole(): Promise<OperatorRole | null> {
  known ??= api()
    .call('me')
    .then((me) => (me.object === 'operator' && 'role' in me ? me.role : null))
    .catch(() => {
      known = null;
      return null;
    });
  return known;
}

/** The operator's role; null while unknown (then nothing is disabled: the server still decides). */
export function useOperatorRole(): OperatorRole | null {
  const [role, setRole] = useState<OperatorRole | null>(null);
  useEffect(() => {
    let live = true;
    void loadRole().then((r) => {
      if (live) setRole(r);
    });
    return () => {
      live = false;
    };
  }, []);
  return role;
}

/** Why `role` cannot do what needs `least`, or null when it can (or the role is not known). */
export function roleShortfall(role: OperatorRole | null, least: OperatorRole): string | null {
  if (!role || OPERATOR_ROLES.indexOf(role) >= OPERATOR_ROLES.indexOf(least)) return null;
  return `needs the ${least} role (you are ${role})`;
}
