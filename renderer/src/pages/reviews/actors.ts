/**
 * Names for the `operator:opr_…` / `agent:agt_…` strings submissions and solutions carry. Operator
 * names are read once and again when an id is not known yet (an operator added since); agents come
 * from the shared agent list.
 */
import { useEffect, useState } from 'react';
import { api } from '../../lib/api';
import { agentName, useAgentList } from '../../stores/agents';

let operators = new Map<string, string>();
let loading: Promise<void> | null = null;
const asked = new Set<string>();
const listeners = new Set<() => void>();

function loadOperators(): Promise<void> {
  loading ??= (async () => {
    const next = new Map<string, string>();
    for await (const o of api().paginate('listOperators', { query: { limit: 500 } })) next.set(o.id, o.name);
    operators = next;
  })()
    .catch(() => undefined)
    .finally(() => {
      loading = null;
      for (const l of [...listeners]) l();
    });
  return loading;
}

/** `actor` → "alice" or "refund-bot"; the raw id until its name is known. */
export function useActorName(): (actor: string) => string {
  useAgentList();
  const [, setTick] = useState(0);
  useEffect(() => {
    const l = () => setTick((t) => t + 1);
    listeners.add(l);
    if (!operators.size) void loadOperators();
    return () => {
      listeners.delete(l);
    };
  }, []);
  return (actor) => {
    const [kind, id] = actor.split(':');
    if (!id) return actor;
    if (kind === 'agent') return agentName(id);
    if (kind !== 'operator') return actor;
    const name = operators.get(id);
    if (name) return name;
    if (!asked.has(id)) {
      asked.add(id);
      void loadOperators();
    }
    return id;
  };
}
