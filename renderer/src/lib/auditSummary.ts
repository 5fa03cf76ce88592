/**
 * One readable line per audit event for the table's Details column ("shell.exec → ALERT: no rule
 * matches…", "agent budget alpha paused at $0.02 of $0.01"). The drawer still shows the full
 * record; an event this does not know falls back to a preview of its data.
 */
import type { AuditEntry } from '../../../shared/api/audit.js';
import { micro, preview } from './format';

type Data = Record<string, unknown>;

const obj = (v: unknown): Data | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Data) : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const join = (...parts: (string | undefined | false)[]) => parts.filter(Boolean).join(' ');
/** `head: detail`, or `head` alone. */
const withDetail = (head: string, detail: unknown) => (str(detail) ? `${head}: ${String(detail)}` : head);

export function summarizeAudit(e: AuditEntry, nameOf: (agentId: string) => string): string {
  const d = e.data;
  const [family, what] = e.event_type.split('.') as [string, string | undefined];
  switch (family) {
    case 'action': {
      if (what === 'evaluated') {
        const code = str(d.block_code);
        return withDetail(join(str(d.tool), '→', str(d.decision), code && `(${code})`), d.explanation);
      }
      if (what === 'completed') {
        const cost = num(d.cost_micro_usd);
        return join(str(d.outcome), cost !== undefined && `· ${micro(cost)}`);
      }
      return str(d.reason) ?? preview(d, 140);
    }
    case 'approval': {
      const tool = str(d.tool);
      if (what === 'requested') return join(tool, 'asks for approval', (num(d.required_approvals) ?? 1) > 1 && `(${String(d.required_approvals)} operators)`);
      if (what === 'decided') return join(tool, str(d.decision), `· ${String(d.allows)} of ${String(d.required)}`);
      if (what === 'undone') return join(`undid ${str(d.undid) ?? 'an allow'}:`, [d.grant_revoked ? `grant ${String(d.grant_revoked)} revoked` : '', d.action_withdrawn ? 'request withdrawn' : ''].filter(Boolean).join('; '));
      return withDetail(join(tool, str(d.resolution) ?? what), d.reason);
    }
    case 'grant': {
      const g = obj(d.grant);
      return join(g && nameOf(String(g.agent_id)), g && str(g.tool), g?.args_pattern ? 'with an args pattern' : undefined, str(g?.expires_at) && `until ${String(g!.expires_at)}`);
    }
    case 'budget': {
      const b = obj(d.budget);
      if (!b) return preview(d, 140);
      const scopeId = String(b.scope_id);
      const who = b.scope === 'agent' ? nameOf(scopeId) : scopeId;
      return join(`${String(b.scope)} budget ${who}`, what, `· ${micro(Number(b.spent_micro_usd))} of ${micro(Number(b.limit_micro_usd))}`, str(b.mode) && `(${String(b.mode)})`);
    }
    case 'spend': {
      const s = obj(d.spend);
      return s ? join(micro(Number(s.amount_micro_usd)), s.agent_id ? `by ${nameOf(String(s.agent_id))}` : undefined, str(s.pricing_source) && `· ${String(s.pricing_source)}`) : preview(d, 140);
    }
    case 'policy': {
      const p = obj(d.policy);
      const changed = Array.isArray(d.changed) ? (d.changed as unknown[]).join(', ') : undefined;
      return join(str(d.kind), p && str(p.name), num(d.version) !== undefined && `v${String(d.version)}`, changed && `(${changed})`);
    }
    case 'kill_switch': {
      const k = obj(d.kill_switch);
      return withDetail(what === 'engaged' ? 'all agents stopped' : 'agents released', k?.reason);
    }
    case 'settings':
    case 'quota': {
      const patch = obj(d.patch) ?? obj(d.overrides);
      const target = str(d.agent_id) ? `${nameOf(String(d.agent_id))}: ` : '';
      return patch ? `${target}${Object.entries(patch).map(([k, v]) => `${k} = ${JSON.stringify(v)}`).join(', ')}` : preview(d, 140);
    }
    case 'agent': {
      const a = obj(d.agent);
      return a ? join(str(a.name), str(a.status) && `(${String(a.status)})`, str(a.role) && `role ${String(a.role)}`) : preview(d, 140);
    }
    case 'key': {
      const k = obj(d.key);
      return k ? join(str(k.prefix) && `${String(k.prefix)}…`, Array.isArray(k.scopes) && (k.scopes as unknown[]).join(', ')) : preview(d, 140);
    }
    case 'operator': {
      const name = str(obj(d.operator)?.name);
      if (what === 'role_changed') return join(name, 'role', str(d.from), '→', str(d.to));
      if (what === 'permissions_changed') return join(name, 'permissions:', Array.isArray(d.to) && d.to.length ? d.to.join(', ') : 'none');
      return join(name, what);
    }
    default:
      return preview(d, 140);
  }
}
