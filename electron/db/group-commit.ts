/**
 * Group commit: write requests that arrive together (64 agents asking at once) share one
 * `BEGIN IMMEDIATE` transaction, each inside its own savepoint, instead of one commit each. A
 * commit writes every page it dirtied to the WAL; the actions, receipts and audit tables and
 * their indexes are mostly dirtied in the same rightmost pages, so N requests in one commit write
 * a fraction of N times the pages.
 *
 * INVARIANT: a caller's promise resolves only after the commit that holds its writes, so nothing
 * acknowledged is lost on a crash; a request that throws rolls back its own savepoint and fails
 * alone; if the commit itself fails, every request of the batch fails.
 *
 * Each request still runs alone and in arrival order, so it sees the writes of those before it
 * (quota counters, reservations and the audit chain stay exact). Side effects that announce a
 * write to the world (bus events, waiters, notifications) go through `onCommit`, as everywhere:
 * a request's effects run once the shared commit holds its writes, and are dropped with its
 * savepoint if it fails.
 */
import { immediate, type Db } from './connection.js';

interface Pending {
  fn: () => unknown;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

export class GroupCommit {
  private queue: Pending[] = [];
  private scheduled = false;
  /** A request of a batch is running now, inside its own savepoint. */
  private running = false;

  constructor(
    private readonly db: Db,
    /** At most this many requests share a commit, so one batch never holds the lock for long. */
    private readonly maxBatch = 64,
  ) {}

  /** Runs `fn` in the next shared transaction; resolves with its result once that commits. */
  run<T>(fn: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ fn, resolve: resolve as (value: unknown) => void, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        // After the poll phase: every request parsed in this turn of the loop joins the batch.
        setImmediate(() => this.flush());
      }
    });
  }

  /** True while a request runs inside its batch, in a savepoint of its own. */
  get inRequest(): boolean {
    return this.running;
  }

  private flush(): void {
    this.scheduled = false;
    const batch = this.queue.splice(0, this.maxBatch);
    if (this.queue.length) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
    if (!this.db.open) {
      for (const p of batch) p.reject(new Error('the database is closed'));
      return;
    }
    const outcomes: { ok: boolean; value: unknown }[] = [];
    try {
      immediate(this.db, () => {
        for (const p of batch) {
          this.running = true;
          try {
            // A nested transaction is a savepoint: a failing request undoes only its own writes.
            outcomes.push({ ok: true, value: immediate(this.db, p.fn) });
          } catch (err) {
            outcomes.push({ ok: false, value: err });
            // SQLite aborted the whole transaction (a full disk, an I/O error): the rest of the
            // batch must not run outside it, each in a commit of its own.
            if (!this.db.inTransaction) throw err;
          } finally {
            this.running = false;
          }
        }
      });
    } catch (err) {
      // The commit failed: nothing of this batch is durable, so nothing of it is acknowledged.
      for (const p of batch) p.reject(err);
      return;
    }
    batch.forEach((p, i) => {
      const o = outcomes[i]!;
      if (o.ok) p.resolve(o.value);
      else p.reject(o.value);
    });
  }
}
