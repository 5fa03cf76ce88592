/** Numbered migrations, each in one transaction; the schema version lives in `user_version`. */
import type Database from 'better-sqlite3';

export interface Migration {
  version: number;
  name: string;
  up: string | ((db: Database.Database) => void);
}

export class DatabaseTooNewError extends Error {
  constructor(readonly found: number, readonly supported: number) {
    super(
      `the database is at schema version ${found} but this Warden understands up to ${supported}; ` +
        'upgrade Warden or point --data-dir at another folder',
    );
    this.name = 'DatabaseTooNewError';
  }
}

export function schemaVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** Applies every migration above the current version, up to `target` (all by default). */
export function migrate(db: Database.Database, migrations: readonly Migration[], target?: number): void {
  migrations.forEach((m, i) => {
    // INVARIANT: migrations are numbered 1..n without gaps, so user_version names exactly the steps applied.
    if (m.version !== i + 1) throw new Error(`migration ${m.name} has version ${m.version}, expected ${i + 1}`);
  });
  const latest = target ?? migrations.length;
  const current = schemaVersion(db);
  if (current > migrations.length) throw new DatabaseTooNewError(current, migrations.length);
  for (const m of migrations) {
    if (m.version <= current || m.version > latest) continue;
    db.transaction(() => {
      if (typeof m.up === 'string') db.exec(m.up);
      else m.up(db);
      db.pragma(`user_version = ${m.version}`);
    }).immediate();
  }
}
