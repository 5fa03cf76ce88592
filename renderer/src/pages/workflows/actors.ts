/**
 * Names for the actors Warden records (`operator:opr_…`, `agent:agt_…`, `system`): operators
 * from the operators list (read once), agents from the shared agents store.
 */
import { useEffect, useState } from 'react';
import { api } from '../../lib/api';
import { agentName } from '../../stores/agents';
import { useSession } from '../../stores/session';

let operators: Promise<ReadonlyMap<string, string>> | null = null;

function loadOperators(): Promise<ReadonlyMap<string, string>> {
  operators ??= (async () => {
    const names = new Map<string, string>();
    for await (const o of api().paginate('listOperators', { query: { limit: 500 } })) names.set(o.id, o.name);
    return names;
  })().catch(() => {
    operators = null;
    return new Map<string, string>();
  });
  return operators;
}

/** A function naming actors; re-renders once the operators' names are in. */
export function useActorLabel(): (actor: string | null | undefined) => string {
  const [names, setNames] = useState<ReadonlyMap<string, string>>(new Map());
  const me = useSession((s) => s.operator?.id);
  useEffect(() => {
    let live = true;
    void loadOperators().then((m) => {
      if (live) setNames(m);
    });
    return () => {
      live = false;
    };
  }, []);
  return (actor) => {
    if (!actor) return '—';
    if (actor === 'system') return 'Warden';
    const [kind, id = ''] = actor.split(':');
    if (kind === 'operator') return id === me ? `you (${names.get(id) ?? 'operator'})` : (names.get(id) ?? actor);
    if (kind === 'agent') return agentName(id);
    return actor;
  };
}
