/** The selected request in full: what it asks, why, and the three decisions. */
import { useEffect, useState } from 'react';
import type { Approval } from '../../../../shared/api/approvals.js';
import { api } from '../../lib/api';
import { whatIsAsked, whyNotAllowable } from '../../lib/asked';
import { ago, dateTime, micro } from '../../lib/format';
import { useResource } from '../../lib/useResource';
import { allowCount, decisionBy, useApprovals } from '../../stores/approvals';
import { useBudgets } from '../../stores/budgets';
import { useNow } from '../../stores/clock';
import { useSession } from '../../stores/session';
import { toast } from '../../stores/toasts';
import { GrantScopeDialog } from '../../components/GrantScopeDialog';
import { ArgsView } from '../../components/JsonView';
import { VisibleText } from '../../components/VisibleText';
import { LayerTable } from '../../components/LayerTable';
import { McpCallContext } from '../McpCallContext';
import { WorkflowStepContext } from './WorkflowStepContext';
import { Async } from '../../components/states';
import { receiptHref } from '../../stores/route';
import { Countdown } from './ApprovalCard';
import { decide, waitingLine } from './decide';
import { Gate } from '../../lib/can';

export function ApprovalDetail({ approval: a, stale = false }: { approval: Approval; stale?: boolean }) {
  const inFlight = useApprovals((s) => Boolean(s.busy[a.id]));
  // Past expires_at the server answers 409; the reaper's event removes the card shortly.
  const expired = useNow((s) => s.now >= Date.parse(a.expires_at));
  const operatorId = useSession((s) => s.operator?.id);
  const asked = whatIsAsked(a.action);
  const mine = decisionBy(a, operatorId);
  const busy = inFlight || expired || Boolean(mine) || stale;
  const [reason, setReason] = useState('');
  const [choosing, setChoosing] = useState(false);
  const stopped = useBudgets((s) => s.killSwitch?.engaged === true);
  const receipt = useResource(async () => (a.receipt_id ? api().call('getReceipt', { params: { id: a.receipt_id } }) : null), [a.receipt_id]);
  // Why Allow always is not offered, in the server's words.
  const notOffered = useResource(async () => (a.grantable ? null : (await api().call('grantOptions', { params: { id: a.id } })).not_grantable_reason), [a.id, a.grantable]);
  const whyNot = notOffered.data ?? 'this request asks every time';

  // The keyboard shortcuts live in the shell; they reach this pane through these events.
  useEffect(() => {
    const onKey = (e: Event) => {
      const kind = (e as CustomEvent<string>).detail;
      if (kind === 'reason') {
        document.getElementById('deny-reason')?.focus();
        return;
      }
      // A key on a request that cannot take it always says why, never does nothing.
      const always = kind === 'allow_always';
      const why = whyNotAllowable(stale ? { ...a, withdrawn_at: a.withdrawn_at ?? new Date().toISOString() } : a, { now: Date.now(), operatorId, busy: inFlight, always });
      if (why) {
        if (always && a.grantable === false && !stale && !expired && !mine) toast.warning('Allow always is not offered', whyNot);
        else toast.warning(kind === 'deny' ? 'Cannot deny this request' : 'Cannot allow this request', why);
        return;
      }
      if (kind === 'allow_once') void decide(a, 'allow_once');
      else if (always) setChoosing(true);
      else if (kind === 'deny') void decide(a, 'deny', { comment: reason });
    };
    window.addEventListener('warden:inbox', onKey);
    return () => window.removeEventListener('warden:inbox', onKey);
  }, [a, reason, expired, mine, whyNot, stale, operatorId, inFlight]);

  return (
    <section className="inbox-detail" aria-label="Approval details">
      <header className="detail-header">
        <div>
          <h3 className="mono">{a.action.tool}</h3>
          <p className="muted">
            <strong>{a.agent_name ?? a.agent_id}</strong>
            {a.kind === 'delegation' ? ' · delegation request' : ''} · asked {ago(a.created_at)}
          </p>
        </div>
        {stale ? null : (
          <div className="detail-timer">
            Expires in <Countdown expiresAt={a.expires_at} />
          </div>
        )}
      </header>

      {asked.folder ? <p className="muted small mono">in {asked.folder}</p> : null}
      {stale ? (
        <p className="warn" role="status">
          {a.agent_name ?? a.agent_id} stopped waiting {ago(a.withdrawn_at)} and withdrew this request: it can no longer be allowed or denied.{' '}
          <button type="button" className="link" onClick={() => useApprovals.getState().dismissStale(a.id)}>
            Dismiss
          </button>
        </p>
      ) : null}
      {a.required_approvals > 1 ? (
        <p className="threshold" role="status">
          <strong>
            {allowCount(a)} of {a.required_approvals} approvals
          </strong>{' '}
          — needs {a.required_approvals} distinct operators; one deny denies.
          {a.decisions.length ? ` So far: ${a.decisions.map((d) => d.operator_name ?? d.operator).join(', ')}.` : ''}
          {a.eligible_operators?.length ? ` May still decide: ${a.eligible_operators.map((o) => o.name).join(', ')}.` : ''}
        </p>
      ) : null}

      <p className="explanation">
        <VisibleText text={a.explanation} />
      </p>
      <McpCallContext approval={a} variant="detail" />
      <WorkflowStepContext approval={a} variant="detail" />
      {stopped ? (
        <p className="warn" role="status">
          All agents are stopped: an allow is recorded, but the agent is told it is blocked by the kill-switch.
        </p>
      ) : null}

      {mine ? (
        <p className="decided">{waitingLine(a)}</p>
      ) : null}
      <div className="decision-bar">
        <Gate route="decideApproval">
          <button type="button" className="allow" disabled={busy} onClick={() => void decide(a, 'allow_once')} aria-keyshortcuts="a">
            Allow once
          </button>
        </Gate>
        <Gate route="decideApproval">
          <button
            type="button"
            className="allow-always"
            disabled={busy || !a.grantable}
            onClick={() => setChoosing(true)}
            aria-keyshortcuts="Shift+A"
            aria-haspopup="dialog"
            title={a.grantable ? 'Choose what to allow always' : `Not offered: ${whyNot}`}
          >
            Allow always
          </button>
        </Gate>
        <Gate route="decideApproval">
          <button type="button" className="deny" disabled={busy} onClick={() => void decide(a, 'deny', { comment: reason })} aria-keyshortcuts="d">
            Deny
          </button>
        </Gate>
        <input
          id="deny-reason"
          className="reason"
          aria-label="Reason for denial"
          placeholder="Deny reason, sent to the agent (r)"
          value={reason}
          disabled={Boolean(mine)}
          maxLength={2000}
          onChange={(e) => setReason(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') void decide(a, 'deny', { comment: reason });
          }}
        />
      </div>
      {a.grantable ? null : (
        <p className="muted small" role="note">
          Allow always is not offered: {whyNot}.
        </p>
      )}
      {a.grantable ? (
        <GrantScopeDialog
          approval={a}
          open={choosing}
          onClose={() => setChoosing(false)}
          onAllow={(grant) => {
            setChoosing(false);
            void decide(a, 'allow_always', { grant });
          }}
        />
      ) : null}

      <h4>Arguments</h4>
      <ArgsView args={a.action.args} />

      <dl className="kv compact">
        {a.action.value !== undefined ? (
          <>
            <dt>Value</dt>
            <dd>{a.action.value}</dd>
          </>
        ) : null}
        {a.categories.length ? (
          <>
            <dt>Categories</dt>
            <dd>{a.categories.join(', ')}</dd>
          </>
        ) : null}
        {a.action.connector ? (
          <>
            <dt>Connector</dt>
            <dd>{a.action.connector}</dd>
          </>
        ) : null}
        {a.action.cost_estimate_micro_usd !== undefined ? (
          <>
            <dt>Cost estimate</dt>
            <dd>{micro(a.action.cost_estimate_micro_usd)}</dd>
          </>
        ) : null}
        {a.action.mission_id ? (
          <>
            <dt>Mission</dt>
            <dd>{a.action.mission_id}</dd>
          </>
        ) : null}
        {a.action.resource ? (
          <>
            <dt>Resource</dt>
            <dd>
              {a.action.resource.type}/{a.action.resource.id}
            </dd>
          </>
        ) : null}
        <dt>Expires</dt>
        <dd>{dateTime(a.expires_at)}</dd>
        <dt>Request</dt>
        <dd className="mono small">
          {a.id}
          {a.action_id ? (
            <>
              {' · '}
              <a href={receiptHref(a.action_id)}>Full receipt</a>
            </>
          ) : null}
        </dd>
      </dl>

      <h4>Why it asks</h4>
      <Async {...receipt} what="the receipt">
        {(r) =>
          r ? (
            <>
              {r.matched.length ? (
                <ul className="matched" aria-label="Matched rules">
                  {r.matched.map((m) => (
                    <li key={`${m.policy_id}:${m.rule}`}>
                      <span className={`verdict verdict-${m.decision}`}>{m.decision}</span> {m.policy_name} v{m.policy_version} · rule {m.rule + 1}
                      {m.constraint_failed ? <span className="muted"> — {m.constraint_failed}</span> : null}
                    </li>
                  ))}
                </ul>
              ) : (
                <p className="muted small">No guardrail rule matched.</p>
              )}
              <LayerTable layers={r.layers} />
            </>
          ) : (
            <p className="muted small">{a.kind === 'workflow_step' ? 'No receipt: a human step of a workflow, not an action.' : 'No receipt (a delegation request).'}</p>
          )
        }
      </Async>
    </section>
  );
}
