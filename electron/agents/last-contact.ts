/**
 * When each agent (and each of its keys) last authenticated. Every request of an agent touches
 * it, so the exact time is kept in memory and written to the file only when what the file holds
 * is at least `writeEveryMs` old: at most one small write per agent per interval, never one per
 * request. Readers take the in-memory time when there is one (it is never older than the file's).
 *
 * A write failure (a busy or closing database) is ignored: last contact is information, and
 * failing it must never fail the request that carries the key.
 */
import { toIso, type Clock } from '../common/clock.js';
import type { Db } from '../db/connection.js';

/** How stale the file's copy may get before the next contact writes it. */
export const LAST_CONTACT_WRITE_MS = 5_000;

interface Seen {
  /** The latest contact (ms). */
  at: number;
  /** The time last written to the file (ms), or -Infinity when not yet written by this process. */
  written: number;
}

export class LastContact {
  private readonly agents = new Map<string, Seen>();
  private readonly keys = new Map<string, Seen>();
  private readonly writeAgent;
  private readonly writeKey;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly writeEveryMs = LAST_CONTACT_WRITE_MS,
  ) {
    // Never moves backwards, whatever order two writers reach the file in.
    this.writeAgent = db.prepare('UPDATE agents SET last_seen_at = ? WHERE id = ? AND (last_seen_at IS NULL OR last_seen_at < ?)');
    this.writeKey = db.prepare('UPDATE agent_keys SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)');
  }

  /** The agent authenticated with this key now. */
  touch(agentId: string, keyId: string): void {
    const now = this.clock.now();
    const agentDue = this.note(this.agents, agentId, now);
    const keyDue = this.note(this.keys, keyId, now);
    // Inside someone's transaction the write would share its fate: leave it to the next contact.
    if ((!agentDue && !keyDue) || this.db.inTransaction) return;
    const iso = toIso(now);
    try {
      if (agentDue) this.writeAgent.run(iso, agentId, iso);
      if (keyDue) this.writeKey.run(iso, keyId, iso);
      if (agentDue) this.agents.get(agentId)!.written = now;
      if (keyDue) this.keys.get(keyId)!.written = now;
    } catch {
      // Tried again on the next contact.
    }
  }

  /**
   * Writes every contact the file does not hold yet (at shutdown, once no request is in flight),
   * so the times a restart reads are the last ones, not up to `writeEveryMs` older.
   */
  flush(): void {
    try {
      for (const [id, seen] of this.agents) if (seen.at > seen.written) this.writeAgent.run(toIso(seen.at), id, toIso(seen.at));
      for (const [id, seen] of this.keys) if (seen.at > seen.written) this.writeKey.run(toIso(seen.at), id, toIso(seen.at));
    } catch {
      // Last contact is information: a database that cannot take it must not fail a shutdown.
    }
  }

  /** The agent's last contact as this process saw it, or undefined (then the file's column holds it). */
  agentSeenAt(agentId: string): string | undefined {
    const seen = this.agents.get(agentId);
    return seen ? toIso(seen.at) : undefined;
  }

  keyUsedAt(keyId: string): string | undefined {
    const seen = this.keys.get(keyId);
    return seen ? toIso(seen.at) : undefined;
  }

  /** Records `now`; true when the file's copy is due for a write. */
  private note(map: Map<string, Seen>, id: string, now: number): boolean {
    let seen = map.get(id);
    if (!seen) map.set(id, (seen = { at: now, written: -Infinity }));
    else if (now > seen.at) seen.at = now;
    return seen.at - seen.written >= this.writeEveryMs;
  }
}

/** The later of two RFC 3339 times of the same fixed width (either may be missing). */
export function later(a: string | null | undefined, b: string | null | undefined): string | null {
  if (!a) return b ?? null;
  if (!b) return a;
  return a > b ? a : b;
}
