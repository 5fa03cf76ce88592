/**
 * Operators: the humans who answer approvals. `owner` exists from the first start; its token
 * lives in `DATA_DIR/operator.token` (mode 0600). More operators count toward approval thresholds.
 */
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { ListPage } from '../../shared/api/common.js';
import type { Operator } from '../../shared/api/agents.js';
import type { AuditService } from '../audit/service.js';
import { toIso, type Clock } from '../common/clock.js';
import { hashSecret, newSecret, type Ids } from '../common/ids.js';
import { immediate, type Db } from '../db/connection.js';
import { conflict } from '../server/errors.js';
import { decodeCursor, isString, page } from '../server/pagination.js';

interface OperatorRow {
  id: string;
  name: string;
  token_hash: string;
  created_at: string;
}

const toOperator = (r: OperatorRow): Operator => ({ id: r.id, object: 'operator', name: r.name, created_at: r.created_at });

export class OperatorService {
  private readonly byHash;
  private readonly byId;
  private readonly known = new Map<string, Operator>();
  /**
   * Tokens already resolved, by hash, as the agent keys are (see AgentService.liveKeys): a
   * token changes only when ensureOwner rotates the owner's, which clears this first.
   */
  private readonly liveTokens = new Map<string, { operatorId: string; name: string }>();

  constructor(
    private readonly db: Db,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly ids: Ids,
  ) {
    this.byHash = db.prepare<[string], OperatorRow>('SELECT * FROM operators WHERE token_hash = ?');
    this.byId = db.prepare<[string], OperatorRow>('SELECT * FROM operators WHERE id = ?');
  }

  /**
   * Makes sure `owner` exists and that its token is the one in `tokenFile`: reused when the file
   * exists, created (mode 0600) when it does not. Returns the owner's token.
   */
  ensureOwner(tokenFile: string): string {
    let token = existsSync(tokenFile) ? readFileSync(tokenFile, 'utf8').trim() : '';
    if (!token.startsWith('wk_op_')) {
      token = newSecret('op');
      writeFileSync(tokenFile, `${token}\n`, { mode: 0o600 });
    }
    chmodSync(tokenFile, 0o600);
    immediate(this.db, () => {
      const owner = this.db.prepare<[], OperatorRow>("SELECT * FROM operators WHERE name = 'owner'").get();
      if (!owner) {
        const row: OperatorRow = {
          id: this.ids.next('opr'),
          name: 'owner',
          token_hash: hashSecret(token),
          created_at: toIso(this.clock.now()),
        };
        this.db.prepare('INSERT INTO operators (id, name, token_hash, created_at) VALUES (@id, @name, @token_hash, @created_at)').run(row);
        this.audit.append({ event_type: 'operator.created', actor: 'system', subject_id: row.id, data: { operator: toOperator(row) } });
      } else if (owner.token_hash !== hashSecret(token)) {
        this.liveTokens.clear();
        this.db.prepare('UPDATE operators SET token_hash = ? WHERE id = ?').run(hashSecret(token), owner.id);
        this.audit.append({ event_type: 'key.created', actor: 'system', subject_id: owner.id, data: { operator_token_rotated: true } });
      }
    });
    return token;
  }

  create(name: string, actor: string): Operator & { token: string } {
    return immediate(this.db, () => {
      if (this.db.prepare('SELECT 1 FROM operators WHERE name = ?').get(name)) {
        throw conflict(`an operator named ${name} already exists`, 'name');
      }
      const token = newSecret('op');
      const row: OperatorRow = { id: this.ids.next('opr'), name, token_hash: hashSecret(token), created_at: toIso(this.clock.now()) };
      this.db.prepare('INSERT INTO operators (id, name, token_hash, created_at) VALUES (@id, @name, @token_hash, @created_at)').run(row);
      const operator = toOperator(row);
      this.audit.append({ event_type: 'operator.created', actor, subject_id: row.id, data: { operator } });
      return { ...operator, token };
    });
  }

  list(query: { limit: number; cursor?: string }): ListPage<Operator> {
    const after = decodeCursor(query.cursor, isString);
    const rows = this.db
      .prepare<unknown[], OperatorRow>('SELECT * FROM operators WHERE (? IS NULL OR id > ?) ORDER BY id ASC LIMIT ?')
      .all(after ?? null, after ?? null, query.limit + 1);
    return page(rows, query.limit, toOperator, (r) => r.id);
  }

  get(id: string): Operator | undefined {
    // INVARIANT: an operator's public fields (id, name, created_at) never change and operators are
    // never deleted, so a row once read stays true, even when another process wrote it.
    const cached = this.known.get(id);
    if (cached) return cached;
    const row = this.byId.get(id);
    if (!row) return undefined;
    const operator = toOperator(row);
    this.known.set(id, operator);
    return operator;
  }

  resolveToken(token: string): { operatorId: string; name: string } | undefined {
    const hash = hashSecret(token);
    const known = this.liveTokens.get(hash);
    if (known) return known;
    const row = this.byHash.get(hash);
    if (!row) return undefined;
    const operator = { operatorId: row.id, name: row.name };
    if (!this.db.inTransaction) this.liveTokens.set(hash, operator);
    return operator;
  }
}
