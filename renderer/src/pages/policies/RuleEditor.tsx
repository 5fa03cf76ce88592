/**
 * Editing guardrail rules: one block per rule (matchers, decision, "always ask" on one line, the
 * expression below at full width), the row ⇄ rule conversion with the server's checks, and the
 * confirmation a rule matching every tool of every agent needs before it is saved.
 */
import type { GuardrailRuleInput } from '../../../../shared/api/policies.js';
import type { Guard } from '../../../../shared/core/types.js';
import { guardError } from '../../../../shared/core/expr.js';
import { useMemo } from 'react';
import { useAgentList } from '../../stores/agents';
import { Dialog } from '../../components/Dialog';

export type Decision = 'ALLOW' | 'ALERT' | 'BLOCK';

export interface RuleRow {
  key: number;
  tool: string;
  connector: string;
  /** The agent's name (what the picker shows and the server resolves). */
  agent: string;
  /** Kept only for a rule whose agent id no longer names an agent. */
  agent_id: string;
  role: string;
  expr: string;
  max_value: string;
  decision: Decision;
  always_ask: boolean;
}

let rowKey = 1;

/** A new rule asks (ALERT): a rule allows only when someone says so. */
export const emptyRow = (): RuleRow => ({ key: rowKey++, tool: '', connector: '', agent: '', agent_id: '', role: '', expr: '', max_value: '', decision: 'ALERT', always_ask: false });

export function toRow(r: GuardrailRuleInput): RuleRow {
  return {
    key: rowKey++,
    tool: r.tool ?? '',
    connector: r.connector ?? '',
    agent: r.agent ?? '',
    agent_id: r.agent === undefined ? (r.agent_id ?? '') : '',
    role: r.role ?? '',
    expr: r.expr === undefined ? '' : typeof r.expr === 'string' ? r.expr : JSON.stringify(r.expr, null, 2),
    max_value: r.max_value === undefined ? '' : String(r.max_value),
    decision: r.decision,
    always_ask: r.always_ask === true,
  };
}

const JOINERS = new Set(['and', 'or', 'AND', 'OR', '&&', '||']);

/**
 * A fix to suggest for an expression error, from the parser's message and the text: a bare word
 * or path-like text most often wants quotes, `=` wants `==`, `and`/`or` want a composite guard.
 */
export function exprHint(message: string, text: string): string | null {
  const word = /unexpected word "([^"]+)" at position (\d+)/.exec(message);
  if (word) {
    if (JOINERS.has(word[1]!)) return 'combine comparisons as {"all_of": ["…", "…"]} or {"any_of": […]}';
    return `quote the string: '${/^\S+/.exec(text.slice(Number(word[2])))?.[0] ?? word[1]}'`;
  }
  const char = /unexpected character "(.)" at position (\d+)/.exec(message);
  if (char) {
    if (char[1] === '=') return 'compare with ==';
    if (char[1] === '&' || char[1] === '|') return 'combine comparisons as {"all_of": ["…", "…"]} or {"any_of": […]}';
    const rest = /^\S+/.exec(text.slice(Number(char[2])))?.[0];
    if (rest) return `quote the string: '${rest}'`;
  }
  return null;
}

export const NO_MATCHER = 'a rule needs a matcher: a tool, connector, agent, role or expression (tool * matches every tool)';

/** A row → the API's rule, or the first problem with it (checked as you type, like the server will). */
export function toRule(row: RuleRow): { rule: GuardrailRuleInput; error: null } | { rule: null; error: string } {
  const rule: GuardrailRuleInput = { decision: row.decision };
  if (row.tool.trim()) rule.tool = row.tool.trim();
  if (row.connector.trim()) rule.connector = row.connector.trim();
  if (row.agent.trim()) rule.agent = row.agent.trim();
  else if (row.agent_id.trim()) rule.agent_id = row.agent_id.trim();
  if (row.role.trim()) rule.role = row.role.trim();
  if (row.max_value.trim()) {
    const n = Number(row.max_value);
    if (!Number.isFinite(n) || n <= 0) return { rule: null, error: 'max value must be a positive number' };
    rule.max_value = n;
  }
  const exprText = row.expr.trim();
  if (exprText) {
    let expr: Guard;
    if (exprText.startsWith('{')) {
      try {
        expr = JSON.parse(exprText) as Guard;
      } catch {
        return { rule: null, error: 'expression: composite guards are JSON, e.g. {"all_of": ["$.args.x == 1", …]}' };
      }
    } else expr = exprText;
    const bad = guardError(expr);
    if (bad) {
      const hint = typeof expr === 'string' ? exprHint(bad.message, expr) : null;
      return { rule: null, error: `expression: ${bad.message}${hint ? ` — ${hint}` : ''}` };
    }
    rule.expr = expr;
  }
  if (row.always_ask && row.decision === 'ALERT') rule.always_ask = true;
  if (rule.tool === undefined && rule.connector === undefined && rule.agent === undefined && rule.agent_id === undefined && rule.role === undefined && rule.expr === undefined) {
    return { rule: null, error: NO_MATCHER };
  }
  return { rule, error: null };
}

/** True for a rule that matches every tool of every agent: `tool: "*"` and nothing else narrowing it. */
export function matchesEverything(rule: GuardrailRuleInput): boolean {
  return rule.tool === '*' && rule.connector === undefined && rule.agent === undefined && rule.agent_id === undefined && rule.role === undefined && rule.expr === undefined;
}

/** 1-based numbers of the rules in `rules` that match everything and are not already among `saved`. */
export function newCatchAlls(rules: readonly GuardrailRuleInput[], saved: readonly GuardrailRuleInput[] = []): number[] {
  const before = new Set(saved.filter(matchesEverything).map((r) => JSON.stringify(toRule(toRow(r)).rule)));
  return rules.flatMap((r, i) => (matchesEverything(r) && !before.has(JSON.stringify(r)) ? [i + 1] : []));
}

/** Agent names for the picker, A–Z. */
export function useAgentNames(): string[] {
  const { agents } = useAgentList();
  return useMemo(() => agents.map((a) => a.name).sort((a, b) => a.localeCompare(b)), [agents]);
}

export function RulesEditor({
  rows,
  errors,
  agents,
  onChange,
  onRemove,
}: {
  rows: readonly RuleRow[];
  errors: readonly (string | null)[];
  agents: readonly string[];
  onChange(key: number, patch: Partial<RuleRow>): void;
  onRemove(key: number): void;
}) {
  return (
    <ol className="rule-list" aria-label="Rules">
      {rows.map((r, i) => {
        const n = i + 1;
        const err = errors[i] ?? null;
        const names = r.agent && !agents.includes(r.agent) ? [r.agent, ...agents] : agents;
        return (
          <li key={r.key} className={`rule-block${err ? ' row-invalid' : ''}`} aria-label={`Rule ${n}`}>
            <div className="rule-fields">
              <span className="rule-n" aria-hidden="true">
                {n}
              </span>
              <label className="rule-tool">
                <span>Tool</span>
                <input aria-label={`Rule ${n} tool`} value={r.tool} onChange={(e) => onChange(r.key, { tool: e.target.value })} placeholder="order.refund, fs.* or *" />
              </label>
              <label>
                <span>Connector</span>
                <input aria-label={`Rule ${n} connector`} value={r.connector} onChange={(e) => onChange(r.key, { connector: e.target.value })} placeholder="any" />
              </label>
              <label>
                <span>Agent</span>
                <select aria-label={`Rule ${n} agent`} value={r.agent || (r.agent_id ? `id:${r.agent_id}` : '')} onChange={(e) => onChange(r.key, { agent: e.target.value.startsWith('id:') ? '' : e.target.value, agent_id: e.target.value.startsWith('id:') ? r.agent_id : '' })}>
                  <option value="">any agent</option>
                  {r.agent_id && !r.agent ? <option value={`id:${r.agent_id}`}>{r.agent_id} (no such agent)</option> : null}
                  {names.map((name) => (
                    <option key={name} value={name}>
                      {name}
                    </option>
                  ))}
                </select>
              </label>
              <label>
                <span>Role</span>
                <input aria-label={`Rule ${n} role`} value={r.role} onChange={(e) => onChange(r.key, { role: e.target.value })} placeholder="any" />
              </label>
              <label className="rule-narrow">
                <span>Max value</span>
                <input aria-label={`Rule ${n} max value`} inputMode="decimal" value={r.max_value} onChange={(e) => onChange(r.key, { max_value: e.target.value })} placeholder="none" />
              </label>
              <label className="rule-narrow">
                <span>Decision</span>
                <select
                  aria-label={`Rule ${n} decision`}
                  value={r.decision}
                  onChange={(e) => {
                    const decision = e.target.value as Decision;
                    onChange(r.key, { decision, always_ask: decision === 'ALERT' ? r.always_ask : false });
                  }}
                >
                  <option value="ALLOW">ALLOW</option>
                  <option value="ALERT">ALERT</option>
                  <option value="BLOCK">BLOCK</option>
                </select>
              </label>
              <button type="button" className="icon-button rule-remove" aria-label={`Remove rule ${n}`} disabled={rows.length === 1} onClick={() => onRemove(r.key)}>
                ×
              </button>
            </div>
            <label className="rule-expr">
              <span>Expression</span>
              <textarea
                aria-label={`Rule ${n} expression`}
                aria-invalid={Boolean(err && err.startsWith('expression'))}
                className="mono"
                rows={Math.min(8, Math.max(2, r.expr.split('\n').length))}
                spellCheck={false}
                value={r.expr}
                onChange={(e) => onChange(r.key, { expr: e.target.value })}
                placeholder={`optional: $.args.path starts_with '/tmp'  ·  {"all_of": ["$.args.amount > 250", …]}`}
              />
            </label>
            {err ? <div className="field-error small">{err}</div> : null}
            <label className="check rule-always" title={r.decision === 'ALERT' ? undefined : 'Only an ALERT rule can always ask'}>
              <input type="checkbox" aria-label={`Rule ${n} always ask`} checked={r.decision === 'ALERT' && r.always_ask} disabled={r.decision !== 'ALERT'} onChange={(e) => onChange(r.key, { always_ask: e.target.checked })} />
              Always ask <span className="muted">— no Allow always can lift it{r.decision === 'ALERT' ? '' : ' (ALERT rules only)'}</span>
            </label>
          </li>
        );
      })}
    </ol>
  );
}

/** Asks before saving rules that match every tool of every agent. */
export function ConfirmEverythingDialog({ ruleNumbers, onCancel, onConfirm }: { ruleNumbers: readonly number[]; onCancel(): void; onConfirm(): void }) {
  const which = ruleNumbers.length === 1 ? `Rule ${ruleNumbers[0]}` : `Rules ${ruleNumbers.join(', ')}`;
  return (
    <Dialog
      title="Match every tool of every agent?"
      open
      onClose={onCancel}
      footer={
        <div className="form-actions">
          <button type="button" onClick={onCancel} autoFocus>
            Cancel
          </button>
          <button type="button" className="primary" onClick={onConfirm}>
            Save anyway
          </button>
        </div>
      }
    >
      <p>
        {which} {ruleNumbers.length === 1 ? 'says' : 'say'} <code>tool: *</code> with nothing else: {ruleNumbers.length === 1 ? 'it matches' : 'they match'} every tool of every agent. Narrow{' '}
        {ruleNumbers.length === 1 ? 'it' : 'them'} with an agent, a role or an expression unless that is what you mean.
      </p>
    </Dialog>
  );
}
