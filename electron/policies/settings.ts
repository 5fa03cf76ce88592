/**
 * Governance settings and quotas: profile defaults, profile-wide and per-agent
 * overrides (each a positive integer at most 100× its default, else 422), effective values.
 */
import type { GovernanceSettingsObject, QuotaKey, QuotaObject } from '../../shared/api/policies.js';
import { QUOTA_KEYS } from '../../shared/api/policies.js';
import { DEFAULT_SETTINGS } from '../../shared/core/evaluate.js';
import type { GovernanceSettings } from '../../shared/core/types.js';
import type { AuditService } from '../audit/service.js';
import { toIso, type Clock } from '../common/clock.js';
import { immediate, type Db } from '../db/connection.js';
import { notFound, unprocessable } from '../server/errors.js';
import { canonicalJson, type PolicyEpoch } from './rows.js';
import type { RecordingDeps } from '../common/service-deps.js';

export const QUOTA_PROFILE = 'default';
export const QUOTA_DEFAULTS: Readonly<Record<QuotaKey, number>> = { runs_per_hour: 300, concurrent_executions: 10, memory_mb: 4096 };
/** An override may be at most this many times its default. */
export const QUOTA_MAX_FACTOR = 100;

type QuotaValues = Record<QuotaKey, number>;
type QuotaOverrides = Partial<QuotaValues>;

interface QuotaRow {
  agent_id: string;
  runs_per_hour: number | null;
  concurrent_executions: number | null;
  memory_mb: number | null;
  updated_at: string;
}

const overridesOf = (row: QuotaRow | undefined): QuotaOverrides => {
  const out: QuotaOverrides = {};
  if (!row) return out;
  for (const k of QUOTA_KEYS) {
    const v = row[k];
    if (v !== null) out[k] = v;
  }
  return out;
};

export type SettingsPatch = Partial<GovernanceSettings>;

/** The settings as the API shows them: the high-risk lists always present. */
const shown = (s: GovernanceSettings) => ({ ...s, high_risk_tools: s.high_risk_tools ?? [], high_risk_categories: s.high_risk_categories ?? [] });
export type QuotaPatch = { agent_id?: string } & Partial<Record<QuotaKey, number | null>>;

export class SettingsService {
  private readonly settingsStmt;
  private readonly quotaStmt;

  private readonly db: Db;
  private readonly audit: AuditService;
  private readonly clock: Clock;

  constructor(
    deps: Pick<RecordingDeps, 'db' | 'audit' | 'clock'>,
    private readonly epoch: PolicyEpoch,
  ) {
    const { db, clock } = deps;
    this.db = db;
    this.audit = deps.audit;
    this.clock = clock;
    db.prepare('INSERT OR IGNORE INTO governance_settings (id, data, version, updated_at) VALUES (1, ?, 1, ?)').run(
      JSON.stringify(DEFAULT_SETTINGS),
      toIso(clock.now()),
    );
    this.settingsStmt = db.prepare<[], { data: string; version: number; updated_at: string }>('SELECT data, version, updated_at FROM governance_settings WHERE id = 1');
    this.quotaStmt = db.prepare<[string], QuotaRow>('SELECT * FROM quota_overrides WHERE agent_id = ?');
  }

  // -- governance settings ---------------------------------------------------------------------

  /** The settings as the core reads them; fields added in later versions fall back to defaults. */
  governance(): GovernanceSettings {
    const row = this.settingsStmt.get();
    return { ...DEFAULT_SETTINGS, ...(row ? (JSON.parse(row.data) as Partial<GovernanceSettings>) : {}) };
  }

  getObject(): GovernanceSettingsObject {
    const row = this.settingsStmt.get();
    return { object: 'governance_settings', ...shown(this.governance()), version: row?.version ?? 1, updated_at: row?.updated_at ?? toIso(0) };
  }

  update(patch: SettingsPatch, actor: string): GovernanceSettingsObject {
    return immediate(this.db, () => {
      const before = this.getObject();
      const current = this.governance();
      const next: GovernanceSettings = { ...current };
      for (const [k, v] of Object.entries(patch) as [keyof GovernanceSettings, unknown][]) {
        if (v !== undefined) (next as unknown as Record<string, unknown>)[k] = k === 'category_flags' ? { ...(v as Record<string, boolean>) } : v;
      }
      if (canonicalJson(next) === canonicalJson(current)) return before;
      const version = before.version + 1;
      const at = toIso(this.clock.now());
      this.db.prepare('UPDATE governance_settings SET data = ?, version = ?, updated_at = ? WHERE id = 1').run(JSON.stringify(next), version, at);
      this.epoch.changed();
      const settings: GovernanceSettingsObject = { object: 'governance_settings', ...shown(next), version, updated_at: at };
      this.audit.append({ event_type: 'settings.updated', actor, data: { version, patch, settings } });
      return settings;
    });
  }

  // -- quotas ----------------------------------------------------------------------------------

  private requireAgent(agentId: string): void {
    if (!this.db.prepare('SELECT 1 FROM agents WHERE id = ?').get(agentId)) throw notFound('agent', agentId);
  }

  private quotaVersion(): number {
    return this.db.prepare<[], { quota_version: number }>('SELECT quota_version FROM policy_state WHERE id = 1').get()?.quota_version ?? 0;
  }

  /** Effective limits of an agent: its overrides over the profile-wide ones over the defaults. */
  effective(agentId: string | null): QuotaValues {
    const profile = overridesOf(this.quotaStmt.get(''));
    const own = agentId ? overridesOf(this.quotaStmt.get(agentId)) : {};
    return { ...QUOTA_DEFAULTS, ...profile, ...own };
  }

  quota(agentId?: string): QuotaObject {
    if (agentId !== undefined) this.requireAgent(agentId);
    const profile = overridesOf(this.quotaStmt.get(''));
    const own = agentId !== undefined ? overridesOf(this.quotaStmt.get(agentId)) : {};
    const agentRows =
      agentId !== undefined
        ? [this.quotaStmt.get(agentId)].filter((r): r is QuotaRow => r !== undefined)
        : this.db.prepare<[], QuotaRow>(`SELECT * FROM quota_overrides WHERE agent_id != '' ORDER BY agent_id`).all();
    const overrides = { ...profile, ...own };
    return {
      object: 'quota',
      profile: QUOTA_PROFILE,
      agent_id: agentId ?? null,
      limits: { ...QUOTA_DEFAULTS },
      overrides,
      effective: { ...QUOTA_DEFAULTS, ...overrides },
      agent_overrides: agentRows.map((r) => ({ agent_id: r.agent_id, overrides: overridesOf(r) })).filter((r) => Object.keys(r.overrides).length > 0),
      version: this.quotaVersion(),
    };
  }

  updateQuota(patch: QuotaPatch, actor: string): QuotaObject {
    // Checked here rather than in the schema: the contract answers 422, not 400, for these.
    for (const key of QUOTA_KEYS) {
      const v = patch[key];
      if (v === undefined || v === null) continue;
      const max = QUOTA_DEFAULTS[key] * QUOTA_MAX_FACTOR;
      if (!Number.isInteger(v) || v <= 0) throw unprocessable(`${key} must be a positive integer, got ${v}`, key);
      if (v > max) throw unprocessable(`${key} ${v} exceeds ${QUOTA_MAX_FACTOR}× the default ${QUOTA_DEFAULTS[key]} (at most ${max})`, key);
    }
    return immediate(this.db, () => {
      const agentKey = patch.agent_id ?? '';
      if (patch.agent_id !== undefined) this.requireAgent(patch.agent_id);
      const before = overridesOf(this.quotaStmt.get(agentKey));
      const next: QuotaOverrides = { ...before };
      for (const key of QUOTA_KEYS) {
        const v = patch[key];
        if (v === undefined) continue;
        if (v === null) delete next[key];
        else next[key] = v;
      }
      if (canonicalJson(next) === canonicalJson(before)) return this.quota(patch.agent_id);
      const at = toIso(this.clock.now());
      this.db
        .prepare(
          `INSERT INTO quota_overrides (agent_id, runs_per_hour, concurrent_executions, memory_mb, updated_at)
           VALUES (@agent_id, @runs_per_hour, @concurrent_executions, @memory_mb, @updated_at)
           ON CONFLICT(agent_id) DO UPDATE SET runs_per_hour = excluded.runs_per_hour,
             concurrent_executions = excluded.concurrent_executions, memory_mb = excluded.memory_mb, updated_at = excluded.updated_at`,
        )
        .run({
          agent_id: agentKey,
          runs_per_hour: next.runs_per_hour ?? null,
          concurrent_executions: next.concurrent_executions ?? null,
          memory_mb: next.memory_mb ?? null,
          updated_at: at,
        });
      this.db.prepare('UPDATE policy_state SET quota_version = quota_version + 1 WHERE id = 1').run();
      this.epoch.changed();
      const quota = this.quota(patch.agent_id);
      this.audit.append({
        event_type: 'quota.updated',
        actor,
        agent_id: patch.agent_id ?? null,
        data: { version: quota.version, agent_id: patch.agent_id ?? null, before, overrides: next, effective: quota.effective },
      });
      return quota;
    });
  }
}
