/** The audit rows for a set of filters: first page on change, more as the table scrolls, new rows counted. */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { AuditEntry } from '../../../../shared/api/audit.js';
import { api, errorMessage } from '../../lib/api';
import { useLiveEvents } from '../../lib/hub';
import { toQuery, type Filters } from './query';

const PAGE = 200;

export interface AuditLog {
  rows: AuditEntry[];
  hasMore: boolean;
  loading: boolean;
  error: string | null;
  /** Live events since the last load from the top. */
  fresh: number;
  load(reset: boolean): Promise<void>;
}

export function useAuditLog(filters: Filters): AuditLog {
  const [rows, setRows] = useState<AuditEntry[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [hasMore, setHasMore] = useState(false);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [fresh, setFresh] = useState(0);
  const generation = useRef(0);

  const load = useCallback(
    async (reset: boolean) => {
      const gen = reset ? ++generation.current : generation.current;
      setLoading(true);
      try {
        const page = await api().call('listAudit', { query: { ...toQuery(filters), limit: PAGE, cursor: reset ? undefined : (cursor ?? undefined) } });
        if (gen !== generation.current) return;
        setRows((prev) => (reset ? page.data : [...prev, ...page.data]));
        setCursor(page.next_cursor);
        setHasMore(page.has_more);
        setError(null);
        if (reset) setFresh(0);
      } catch (err) {
        if (gen === generation.current) setError(errorMessage(err));
      } finally {
        if (gen === generation.current) setLoading(false);
      }
    },
    [filters, cursor],
  );

  // Refetch from the top whenever a filter changes (text filters are debounced).
  useEffect(() => {
    const t = setTimeout(() => void load(true), 200);
    return () => clearTimeout(t);
  }, [filters]);

  useLiveEvents(() => setFresh((n) => n + 1));
  return { rows, hasMore, loading, error, fresh, load };
}
