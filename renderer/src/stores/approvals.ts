/**
 * The Inbox: pending approvals, kept live by `approval.*` events, ordered by urgency (soonest to
 * expire first), with the operator's selection.
 */
import { create } from 'zustand';
import type { Approval } from '../../../shared/api/approvals.js';
import { api, errorMessage } from '../lib/api';
import { toast } from './toasts';

/** How long after a decision `z` can undo it (the server's window). */
export const UNDO_WINDOW_MS = 10_000;

export interface LastAllow {
  approvalId: string;
  what: string;
  always: boolean;
  /** Epoch ms of the decision, on this machine's clock. */
  at: number;
}

interface ApprovalsState {
  pending: Approval[];
  loading: boolean;
  loaded: boolean;
  error: string | null;
  selectedId: string | null;
  /** Ids with a decision in flight, so buttons disable and a double key press decides once. */
  busy: Record<string, true>;
  /** The last allow this window made, which `z` can undo for UNDO_WINDOW_MS. */
  lastAllow: LastAllow | null;
  /**
   * Requests whose agent stopped waiting (withdrawn) since this window opened: shown in a "no
   * longer waiting" group, never allowable, until dismissed. Newest first.
   */
  stale: Approval[];
  /** Requests marked with `x` for a bulk decision. */
  marked: Record<string, true>;
  /** The order the Inbox shows (filtered, sorted, grouped): j/k follow it. Empty = `pending`. */
  visibleIds: readonly string[];
  /** Requests that arrived while the operator was looking elsewhere in the list, for the "N new" pill. */
  unseen: Record<string, true>;
  markStale(approval: Approval): void;
  dismissStale(id?: string): void;
  toggleMark(ids: readonly string[]): void;
  clearMarks(): void;
  setVisible(ids: readonly string[]): void;
  clearUnseen(): void;
  setLastAllow(last: LastAllow | null): void;
  load(): Promise<void>;
  upsert(approval: Approval): void;
  remove(id: string): void;
  select(id: string | null): void;
  move(delta: number): void;
  setBusy(id: string, busy: boolean): void;
}

/**
 * Changes seen from events while a full load is in flight. The load's snapshot may predate
 * them, so they are replayed on top of it — otherwise a request that arrives during the load
 * would vanish until the next refresh.
 */
type Change = { op: 'up'; approval: Approval } | { op: 'rm'; id: string };
const journals = new Set<Change[]>();
let loadSeq = 0;
let appliedSeq = 0;

const byUrgency = (a: Approval, b: Approval) => a.expires_at.localeCompare(b.expires_at) || a.created_at.localeCompare(b.created_at) || a.id.localeCompare(b.id);

export const useApprovals = create<ApprovalsState>((set, get) => ({
  pending: [],
  loading: false,
  loaded: false,
  error: null,
  selectedId: null,
  busy: {},
  lastAllow: null,
  stale: [],
  marked: {},
  visibleIds: [],
  unseen: {},

  async load() {
    set({ loading: true });
    const seq = ++loadSeq;
    const mine: Change[] = [];
    journals.add(mine);
    try {
      const loaded: Approval[] = [];
      for await (const a of api().paginate('listApprovals', { query: { status: 'pending', limit: 500 } })) {
        loaded.push(a);
        if (loaded.length >= 20_000) break;
      }
      journals.delete(mine);
      // Loads overlap at start (prefetch, stream open); a newer snapshot already shown wins.
      if (seq < appliedSeq) return;
      appliedSeq = seq;
      const byId = new Map(loaded.map((a) => [a.id, a]));
      for (const change of mine) {
        if (change.op === 'rm') byId.delete(change.id);
        else if (change.approval.status === 'pending') byId.set(change.approval.id, change.approval);
        else byId.delete(change.approval.id);
      }
      const all = [...byId.values()].sort(byUrgency);
      const { selectedId } = get();
      set({
        pending: all,
        loading: journals.size > 0,
        loaded: true,
        error: null,
        selectedId: selectedId && all.some((a) => a.id === selectedId) ? selectedId : (all[0]?.id ?? null),
      });
    } catch (err) {
      journals.delete(mine);
      if (seq < appliedSeq) return;
      set({ loading: journals.size > 0, loaded: true, error: errorMessage(err) });
    }
  },

  upsert(approval) {
    for (const j of journals) j.push({ op: 'up', approval });
    if (approval.status !== 'pending') {
      get().remove(approval.id);
      return;
    }
    const { pending, selectedId } = get();
    const i = pending.findIndex((a) => a.id === approval.id);
    let next: Approval[];
    if (i >= 0) {
      next = pending.slice();
      next[i] = approval;
    } else {
      // Insert in order rather than re-sorting: a burst of 1,000 arrivals stays O(n) each.
      next = pending.slice();
      let at = next.length;
      while (at > 0 && byUrgency(next[at - 1]!, approval) > 0) at--;
      next.splice(at, 0, approval);
    }
    const fresh = i < 0 && get().loaded;
    set({ pending: next, selectedId: selectedId ?? approval.id, ...(fresh ? { unseen: { ...get().unseen, [approval.id]: true as const } } : {}) });
  },

  remove(id) {
    for (const j of journals) j.push({ op: 'rm', id });
    const { pending, selectedId, busy } = get();
    const i = pending.findIndex((a) => a.id === id);
    if (i < 0) return;
    const next = pending.filter((a) => a.id !== id);
    // Keep the cursor where it was: the next request slides under it (inbox-zero flow).
    const selected = selectedId === id ? (next[Math.min(i, next.length - 1)]?.id ?? null) : selectedId;
    const { [id]: _gone, ...rest } = busy;
    const { [id]: _unmarked, ...marked } = get().marked;
    const { [id]: _seen, ...unseen } = get().unseen;
    set({ pending: next, selectedId: selected, busy: rest, marked, unseen });
  },

  markStale(approval) {
    get().remove(approval.id);
    set({ stale: [approval, ...get().stale.filter((a) => a.id !== approval.id)].slice(0, 200) });
  },

  dismissStale(id) {
    set({ stale: id ? get().stale.filter((a) => a.id !== id) : [] });
  },

  toggleMark(ids) {
    const marked = { ...get().marked };
    const allMarked = ids.every((id) => marked[id]);
    for (const id of ids) {
      if (allMarked) delete marked[id];
      else marked[id] = true;
    }
    set({ marked });
  },

  clearMarks() {
    set({ marked: {} });
  },

  setVisible(visibleIds) {
    set({ visibleIds });
  },

  clearUnseen() {
    if (Object.keys(get().unseen).length) set({ unseen: {} });
  },

  select(id) {
    set({ selectedId: id });
  },

  move(delta) {
    const { pending, selectedId, visibleIds } = get();
    const order = visibleIds.length ? visibleIds : pending.map((a) => a.id);
    if (!order.length) return;
    const i = order.indexOf(selectedId ?? '');
    const to = Math.max(0, Math.min(order.length - 1, (i < 0 ? 0 : i) + delta));
    set({ selectedId: order[to]! });
  },

  setLastAllow(lastAllow) {
    set({ lastAllow });
  },

  setBusy(id, busy) {
    const { [id]: _old, ...rest } = get().busy;
    set({ busy: busy ? { ...rest, [id]: true } : rest });
  },
}));

export function approvalFromEvent(data: Record<string, unknown>): Approval | null {
  const candidate = (data.object === 'approval' ? data : data.approval) as Approval | undefined;
  return candidate && candidate.object === 'approval' && typeof candidate.id === 'string' ? candidate : null;
}

/** The id an approval event is about, whatever its payload shape. */
export function approvalIdFromEvent(data: Record<string, unknown>): string | null {
  const a = approvalFromEvent(data);
  if (a) return a.id;
  const id = data.approval_id ?? data.id;
  return typeof id === 'string' && id.startsWith('apr_') ? id : null;
}

/** Allow decisions so far, for "1 of 2 approvals". */
export function allowCount(a: Approval): number {
  return a.decisions.filter((d) => d.decision !== 'deny').length;
}

/**
 * The decision `operatorId` already gave on a request still pending (a threshold waiting for
 * other operators), if any. Thresholds count distinct operators, so they cannot decide again.
 */
export function decisionBy(a: Approval, operatorId: string | null | undefined): Approval['decisions'][number] | undefined {
  return operatorId ? a.decisions.find((d) => d.operator === operatorId) : undefined;
}

/**
 * `z`: undoes this window's last allow while the server still can (10 s). Returns a sentence for
 * the toast; throws the API error otherwise.
 */
export async function undoLastAllow(now = Date.now()): Promise<{ title: string; body: string } | null> {
  const last = useApprovals.getState().lastAllow;
  if (!last || now - last.at > UNDO_WINDOW_MS) return null;
  useApprovals.getState().setLastAllow(null);
  const res = await api().call('undoDecision', { params: { id: last.approvalId } });
  const parts: string[] = [];
  if (res.grant_revoked) parts.push('the grant is revoked');
  parts.push(res.action_withdrawn ? 'the request is withdrawn (the agent is told it is denied)' : 'the agent had already picked up the answer');
  return { title: 'Undone', body: `${last.what}: ${parts.join('; ')}.` };
}

/** `z` and the toast's Undo: undo the last allow and say what it did. */
export async function undoWithToast(): Promise<void> {
  try {
    const done = await undoLastAllow();
    if (done) toast.info(done.title, done.body);
    else toast.warning('Nothing to undo', `Only an allow made in the last ${UNDO_WINDOW_MS / 1000} s can be undone.`);
  } catch (err) {
    toast.error('Could not undo', errorMessage(err));
  }
}
