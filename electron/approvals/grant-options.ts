/**
 * `GET /v1/approvals/{id}/grant-options`: the scopes Allow always proposes for a request, each
 * with a preview of what it would have allowed among the agent's last 200 actions. The preview
 * runs the core's own grant matcher (`findGrant`) on each candidate, so it shows what the grant
 * will really do.
 */
import type { ActionStatus } from '../../shared/api/actions.js';
import type { GrantOptions } from '../../shared/api/grants.js';
import { findGrant } from '../../shared/core/grants.js';
import type { ActionInput, GrantState } from '../../shared/core/types.js';
import { toIso, type Clock } from '../common/clock.js';
import type { Db } from '../db/connection.js';
import type { PolicyStore } from '../ports.js';
import { DEFAULT_GRANT_TTL_MS, exactScope, highRiskReason, proposeScopes, type Scope } from './grant-scopes.js';
import type { ApprovalService } from './service.js';

export const PREVIEW_SAMPLE = 200;
const PREVIEW_EXAMPLES = 10;

interface SampleRow {
  id: string;
  tool: string;
  status: ActionStatus;
  created_at: string;
  action: string;
}

interface Sample {
  id: string;
  status: ActionStatus;
  created_at: string;
  action: ActionInput;
}

/** The command, path or URL an action is about, in full; its arguments otherwise. */
export function actionSummary(a: ActionInput): string {
  const args = a.args ?? {};
  for (const k of ['command', 'path', 'file_path', 'url']) if (typeof args[k] === 'string') return args[k];
  return Object.keys(args).length ? JSON.stringify(args) : '(no arguments)';
}

interface StoredMatch {
  policy_name?: string;
  policy_version?: number;
  rule?: number;
  decision?: string;
  rule_def?: { always_ask?: boolean };
}

/** Why a request offers no Allow always, read from its receipt: the governance settings, or an always_ask rule. */
export function notGrantableReason(receipt: { matched: string; layers: string } | undefined, explanation: string): string {
  if (receipt) {
    const layers = JSON.parse(receipt.layers) as { layer: string; verdict: string; detail: string }[];
    const settings = layers.find((l) => l.layer === 'settings' && l.verdict === 'ALERT');
    if (settings) return `${settings.detail}: it asks every time`;
    const always = (JSON.parse(receipt.matched) as StoredMatch[]).find((m) => m.rule_def?.always_ask === true);
    if (always) {
      return `rule ${(always.rule ?? 0) + 1} of ${always.policy_name ?? 'a policy'} v${always.policy_version ?? '?'} is marked always_ask: it asks every time`;
    }
    const guardrails = layers.find((l) => l.layer === 'guardrails');
    if (guardrails) return `no grant may lift this request, it asks every time: ${guardrails.detail}`;
  }
  return `this request asks every time (${explanation})`;
}

export class GrantOptionsService {
  private readonly samplesStmt;
  private readonly receiptStmt;

  private readonly clock: Clock;
  private readonly policies: PolicyStore;
  private readonly approvals: ApprovalService;

  constructor(deps: { db: Db; clock: Clock; policies: PolicyStore; approvals: ApprovalService }) {
    const db = deps.db;
    this.clock = deps.clock;
    this.policies = deps.policies;
    this.approvals = deps.approvals;
    this.samplesStmt = db.prepare<[string, number], SampleRow>(
      `SELECT a.id, a.tool, a.status, a.created_at, r.action FROM actions a JOIN receipts r ON r.id = a.receipt_id
       WHERE a.agent_id = ? ORDER BY a.id DESC LIMIT ?`,
    );
    this.receiptStmt = db.prepare<[string], { matched: string; layers: string }>('SELECT matched, layers FROM receipts WHERE id = ?');
  }

  /** Why a request offers no Allow always: the governance settings, or an always_ask rule. */
  notGrantableReason(receiptId: string | null, explanation: string): string {
    return notGrantableReason(receiptId ? this.receiptStmt.get(receiptId) : undefined, explanation);
  }

  options(approvalId: string): GrantOptions {
    const approval = this.approvals.get(approvalId);
    const nowMs = this.clock.now();
    const settings = this.policies.governanceSettings();
    const highRisk = highRiskReason(approval.action, approval.categories, settings);
    const base = {
      object: 'grant_options' as const,
      approval_id: approval.id,
      high_risk: highRisk !== null,
      high_risk_reason: highRisk,
      default_expires_at: toIso(nowMs + DEFAULT_GRANT_TTL_MS),
    };
    if (!approval.grantable) {
      return { ...base, grantable: false, not_grantable_reason: this.notGrantableReason(approval.receipt_id, approval.explanation), sample_size: 0, scopes: [] };
    }
    const samples: Sample[] = this.samplesStmt.all(approval.agent_id, PREVIEW_SAMPLE).map((r) => ({
      id: r.id,
      status: r.status,
      created_at: r.created_at,
      action: JSON.parse(r.action) as ActionInput,
    }));
    const scopes = proposeScopes(approval.action).map((scope) => ({ ...scope, preview: this.preview(approval.agent_id, approval.action, scope, samples, nowMs) }));
    if (!scopes.length) {
      const exact = exactScope(approval.action);
      return { ...base, grantable: false, not_grantable_reason: exact.ok ? 'no grant scope fits this request' : exact.why, sample_size: samples.length, scopes };
    }
    return { ...base, grantable: true, not_grantable_reason: null, sample_size: samples.length, scopes };
  }

  private preview(agentId: string, request: ActionInput, scope: Scope, samples: readonly Sample[], nowMs: number) {
    const candidate: GrantState = {
      id: 'gnt_preview',
      agent_id: agentId,
      tool: request.tool,
      connector: request.connector ?? null,
      args_pattern: scope.args_pattern,
      max_value: scope.max_value,
      expires_at: null,
      revoked_at: null,
    };
    const covered = samples.filter((s) => findGrant([candidate], agentId, s.action, nowMs) !== null);
    return {
      would_allow: covered.length,
      examples: covered.slice(0, PREVIEW_EXAMPLES).map((s) => ({
        action_id: s.id,
        tool: s.action.tool,
        summary: actionSummary(s.action),
        value: s.action.value ?? null,
        status: s.status,
        created_at: s.created_at,
      })),
    };
  }
}
