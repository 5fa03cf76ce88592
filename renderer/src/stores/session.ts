/** Sign-in state: the token, the operator it belongs to, and the live-stream status. */
import { create } from 'zustand';
import type { DesktopBridge } from '../../../shared/desktop-bridge.js';
import { clearClient, configureClient, api, errorMessage, isApiError } from '../lib/api';
import { forgetToken, rememberToken, type SessionSource } from '../lib/session';
import type { StreamState } from '../lib/sse';
import type { OperatorRole } from '../../../shared/vocabulary.js';

/** The signed-in operator: its role decides which controls the UI enables (see lib/can). */
export interface SignedInOperator {
  id: string;
  name: string;
  role: OperatorRole;
  permissions: readonly string[];
}

export type SessionStatus = 'checking' | 'signed_in' | 'signed_out' | 'unreachable';

interface SessionState {
  status: SessionStatus;
  baseUrl: string;
  token: string | null;
  desktop: DesktopBridge | null;
  operator: SignedInOperator | null;
  /** Why we are signed out or unreachable, for the sign-in screen. */
  reason: string | null;
  stream: StreamState;
  init(source: SessionSource): Promise<void>;
  signIn(token: string): Promise<void>;
  signOut(reason?: string): void;
  setStream(state: StreamState): void;
  /** The signed-in operator's role or permissions changed (an `operator.changed` event about it). */
  operatorChanged(changed: SignedInOperator): void;
}

export const useSession = create<SessionState>((set, get) => ({
  status: 'checking',
  baseUrl: '',
  token: null,
  desktop: null,
  operator: null,
  reason: null,
  stream: 'closed',

  async init(source) {
    set({ baseUrl: source.baseUrl, desktop: source.desktop });
    if (!source.token) {
      set({ status: 'signed_out', reason: null });
      return;
    }
    await get().signIn(source.token);
  },

  async signIn(token) {
    const { baseUrl } = get();
    set({ status: 'checking', token });
    configureClient(baseUrl, token, () => {
      if (get().status === 'signed_in') get().signOut('The server rejected the operator token (it may have changed). Sign in again.');
    });
    try {
      const me = await api().call('me');
      if (me.object !== 'operator') {
        clearClient();
        set({ status: 'signed_out', token: null, reason: 'That is an agent key. The operator UI needs the operator token (wk_op_…).' });
        return;
      }
      if (!get().desktop) rememberToken(token);
      set({ status: 'signed_in', operator: { id: me.id, name: me.name, role: me.role, permissions: me.permissions }, reason: null });
    } catch (err) {
      if (isApiError(err, 'unauthenticated')) {
        forgetToken();
        clearClient();
        set({ status: 'signed_out', token: null, reason: 'That token is not valid for this server.' });
      } else {
        set({ status: 'unreachable', reason: errorMessage(err) });
      }
    }
  },

  signOut(reason) {
    forgetToken();
    clearClient();
    set({ status: 'signed_out', token: null, operator: null, reason: reason ?? null, stream: 'closed' });
  },

  setStream(stream) {
    set({ stream });
  },

  operatorChanged(changed) {
    const current = get().operator;
    if (!current || current.id !== changed.id) return;
    set({ operator: { ...current, role: changed.role, permissions: changed.permissions } });
  },
}));
