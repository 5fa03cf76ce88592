/**
 * The Allow always scope chooser: the exact request preselected, wider scopes (command prefix,
 * folder, domain, any arguments) each with what it would have allowed among the agent's recent
 * actions, the expiry (30 days by default, Never only when chosen), and a confirmation step for a
 * wide scope on a high-risk tool.
 */
import { useEffect, useState } from 'react';
import type { Approval } from '../../../shared/api/approvals.js';
import type { GrantOptions, GrantScope } from '../../../shared/api/grants.js';
import { api } from '../lib/api';
import { ago, dateTime } from '../lib/format';
import { useResource } from '../lib/useResource';
import { Dialog } from './Dialog';
import { Async } from './states';
import { VisibleText } from './VisibleText';

const DAY_MS = 86_400_000;

/** Expiry choices; `null` ms is Never, `undefined` the server's default (30 days). */
export const EXPIRY_CHOICES: { label: string; ms: number | null | undefined }[] = [
  { label: '30 days', ms: undefined },
  { label: '7 days', ms: 7 * DAY_MS },
  { label: '24 hours', ms: DAY_MS },
  { label: '1 hour', ms: 3_600_000 },
  { label: 'Never', ms: null },
];

export function GrantScopeDialog({
  approval,
  open,
  onClose,
  onAllow,
}: {
  approval: Approval;
  open: boolean;
  onClose(): void;
  onAllow(grant: GrantScope): void;
}) {
  const options = useResource(
    async () => (open ? api().call('grantOptions', { params: { id: approval.id } }) : null),
    [approval.id, open],
  );
  const agent = approval.agent_name ?? approval.agent_id;
  return (
    <Dialog title={`Allow always: ${approval.action.tool} for ${agent}`} open={open} onClose={onClose}>
      <Async {...options} what="the grant scopes">
        {(o) => (o ? <Chooser options={o} agent={agent} onAllow={onAllow} onClose={onClose} /> : null)}
      </Async>
    </Dialog>
  );
}

function Chooser({ options: o, agent, onAllow, onClose }: { options: GrantOptions; agent: string; onAllow(grant: GrantScope): void; onClose(): void }) {
  const [scopeId, setScopeId] = useState(o.scopes[0]?.id ?? '');
  const [expiry, setExpiry] = useState(0);
  const [confirmed, setConfirmed] = useState(false);
  const scope = o.scopes.find((s) => s.id === scopeId) ?? null;
  const needsConfirm = Boolean(scope?.wide && o.high_risk);
  useEffect(() => setConfirmed(false), [scopeId]);

  if (!o.grantable || !scope) {
    return (
      <>
        <p role="alert">Allow always is not offered: {o.not_grantable_reason ?? 'no scope fits this request'}.</p>
        <div className="dialog-actions">
          <button type="button" onClick={onClose}>
            Close
          </button>
        </div>
      </>
    );
  }

  function allow() {
    if (!scope || (needsConfirm && !confirmed)) return;
    const ms = EXPIRY_CHOICES[expiry]?.ms;
    const grant: GrantScope = {
      args_pattern: scope.args_pattern,
      max_value: scope.max_value,
      ...(ms === null ? { expires_at: null } : ms !== undefined ? { expires_at: new Date(Date.now() + ms).toISOString() } : {}),
      ...(needsConfirm ? { confirm: true as const } : {}),
    };
    onAllow(grant);
  }

  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        allow();
      }}
    >
      <fieldset className="scope-list">
        <legend>What {agent} may do without asking</legend>
        {o.scopes.map((s) => (
          <label key={s.id} className={`scope-option${s.id === scopeId ? ' selected' : ''}`}>
            <input type="radio" name="grant-scope" value={s.id} checked={s.id === scopeId} onChange={() => setScopeId(s.id)} />
            <span className="scope-label">
              <VisibleText text={s.label} />
              {s.wide ? <span className="pill pill-warn">wider</span> : null}
            </span>
            <span className="scope-preview small">
              <span className="muted" aria-label={`Preview for ${s.id}`}>
                Would have allowed {s.preview.would_allow} of the last {o.sample_size} actions of {agent}
              </span>
              {s.preview.examples.length ? (
                <details>
                  <summary>Which</summary>
                  <ul>
                    {s.preview.examples.map((e) => (
                      <li key={e.action_id}>
                        <code>
                          <VisibleText text={e.summary} />
                        </code>{' '}
                        <span className="muted" title={dateTime(e.created_at)}>
                          {e.value !== null ? `value ${e.value} · ` : ''}
                          {e.status.replace('_', ' ')} · {ago(e.created_at)}
                        </span>
                      </li>
                    ))}
                  </ul>
                </details>
              ) : null}
            </span>
          </label>
        ))}
      </fieldset>
      <label>
        Expires
        <select value={expiry} onChange={(e) => setExpiry(Number(e.target.value))}>
          {EXPIRY_CHOICES.map((c, i) => (
            <option key={c.label} value={i}>
              {c.label}
            </option>
          ))}
        </select>
      </label>
      {needsConfirm ? (
        <div className="scope-confirm" role="group" aria-label="High-risk confirmation">
          <p>
            <strong>High risk:</strong> {o.high_risk_reason}. This scope is wider than the request you see.
          </p>
          <label className="check">
            <input type="checkbox" checked={confirmed} onChange={(e) => setConfirmed(e.target.checked)} />
            I understand {agent} will run everything this scope covers without asking
          </label>
        </div>
      ) : null}
      <div className="dialog-actions">
        <button type="button" onClick={onClose}>
          Cancel
        </button>
        <button type="submit" className="allow-always" disabled={needsConfirm && !confirmed}>
          Allow always
        </button>
      </div>
    </form>
  );
}
