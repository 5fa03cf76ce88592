/**
 * The audit rows in a virtualized table (thousands of rows scroll smoothly because only the
 * visible ~30 are in the DOM), loading more as the end comes into view. Every row carries its
 * date; denials and blocks read red whatever their family.
 */
import { useEffect, useRef, type KeyboardEvent } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { AuditEntry } from '../../../../shared/api/audit.js';
import { dateTime, dayTime, preview } from '../../lib/format';
import { summarizeAudit } from '../../lib/auditSummary';
import { eventTone } from './query';

const ROW_HEIGHT = 34;

export interface AuditTableProps {
  rows: AuditEntry[];
  hasMore: boolean;
  loading: boolean;
  loadMore(): void;
  onOpen(e: AuditEntry): void;
  agentName(id: string | null): string;
  actorName(actor: string): string;
}

export function AuditTable({ rows, hasMore, loading, loadMore, onOpen, agentName, actorName }: AuditTableProps) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
    useFlushSync: false,
  });
  const items = virtualizer.getVirtualItems();
  const last = items[items.length - 1];
  useEffect(() => {
    if (last && last.index >= rows.length - 20 && hasMore && !loading) loadMore();
  }, [last, rows.length, hasMore, loading, loadMore]);

  function onRowKey(e: KeyboardEvent<HTMLDivElement>, index: number) {
    const move = (to: number) => {
      e.preventDefault();
      const target = Math.max(0, Math.min(rows.length - 1, to));
      virtualizer.scrollToIndex(target);
      requestAnimationFrame(() => scrollRef.current?.querySelector<HTMLElement>(`[data-index="${target}"]`)?.focus());
    };
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      const row = rows[index];
      if (row) onOpen(row);
    } else if (e.key === 'ArrowDown' || e.key === 'j') move(index + 1);
    else if (e.key === 'ArrowUp' || e.key === 'k') move(index - 1);
  }

  return (
    <div className="vtable" role="table" aria-label="Audit events" aria-rowcount={rows.length + 1}>
      <div role="rowgroup" className="vtable-head">
        <div role="row" className="vrow audit-grid">
          <span role="columnheader">When</span>
          <span role="columnheader">Event</span>
          <span role="columnheader">Actor</span>
          <span role="columnheader">Agent</span>
          <span role="columnheader">Details</span>
        </div>
      </div>
      <div ref={scrollRef} className="vtable-body" role="rowgroup">
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {items.map((item) => {
            const e = rows[item.index]!;
            return (
              <div
                key={e.id}
                role="row"
                aria-rowindex={item.index + 2}
                data-index={item.index}
                tabIndex={0}
                className="vrow audit-grid clickable"
                style={{ transform: `translateY(${item.start}px)`, height: ROW_HEIGHT }}
                onClick={() => onOpen(e)}
                onKeyDown={(ev) => onRowKey(ev, item.index)}
              >
                <span role="cell" className="mono small no-wrap" title={dateTime(e.at)}>
                  {dayTime(e.at)}
                </span>
                <span role="cell" className="truncate">
                  <span className={`evt evt-${e.event_type.split('.')[0]} evt-${e.event_type.split('.')[1] ?? ''} tone-${eventTone(e)}`}>{e.event_type}</span>
                </span>
                <span role="cell" className="small truncate" title={e.actor}>
                  {actorName(e.actor)}
                </span>
                <span role="cell" className="small truncate">
                  {agentName(e.agent_id)}
                </span>
                <span role="cell" className="small truncate muted" title={preview(e.data, 400)}>
                  {summarizeAudit(e, (id) => agentName(id))}
                </span>
              </div>
            );
          })}
        </div>
        {hasMore ? <div className="vtable-more muted small">{loading ? 'Loading more…' : ''}</div> : null}
      </div>
    </div>
  );
}
