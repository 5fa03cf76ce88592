/** `holdsPermission`: what a workflow `permission` guard asks of the caller. */
import { describe, expect, it } from 'vitest';
import { holdsPermission, type Principal } from '../../../electron/server/principal.js';
import { effectivePermissions } from '../../../electron/operators/service.js';

const agent = (permissions: string[]): Principal => ({ kind: 'agent', agentId: 'agt_1', keyId: 'key_1', scopes: [], permissions });
const operator = (role: 'viewer' | 'owner', stored: string): Principal => ({
  kind: 'operator',
  operatorId: 'opr_1',
  name: 'o',
  role,
  permissions: effectivePermissions(role, stored),
});

describe('permissions', () => {
  it('a caller holds the names on its list, `*` holds every one, and no caller holds none', () => {
    expect(holdsPermission(agent(['deploy:prod']), 'deploy:prod')).toBe(true);
    expect(holdsPermission(agent(['deploy:prod']), 'deploy:staging')).toBe(false);
    expect(holdsPermission(agent(['deploy:*']), 'deploy:prod')).toBe(false);
    expect(holdsPermission(agent(['*']), 'anything')).toBe(true);
    expect(holdsPermission(null, 'deploy:prod')).toBe(false);
  });

  it('an owner holds `*` whatever its stored list; other roles hold their list', () => {
    expect(holdsPermission(operator('owner', '[]'), 'refunds.approve')).toBe(true);
    expect(holdsPermission(operator('viewer', '["refunds.approve"]'), 'refunds.approve')).toBe(true);
    expect(holdsPermission(operator('viewer', '[]'), 'refunds.approve')).toBe(false);
  });
});
