/**
 * Operators: the humans who answer approvals. `owner` exists from the first start with the owner
 * role; its token lives in `DATA_DIR/operator.token` (mode 0600). More operators count toward
 * approval thresholds. Each has a role (viewer < member < admin < owner, checked per route by the
 * request pipeline) and a permissions list. Only owners manage operators; the operator.token
 * operator cannot be revoked, and the last owner can be neither demoted nor revoked.
 */
import { chmodSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { ListPage } from '../../shared/api/common.js';
import type { Operator } from '../../shared/api/operators.js';
import type { OperatorRole } from '../../shared/vocabulary.js';
import { toIso } from '../common/clock.js';
import { hashSecret, newSecret } from '../common/ids.js';
import { immediate, onCommit } from '../db/connection.js';
import type { EventBus } from '../events/bus.js';
import { conflict, notFound } from '../server/errors.js';
import { decodeCursor, isString, page } from '../server/pagination.js';
import { RecordingService, type RecordingDeps } from '../common/service-deps.js';

export const OWNER_NAME = 'owner';

interface OperatorRow {
  id: string;
  name: string;
  token_hash: string;
  role: OperatorRole;
  /** JSON list of permission names. */
  permissions: string;
  created_at: string;
  revoked_at: string | null;
}

/** Who an operator token belongs to, as authentication needs it. */
export interface LiveOperator {
  operatorId: string;
  name: string;
  role: OperatorRole;
  permissions: readonly string[];
}

/** The permissions an operator holds: an owner holds every one (`*`), others their list. */
export function effectivePermissions(role: OperatorRole, stored: string): readonly string[] {
  return role === 'owner' ? ['*'] : (JSON.parse(stored) as string[]);
}

const toOperator = (r: OperatorRow): Operator => ({
  id: r.id,
  object: 'operator',
  name: r.name,
  is_owner: r.role === 'owner',
  role: r.role,
  permissions: [...effectivePermissions(r.role, r.permissions)],
  created_at: r.created_at,
  revoked_at: r.revoked_at,
});

/** Writes a token file whole (a temp file renamed over it), mode 0600 from its first byte. */
function writeTokenFile(file: string, token: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${token}\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
}

export class OperatorService extends RecordingService {
  private readonly byHash;
  private readonly byId;
  /**
   * Tokens already resolved, by hash, as the agent keys are (see AgentService.liveKeys).
   * INVARIANT: a token changes only through ensureOwner, rotate and revoke here, and each drops
   * the operator's cached tokens before writing, so a revoked or rotated token is 401 at once.
   */
  private readonly liveTokens = new Map<string, Readonly<LiveOperator>>();
  private tokenFile: string | null = null;
  private ownerToken = '';

  private readonly bus: EventBus | undefined;

  constructor(deps: RecordingDeps & { bus?: EventBus }) {
    super(deps);
    this.bus = deps.bus;
    const db = deps.db;
    this.byHash = db.prepare<[string], OperatorRow>('SELECT * FROM operators WHERE token_hash = ? AND revoked_at IS NULL');
    this.byId = db.prepare<[string], OperatorRow>('SELECT * FROM operators WHERE id = ?');
  }

  /** The owner's current token (the one in operator.token). */
  get currentOwnerToken(): string {
    return this.ownerToken;
  }

  /**
   * Makes sure `owner` exists and that its token is the one in `tokenFile`: reused when the file
   * exists, created (mode 0600) when it does not. Returns the owner's token.
   */
  ensureOwner(tokenFile: string): string {
    this.tokenFile = tokenFile;
    let token = existsSync(tokenFile) ? readFileSync(tokenFile, 'utf8').trim() : '';
    if (!token.startsWith('wk_op_')) {
      token = newSecret('op');
      writeFileSync(tokenFile, `${token}\n`, { mode: 0o600 });
    }
    chmodSync(tokenFile, 0o600);
    immediate(this.db, () => {
      const owner = this.db.prepare<[string], OperatorRow>('SELECT * FROM operators WHERE name = ?').get(OWNER_NAME);
      if (!owner) {
        const row: OperatorRow = {
          id: this.ids.next('opr'),
          name: OWNER_NAME,
          token_hash: hashSecret(token),
          role: 'owner',
          permissions: '[]',
          created_at: toIso(this.clock.now()),
          revoked_at: null,
        };
        this.insert(row);
        this.audit.append({ event_type: 'operator.created', actor: 'system', subject_id: row.id, data: { operator: toOperator(row) } });
      } else if (owner.token_hash !== hashSecret(token)) {
        this.forget(owner.id);
        this.db.prepare('UPDATE operators SET token_hash = ? WHERE id = ?').run(hashSecret(token), owner.id);
        this.audit.append({ event_type: 'key.created', actor: 'system', subject_id: owner.id, data: { operator_token_rotated: true } });
      }
    });
    this.ownerToken = token;
    return token;
  }

  create(name: string, role: OperatorRole, actor: string): Operator & { token: string } {
    return immediate(this.db, () => {
      if (this.db.prepare('SELECT 1 FROM operators WHERE name = ?').get(name)) {
        throw conflict(`an operator named ${name} already exists`, 'name');
      }
      const token = newSecret('op');
      const row: OperatorRow = {
        id: this.ids.next('opr'),
        name,
        token_hash: hashSecret(token),
        role,
        permissions: '[]',
        created_at: toIso(this.clock.now()),
        revoked_at: null,
      };
      this.insert(row);
      const operator = toOperator(row);
      this.audit.append({ event_type: 'operator.created', actor, subject_id: row.id, data: { operator } });
      return { ...operator, token };
    });
  }

  /** Revokes an operator: its token is 401 from this moment on. The owner cannot be revoked (409). */
  revoke(id: string, actor: string): Operator {
    return immediate(this.db, () => {
      const row = this.byId.get(id);
      if (!row) throw notFound('operator', id);
      if (row.name === OWNER_NAME) throw conflict('the operator of operator.token cannot be revoked; rotate its token instead');
      if (row.revoked_at) throw conflict(`operator ${id} is already revoked`);
      this.keepAnOwner(row, 'revoked');
      row.revoked_at = toIso(this.clock.now());
      // Before the write: were it rolled back, the next lookup reads the row again from the file.
      this.forget(id);
      this.db.prepare('UPDATE operators SET revoked_at = ? WHERE id = ?').run(row.revoked_at, id);
      const operator = toOperator(row);
      this.audit.append({ event_type: 'operator.revoked', actor, subject_id: id, data: { operator } });
      return operator;
    });
  }

  /**
   * A new token for an operator, shown once; the old one is 401 at once. The owner's new token
   * is written to operator.token (mode 0600) once the change has committed.
   */
  rotate(id: string, actor: string): Operator & { token: string } {
    const token = newSecret('op');
    const operator = immediate(this.db, () => {
      const row = this.byId.get(id);
      if (!row) throw notFound('operator', id);
      if (row.revoked_at) throw conflict(`operator ${id} is revoked; add a new operator instead`);
      this.forget(id);
      this.db.prepare('UPDATE operators SET token_hash = ? WHERE id = ?').run(hashSecret(token), id);
      this.audit.append({ event_type: 'key.created', actor, subject_id: id, data: { operator_token_rotated: true } });
      return toOperator(row);
    });
    if (operator.name === OWNER_NAME) {
      if (this.tokenFile) writeTokenFile(this.tokenFile, token);
      this.ownerToken = token;
    }
    return { ...operator, token };
  }

  /**
   * Changes an operator's role and/or replaces its permissions; its token is re-read on its next
   * call, so the change applies at once. The last owner cannot be demoted (409).
   */
  update(id: string, patch: { role?: OperatorRole; permissions?: readonly string[] }, actor: string): Operator {
    return immediate(this.db, () => {
      const row = this.byId.get(id);
      if (!row) throw notFound('operator', id);
      if (row.revoked_at) throw conflict(`operator ${id} is revoked; add a new operator instead`);
      const next: OperatorRow = { ...row };
      if (patch.role !== undefined && patch.role !== row.role) {
        if (patch.role !== 'owner') this.keepAnOwner(row, 'demoted', 'role');
        next.role = patch.role;
      }
      if (patch.permissions !== undefined) next.permissions = JSON.stringify([...new Set(patch.permissions)]);
      this.forget(id);
      this.db.prepare('UPDATE operators SET role = @role, permissions = @permissions WHERE id = @id').run(next);
      const operator = toOperator(next);
      if (next.role !== row.role) {
        this.audit.append({ event_type: 'operator.role_changed', actor, subject_id: id, data: { from: row.role, to: next.role, operator } });
      }
      if (next.permissions !== row.permissions) {
        const from = JSON.parse(row.permissions) as string[];
        const to = JSON.parse(next.permissions) as string[];
        this.audit.append({ event_type: 'operator.permissions_changed', actor, subject_id: id, data: { from, to, operator } });
      }
      const bus = this.bus;
      if (bus) onCommit(this.db, () => bus.publish('operator.changed', operator));
      return operator;
    });
  }

  /** 409 when `row` is the only live owner: someone must always be able to manage operators. */
  private keepAnOwner(row: OperatorRow, change: 'demoted' | 'revoked', param?: string): void {
    if (row.role !== 'owner') return;
    const owners = this.db.prepare<[], { n: number }>("SELECT COUNT(*) AS n FROM operators WHERE role = 'owner' AND revoked_at IS NULL").get()!.n;
    if (owners <= 1) throw conflict(`${row.name} is the last owner and cannot be ${change}; make another operator owner first`, param);
  }

  list(query: { limit: number; cursor?: string }): ListPage<Operator> {
    const after = decodeCursor(query.cursor, isString);
    const rows = this.db
      .prepare<unknown[], OperatorRow>('SELECT * FROM operators WHERE (? IS NULL OR id > ?) ORDER BY id ASC LIMIT ?')
      .all(after ?? null, after ?? null, query.limit + 1);
    return page(rows, query.limit, toOperator, (r) => r.id);
  }

  get(id: string): Operator | undefined {
    const row = this.byId.get(id);
    return row ? toOperator(row) : undefined;
  }

  resolveToken(token: string): Readonly<LiveOperator> | undefined {
    const hash = hashSecret(token);
    const known = this.liveTokens.get(hash);
    if (known) return known;
    const row = this.byHash.get(hash);
    if (!row) return undefined;
    const operator: LiveOperator = {
      operatorId: row.id,
      name: row.name,
      role: row.role,
      permissions: Object.freeze(effectivePermissions(row.role, row.permissions)),
    };
    if (!this.db.inTransaction) this.liveTokens.set(hash, operator);
    return operator;
  }

  private insert(row: OperatorRow): void {
    this.db
      .prepare('INSERT INTO operators (id, name, token_hash, role, permissions, created_at) VALUES (@id, @name, @token_hash, @role, @permissions, @created_at)')
      .run(row);
  }

  /** Drops every cached token of an operator. */
  private forget(operatorId: string): void {
    for (const [hash, op] of this.liveTokens) if (op.operatorId === operatorId) this.liveTokens.delete(hash);
  }
}
