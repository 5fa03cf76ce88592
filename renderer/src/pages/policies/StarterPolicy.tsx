/**
 * The starter policy for coding agents (`POST /v1/guardrails/starter`), offered where a new user
 * looks first: the Policies page and the empty Inbox while no guardrail policy exists, and as a
 * button on the Policies page at any time until it is added.
 */
import { useState } from 'react';
import type { GuardrailPolicyObject } from '../../../../shared/api/policies.js';
import { api, errorMessage } from '../../lib/api';
import { useResource } from '../../lib/useResource';
import { toast } from '../../stores/toasts';
import { Gate } from '../../lib/can';

export const STARTER_NAME = 'coding-agent-starter';

const SUMMARY =
  'Reads inside the project run at once; writes outside it and network requests ask; destructive shell commands (rm -rf, git push --force, kubectl delete, terraform destroy…) always ask; secrets files (.env, SSH keys, *.pem, .aws/credentials) are blocked.';

function useAddStarter(onAdded?: (p: GuardrailPolicyObject) => void) {
  const [busy, setBusy] = useState(false);
  const add = async () => {
    setBusy(true);
    try {
      const p = await api().call('createStarterGuardrail');
      toast.success(`Added ${p.name}`, `${p.rules.length} rules, version 1. Edit them like any policy.`);
      onAdded?.(p);
    } catch (err) {
      toast.error('Could not add the starter policy', errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  return { busy, add };
}

/** The first-start banner: says what the starter policy does, with one button to add it. */
export function StarterPolicyOffer({ onAdded }: { onAdded?(p: GuardrailPolicyObject): void }) {
  const { busy, add } = useAddStarter(onAdded);
  return (
    <section className="starter-offer" aria-label="Starter policy">
      <div>
        <strong>No guardrail policy yet.</strong> Start safe with the starter policy for coding agents. <span className="muted">{SUMMARY}</span>
      </div>
      <Gate route="createStarterGuardrail">
        <button type="button" className="primary" disabled={busy} onClick={() => void add()}>
          {busy ? 'Adding…' : 'Add the starter policy for coding agents'}
        </button>
      </Gate>
    </section>
  );
}

export function StarterPolicyButton({ onAdded }: { onAdded(p: GuardrailPolicyObject): void }) {
  const { busy, add } = useAddStarter(onAdded);
  return (
    <Gate route="createStarterGuardrail">
      <button type="button" disabled={busy} title={SUMMARY} onClick={() => void add()}>
        {busy ? 'Adding…' : 'Add starter policy'}
      </button>
    </Gate>
  );
}

/** The offer in the empty Inbox: shown only while no guardrail policy exists. */
export function InboxStarterOffer() {
  const policies = useResource(async () => (await api().call('listGuardrails', { query: { limit: 1 } })).data.length, []);
  const [added, setAdded] = useState(false);
  if (policies.data !== 0 || added) return null;
  return <StarterPolicyOffer onAdded={() => setAdded(true)} />;
}
