/** One audit row in full, with a link to the receipt of the action it concerns. */
import type { AuditEntry } from '../../../../shared/api/audit.js';
import { dateTime } from '../../lib/format';
import { receiptHref } from '../../stores/route';
import { Dialog } from '../../components/Dialog';
import { JsonBlock } from '../../components/JsonView';
import { actionIdOf } from './query';

export function AuditDrawer({ entry, onClose, agentName, actorName }: { entry: AuditEntry | null; onClose(): void; agentName(id: string | null): string; actorName(actor: string): string }) {
  const actionId = entry ? actionIdOf(entry) : null;
  return (
    <Dialog title={entry ? entry.event_type : ''} open={entry !== null} onClose={onClose} variant="drawer">
      {entry ? (
        <dl className="kv">
          <dt>Time</dt>
          <dd>{dateTime(entry.at)}</dd>
          <dt>Sequence</dt>
          <dd>{entry.seq}</dd>
          <dt>Actor</dt>
          <dd>
            {actorName(entry.actor)} <span className="muted mono small">{entry.actor}</span>
          </dd>
          <dt>Agent</dt>
          <dd>{entry.agent_id ? `${agentName(entry.agent_id)} (${entry.agent_id})` : '—'}</dd>
          <dt>Subject</dt>
          <dd className="mono">{entry.subject_id ?? '—'}</dd>
          {actionId ? (
            <>
              <dt>Why</dt>
              <dd>
                <a href={receiptHref(actionId)} onClick={onClose}>
                  Open the receipt
                </a>
              </dd>
            </>
          ) : null}
          <dt>Hash</dt>
          <dd className="mono small break">{entry.hash}</dd>
          <dt>Data</dt>
          <dd>
            <JsonBlock value={entry.data} />
          </dd>
        </dl>
      ) : null}
    </Dialog>
  );
}
