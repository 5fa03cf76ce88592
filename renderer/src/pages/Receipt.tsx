/**
 * Why an action was decided the way it was, on one page: what was asked, the verdict of each
 * layer, the rule and policy version that matched (linked to that version's diff), the grant that
 * lifted an ALERT, the budget state the budgets layer saw, and who decided when. Reached from the
 * Inbox, its history, the audit log, the agents and budgets pages (`#/receipt/act_…`).
 */
import type { Action } from '../../../shared/api/actions.js';
import type { Approval } from '../../../shared/api/approvals.js';
import type { Grant } from '../../../shared/api/grants.js';
import { api } from '../lib/api';
import { whatIsAsked } from '../lib/asked';
import { ago, dateTime, micro } from '../lib/format';
import { useResource } from '../lib/useResource';
import { agentName, useAgentList } from '../stores/agents';
import { useBudgets } from '../stores/budgets';
import { useRoute } from '../stores/route';
import { Async } from '../components/states';
import { ArgsView } from '../components/JsonView';
import { LayerTable } from '../components/LayerTable';
import { VisibleText } from '../components/VisibleText';
import { GateBlock } from './reviews/GateBlock';

interface ReceiptView {
  action: Action;
  approval: Approval | null;
  grant: Grant | null;
}

async function loadReceipt(id: string): Promise<ReceiptView> {
  // An approval id (apr_…) leads to its action.
  let approval: Approval | null = null;
  let actionId = id;
  if (id.startsWith('apr_')) {
    approval = await api().call('getApproval', { params: { id } });
    if (!approval.action_id) throw new Error('This request is a delegation: it has no action, so no receipt.');
    actionId = approval.action_id;
  }
  const action = await api().call('getAction', { params: { id: actionId } });
  if (!approval && action.approval_id) approval = await api().call('getApproval', { params: { id: action.approval_id } });
  const grantId = action.grant_id ?? approval?.grant_id ?? null;
  let grant: Grant | null = null;
  if (grantId) {
    for await (const g of api().paginate('listGrants', { query: { agent_id: action.agent_id, state: 'all', limit: 200 } })) {
      if (g.id === grantId) {
        grant = g;
        break;
      }
    }
  }
  return { action, approval, grant };
}

const STATUS_TEXT: Record<Action['status'], string> = {
  allowed: 'Allowed',
  pending_approval: 'Waiting for an operator',
  blocked: 'Blocked',
  denied: 'Denied',
  expired: 'Expired',
  completed: 'Completed',
};

export function ReceiptPage() {
  const id = useRoute((s) => s.param) ?? '';
  useAgentList();
  const view = useResource(() => loadReceipt(id), [id]);
  return (
    <div className="page">
      <header className="page-header">
        <h2>Receipt</h2>
        <p className="muted small mono">{id}</p>
        <div className="page-actions">
          <button type="button" onClick={() => window.history.back()}>
            Back
          </button>
        </div>
      </header>
      <Async {...view} what="the receipt">
        {(v) => <ReceiptBody view={v} />}
      </Async>
    </div>
  );
}

function ReceiptBody({ view: { action: act, approval, grant } }: { view: ReceiptView }) {
  const asked = whatIsAsked(act.action);
  // Paused budgets are checked with the kill-switch; a reservation that did not fit blocks with a budget code.
  const budgetLayer = act.layers.find((l) => l.layer === 'kill_switch');
  const budgetBlock = act.block_code?.startsWith('budget_') ? act.explanation : null;
  const budgetsNow = useBudgets((s) => s.budgets).filter((b) => b.scope === 'global' || (b.scope === 'agent' && b.scope_id === act.agent_id) || (b.scope === 'mission' && b.scope_id === act.action.mission_id));
  return (
    <>
      <section className="card" aria-labelledby="r-what">
        <h3 id="r-what" className="card-title">
          <span className="mono">{act.action.tool}</span> by {agentName(act.agent_id)}
        </h3>
        {asked.text ? <pre className="snippet asked-block">{asked.text}</pre> : null}
        <p>
          <span className={`verdict verdict-${act.decision}`}>{act.decision}</span> · <strong>{STATUS_TEXT[act.status]}</strong>
          {act.block_code ? <span className="muted"> ({act.block_code})</span> : null} · asked {dateTime(act.created_at)}
        </p>
        <p className="explanation">
          <VisibleText text={act.explanation} />
        </p>
        {act.reason ? <p>Operator's reason: {act.reason}</p> : null}
        {act.withdrawn_at ? <p className="warn">The agent withdrew it {dateTime(act.withdrawn_at)}.</p> : null}
        {act.completed_at ? (
          <p>
            Completed {dateTime(act.completed_at)}: {act.outcome ?? '—'}
            {act.cost_micro_usd !== null ? ` · cost ${micro(act.cost_micro_usd)}` : ''}
          </p>
        ) : null}
      </section>

      {act.block_code === 'gate_pending' ? <GateBlock action={act} /> : null}

      <section className="card" aria-labelledby="r-rules">
        <h3 id="r-rules" className="card-title">
          Rules that matched
        </h3>
        {act.matched.length ? (
          <ul className="matched" aria-label="Matched rules">
            {act.matched.map((m) => (
              <li key={`${m.policy_id}:${m.rule}`}>
                <span className={`verdict verdict-${m.decision}`}>{m.decision}</span> {m.policy_name} · rule {m.rule + 1} ·{' '}
                <a href={`#/policies/${encodeURIComponent(`${m.policy_id}@${m.policy_version}`)}`} aria-label={`${m.policy_name} version ${m.policy_version}: what changed`}>
                  version {m.policy_version} (what changed)
                </a>
                {m.constraint_failed ? <span className="muted"> — {m.constraint_failed}</span> : null}
              </li>
            ))}
          </ul>
        ) : (
          <p className="muted small">No guardrail rule matched.</p>
        )}
        <h4>Layers</h4>
        <LayerTable layers={act.layers} />
      </section>

      <section className="card" aria-labelledby="r-budget">
        <h3 id="r-budget" className="card-title">
          Budget at that moment
        </h3>
        {budgetBlock ? <p className="warn">{budgetBlock}</p> : null}
        <p>{budgetLayer ? `Kill-switch and paused budgets: ${budgetLayer.verdict} — ${budgetLayer.detail}` : 'The budget check did not run (an earlier layer decided).'}</p>
        {budgetsNow.length ? (
          <p className="muted small">
            Now:{' '}
            {budgetsNow.map((b) => `${b.scope === 'global' ? 'Global' : b.scope === 'agent' ? agentName(b.scope_id) : `${b.scope} ${b.scope_id}`} ${micro(b.spent_micro_usd)} of ${micro(b.limit_usd_cents * 10_000)}${b.status === 'paused' ? ' (paused)' : ''}`).join(' · ')}
          </p>
        ) : null}
      </section>

      <section className="card" aria-labelledby="r-who">
        <h3 id="r-who" className="card-title">
          Who decided
        </h3>
        {approval ? (
          <>
            <ul aria-label="Decisions">
              {approval.decisions.map((d) => (
                <li key={`${d.operator}:${d.at}`}>
                  <strong>{d.operator_name ?? d.operator}</strong> — {d.decision.replace('_', ' ')} · {dateTime(d.at)} ({ago(d.at)}){d.comment ? `: “${d.comment}”` : ''}
                </li>
              ))}
              {approval.resolution === 'expired' ? <li>Nobody decided: it expired {dateTime(approval.resolved_at)}.</li> : null}
              {approval.status === 'pending' ? <li>Still waiting for an operator (until {dateTime(approval.expires_at)}).</li> : null}
            </ul>
            {approval.undone_at ? (
              <p className="warn">
                Undone {dateTime(approval.undone_at)}
                {approval.undone_by ? ` by ${approval.undone_by}` : ''}.
              </p>
            ) : null}
          </>
        ) : (
          <p>Decided by policy, {dateTime(act.created_at)}: no operator was asked.</p>
        )}
        {grant ? (
          <p>
            Grant <span className="mono">{grant.id}</span>: {grant.tool} for {agentName(grant.agent_id)}
            {grant.args_pattern ? ` where ${JSON.stringify(grant.args_pattern)}` : ''}
            {grant.max_value !== null ? ` up to ${grant.max_value}` : ''} · created {dateTime(grant.created_at)}
            {grant.revoked_at ? ` · revoked ${dateTime(grant.revoked_at)}` : grant.live ? ' · live' : ' · expired'}
          </p>
        ) : null}
      </section>

      <section className="card" aria-labelledby="r-args">
        <h3 id="r-args" className="card-title">
          Arguments
        </h3>
        <ArgsView args={act.action.args} />
      </section>
    </>
  );
}
