/** One request in the Inbox list: what is asked, by whom, where, and how long is left. */
import { memo, useEffect, useRef } from 'react';
import type { Approval } from '../../../../shared/api/approvals.js';
import { shortFolder, whatIsAsked } from '../../lib/asked';
import { countdown, dateTime } from '../../lib/format';
import { allowCount } from '../../stores/approvals';
import { useNow } from '../../stores/clock';
import { VisibleText } from '../../components/VisibleText';
import { McpCallContext } from '../McpCallContext';
import { WorkflowStepContext } from './WorkflowStepContext';

export function Countdown({ expiresAt }: { expiresAt: string }) {
  const now = useNow((s) => s.now);
  const left = (Date.parse(expiresAt) - now) / 1000;
  const cls = left <= 0 ? 'countdown expired' : left < 60 ? 'countdown urgent' : 'countdown';
  return (
    <span className={cls} role="timer" aria-label={left <= 0 ? 'expired' : `expires in ${countdown(left)}`}>
      {left <= 0 ? 'expired' : countdown(left)}
    </span>
  );
}

/** The agent's own remaining wait (it stops waiting then, whatever the request's TTL). */
export function AgentWait({ until, agent }: { until: string; agent: string }) {
  const now = useNow((s) => s.now);
  const left = (Date.parse(until) - now) / 1000;
  if (left <= 0) return null;
  return (
    <span className={`pill pill-waiting no-wrap${left < 30 ? ' urgent' : ''}`} role="timer" title={`${agent} waits ${countdown(left)} more for your answer`} aria-label={`${agent} waits ${countdown(left)} more`}>
      waits {countdown(left)}
    </span>
  );
}

export interface CardProps {
  approval: Approval;
  selected: boolean;
  /** Marked with `x` for a bulk decision. */
  marked?: boolean;
  /** Arrived since the operator last looked at the top of the list. */
  fresh?: boolean;
  /** Identical requests this card stands for (grouping on), itself included. */
  groupSize?: number;
  /** The agent stopped waiting: shown apart, never allowable. */
  stale?: boolean;
  /** Pinned on top: its agent is blocked on it right now. */
  waitingNow?: boolean;
  onSelect(id: string): void;
}

export const ApprovalCard = memo(function ApprovalCard({ approval: a, selected, marked, fresh, groupSize = 1, stale, waitingNow, onSelect }: CardProps) {
  const agent = a.agent_name ?? a.agent_id;
  const asked = whatIsAsked(a.action);
  const ref = useRef<HTMLElement>(null);
  // Roving focus: when the list has keyboard focus, it follows the selection (j/k, arrows).
  useEffect(() => {
    const el = ref.current;
    if (selected && el && el.closest('.inbox-list')?.contains(document.activeElement) && document.activeElement !== el) el.focus({ preventScroll: true });
  }, [selected]);
  return (
    <article
      ref={ref}
      className={`approval-card${waitingNow ? ' waiting-now' : ''}${selected ? ' selected' : ''}${marked ? ' marked' : ''}${stale ? ' stale' : ''}`}
      aria-label={`${a.action.tool} by ${agent}`}
      aria-current={selected ? 'true' : undefined}
      tabIndex={selected ? 0 : -1}
      onClick={() => onSelect(a.id)}
      onFocus={() => onSelect(a.id)}
    >
      <div className="approval-card-top">
        {marked ? (
          <span className="mark" aria-label="marked">
            ✓
          </span>
        ) : null}
        {groupSize > 1 ? <span className="pill pill-group">{groupSize} ×</span> : null}
        <span className="tool mono">{a.action.tool}</span>
        {fresh ? <span className="pill pill-new">new</span> : null}
        {!stale && a.agent_waiting_until ? <AgentWait until={a.agent_waiting_until} agent={agent} /> : null}
        {stale ? (
          <span className="muted small no-wrap" title={dateTime(a.withdrawn_at)}>
            withdrawn
          </span>
        ) : (
          <Countdown expiresAt={a.expires_at} />
        )}
      </div>
      {asked.text ? (
        <p className={`approval-card-asked mono asked-${asked.kind}`} title={asked.text}>
          <VisibleText text={asked.text} />
        </p>
      ) : null}
      <div className="approval-card-meta">
        <span className="agent">{agent}</span>
        {asked.folder ? (
          <span className="folder mono" title={asked.folder}>
            {shortFolder(asked.folder)}
          </span>
        ) : null}
        {a.action.connector ? <span className="muted">via {a.action.connector}</span> : null}
        {a.action.value !== undefined && asked.kind !== 'amount' ? <span className="value">value {a.action.value}</span> : null}
        {a.required_approvals > 1 ? (
          <span className="pill pill-warn">
            {allowCount(a)} of {a.required_approvals} approvals
          </span>
        ) : null}
        {a.categories.map((c) => (
          <span key={c} className="chip">
            {c}
          </span>
        ))}
        <McpCallContext approval={a} />
        <WorkflowStepContext approval={a} />
      </div>
    </article>
  );
});
