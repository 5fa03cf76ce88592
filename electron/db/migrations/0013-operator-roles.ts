import type { Migration } from '../migrate.js';

/**
 * Operator roles (viewer < member < admin < owner) and the `permissions` lists that operators and
 * agents carry (workflow `permission` guards read them; an owner holds `*`).
 *
 * Existing operators: the token-file operator (named `owner`, or the oldest if none is) becomes
 * `owner`, so a solo user keeps every power. Any other existing operator becomes `admin`: before
 * roles they could do everything except manage operators, and `admin` keeps all of that except
 * governance settings, quota overrides and backups; the migration never grants a power nobody
 * granted (managing operators), and the owner restores the rest with one role change.
 */
export const operatorRoles: Migration = {
  version: 13,
  name: 'operator-roles',
  up: `
    ALTER TABLE operators ADD COLUMN role TEXT NOT NULL DEFAULT 'viewer'
      CHECK (role IN ('viewer', 'member', 'admin', 'owner'));
    ALTER TABLE operators ADD COLUMN permissions TEXT NOT NULL DEFAULT '[]';
    ALTER TABLE agents ADD COLUMN permissions TEXT NOT NULL DEFAULT '[]';
    UPDATE operators SET role = CASE
      WHEN id = (SELECT id FROM operators ORDER BY (name = 'owner') DESC, created_at ASC, id ASC LIMIT 1) THEN 'owner'
      ELSE 'admin'
    END;
  `,
};
